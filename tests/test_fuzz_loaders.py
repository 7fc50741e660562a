"""Property-based fuzzing (hypothesis) of the loaders trainers feed: the course and theme files, scenarios and
organisation profiles.

Each example takes a valid file and breaks it: a key dropped, renamed or given a value of the wrong type, unicode,
huge or empty strings, a list item duplicated (duplicate ids), a reference pointed at nothing, broken YAML, binary
bytes, deep nesting, aliases. Whatever comes out must be either a valid load or the project's clear errors
(:class:`widgets.content.Problem`, raised as :class:`widgets.content.ContentError`): a file name relative to the
course, a location (line, or the path inside the file) and a hint in Norwegian. Never any other exception.

The examples are derandomised (the same ones every run, so CI is stable); ``HYPOTHESIS_PROFILE=explore`` runs more,
random ones locally. The whole file runs in well under two minutes.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from widgets.content import REPO_ROOT, ContentError, Problem, _Loader, check, load_course
from widgets.profile import check_profile, load_profile

# No "explain" phase: it traces every line the loader runs, which makes a deep-nesting example take minutes.
PHASES = [Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink]
settings.register_profile(
    "ci", max_examples=25, deadline=None, derandomize=True, database=None, print_blob=True, phases=PHASES,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)
settings.register_profile(
    "explore", max_examples=150, deadline=None, phases=PHASES,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
FUZZ = settings.get_profile(PROFILE)

THEME = "samtalen"
SCENARIO = "forste-kontakt"

# -- a small course to break ----------------------------------------------------------------------------------------


def _small_course(root: Path) -> Path:
    """A copy of the course with one ready theme (samtalen), the others planned: the whole loader, fast."""
    data = root / "data"
    shutil.copytree(REPO_ROOT / "data", data, ignore=shutil.ignore_patterns("media", "themes", "profiles"))
    shutil.copytree(REPO_ROOT / "data" / "themes" / THEME, data / "themes" / THEME)
    shutil.copytree(REPO_ROOT / "data" / "media" / THEME, data / "media" / THEME)
    course = yaml.safe_load((data / "course.yaml").read_text(encoding="utf-8"))
    for theme in course["themes"]:
        if theme["id"] != THEME:
            theme["status"] = "planned"
    (data / "course.yaml").write_text(yaml.safe_dump(course, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (root / "notebooks").mkdir()
    shutil.copy(REPO_ROOT / "notebooks" / "01-samtalen.ipynb", root / "notebooks")
    return root


@pytest.fixture(scope="module")
def small_course() -> Iterator[Path]:
    base = Path(tempfile.mkdtemp(prefix="trygge-fuzz-"))
    try:
        root = _small_course(base / "kurs")
        course, problems = check(root)
        assert course is not None and problems == [], [p.format() for p in problems]
        yield root
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def real_course():
    return load_course(REPO_ROOT)


# -- how a file is broken -------------------------------------------------------------------------------------------

TEXT = st.one_of(
    st.just(""), st.just(" "), st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=20),
    st.sampled_from(["æøå ÆØÅ", "\u202e\u200b\ufeff", "🙂" * 50, "../../etc/passwd", "<script>alert(1)</script>",
                     "%(x)s {0} {missing}", "\\x00", "21:30", "2026-02-30", "https://", "null", "~", "- a"]),
    st.integers(min_value=2_000, max_value=200_000).map(lambda n: "å" * n),
)
SCALAR = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True), TEXT,
)
VALUE = st.recursive(SCALAR, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.one_of(TEXT, st.integers(-3, 3), st.none()), inner, max_size=4)),
    max_leaves=8)

DATA_OPS = ("drop", "replace", "rename", "duplicate", "dangle", "wrap", "empty", "key_type", "clear")
TEXT_OPS = ("truncate", "insert", "binary", "tab", "nul", "deep", "alias", "duplicate_key", "bom", "multi_doc",
            "replace_all", "latin1", "unclosed")


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path (keys and indices) into a parsed YAML document, the root first."""
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _paths(value, prefix + (i,))
    return out


