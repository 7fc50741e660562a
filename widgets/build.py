"""``trygge build``: a tailored course directory for one organisation, from the course and its profile.

    trygge build --org data/profiles/eksempel.yaml --out build/eksempel [--course-dir DIR] [--force]

The result is an ordinary course directory (``data/`` + ``notebooks/``) that ``trygge serve --course-dir`` serves:

- ``data/course.yaml``: only the organisation's themes, in its order (renumbered), with its sections and wording;
- ``data/themes/<theme>/``: the content files, with wording changes in the intro and the organisation's own films in
  ``films.yaml`` instead of the demo films;
- ``data/helplines.yaml``: the directory plus the organisation's local services; ``data/toolcards.yaml`` as it is;
- ``data/media/``: the themes' media (hard links where the file system allows, else copies) and, under
  ``media/org/``, the logo and the organisation's own film files;
- ``data/org.yaml``: name, logo and colours for the pages (:func:`widgets.profile.course_org`);
- ``notebooks/``: the start page, one notebook per theme (renamed to its new number, sections dropped or reordered as
  the profile says, trainer notes kept), and the course's other pages (plenum, polls, help-line finder). Each notebook
  carries ``metadata.trygge_org`` (name, logo, colours), which the Voilà template turns into the banner and a small
  style block, so nothing but media is served from the course directory.

Nothing is written unless the profile, the course and the built result are all valid; the build is made in a
temporary folder beside ``--out`` and moved into place at the end. An existing ``--out`` is replaced only if it is an
earlier build (it has ``data/org.yaml``) or ``--force`` is given.

The notebook helpers here (:func:`theme_notebook`, :func:`section_blocks`) are also what ``tools/make_notebooks.py``
and ``trygge new theme`` use, so every theme notebook has the same shape.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import nbformat
import yaml
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from .content import SECTION_TITLES, ContentError, Course, Problem, check, course_dir, read_yaml
from .profile import ORG_FILE, Profile, load_profile

__all__ = [
    "PLACEHOLDER",
    "SECTION_TEXT",
    "TRAINER_TAG",
    "BuildResult",
    "add_parser",
    "build_course",
    "section_blocks",
    "theme_notebook",
]

TRAINER_TAG = "trener"
#: Template text that ``trygge new`` writes and a trainer must replace; a build refuses content that still has it.
PLACEHOLDER = "FYLL INN"
#: The notebook metadata key the Voilà template reads the organisation's name, logo and colours from.
ORG_METADATA = "trygge_org"

SECTION_TEXT: dict[str, tuple[str, str]] = {
    "confidence_before": ("Før du begynner: hvor trygg kjenner du deg i slike samtaler? Svarene er bare for deg, "
                          "og du får se dem igjen på slutten.", 'tema.confidence("before")'),
    "expert_film": ("Fagfilmen gir kunnskap og innsikt i temaet. Teksting er slått på. Du kan velge synstolket "
                    "versjon og lese tekstversjonen.", 'tema.film("expert_film")'),
    "interview_film": ("I intervjufilmen deler folk fra en hjelpetjeneste erfaringer og perspektiver.",
                       'tema.film("interview_film")'),
    "tool_film": ("Verktøyfilmen viser konkrete verktøy du kan bruke i samtalene.", 'tema.film("tool_film")'),
    "quiz": ("Svar på spørsmålene. Du får tilbakemelding på hvert svar, og du kan prøve igjen.", "tema.quiz()"),
    "simulation": ("Øv på en samtale. Velg et av forslagene, eller skriv med egne ord. Du får tilbakemelding på hvert "
                   "svar og en oppsummering til slutt. **Dette er bare en øvelse med en oppdiktet person.**",
                   "tema.simulation()"),
    "learn_more": ("Vil du vite mer? Her er kilder vi anbefaler.", "tema.learn_more()"),
    "reflection": ("Bruk litt tid på å tenke gjennom det du har lært, alene eller sammen med andre. Det du skriver er "
                   "privat.", "tema.reflections()"),
    "printable": ("Skriv ut arbeidsarket hvis du vil jobbe på papir, eller ta det med til en gruppesamling.",
                  "tema.worksheet()"),
    "confidence_after": ("Hvor trygg kjenner du deg nå? Sammenlign med svarene dine fra starten.",
                         'tema.confidence("after")'),
}


# -- notebooks ------------------------------------------------------------------------------------------------------


def _trainer_cell(text: str) -> nbformat.NotebookNode:
    cell = new_markdown_cell(text)
    cell.metadata["tags"] = [TRAINER_TAG]
    return cell


def theme_notebook(course: Course, theme_id: str) -> nbformat.NotebookNode:
    """A new theme notebook in the standard shape: title, header, intro, a trainer note, one part per section."""
    theme = course.theme(theme_id)
    cells = [
        new_markdown_cell(f"# {theme.title}\n\n[Til startsiden](00-start.ipynb)"),
        new_code_cell(f'import widgets as ts\n\ntema = ts.theme("{theme.id}")\ntema.header()'),
        new_code_cell("tema.intro()"),
        _trainer_cell("**For kursholdere:** Denne cellen vises ikke for deltakerne. Skriv notater til "
                      "gruppesamlinger her (forslag til tidsbruk, spørsmål til diskusjon)."),
    ]
    for section in theme.sections:
        text, call = SECTION_TEXT[section]
        cells.append(new_markdown_cell(f"## {SECTION_TITLES[section]}\n\n{text}"))
        if section == "simulation":
            # One sub-section per scenario, so a learner can pick the conversation to practise.
            for scenario in theme.scenarios.values():
                cells.append(new_markdown_cell(f"### {scenario['title']}"))
                cells.append(new_code_cell(f'tema.simulation("{scenario["id"]}")'))
        else:
            cells.append(new_code_cell(call))
    cells.append(new_code_cell("tema.real_help()"))
    nb = new_notebook(cells=cells)
    nb.metadata["title"] = f"{theme.title} – Trygge samtaler"
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def _heading(cell: Any, level: int) -> str | None:
    """The text of a Markdown cell's first line if it is a heading of exactly ``level`` (``## …``)."""
    if cell.cell_type != "markdown" or not cell.source.strip():
        return None
    first = cell.source.lstrip().splitlines()[0]
    marks = len(first) - len(first.lstrip("#"))
    return first[marks:].strip() if marks == level and first[marks:marks + 1] == " " else None


