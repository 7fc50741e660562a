"""Organisation profiles: how one organisation tailors the course (``data/profiles/<org>.yaml``).

A profile names the organisation and its logo, sets its colours (refused unless they are readable: contrast at least
4.5:1, WCAG 2.1 AA), picks the themes and sections it wants in its own order, adds its own local services to the
help-line directory, replaces demo films with its own, and makes small wording changes. ``trygge build`` turns a
profile and the course into a tailored course directory (:mod:`widgets.build`); ``trygge print --org`` uses it for
the printables. Problems are reported like content problems: file, line, what is wrong and a hint, in Norwegian.

A built course directory keeps what the pages need from the profile in ``data/org.yaml`` (:func:`course_org`).
"""

from __future__ import annotations

import dataclasses
import functools
import re
from pathlib import Path
from typing import Any

from .content import (
    FILM_SECTIONS,
    SECTION_TITLES,
    ContentError,
    Course,
    Problem,
    YamlDoc,
    _hint,
    _message,
    _rel,
    read_yaml,
    schema,
)

__all__ = [
    "MIN_CONTRAST",
    "ORG_FILE",
    "OrgSettings",
    "Profile",
    "check_profile",
    "contrast",
    "course_org",
    "load_profile",
    "suggest_colour",
]

#: WCAG 2.1 AA for normal text.
MIN_CONTRAST = 4.5
#: The backgrounds the course draws the accent colour on (white, the footer's and panels' light blue) and the text
#: colour on (white). Keep in step with trygge.css (--ts-color-bg, --ts-color-accent-soft) and widgets.css (--ts-soft).
ACCENT_BACKGROUNDS = {"#ffffff": "hvit bakgrunn", "#edf2f8": "den lyse bakgrunnen i bunnteksten", "#f3f6fa": "lyse felt"}
TEXT_BACKGROUNDS = {"#ffffff": "hvit bakgrunn"}
DEFAULT_COLOURS = {"accent": "#1d3a5f", "text": "#1a1a1a"}

#: The settings file a built course directory carries (relative to the course directory).
ORG_FILE = Path("data") / "org.yaml"

_LOGO_MAX_BYTES = 512 * 1024


# -- colour contrast (WCAG 2.1) -----------------------------------------------------------------------------------


def _luminance(hex_colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(foreground: str, background: str) -> float:
    """The WCAG contrast ratio of two ``#rrggbb`` colours (1.0–21.0)."""
    a, b = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def suggest_colour(colour: str, backgrounds: tuple[str, ...] = ("#ffffff",)) -> str:
    """The nearest darker shade of ``colour`` (same hue) with contrast ≥ 4.5:1 against every background."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    factor = 1.0
    while factor > 0:
        candidate = "#" + "".join(f"{int(c * factor):02x}" for c in (r, g, b))
        if all(contrast(candidate, bg) >= MIN_CONTRAST + 0.05 for bg in backgrounds):
            return candidate
        factor -= 0.02
    return "#000000"


# -- the profile ------------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Profile:
    """A validated organisation profile. Paths (logo, film files) are resolved against the profile's folder."""

    id: str
    name: str
    path: Path
    logo: Path | None
    colours: dict[str, str]
    themes: list[tuple[str, list[str] | None]]
    services: list[dict[str, Any]]
    films: list[dict[str, Any]]
    wording: list[tuple[str, str]]
    doc: YamlDoc = dataclasses.field(repr=False)

    @property
    def folder(self) -> Path:
        return self.path.parent

    def sections_for(self, theme: Any) -> list[str]:
        """The sections of ``theme`` this organisation uses, in its order (all of them if it did not choose)."""
        for theme_id, sections in self.themes:
            if theme_id == theme.id:
                return list(sections) if sections else list(theme.sections)
        return list(theme.sections)

    def reword(self, text: str) -> str:
        """``text`` with the profile's wording changes applied, in order."""
        for old, new in self.wording:
            text = text.replace(old, new)
        return text


@dataclasses.dataclass(frozen=True)
class OrgSettings:
    """What the pages and printables of a built course need to know about its organisation (``data/org.yaml``)."""

    id: str
    name: str
    logo: str | None  # relative to the course directory's data/, e.g. media/org/logo.svg
    colours: dict[str, str]

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "logo": self.logo, "colours": dict(self.colours)}


@functools.cache
def _validator() -> Any:
    import jsonschema
    from referencing import Registry, Resource

    registry = Registry().with_resources(
        [(f"{name}.schema.json", Resource.from_contents(schema(name))) for name in ("helplines", "films")]
    )
    return jsonschema.Draft202012Validator(schema("profile"), registry=registry)