def _get(node: Any, path: tuple) -> Any:
    for part in path:
        node = node[part]
    return node


def _mutate_data(data: Any, draw: Callable[[Any], Any]) -> Any:
    """One structural change at a random place in a parsed document."""
    data = copy.deepcopy(data)
    paths = _paths(data)
    path = paths[draw(st.integers(0, len(paths) - 1))]
    op = draw(st.sampled_from(DATA_OPS))
    if not path:  # the document itself
        return draw(st.one_of(VALUE, st.just({}), st.just([])))
    parent, last = _get(data, path[:-1]), path[-1]
    if op == "drop":
        del parent[last]
    elif op == "replace":
        parent[last] = draw(VALUE)
    elif op == "rename" and isinstance(parent, dict):
        parent[draw(TEXT)] = parent.pop(last)
    elif op == "duplicate" and isinstance(parent, list):
        parent.insert(last, copy.deepcopy(parent[last]))  # two items with the same id
    elif op == "dangle":
        parent[last] = draw(st.sampled_from(["finnes_ikke", "media/samtalen/borte.webm", "ukjent-tjeneste",
                                             "ingen/sti.vtt", "n99"]))
    elif op == "wrap":
        parent[last] = [parent[last]]
    elif op == "empty":
        parent[last] = type(parent[last])() if isinstance(parent[last], (list, dict, str)) else None
    elif op == "key_type" and isinstance(parent, dict):
        parent[draw(st.one_of(st.integers(-2, 2), st.booleans(), st.none()))] = parent.pop(last)
    else:  # "clear" and the ops that do not fit this place
        parent[last] = draw(SCALAR)
    return data


def _dump(data: Any) -> str:
    try:
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    except (yaml.YAMLError, ValueError):  # e.g. a float key PyYAML cannot represent: write it as text
        return yaml.safe_dump(repr(data), allow_unicode=True)


def _mutate_text(text: str, draw: Callable[[Any], Any]) -> bytes:
    """One change to the file's text: broken YAML, binary bytes, odd encodings, YAML features."""
    op = draw(st.sampled_from(TEXT_OPS))
    at = draw(st.integers(0, len(text)))
    if op == "truncate":
        return text[:at].encode()
    if op == "insert":
        return (text[:at] + draw(st.sampled_from([":", "- ", "  ", "[", "{", '"', "'", "&a ", "*a", "!!python/object ",
                                                  "? ", "|", ">", "%YAML 1.1\n", "---\n", "...\n", "#"]))
                + text[at:]).encode()
    if op == "binary":
        return text[:at].encode() + draw(st.binary(min_size=1, max_size=64)) + text[at:].encode()
    if op == "tab":
        return (text[:at] + "\t" + text[at:]).encode()
    if op == "nul":
        return (text[:at] + "\x00\x07" + text[at:]).encode()
    if op == "deep":
        depth = draw(st.integers(50, 3_000))
        return (text + "\nekstra: " + "[" * depth + "]" * depth + "\n").encode()
    if op == "alias":
        return (text + "\nbombe: &a [x, x, x, x]\nb2: &b [*a, *a, *a, *a]\nb3: &c [*b, *b, *b, *b]\nb4: [*c, *c]\n"
                ).encode()
    if op == "duplicate_key":
        first = re.search(r"^(\w+):.*$", text, re.M)
        return (text + ("\n" + first.group(0) if first else "\nid: x") + "\n").encode()
    if op == "bom":
        return "\ufeff".encode() + text.encode()
    if op == "multi_doc":
        return (text + "\n---\n" + text).encode()
    if op == "latin1":
        return text.encode("latin-1", errors="replace")
    if op == "unclosed":
        return (text[:at] + '"ikke lukket\n' + text[at:]).encode()
    return draw(st.binary(max_size=200))  # "replace_all": not YAML at all