def section_blocks(nb: Any) -> tuple[list[Any], dict[str, list[Any]], list[Any]]:
    """Split a theme notebook into (cells before the first section, {section: its cells}, cells after the last).

    A section starts at a ``## <section title>`` heading (:data:`widgets.content.SECTION_TITLES`) and runs to the
    next section heading (other headings stay with the part they follow). Cells calling ``tema.real_help()`` belong
    to the page, not a section, and come last.
    """
    by_title = {title: section for section, title in SECTION_TITLES.items()}
    head: list[Any] = []
    blocks: dict[str, list[Any]] = {}
    tail: list[Any] = []
    current: list[Any] | None = None
    for cell in nb.cells:
        if cell.cell_type == "code" and "real_help()" in cell.source:
            tail.append(cell)
            continue
        title = _heading(cell, 2)
        if title is not None and title in by_title:
            current = blocks.setdefault(by_title[title], [])
        # Any other cell (also a «## » heading that is not a section) stays with the part it follows.
        (head if current is None else current).append(cell)
    return head, blocks, tail


def _tailor_notebook(nb: Any, sections: list[str] | None, profile: Profile, renames: dict[str, str],
                     org: dict[str, Any]) -> Any:
    nb = nbformat.from_dict(nb)
    if sections is not None:
        head, blocks, tail = section_blocks(nb)
        nb.cells = head + [cell for s in sections for cell in blocks.get(s, [])] + tail
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            source = profile.reword(cell.source)
            for old, new in renames.items():
                source = source.replace(f"({old})", f"({new})")
            cell.source = source
    if "title" in nb.metadata:
        nb.metadata["title"] = profile.reword(str(nb.metadata["title"]))
    nb.metadata[ORG_METADATA] = org
    return nb


# -- the build --------------------------------------------------------------------------------------------------


@dataclasses.dataclass
class BuildResult:
    """What a build made: where, for whom, and how much of it is the organisation's own."""

    out: Path
    org: str
    themes: list[str]
    services: int
    films: int
    notebooks: list[str]


