"""Write the course's start page and theme notebooks from a short outline.

Trainers edit the notebooks themselves afterwards; this tool exists so a new theme notebook starts from the same
shape as the others. It refuses to overwrite an existing notebook unless given --force.

    python tools/make_notebooks.py samtalen [--force]
    python tools/make_notebooks.py start [--force]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from widgets.content import SECTION_TITLES, Course, check  # noqa: E402

TRAINER_TAG = "trener"

SECTION_TEXT = {
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


def _trainer(text: str) -> nbformat.NotebookNode:
    cell = new_markdown_cell(text)
    cell.metadata["tags"] = [TRAINER_TAG]
    return cell


def _course() -> Course:
    # The theme's own notebook is missing until this tool writes it, so other problems are only reported.
    course, problems = check(ROOT)
    if course is None:
        raise SystemExit("\n".join(p.format() for p in problems))
    return course


def theme_notebook(theme_id: str) -> nbformat.NotebookNode:
    course = _course()
    theme = course.theme(theme_id)
    cells = [
        new_markdown_cell(f"# {theme.title}\n\n[Til startsiden](00-start.ipynb)"),
        new_code_cell(f'import widgets as ts\n\ntema = ts.theme("{theme.id}")\ntema.header()'),
        new_code_cell("tema.intro()"),
        _trainer("**For kursholdere:** Denne cellen vises ikke for deltakerne. Skriv notater til "
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("theme", help="theme id (from data/course.yaml)")
    parser.add_argument("--force", action="store_true", help="overwrite an existing notebook")
    args = parser.parse_args()
    theme = _course().theme(args.theme)
    path = ROOT / "notebooks" / theme.notebook
    if path.exists() and not args.force:
        print(f"{path} finnes allerede (bruk --force for å overskrive).", file=sys.stderr)
        return 1
    nbformat.write(theme_notebook(args.theme), path)
    print(f"Skrev {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
