"""Load and validate the course content in ``data/``.

Content is data: YAML files checked by the JSON Schemas in ``data/schemas`` and by cross-file checks (every section a
theme lists has its content, every film its captions, described version and transcript, every scenario is a sound
graph). A problem is reported with the file, the line, what is wrong and a hint of what to write instead, in
Norwegian, because trainers read it.

Validated content is cached: in the process (:func:`load_course` parses once per kernel) and on disk
(``<course dir>/var/cache/content.json``, written by ``trygge validate``/``trygge serve`` and by the first kernel
that validates). The disk cache is keyed by a fingerprint of everything validation looks at (every file under
``data/``, the notebooks, the schemas and this package's code: paths, sizes, modification times, and the YAML
files' bytes), so a kernel whose content has not changed skips YAML parsing and JSON Schema validation (about 1–2 s of
CPU and ~10 MB per kernel) and reads plain JSON instead. Any change to a content file means a full validation again.
``TRYGGE_CONTENT_CACHE=0`` turns the disk cache off.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import logging
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:  # jsonschema (and the packages it pulls in) is imported only when content is validated
    import jsonschema

log = logging.getLogger("trygge")

REPO_ROOT = Path(__file__).resolve().parent.parent

SECTION_TITLES: dict[str, str] = {
    "confidence_before": "Hvor trygg er du nå?",
    "expert_film": "Fagfilm",
    "interview_film": "Intervjufilm",
    "tool_film": "Verktøyfilm",
    "quiz": "Test deg selv",
    "simulation": "Samtalesimulering",
    "learn_more": "Lær mer",
    "reflection": "Refleksjon og øvelser",
    "printable": "Til utskrift",
    "confidence_after": "Hvor trygg er du nå – etterpå?",
}
FILM_SECTIONS = ("expert_film", "interview_film", "tool_film")


def course_dir() -> Path:
    """The course directory: ``TRYGGE_COURSE_DIR`` if set, else the repository."""
    return Path(os.environ.get("TRYGGE_COURSE_DIR") or REPO_ROOT).resolve()


class ContentError(Exception):
    """Content could not be loaded; ``problems`` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(p.format() for p in problems))