def _link(src: Path, dst: Path) -> None:
    """Hard-link ``src`` to ``dst`` (media are large and never edited in place); copy if the file system refuses."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _dump(path: Path, data: Any, profile: Profile) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    header = (f"# Laget av «trygge build» for {profile.name} ({profile.id}). Ikke rediger her: endre kurset eller\n"
              f"# profilen {profile.path.name} og bygg på nytt.\n")
    path.write_text(header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=110), encoding="utf-8")


def _placeholder_problems(root: Path, theme_ids: list[str]) -> list[Problem]:
    problems = []
    for theme_id in theme_ids:
        for path in sorted((root / "data" / "themes" / theme_id).rglob("*.yaml")):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if PLACEHOLDER in line:
                    problems.append(Problem(str(path.relative_to(root)), number,
                                            f"malteksten «{PLACEHOLDER}» står fortsatt her",
                                            "Skriv din egen tekst i stedet, og kjør «trygge validate» igjen."))
                    break
    return problems


#: The only template a notebook may name in metadata.voila.template, and the only page that may name it.
FACILITATOR_TEMPLATES = {"plenum.ipynb": "trygge-plenum"}


def _template_problems(root: Path) -> list[Problem]:
    """Voilà lets a notebook's metadata pick its template; only the facilitator page may (learner pages would lose
    the template that removes the trainer cells)."""
    problems = []
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        template = nbformat.read(path, as_version=4).metadata.get("voila", {}).get("template")
        if template is not None and FACILITATOR_TEMPLATES.get(path.name) != template:
            problems.append(Problem(f"notebooks/{path.name}", None,
                                    f"notatboken velger Voilà-malen «{template}» (metadata.voila.template)",
                                    "Fjern metadata.voila.template. Deltakernes sider bruker alltid malen «trygge», "
                                    "som fjerner cellene merket «trener»."))
    return problems


def _org_film(profile: Profile, film: dict[str, Any], old: dict[str, Any], media: dict[Path, str]) -> dict[str, Any]:
    """The organisation's film as a films.yaml entry; its local files are listed in ``media`` (source → ref)."""

    def ref(value: str) -> str:
        if value.startswith("https://"):
            return value
        source = (profile.folder / value).resolve()
        media[source] = f"media/org/{value}"
        return media[source]

    out: dict[str, Any] = {"id": f"{profile.id}-{old['id']}"[:60], "kind": film["kind"], "title": film["title"],
                           "description": film["description"],
                           "sources": [{"src": ref(s["src"]), "type": s["type"]} for s in film["sources"]]}
    if "poster" in film:
        out["poster"] = ref(film["poster"])
    out["captions"] = ref(film["captions"])
    out["described"] = {"sources": [{"src": ref(s["src"]), "type": s["type"]} for s in film["described"]["sources"]],
                        "captions": ref(film["described"]["captions"])}
    out["transcript"] = ref(film["transcript"])
    return out


def build_course(profile_path: Path, out: Path, *, source: Path | None = None, force: bool = False) -> BuildResult:
    """Build the course for the organisation in ``profile_path`` into ``out``.

    Raises :class:`widgets.content.ContentError` (file, line, hint for every problem) if the course, the profile or
    the built result is not valid, and :class:`FileExistsError` if ``out`` holds something that is not a build.
    """
    source = Path(source or course_dir()).resolve()
    out = Path(out).resolve()
    course, problems = check(source)
    problems += _template_problems(source)
    if problems or course is None:
        raise ContentError(problems)
    profile = load_profile(Path(profile_path), course, source)
    if out == source or out in source.parents or any(d == out or d in out.parents
                                                      for d in (source / "data", source / "notebooks")):
        raise FileExistsError(f"{out} er kursmappen eller en del av den. Velg en egen mappe for det bygde kurset, "
                              f"f.eks. build/{profile.id}.")
    if out.exists() and any(out.iterdir()) and not (out / ORG_FILE).is_file() and not force:
        raise FileExistsError(f"{out} finnes og er ikke et bygd kurs. Velg en annen mappe, eller bruk --force for å "
                              "erstatte innholdet.")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        result = _assemble(course, profile, source, tmp)
        _built, built_problems = check(tmp)
        built_problems += _placeholder_problems(tmp, result.themes)
        if built_problems:
            raise ContentError([dataclasses.replace(p, file=f"(bygget kurs) {p.file}") for p in built_problems])
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    result.out = out
    return result