def broken(original: str, draw: Callable[[Any], Any]) -> bytes:
    """The file's bytes, broken in one of the ways above."""
    if draw(st.booleans()):
        return _dump(_mutate_data(yaml.load(original, Loader=_Loader), draw)).encode()
    return _mutate_text(original, draw)


# -- what a clear error is ------------------------------------------------------------------------------------------

_NB = re.compile(r"[æøåÆØÅ]|\b(legg|bruk|sjekk|fjern|skriv|gi|sett|rett|ta|lagre|opprett|sørg|kopier|lag|verdien|"
                 r"teksten|listen|tallet|feltet|filen|definer|merk|se|tekst|eller|og|til|med|for|som|en|et)\b", re.I)
_WHOLE_FILE = ("Filen mangler", "Filen er ikke UTF-8", "YAML-feil", "(toppnivå)")


def assert_clear(problems: list[Problem], root: Path) -> None:
    """Every problem names a file in the course, a place in it, and says what to do, in Norwegian."""
    for p in problems:
        assert isinstance(p, Problem)
        assert p.file and not Path(p.file).is_absolute() and (root / p.file).exists(), p
        assert p.message.strip(), p
        assert p.hint.strip(), f"no hint: {p.format()}"
        assert _NB.search(p.hint), f"hint not in Norwegian: {p.format()}"
        assert p.line is None or p.line >= 1, p
        assert p.line is not None or p.message.startswith(_WHOLE_FILE) or "/" in p.message.split(":")[0] \
            or "(toppnivå)" in p.message, f"no location: {p.format()}"
        assert "Traceback" not in p.format()


def load_outcome(root: Path) -> list[Problem]:
    """Load the course the way `trygge validate` does; any exception but the clear ones fails the test."""
    course, problems = check(root)
    assert_clear(problems, root)
    if not problems:
        assert course is not None
    return problems


class Broken:
    """Write broken bytes over a file for one example, and put the original back afterwards."""

    def __init__(self, path: Path, content: bytes) -> None:
        self.path, self.content = path, content

    def __enter__(self) -> Path:
        self.original = self.path.read_bytes()
        self.path.write_bytes(self.content)
        return self.path

    def __exit__(self, *_exc: Any) -> None:
        self.path.write_bytes(self.original)


# -- the content loader ---------------------------------------------------------------------------------------------

CONTENT_FILES = ["course.yaml", "helplines.yaml", f"themes/{THEME}/theme.yaml", f"themes/{THEME}/films.yaml",
                 f"themes/{THEME}/quiz.yaml", f"themes/{THEME}/reflections.yaml", f"themes/{THEME}/sources.yaml"]


@FUZZ
@given(data=st.data())
def test_broken_content_files_give_clear_errors_only(small_course: Path, data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(CONTENT_FILES), label="file")
    path = small_course / "data" / name
    with Broken(path, broken(path.read_text(encoding="utf-8"), data.draw)):
        load_outcome(small_course)


# -- the scenario loader --------------------------------------------------------------------------------------------


@FUZZ
@given(data=st.data())
def test_broken_scenarios_give_clear_errors_only_and_valid_ones_play(small_course: Path, data: st.DataObject) -> None:
    from widgets.simulation.diagram import load_scenario, to_mermaid, to_svg
    from widgets.simulation.engine import ScriptedEngine

    path = small_course / "data" / "themes" / THEME / "scenarios" / f"{SCENARIO}.yaml"
    with Broken(path, broken(path.read_text(encoding="utf-8"), data.draw)):
        problems = load_outcome(small_course)
        try:  # the trainers' tools read one scenario straight from its file; a diagram shows even a broken graph
            scenario = load_scenario(f"{THEME}/{SCENARIO}", small_course)
        except ContentError as exc:
            assert exc.problems
            assert_clear(exc.problems, small_course)
            return
        to_svg(scenario)
        to_mermaid(scenario)
        try:  # `trygge scenario play` also needs a sound graph
            scenario = load_scenario(f"{THEME}/{SCENARIO}", small_course, playable=True)
        except ContentError as exc:
            assert_clear(exc.problems, small_course)
            return
        engine = ScriptedEngine(scenario, seed=1)
        engine.opening()
        for step in range(6):
            if engine.ended:
                break
            engine.respond("Hva tenker du om det?" if step % 2 else "", None if step % 2 or not engine.choices() else 0)