@dataclasses.dataclass(frozen=True)
class Problem:
    """One thing wrong in a content file."""

    file: str
    line: int | None
    message: str
    hint: str = ""

    def format(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        text = f"{where}: {self.message}"
        return f"{text}\n    Tips: {self.hint}" if self.hint else text


# -- YAML with line numbers --------------------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """Safe YAML, but dates and clock times stay text (``2026-11-22``, ``21:30``), as the schemas expect."""


_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _digit in "0123456789":
    # YAML 1.1 reads 21:30 as a base-60 integer; a clock time is what a trainer means.
    _Loader.yaml_implicit_resolvers.setdefault(_digit, []).insert(
        0, ("tag:yaml.org,2002:str", re.compile(r"^\d{1,2}:\d{2}$"))
    )


@dataclasses.dataclass
class YamlDoc:
    """A parsed YAML file and the node tree that knows each value's line."""

    path: Path
    data: Any
    node: yaml.Node | None

    def line_of(self, location: tuple[Any, ...] | list[Any]) -> int | None:
        """1-based line of the value at a JSON path (keys and indices), or of its nearest parent."""
        node = self.node
        line = node.start_mark.line + 1 if node else None
        for part in location:
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if key_node.value == str(part):
                        node = value_node
                        line = key_node.start_mark.line + 1
                        break
                else:
                    return line
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                node = node.value[part]
                line = node.start_mark.line + 1
            else:
                return line
        return line


def read_yaml(path: Path, root: Path | None = None) -> YamlDoc:
    """Parse a YAML file; a syntax error becomes a :class:`ContentError` with the line."""
    rel = _rel(path, root)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContentError([Problem(rel, None, "Filen mangler.", "Opprett filen, eller fjern delen fra course.yaml.")])
    except UnicodeDecodeError as exc:
        raise ContentError([Problem(rel, None, f"Filen er ikke UTF-8 ({exc.reason}).", "Lagre filen som UTF-8.")])
    try:
        node = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise ContentError(
            [
                Problem(
                    rel,
                    line,
                    f"YAML-feil: {exc.problem or exc}",
                    "Sjekk innrykk (mellomrom, ikke tabulator), kolon etter nøkler og anførselstegn rundt tekst med «:».",
                )
            ]
        )
    except yaml.YAMLError as exc:
        raise ContentError([Problem(rel, None, f"YAML-feil: {exc}", "Sjekk at filen er gyldig YAML.")])
    except RecursionError:  # lists or maps nested thousands deep: PyYAML's parser recurses once per level
        raise ContentError([Problem(rel, None, "YAML-feil: lister eller felt er nøstet altfor dypt inni hverandre.",
                                    "Sjekk parentesene [ ] og { }: hver som åpnes, må lukkes, og innholdet trenger "
                                    "bare noen få nivåer.")])
    return YamlDoc(path, data, node)


def _rel(path: Path, root: Path | None) -> str:
    try:
        return str(path.resolve().relative_to((root or course_dir()).resolve()))
    except ValueError:
        return str(path)


# -- schemas ---------------------------------------------------------------------------------------------------------

_HINTS = {
    "required": "Legg til feltet {missing}.",
    "additionalProperties": "Feltet er ukjent her. Sjekk stavemåten, eller se docs/architecture.md for hvilke felt som finnes.",
    "enum": "Bruk en av: {allowed}.",
    "const": "Bruk: {allowed}.",
    "type": "Verdien skal være {expected}.",
    "minItems": "Listen har for få elementer (minst {limit}).",
    "maxItems": "Listen har for mange elementer (høyst {limit}).",
    "minLength": "Teksten kan ikke være tom.",
    "pattern": "Verdien har feil form (forventet mønster {pattern}). Klokkeslett skrives «21:30», datoer «2026-11-22», "
    "medier «media/<tema>/fil.webm» eller en https-adresse.",
    "uniqueItems": "Fjern duplikater i listen.",
    "minimum": "Tallet er for lite (minst {limit}).",
    "maximum": "Tallet er for stort (høyst {limit}).",
    "maxLength": "Teksten er for lang (høyst {limit} tegn).",
    "minProperties": "Samlingen må ha minst {limit} felt.",
    "maxProperties": "Samlingen har for mange felt (høyst {limit}).",
    "propertyNames": "Navnet på feltet har feil form: bruk små bokstaver a–z, tall, bindestrek og understrek.",
    "anyOf": "Verdien passer ikke med noen av formene som er lov her. Se formatet i docs/architecture.md.",
    "oneOf": "Verdien passer ikke med noen av formene som er lov her. Se formatet i docs/architecture.md.",
}
#: When a schema rule has no hint of its own.
_FALLBACK_HINT = "Se formatet for denne filen i docs/architecture.md, og sammenlign med en fil som virker."
_TYPE_NB = {"string": "tekst", "integer": "et heltall", "boolean": "true eller false", "array": "en liste",
            "object": "en samling felt (nøkkel: verdi)", "null": "tom"}


@functools.cache
def schema(name: str) -> dict[str, Any]:
    """The JSON Schema ``data/schemas/<name>.schema.json`` (shipped with the code, not the course)."""
    path = REPO_ROOT / "data" / "schemas" / f"{name}.schema.json"
    return json.loads(path.read_text(encoding="utf-8"))


def schema_problems(doc: YamlDoc, schema_name: str, root: Path | None = None) -> list[Problem]:
    """Validate a parsed file against a schema; one :class:`Problem` per error, with line and hint."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema(schema_name))
    rel = _rel(doc.path, root)
    problems = []
    for err in sorted(validator.iter_errors(doc.data), key=lambda e: list(map(str, e.absolute_path))):
        where = "/".join(str(p) for p in err.absolute_path) or "(toppnivå)"
        problems.append(Problem(rel, doc.line_of(list(err.absolute_path)), f"{where}: {_message(err)}", _hint(err)))
    return problems


def _message(err: jsonschema.ValidationError) -> str:
    if err.validator == "required":
        missing = re.findall(r"'([^']+)' is a required property", err.message)
        return f"mangler feltet «{missing[0] if missing else '?'}»"
    if err.validator == "additionalProperties":
        extra = re.findall(r"'([^']+)'", err.message)
        return f"ukjent felt «{', '.join(extra)}»"
    if err.validator == "type":
        return f"har feil type ({type(err.instance).__name__})"
    if err.validator == "enum":
        return f"ugyldig verdi «{err.instance}»"
    if err.validator in ("if", "then", "else", "not"):
        return "feltene passer ikke med typen (sannhetspåstander bruker answer/feedback_true/feedback_false, andre options)"
    return f"ugyldig verdi «{str(err.instance)[:60]}»"


def _hint(err: jsonschema.ValidationError) -> str:
    template = _HINTS.get(str(err.validator), "")
    v = err.validator_value
    if err.validator == "required":
        missing = re.findall(r"'([^']+)'", err.message)
        return template.format(missing=f"«{missing[0]}»" if missing else "")
    if err.validator == "type":
        return template.format(expected=_TYPE_NB.get(v, v) if isinstance(v, str) else " eller ".join(_TYPE_NB.get(t, t) for t in v))
    if err.validator in ("enum", "const"):
        return template.format(allowed=", ".join(map(str, v if isinstance(v, list) else [v])))
    if err.validator in ("minItems", "maxItems", "minimum", "maximum", "maxLength", "minProperties",
                         "maxProperties"):
        return template.format(limit=v)
    if err.validator == "pattern":
        return template.format(pattern=v)
    if err.validator in ("if", "then", "else", "not"):
        return "Se eksempelet for quiz.yaml i docs/architecture.md."
    return template or _FALLBACK_HINT


# -- the content model ------------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Theme:
    """One theme: its place in the course and its content files (already validated)."""

    id: str
    order: int
    title: str
    summary: str
    status: str
    goals: list[str]
    sections: list[str]
    root: Path
    intro: str = ""
    confidence: dict[str, Any] = dataclasses.field(default_factory=dict)
    films: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    quiz: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    tasks: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    sources: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    scenarios: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)
    referrals: list[str] = dataclasses.field(default_factory=list)

    @property
    def ready(self) -> bool:
        return self.status == "ready"

    @property
    def notebook(self) -> str:
        """File name of the theme's notebook, e.g. ``01-samtalen.ipynb``."""
        return f"{self.order:02d}-{self.id}.ipynb"

    def film(self, key: str) -> dict[str, Any]:
        """A film by id or by kind (``expert_film``)."""
        for film in self.films:
            if key in (film["id"], film["kind"]):
                return film
        raise KeyError(f"Temaet {self.id!r} har ingen film {key!r}")


@dataclasses.dataclass
class Course:
    """The whole course: its themes in order and the help-line directory."""

    id: str
    title: str
    version: str
    themes: list[Theme]
    helplines: list[dict[str, Any]]
    root: Path

    def theme(self, theme_id: str) -> Theme:
        for theme in self.themes:
            if theme.id == theme_id:
                return theme
        raise KeyError(f"Kurset har ikke temaet {theme_id!r}. Temaer: {', '.join(t.id for t in self.themes)}")


def _theme_files(theme: Theme) -> Iterator[tuple[str, str, str]]:
    """(file name, schema, the section that needs it) for each content file a theme's sections call for."""
    yield "theme.yaml", "theme", ""
    if any(s in theme.sections for s in FILM_SECTIONS):
        yield "films.yaml", "films", "film"
    if "quiz" in theme.sections:
        yield "quiz.yaml", "quiz", "quiz"
    if "reflection" in theme.sections or "printable" in theme.sections:
        yield "reflections.yaml", "reflections", "reflection"
    if "learn_more" in theme.sections:
        yield "sources.yaml", "sources", "learn_more"


def check(root: Path) -> tuple[Course | None, list[Problem]]:
    """Load everything under ``root`` and collect every problem (never stops at the first).

    Returns the course as far as it could be read (``None`` if ``course.yaml`` itself is broken) and the problems.
    """
    from . import _checks

    problems: list[Problem] = []
    data_dir = root / "data"

    def load(path: Path, schema_name: str) -> YamlDoc | None:
        try:
            doc = read_yaml(path, root)
        except ContentError as exc:
            problems.extend(exc.problems)
            return None
        found = schema_problems(doc, schema_name, root)
        problems.extend(found)
        return None if found else doc

    course_doc = load(data_dir / "course.yaml", "course")
    helplines_doc = load(data_dir / "helplines.yaml", "helplines")
    helplines = helplines_doc.data["services"] if helplines_doc else []
    if course_doc is None:
        return None, problems
    raw = course_doc.data
    themes = []
    for index, t in enumerate(raw["themes"]):
        theme = Theme(
            id=t["id"], order=t["order"], title=t["title"], summary=t["summary"], status=t["status"],
            goals=t["goals"], sections=t["sections"], root=data_dir / "themes" / t["id"],
        )
        themes.append(theme)
        if not theme.ready:
            continue
        docs: dict[str, YamlDoc] = {}
        for file_name, schema_name, _section in _theme_files(theme):
            doc = load(theme.root / file_name, schema_name)
            if doc is not None:
                docs[file_name] = doc
        if "theme.yaml" in docs:
            theme.intro = docs["theme.yaml"].data["intro"]
            theme.confidence = docs["theme.yaml"].data["confidence"]
            theme.referrals = docs["theme.yaml"].data.get("referrals", [])
        if "films.yaml" in docs:
            theme.films = docs["films.yaml"].data["films"]
        if "quiz.yaml" in docs:
            theme.quiz = docs["quiz.yaml"].data["items"]
        if "reflections.yaml" in docs:
            theme.tasks = docs["reflections.yaml"].data["tasks"]
        if "sources.yaml" in docs:
            theme.sources = docs["sources.yaml"].data["sources"]
        scenario_docs = {}
        for path in sorted((theme.root / "scenarios").glob("*.yaml")):
            doc = load(path, "scenario")
            if doc is not None:
                scenario_docs[doc.data["id"]] = doc
                theme.scenarios[doc.data["id"]] = doc.data
        problems.extend(_checks.theme_problems(theme, docs, scenario_docs, course_doc, index, root, helplines))
    problems.extend(_checks.course_problems(themes, course_doc, root))
    course = Course(raw["id"], raw["title"], raw["version"], sorted(themes, key=lambda t: t.order), helplines, root)
    return course, problems


def validate(root: Path | None = None) -> list[Problem]:
    """Every problem in the course content under ``root`` (default: the course directory).

    When there is none, the validated course is written to the disk cache, so the server's kernels can skip
    validation (see the module docstring).
    """
    root = Path(root or course_dir()).resolve()
    course, problems = check(root)
    if course is not None and not problems:
        write_cache(root, course)
    return problems


@functools.cache
def _load_cached(root: str) -> Course:
    path = Path(root)
    cached = read_cache(path)
    if cached is not None:
        return cached
    course, problems = check(path)
    if problems or course is None:
        raise ContentError(problems)
    write_cache(path, course)
    return course


def load_course(root: Path | None = None) -> Course:
    """The validated course (parsed once per process and cached). Raises :class:`ContentError` on any problem.

    Reads the disk cache when its fingerprint matches the content; otherwise validates everything (and refreshes
    the cache).
    """
    return _load_cached(str(Path(root or course_dir()).resolve()))


# -- the validated-content cache ------------------------------------------------------------------------------------

#: Bump when the cache's layout or the content model changes.
CACHE_VERSION = 1
_CODE_DIR = Path(__file__).resolve().parent


def cache_path(root: Path) -> Path:
    """Where the validated content of ``root`` is cached: ``<root>/var/cache/content.json``."""
    return Path(root) / "var" / "cache" / "content.json"


def _cache_enabled() -> bool:
    return (os.environ.get("TRYGGE_CONTENT_CACHE") or "1").strip().lower() not in ("0", "off", "false", "no", "nei")


def content_fingerprint(root: Path) -> str:
    """A hash of everything :func:`check` reads or looks at, so a cached result is used only for the same content.

    Covers every file under ``<root>/data`` (path, size, modification time; YAML files also by their bytes), the
    notebooks' names and times, the JSON Schemas and the package's Python code (a code change can change the checks).
    """
    root = Path(root).resolve()
    h = hashlib.sha256(f"{CACHE_VERSION}\0{root}\0".encode())

    def add_tree(base: Path, label: str, pattern: str = "") -> None:
        entries = []
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames.sort()
            for name in filenames:
                if pattern and not name.endswith(pattern):
                    continue
                full = os.path.join(dirpath, name)
                try:
                    st = os.stat(full)
                except OSError:
                    continue
                entries.append((os.path.relpath(full, base), st.st_size, st.st_mtime_ns, full))
        for rel, size, mtime, full in sorted(entries):
            h.update(f"{label}\0{rel}\0{size}\0{mtime}\n".encode())
            if rel.endswith((".yaml", ".yml", ".json")) and size < 2_000_000:
                try:
                    h.update(Path(full).read_bytes())
                except OSError:
                    pass

    add_tree(root / "data", "data")
    add_tree(root / "notebooks", "notebooks", ".ipynb")
    add_tree(REPO_ROOT / "data" / "schemas", "schemas")
    add_tree(_CODE_DIR, "code", ".py")
    return h.hexdigest()


def _theme_to_json(theme: Theme) -> dict[str, Any]:
    data = dataclasses.asdict(theme)
    data["root"] = str(theme.root)
    return data


def _course_to_json(course: Course) -> dict[str, Any]:
    return {"id": course.id, "title": course.title, "version": course.version, "root": str(course.root),
            "helplines": course.helplines, "themes": [_theme_to_json(t) for t in course.themes]}


def _course_from_json(data: dict[str, Any]) -> Course:
    themes = [Theme(**{**t, "root": Path(t["root"])}) for t in data["themes"]]
    return Course(data["id"], data["title"], data["version"], themes, data["helplines"], Path(data["root"]))


def write_cache(root: Path, course: Course) -> Path | None:
    """Write the validated ``course`` to the disk cache (atomically). Returns the file, or ``None`` if not written.

    Nothing is written when the content does not survive a JSON round trip unchanged (then kernels always validate),
    or when the course directory is read-only.
    """
    if not _cache_enabled():
        return None
    root = Path(root).resolve()
    try:
        payload = _course_to_json(course)
        text = json.dumps({"fingerprint": content_fingerprint(root), "course": payload}, ensure_ascii=False)
        if json.loads(text)["course"] != payload:  # e.g. a mapping with number keys: not cacheable as JSON
            log.info("content cache: the content does not round-trip through JSON; not cached")
            return None
        path = cache_path(root)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".content-", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
        return path
    except (OSError, TypeError, ValueError) as exc:
        log.info("content cache not written: %s", exc)
        return None


def read_cache(root: Path) -> Course | None:
    """The cached validated course of ``root`` if the cache exists and its fingerprint matches, else ``None``."""
    if not _cache_enabled():
        return None
    root = Path(root).resolve()
    path = cache_path(root)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    try:
        if data.get("fingerprint") != content_fingerprint(root):
            return None
        course = _course_from_json(data["course"])
    except (KeyError, TypeError, ValueError):
        return None
    return course if course.root == root else None


def media_path(course: Course, ref: str) -> Path | None:
    """The local file a media reference points to, or ``None`` for a remote (https) reference."""
    if ref.startswith(("https://", "http://")):
        return None
    return course.root / "data" / ref
