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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from widgets.build import theme_notebook as _theme_notebook
from widgets.content import Course, check


def _course() -> Course:
    # The theme's own notebook is missing until this tool writes it, so other problems are only reported.
    course, problems = check(ROOT)
    if course is None:
        raise SystemExit("\n".join(p.format() for p in problems))
    return course


def theme_notebook(theme_id: str) -> nbformat.NotebookNode:
    """The standard theme notebook (the shape lives in widgets.build, shared with `trygge new theme`)."""
    return _theme_notebook(_course(), theme_id)


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
