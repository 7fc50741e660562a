"""Printable resources as PDF: the theme worksheet (reflection tasks and exercises with room to write)."""

from __future__ import annotations

import datetime as dt
import re
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