def _problem(doc: YamlDoc, location: list[Any], message: str, hint: str, root: Path | None) -> Problem:
    return Problem(_rel(doc.path, root), doc.line_of(location), message, hint)


def check_profile(path: Path, course: Course, root: Path | None = None) -> tuple[Profile | None, list[Problem]]:
    """Read and check a profile against ``course``; return it (``None`` if it cannot be used) and every problem.

    ``root`` is the folder file names in problems are shown relative to (default: the course directory).
    """
    path = Path(path)
    try:
        doc = read_yaml(path, root)
    except ContentError as exc:
        return None, exc.problems
    problems: list[Problem] = []
    for err in sorted(_validator().iter_errors(doc.data), key=lambda e: list(map(str, e.absolute_path))):
        where = "/".join(str(p) for p in err.absolute_path) or "(toppnivå)"
        location = list(err.absolute_path)
        if err.validator == "additionalProperties":  # point at the unknown field itself, not at its parent
            extra = re.findall(r"'([^']+)'", err.message)
            location += extra[:1]
        problems.append(_problem(doc, location, f"{where}: {_message(err)}", _hint(err), root))
    if problems:
        return None, problems
    data = doc.data
    folder = path.parent

    logo = None
    if "logo" in data:
        logo = folder / data["logo"]
        if not logo.is_file():
            problems.append(_problem(doc, ["logo"], f"logoen «{data['logo']}» finnes ikke",
                                     f"Legg logoen (PNG eller SVG) i {_rel(folder, root)}/ og skriv filnavnet her.", root))
        elif logo.stat().st_size > _LOGO_MAX_BYTES:
            problems.append(_problem(doc, ["logo"], f"logoen «{data['logo']}» er for stor "
                                     f"({logo.stat().st_size // 1024} KB)", "Bruk en logo under 512 KB (SVG er ofte minst).",
                                     root))

    colours = {**DEFAULT_COLOURS, **data.get("colours", {})}
    colours = {k: v.lower() for k, v in colours.items()}
    for key, backgrounds in (("accent", ACCENT_BACKGROUNDS), ("text", TEXT_BACKGROUNDS)):
        colour = colours[key]
        for background, where in backgrounds.items():
            ratio = contrast(colour, background)
            if ratio < MIN_CONTRAST:
                better = suggest_colour(colour, tuple(backgrounds))
                problems.append(_problem(
                    doc, ["colours", key],
                    f"colours/{key}: fargen {colour} har for lav kontrast mot {where} ({ratio:.1f}:1, minst 4.5:1 kreves)",
                    f"Bruk en mørkere farge, for eksempel {better} ({contrast(better, background):.1f}:1). "
                    "Tekst og knapper må være lette å lese for alle (WCAG 2.1 AA).", root))
                break

    themes: list[tuple[str, list[str] | None]] = []
    by_id = {t.id: t for t in course.themes}
    seen: set[str] = set()
    for i, entry in enumerate(data.get("themes") or [{"id": t.id} for t in course.themes if t.ready]):
        theme = by_id.get(entry["id"])
        if entry["id"] in seen:
            problems.append(_problem(doc, ["themes", i, "id"], f"temaet «{entry['id']}» står to ganger",
                                     "Ta med hvert tema bare én gang.", root))
            continue
        seen.add(entry["id"])
        if theme is None:
            problems.append(_problem(doc, ["themes", i, "id"], f"kurset har ikke temaet «{entry['id']}»",
                                     f"Bruk en av: {', '.join(t.id for t in course.themes)}.", root))
            continue
        if not theme.ready:
            problems.append(_problem(doc, ["themes", i, "id"], f"temaet «{theme.id}» er ikke klart (status: planned)",
                                     "Ta temaet ut av profilen til det er ferdig.", root))
            continue
        sections = entry.get("sections")
        for j, section in enumerate(sections or []):
            if section not in theme.sections:
                problems.append(_problem(
                    doc, ["themes", i, "sections", j],
                    f"temaet «{theme.id}» har ikke delen {section} ({SECTION_TITLES[section]})",
                    f"Bruk en av: {', '.join(theme.sections)}.", root))
        themes.append((theme.id, sections))

    base_ids = {s["id"] for s in course.helplines}
    services = list(data.get("services", []))
    for i, service in enumerate(services):
        if service["id"] in base_ids:
            problems.append(_problem(doc, ["services", i, "id"],
                                     f"tjenesten «{service['id']}» finnes allerede i helplines.yaml",
                                     "Gi den lokale tjenesten en egen id, for eksempel med organisasjonens navn foran.",
                                     root))
        base_ids.add(service["id"])

    films = list(data.get("films", []))
    chosen = dict(themes)
    replaced: set[tuple[str, str]] = set()
    for i, film in enumerate(films):
        theme = by_id.get(film["theme"])
        if film["theme"] not in chosen or theme is None:
            problems.append(_problem(doc, ["films", i, "theme"], f"filmen er for temaet «{film['theme']}», "
                                     "som ikke er med i kurset", "Bruk et av temaene under «themes».", root))
            continue
        sections = chosen[film["theme"]] or theme.sections
        if film["kind"] not in sections:
            problems.append(_problem(doc, ["films", i, "kind"],
                                     f"temaet «{theme.id}» har ikke delen {film['kind']} ({SECTION_TITLES[film['kind']]})",
                                     f"Bruk en av: {', '.join(s for s in sections if s in FILM_SECTIONS)}.", root))
        if (theme.id, film["kind"]) in replaced:
            problems.append(_problem(doc, ["films", i, "kind"], f"to filmer erstatter {film['kind']} i «{theme.id}»",
                                     "Ta med bare én film per type og tema.", root))
        replaced.add((theme.id, film["kind"]))
        refs = [(["films", i, "sources", j, "src"], s["src"]) for j, s in enumerate(film["sources"])]
        refs += [(["films", i, "described", "sources", j, "src"], s["src"]) for j, s in enumerate(film["described"]["sources"])]
        refs += [(["films", i, key], film[key]) for key in ("captions", "transcript", "poster") if key in film]
        refs += [(["films", i, "described", "captions"], film["described"]["captions"])]
        for location, ref in refs:
            if ref.startswith("https://"):
                continue
            file = folder / ref
            if not file.is_file():
                problems.append(_problem(doc, location, f"filen «{ref}» finnes ikke",
                                         f"Legg filen i {_rel(folder, root)}/ (stien er fra profilfilens mappe), "
                                         "eller bruk en https-adresse.", root))
            elif ref.endswith(".vtt") and file.read_text(encoding="utf-8", errors="replace")[:6] != "WEBVTT":
                problems.append(_problem(doc, location, f"«{ref}» er ikke en WebVTT-fil",
                                         "Tekstfilen må begynne med WEBVTT.", root))

    wording = [(w["replace"], w["with"]) for w in data.get("wording", [])]
    texts = _wordable_texts(course, [t for t, _ in themes])
    for i, (old, _new) in enumerate(wording):
        if not any(old in text for text in texts):
            problems.append(_problem(doc, ["wording", i, "replace"],
                                     f"teksten «{old}» finnes ikke i kursets titler, sammendrag, mål eller introtekster",
                                     "Kopier teksten nøyaktig slik den står (store og små bokstaver teller), "
                                     "eller fjern endringen.", root))

    if problems:
        return None, problems
    return Profile(id=data["id"], name=data["name"], path=path.resolve(), logo=logo.resolve() if logo else None,
                   colours=colours, themes=themes, services=services, films=films, wording=wording, doc=doc), []


