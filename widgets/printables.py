"""Printable resources as PDF (fpdf2): the theme worksheet (reflection tasks and exercises with room to write),
tool cards (a safety plan to fill in, «spør direkte», OARS: ``data/toolcards.yaml``) and the help-line card
(numbers and opening hours from ``data/helplines.yaml``, with an organisation's own services first).

``trygge print [--org PROFILE] [--course-dir DIR] [--out DIR]`` writes them all for the course's themes; with a
profile (or in a course built for an organisation) only the organisation's themes, under its name.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import re
import sys
from pathlib import Path
from typing import Any

#: Characters outside Latin-1 that the PDF core fonts cannot draw, and what to draw instead.
_LATIN1 = str.maketrans({"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...", "•": "-", "→": "->",
                         "✓": "v", "✗": "x", "\u00a0": " "})


def _plain(text: str) -> str:
    """Markdown to plain Latin-1 text for the PDF."""
    text = re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r"\1 (\2)", text)
    text = re.sub(r"[*_`#>]+", "", text)
    return text.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1").strip()


def worksheet_pdf(course_title: str, theme: Any) -> bytes:
    """The worksheet for a theme: goals, every task with its steps and lines to write on."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title(_plain(f"{course_title}: {theme.title} - arbeidsark"))
    pdf.set_lang("nb")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_margins(18, 18, 18)

    def footer() -> None:
        pdf.set_y(-14)
        pdf.set_font("Helvetica", size=8)
        pdf.cell(0, 6, _plain("Treningsmateriell - ikke en hjelpetjeneste. Akutt fare: 113. Noen å snakke med: 116 123."),
                 align="C")

    pdf.footer = footer  # type: ignore[method-assign]
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.multi_cell(0, 9, _plain(f"{theme.title}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, _plain(f"{course_title} - arbeidsark. Skrevet ut {dt.date.today():%d.%m.%Y}."),
                   new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(0, 8, "Dette skal du kunne", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    for goal in theme.goals:
        pdf.multi_cell(0, 6, _plain(f"- {goal}"), new_x="LMARGIN", new_y="NEXT")
    for task in theme.tasks:
        pdf.ln(4)
        pdf.set_font("Helvetica", "B", 13)
        kind = "Øvelse" if task["kind"] == "exercise" else "Refleksjon"
        pdf.multi_cell(0, 7, _plain(f"{kind}: {task['title']}"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(0, 6, _plain(task["prompt"]), new_x="LMARGIN", new_y="NEXT")
        for number, step in enumerate(task.get("steps", []), start=1):
            pdf.multi_cell(0, 6, _plain(f"{number}. {step}"), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        for _ in range(5):  # room to write
            y = pdf.get_y() + 7
            pdf.line(pdf.l_margin, y, pdf.w - pdf.r_margin, y)
            pdf.set_y(y)
    return bytes(pdf.output())


# -- shared page furniture ------------------------------------------------------------------------------------------

FOOTER = "Treningsmateriell - ikke en hjelpetjeneste. Akutt fare: 113. Noen å snakke med: 116 123."


def _document(title: str, footer: str = FOOTER) -> Any:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title(_plain(title))
    pdf.set_lang("nb")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_margins(18, 18, 18)

    def draw_footer() -> None:
        pdf.set_y(-14)
        pdf.set_font("Helvetica", size=8)
        pdf.cell(0, 6, _plain(footer), align="C")

    pdf.footer = draw_footer  # type: ignore[method-assign]
    return pdf


def _heading(pdf: Any, text: str, size: int = 18) -> None:
    pdf.set_font("Helvetica", "B", size)
    pdf.multi_cell(0, size * 0.5, _plain(text), new_x="LMARGIN", new_y="NEXT")


def _para(pdf: Any, text: str, size: int = 11, style: str = "") -> None:
    pdf.set_font("Helvetica", style, size)
    pdf.multi_cell(0, size * 0.55, _plain(text), new_x="LMARGIN", new_y="NEXT")


def _lines(pdf: Any, count: int) -> None:
    for _ in range(count):  # room to write
        y = pdf.get_y() + 8
        if y > pdf.h - 24:
            pdf.add_page()
            y = pdf.get_y() + 8
        pdf.line(pdf.l_margin, y, pdf.w - pdf.r_margin, y)
        pdf.set_y(y)


# -- tool cards -----------------------------------------------------------------------------------------------------


def load_toolcards(root: Path | None = None) -> list[dict[str, Any]]:
    """The tool cards of a course directory (its ``data/toolcards.yaml``, else the repository's), checked.

    Raises :class:`widgets.content.ContentError` (file, line, hint) if the file is not valid.
    """
    from .content import REPO_ROOT, ContentError, course_dir, read_yaml, schema_problems

    root = Path(root or course_dir())
    path = root / "data" / "toolcards.yaml"
    if not path.is_file():
        path = REPO_ROOT / "data" / "toolcards.yaml"
    doc = read_yaml(path, root)
    problems = schema_problems(doc, "toolcards", root)
    if problems:
        raise ContentError(problems)
    return list(doc.data["cards"])


def toolcard_pdf(card: dict[str, Any], org_name: str = "") -> bytes:
    """One tool card: a form to fill in (``kind: form``) or a card of skills and example phrasings (``kind: card``)."""
    pdf = _document(f"{card['title']} - verktøykort")
    pdf.add_page()
    _heading(pdf, card["title"], 20)
    _para(pdf, f"Trygge samtaler{' - ' + org_name if org_name else ''} - verktøykort", 10)
    pdf.ln(2)
    if card.get("intro"):
        _para(pdf, card["intro"])
    for item in card["items"]:
        pdf.ln(2)
        label = f"{item['label']}  " if item.get("label") else ""
        _para(pdf, f"{label}{item['title']}", 14, "B")
        if item.get("text"):
            _para(pdf, item["text"])
        for example in item.get("examples", []):
            _para(pdf, f"«{example}»", 11, "I")
        if card["kind"] == "form":
            _lines(pdf, item.get("lines", 3))
    if card.get("closing"):
        pdf.ln(3)
        _para(pdf, card["closing"], 11, "B")
    pdf.ln(2)
    _para(pdf, "Kilder: " + " ".join(card["sources"]), 8)
    return bytes(pdf.output())


# -- the help-line card ---------------------------------------------------------------------------------------------


def helpline_card_pdf(services: list[dict[str, Any]], org_name: str = "", local_ids: set[str] = frozenset()) -> bytes:
    """Every service with its number or chat, opening hours and who it is for; an organisation's own first."""
    from .resources import target_text

    pdf = _document("Hjelpekort - hjelpetelefoner og chattetjenester")
    pdf.add_page()
    _heading(pdf, "Hjelpekort: hvor kan personen få hjelp?", 18)
    _para(pdf, f"Trygge samtaler{' - ' + org_name if org_name else ''}. Skrevet ut {dt.date.today():%d.%m.%Y}.", 10)
    pdf.ln(2)
    _para(pdf, "Er livet i fare nå: ring 113. Politi: 112. Legevakt: 116 117.", 13, "B")
    pdf.ln(2)
    ordered = [s for s in services if s["id"] in local_ids] + [s for s in services if s["id"] not in local_ids]
    for service in ordered:
        if pdf.get_y() > pdf.h - 60:
            pdf.add_page()
        pdf.ln(2)
        local = " (vår lokale tjeneste)" if service["id"] in local_ids else ""
        _para(pdf, f"{service['name']}{local}", 12, "B")
        contact = []
        if service.get("phone"):
            contact.append(f"Telefon {service['phone']}")
        if service.get("chat"):
            contact.append(f"Chat: {service['chat']}")
        _para(pdf, " - ".join(contact) or "Kontaktinformasjon er ikke bekreftet.", 11)
        _para(pdf, f"Åpent: {' '.join(service['hours_text'].split())}", 10)
        _para(pdf, f"For: {target_text(service.get('target') or {})}. Sjekket {service['checked']}.", 9)
    pdf.ln(3)
    _para(pdf, "Åpningstider endrer seg. Sjekk tjenestens egen side før du henviser. På helligdager gjelder "
               "søndagstider, om ikke annet er oppgitt.", 9, "I")
    return bytes(pdf.output())


# -- everything for a course ----------------------------------------------------------------------------------------


@dataclasses.dataclass
class Printed:
    """One PDF written by :func:`print_all`."""

    path: Path
    what: str


def print_all(out: Path, root: Path | None = None, profile_path: Path | None = None) -> list[Printed]:
    """Write every printable of a course directory to ``out``: per theme its worksheet and tool cards, then the
    help-line card. With ``profile_path`` only the organisation's themes, under its name, with its own services.

    Raises :class:`widgets.content.ContentError` if the course, the profile or the tool cards are not valid.
    """
    from .content import ContentError, check, course_dir
    from .profile import course_org, load_profile

    root = Path(root or course_dir()).resolve()
    course, problems = check(root)
    if problems or course is None:
        raise ContentError(problems)
    themes = [t for t in course.themes if t.ready]
    services = list(course.helplines)
    org_name, local_ids = "", set()
    if profile_path is not None:
        profile = load_profile(Path(profile_path), course, root)
        order = {theme_id: i for i, (theme_id, _s) in enumerate(profile.themes)}
        themes = sorted((t for t in themes if t.id in order), key=lambda t: order[t.id])
        services += profile.services
        org_name, local_ids = profile.name, {s["id"] for s in profile.services}
    elif (org := course_org(root)) is not None:
        org_name = org.name
        base = {s["id"] for s in _base_helplines()}
        local_ids = {s["id"] for s in services if s["id"] not in base}
    cards = load_toolcards(root)
    title = f"{course.title} - {org_name}" if org_name else course.title
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []

    def write(name: str, data: bytes, what: str) -> None:
        path = out / name
        path.write_bytes(data)
        written.append(Printed(path, what))

    for theme in themes:
        if theme.tasks:
            write(f"arbeidsark-{theme.id}.pdf", worksheet_pdf(title, theme), f"Arbeidsark: {theme.title}")
        for card in cards:
            if card["theme"] == theme.id:
                write(f"verktoykort-{card['id']}.pdf", toolcard_pdf(card, org_name), f"Verktøykort: {card['title']}")
    write("hjelpekort.pdf", helpline_card_pdf(services, org_name, local_ids), "Hjelpekort: hjelpetelefoner og chat")
    return written


def _base_helplines() -> list[dict[str, Any]]:
    from .content import REPO_ROOT, read_yaml

    return list(read_yaml(REPO_ROOT / "data" / "helplines.yaml").data["services"])


def cmd_print(args: argparse.Namespace) -> int:
    from .cli import _course_dir
    from .content import ContentError

    root = _course_dir(args.course_dir)
    try:
        written = print_all(Path(args.out), root, Path(args.org) if args.org else None)
    except ContentError as exc:
        for problem in exc.problems:
            print(problem.format(), file=sys.stderr)
        print(f"\n{len(exc.problems)} problem{'er' if len(exc.problems) != 1 else ''}. Ingenting ble skrevet ut.",
              file=sys.stderr)
        return 1
    for item in written:
        print(f"  {item.path}  ({item.what})")
    print(f"\nSkrev {len(written)} PDF-filer til {Path(args.out).resolve()}.")
    return 0


def add_parser(sub: Any) -> None:
    """Register ``trygge print`` on the CLI's sub-parsers."""
    printer = sub.add_parser("print", help="lag PDF-er til utskrift: arbeidsark, verktøykort og hjelpekort")
    printer.add_argument("--org", help="organisasjonsprofil (bare organisasjonens temaer, navn og egne tjenester)")
    printer.add_argument("--course-dir", help="kursmappe (standard: denne mappen, eller TRYGGE_COURSE_DIR)")
    printer.add_argument("--out", default="utskrift", help="mappen PDF-ene skrives til (standard: utskrift)")
    printer.set_defaults(func=cmd_print)