def _assemble(course: Course, profile: Profile, source: Path, dest: Path) -> BuildResult:
    data_in, data_out = source / "data", dest / "data"
    raw_course = read_yaml(data_in / "course.yaml").data
    raw_themes = {t["id"]: t for t in raw_course["themes"]}
    media: dict[Path, str] = {}
    themes_out = []
    renames: dict[str, str] = {}
    theme_sections: dict[str, list[str] | None] = {}
    for order, (theme_id, chosen) in enumerate(profile.themes, start=1):
        theme = course.theme(theme_id)
        entry = dict(raw_themes[theme_id])
        entry.update(order=order, title=profile.reword(entry["title"]), summary=profile.reword(entry["summary"]),
                     goals=[profile.reword(g) for g in entry["goals"]], sections=profile.sections_for(theme))
        themes_out.append(entry)
        renames[theme.notebook] = f"{order:02d}-{theme.id}.ipynb"
        theme_sections[theme_id] = entry["sections"]
        shutil.copytree(theme.root, data_out / "themes" / theme_id)
        if profile.wording:
            doc = read_yaml(theme.root / "theme.yaml").data
            doc["intro"] = profile.reword(doc["intro"])
            _dump(data_out / "themes" / theme_id / "theme.yaml", doc, profile)
        own = [f for f in profile.films if f["theme"] == theme_id]
        if own:
            films = read_yaml(theme.root / "films.yaml").data
            for film in own:
                films["films"] = [_org_film(profile, film, old, media) if old["kind"] == film["kind"] else old
                                  for old in films["films"]]
            _dump(data_out / "themes" / theme_id / "films.yaml", films, profile)
        theme_media = data_in / "media" / theme_id
        if theme_media.is_dir():
            for file in sorted(theme_media.rglob("*")):
                if file.is_file():
                    _link(file, data_out / "media" / theme_id / file.relative_to(theme_media))
    new_course = {k: v for k, v in raw_course.items() if k != "themes"}
    new_course["title"] = profile.reword(raw_course["title"])
    if "description" in new_course:
        new_course["description"] = profile.reword(new_course["description"])
    new_course["themes"] = themes_out
    _dump(data_out / "course.yaml", new_course, profile)

    if (data_in / "toolcards.yaml").is_file():
        shutil.copy2(data_in / "toolcards.yaml", data_out / "toolcards.yaml")
    helplines = read_yaml(data_in / "helplines.yaml").data
    helplines["services"] = list(helplines["services"]) + list(profile.services)
    _dump(data_out / "helplines.yaml", helplines, profile)

    logo = None
    if profile.logo is not None:
        logo = f"media/org/{profile.logo.relative_to(profile.folder).as_posix()}"
        media[profile.logo] = logo
    for file, ref in media.items():
        _link(file, data_out / ref)
    org = {"id": profile.id, "name": profile.name, "logo": logo, "colours": dict(profile.colours)}
    _dump(data_out / ORG_FILE.relative_to("data"), {**org, "profile": profile.path.name,
                                                     "built": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")},
          profile)

    notebooks = []
    nb_in, nb_out = source / "notebooks", dest / "notebooks"
    nb_out.mkdir(parents=True)
    theme_notebooks = {t.notebook: t.id for t in course.themes}
    for path in sorted(nb_in.glob("*.ipynb")):
        if path.name in theme_notebooks:
            theme_id = theme_notebooks[path.name]
            if theme_id not in theme_sections:
                continue  # a theme the organisation does not use
            name, sections = renames[path.name], theme_sections[theme_id]
        else:
            name, sections = path.name, None
        nb = _tailor_notebook(nbformat.read(path, as_version=4), sections, profile, renames, org)
        nbformat.write(nb, nb_out / name)
        notebooks.append(name)
    return BuildResult(dest, profile.id, [t for t, _ in profile.themes], len(profile.services), len(profile.films),
                       notebooks)


# -- command line ---------------------------------------------------------------------------------------------------


def cmd_build(args: argparse.Namespace) -> int:
    from .cli import _course_dir

    source = _course_dir(args.course_dir)
    try:
        result = build_course(Path(args.org), Path(args.out), source=source, force=args.force)
    except ContentError as exc:
        for problem in exc.problems:
            print(problem.format(), file=sys.stderr)
        print(f"\n{len(exc.problems)} problem{'er' if len(exc.problems) != 1 else ''}. Kurset ble ikke bygd.",
              file=sys.stderr)
        return 1
    except FileExistsError as exc:
        print(f"trygge build: {exc}", file=sys.stderr)
        return 1
    print(f"Bygde kurset for {result.org} i {result.out}:\n"
          f"  {len(result.themes)} temaer ({', '.join(result.themes)}), {result.services} egne tjenester, "
          f"{result.films} egne filmer, {len(result.notebooks)} sider.\n\n"
          f"Start det med:\n\n    trygge serve --course-dir {result.out}\n")
    return 0


def add_parser(sub: Any) -> None:
    """Register ``trygge build`` on the CLI's sub-parsers."""
    build = sub.add_parser("build", help="bygg et tilpasset kurs for en organisasjon fra en profil")
    build.add_argument("--org", required=True, help="organisasjonsprofilen (f.eks. data/profiles/eksempel.yaml)")
    build.add_argument("--out", required=True, help="mappen det bygde kurset skrives til (f.eks. build/eksempel)")
    build.add_argument("--course-dir", help="kurset det bygges fra (standard: denne mappen, eller TRYGGE_COURSE_DIR)")
    build.add_argument("--force", action="store_true", help="erstatt en mappe som ikke er et tidligere bygd kurs")
    build.set_defaults(func=cmd_build)