def _wordable_texts(course: Course, theme_ids: list[str]) -> list[str]:
    """The texts wording changes apply to: titles, summaries, goals, intros and the notebooks' Markdown cells."""
    import nbformat

    texts = [course.title]
    notebooks = [course.root / "notebooks" / "00-start.ipynb"]
    for theme in course.themes:
        if theme.id in theme_ids:
            texts += [theme.title, theme.summary, theme.intro, *theme.goals]
            notebooks.append(course.root / "notebooks" / theme.notebook)
    for path in notebooks:
        if path.is_file():
            nb = nbformat.read(path, as_version=4)
            texts.append(str(nb.metadata.get("title", "")))
            texts += [c.source for c in nb.cells if c.cell_type == "markdown"]
    return texts


def load_profile(path: Path, course: Course, root: Path | None = None) -> Profile:
    """The checked profile; raises :class:`widgets.content.ContentError` listing every problem."""
    profile, problems = check_profile(path, course, root)
    if problems or profile is None:
        raise ContentError(problems)
    return profile


def course_org(root: Path | None = None) -> OrgSettings | None:
    """The organisation a built course directory was made for (``data/org.yaml``), or ``None`` for the plain course."""
    from .content import course_dir

    path = Path(root or course_dir()) / ORG_FILE
    if not path.is_file():
        return None
    data = read_yaml(path).data or {}
    colours = {k: v for k, v in (data.get("colours") or {}).items() if re.fullmatch(r"#[0-9a-f]{6}", str(v))}
    return OrgSettings(id=str(data.get("id", "")), name=str(data.get("name", "")), logo=data.get("logo"),
                       colours={**DEFAULT_COLOURS, **colours})