# -- the organisation-profile loader --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def profile_dir() -> Iterator[Path]:
    base = Path(tempfile.mkdtemp(prefix="trygge-fuzz-profile-"))
    try:
        shutil.copy(REPO_ROOT / "data" / "profiles" / "eksempel.yaml", base / "eksempel.yaml")
        shutil.copytree(REPO_ROOT / "data" / "profiles" / "eksempel", base / "eksempel")
        yield base
    finally:
        shutil.rmtree(base, ignore_errors=True)


@FUZZ
@given(data=st.data())
def test_broken_profiles_give_clear_errors_only(profile_dir: Path, real_course, data: st.DataObject) -> None:
    path = profile_dir / "eksempel.yaml"
    with Broken(path, broken(path.read_text(encoding="utf-8"), data.draw)):
        profile, problems = check_profile(path, real_course, profile_dir)
        assert_clear(problems, profile_dir)
        assert (profile is None) == bool(problems)
        if problems:
            with pytest.raises(ContentError) as info:
                load_profile(path, real_course, profile_dir)
            assert [p.format() for p in info.value.problems] == [p.format() for p in problems]


# -- fixed cases the fuzzer once found, kept so they never come back --------------------------------------------------


@pytest.mark.parametrize("content", [
    b"\xff\xfe\x00binary",                                   # not UTF-8
    ("x: " + "[" * 20_000 + "]" * 20_000).encode(),          # nesting deeper than Python's recursion limit
    b"themes: {a: 1}\x00",                                   # a NUL character
    b"",                                                     # empty
    b"- just\n- a list\n",                                   # the wrong kind of document
])
def test_pathological_files_give_clear_errors(small_course: Path, content: bytes) -> None:
    with Broken(small_course / "data" / f"themes/{THEME}/quiz.yaml", content):
        problems = load_outcome(small_course)
    assert problems and problems[0].file == f"data/themes/{THEME}/quiz.yaml"


# -- through the command line ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name,content", [
    (f"themes/{THEME}/quiz.yaml", b"items:\n  - id: q1\n    type: single\n    options: 7\n"),
    (f"themes/{THEME}/scenarios/{SCENARIO}.yaml", ("nodes: " + "[" * 5_000 + "]" * 5_000).encode()),
    (f"themes/{THEME}/theme.yaml", b"\x89PNG\r\n\x1a\n\x00\x00"),
])
def test_cli_validate_reports_a_broken_course_without_a_traceback(small_course: Path, name: str,
                                                                   content: bytes) -> None:
    env = {**os.environ, "TRYGGE_CONTENT_CACHE": "0"}
    with Broken(small_course / "data" / name, content):
        run = subprocess.run([sys.executable, "-m", "widgets.cli", "validate", "--course-dir", str(small_course)],
                             capture_output=True, text=True, timeout=120, env=env, cwd=REPO_ROOT)
        out = run.stdout + run.stderr
        assert run.returncode == 1, out
        assert "Traceback" not in out and "Error:" not in out.replace("YAML-feil", ""), out
        assert f"data/{name}" in out and "Tips:" in out and "problem" in out
        if "scenarios" in name:
            play = subprocess.run([sys.executable, "-m", "widgets.cli", "scenario", "diagram", f"{THEME}/{SCENARIO}",
                                   "--course-dir", str(small_course)], capture_output=True, text=True, timeout=120,
                                  env=env, cwd=REPO_ROOT)
            assert play.returncode == 2 and "Traceback" not in play.stdout + play.stderr
            assert f"data/{name}" in play.stderr and "Tips:" in play.stderr
