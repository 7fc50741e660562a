"""Tools for trainers, who are not programmers: JupyterLab in Norwegian, and new themes and scenarios from templates.

    trygge trainer [--course-dir DIR] [--port 8888] [--no-browser]
    trygge new theme <id> --title "…" [--course-dir DIR]
    trygge new scenario <theme>/<id> [--title "…"] [--course-dir DIR]

``trygge trainer`` opens JupyterLab on the course directory's source notebooks, in Norwegian (the language pack
``jupyterlab-language-pack-no-NO``; the locale ``no_NO`` is set in a settings folder of the course's own, so a
trainer's other JupyterLab settings are left alone). Cells tagged ``trener`` are visible there. Widgets the trainer
tries out write to ``var/trener.sqlite``, not to the learners' results.

``trygge new`` writes template files that already pass ``trygge validate``; every text a trainer must write is marked
«FYLL INN», and ``trygge build`` refuses a theme that still has that mark.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from .build import PLACEHOLDER, theme_notebook

__all__ = ["LOCALE", "add_parser", "new_scenario", "new_theme", "trainer_command", "trainer_env"]

#: The JupyterLab locale of the Norwegian (bokmål) language pack.
LOCALE = "no_NO"
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
NEW_THEME_SECTIONS = ["confidence_before", "quiz", "simulation", "reflection", "printable", "confidence_after"]


class TrainerError(Exception):
    """Something a trainer asked for cannot be done; the message (Norwegian) says why and what to do."""


# -- JupyterLab for trainers --------------------------------------------------------------------------------------


def settings_dir(course_dir: Path) -> Path:
    """The JupyterLab settings folder ``trygge trainer`` uses for a course directory (under its ``var/``)."""
    return Path(course_dir).resolve() / "var" / "jupyterlab" / "settings"


#: Settings written for trainers (unless they changed them since): Norwegian, and no news or update checks from the
#: internet (many organisations' machines are offline, and a pop-up in English confuses more than it helps).
TRAINER_SETTINGS = {
    ("translation-extension", "plugin"): {"locale": LOCALE},
    ("apputils-extension", "notification"): {"fetchNews": "false", "checkForUpdates": False},
}


def write_locale_settings(course_dir: Path) -> Path:
    """Make JupyterLab start in Norwegian (and quiet); returns the translation settings file.

    A file a trainer has changed since (in JupyterLab's settings) is left as it is."""
    for (plugin, name), values in TRAINER_SETTINGS.items():
        path = settings_dir(course_dir) / "@jupyterlab" / plugin / f"{name}.jupyterlab-settings"
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values, indent=2) + "\n", encoding="utf-8")
    return settings_dir(course_dir) / "@jupyterlab" / "translation-extension" / "plugin.jupyterlab-settings"


def trainer_env(course_dir: Path) -> dict[str, str]:
    """Environment for JupyterLab: the course, the settings folder, a separate database for trying widgets out."""
    root = Path(course_dir).resolve()
    env = {
        "TRYGGE_COURSE_DIR": str(root),
        "JUPYTERLAB_SETTINGS_DIR": str(settings_dir(root)),
        "TRYGGE_CHANNEL": "trener",
    }
    if "TRYGGE_DB_URL" not in os.environ:
        env["TRYGGE_DB_URL"] = f"sqlite:///{root / 'var' / 'trener.sqlite'}"
    return env


def trainer_command(course_dir: Path, port: int = 8888, *, ip: str = "127.0.0.1", open_browser: bool = True,
                    extra: list[str] = ()) -> list[str]:
    """The argv that starts JupyterLab on ``course_dir`` with the notebooks folder open."""
    return [
        sys.executable, "-m", "jupyterlab",
        f"--ServerApp.root_dir={Path(course_dir).resolve()}",
        f"--ServerApp.ip={ip}",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.open_browser={open_browser}",
        "--LabApp.default_url=/lab/tree/notebooks",
        # Jupyter refuses to run as root unless told; containers (and CI) often do.
        *(["--ServerApp.allow_root=True"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),
        *extra,
    ]


def cmd_trainer(args: argparse.Namespace) -> int:
    from .cli import _course_dir

    root = _course_dir(args.course_dir)
    write_locale_settings(root)
    (root / "var").mkdir(exist_ok=True)
    env = {**os.environ, **trainer_env(root)}
    # Trainer mode is the trainer's own machine: the facilitator page opens without a key there (no address to carry it).
    env.pop("TRYGGE_FACILITATOR_KEY", None)
    print(f"Starter JupyterLab for kursholdere i {root}.\n"
          "Notatbøkene ligger i mappen «notebooks», innholdet i «data». Celler merket «trener» vises her, aldri for "
          "deltakerne.\nSjekk endringene med «trygge validate». Stopp med Ctrl+C.\n", flush=True)
    process = subprocess.Popen(trainer_command(root, args.port, open_browser=not args.no_browser), env=env)
    try:
        return process.wait()
    except KeyboardInterrupt:
        return process.wait()


# -- templates -------------------------------------------------------------------------------------------------


def _fill(text: str) -> str:
    return f"{PLACEHOLDER}: {text}"


def theme_files(theme_id: str, title: str) -> dict[str, str]:
    """The content files of a new theme (relative to ``data/themes/<id>/``), as text with guiding comments."""
    theme = {
        "intro": _fill(f"Skriv introduksjonen til «{title}» her: hva temaet handler om, og hvorfor det er viktig "
                       "i samtalene. Du kan bruke Markdown (**fet**, lister med «- »).") + "\n",
        "confidence": {"scale": 7, "statements": [
            {"id": f"c{i}", "text": _fill(f"Jeg er trygg på å … (utsagn {i})")} for i in (1, 2, 3)]},
    }
    quiz = {"items": [
        {"id": "q1", "type": "single", "prompt": _fill("Skriv spørsmålet her. Det kan være en kort situasjon."),
         "options": [
             {"text": _fill("Det riktige svaret"), "correct": True, "feedback": _fill("Hvorfor dette er riktig.")},
             {"text": _fill("Et galt svar"), "correct": False, "feedback": _fill("Hvorfor dette ikke er riktig.")},
             {"text": _fill("Et annet galt svar"), "correct": False, "feedback": _fill("Hvorfor ikke.")}],
         "explanation": _fill("Hva spørsmålet lærer bort.")},
        {"id": "q2", "type": "true_false", "prompt": _fill("Skriv en påstand som er sann eller usann."),
         "answer": False, "feedback_true": _fill("Det deltakeren får se etter å ha svart «Sant»."),
         "feedback_false": _fill("Det deltakeren får se etter å ha svart «Usant»."),
         "explanation": _fill("Hva påstanden lærer bort.")},
    ]}
    tasks = {"tasks": [
        {"id": "r1", "kind": "reflection", "mode": "individual", "title": _fill("Tittel på refleksjonen"),
         "prompt": _fill("Hva skal deltakeren tenke gjennom?")},
        {"id": "r2", "kind": "reflection", "mode": "both", "title": _fill("Tittel på en refleksjon også for grupper"),
         "prompt": _fill("Spørsmål som passer både alene og i gruppe.")},
        {"id": "r3", "kind": "exercise", "mode": "group", "title": _fill("Tittel på en øvelse i gruppe"),
         "prompt": _fill("Hva øvelsen går ut på."), "steps": [_fill("Første steg"), _fill("Andre steg")]},
    ]}

    def dump(comment: str, data: Any) -> str:
        return comment + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=110)

    return {
        "theme.yaml": dump(f"# «{title}»: introduksjon og utsagn om trygghet (spørres før og etter temaet).\n"
                           f"# Bytt ut alt som begynner med «{PLACEHOLDER}». Se docs/trainers.md.\n", theme),
        "quiz.yaml": dump("# Quiz: single (ett riktig svar), multiple (flere riktige) eller true_false (sant/usant).\n"
                          "# Hvert svaralternativ har en tilbakemelding; hvert spørsmål en forklaring.\n", quiz),
        "reflections.yaml": dump("# Refleksjonsoppgaver og øvelser. mode: individual | group | both.\n"
                                 "# Oppgaver med group/both vises også i plenumsvisningen.\n", tasks),
    }


def scenario_text(scenario_id: str, title: str) -> str:
    """A small, complete scenario (persona, three nodes, routes, two ends) for a trainer to rewrite."""
    data = {
        "id": scenario_id,
        "title": title,
        "description": _fill("Hva deltakeren skal øve på, og hvem som tar kontakt. Avslutt med: Personen er oppdiktet, "
                             "og dette er bare en øvelse."),
        "channel": "chat",
        "time": "20:30",
        "difficulty": "lett",
        "persona": {"alias": "Sam", "age": 30, "situation": _fill("Personens situasjon (oppdiktet)."),
                    "needs": _fill("Hva personen trenger i samtalen."), "fears": _fill("Hva personen er redd for.")},
        "must_do": ["open_question", "reflection"],
        "start": "n1",
        "nodes": {
            "n1": {"say": [_fill("Det personen skriver først."), _fill("En annen måte å si det samme på.")],
                   "choices": [
                       {"text": _fill("Et godt svar med et åpent spørsmål."), "labels": ["open_question"], "next": "n2",
                        "feedback": _fill("Hvorfor svaret er godt.")},
                       {"text": _fill("Et svar som gir råd for tidlig."), "labels": ["advice"], "next": "n1_trekker",
                        "feedback": _fill("Hvorfor svaret ikke hjelper.")}],
                   "routes": [{"when": {"any": ["open_question", "reflection", "affirmation"]}, "next": "n2"},
                              {"when": {"any": ["advice", "minimizing"]}, "next": "n1_trekker"},
                              {"next": "n1_trekker"}]},
            "n1_trekker": {"say": [_fill("Personen trekker seg litt.")],
                           "choices": [
                               {"text": _fill("Et svar som viser at du lytter."), "labels": ["reflection"], "next": "n2",
                                "feedback": _fill("Hvorfor dette hjelper.")}],
                           "routes": [{"when": {"any": ["open_question", "reflection", "affirmation"]}, "next": "n2"},
                                      {"next": "slutt_gikk"}]},
            "n2": {"say": [_fill("Personen forteller mer.")],
                   "choices": [
                       {"text": _fill("En oppsummering og en god avslutning."), "labels": ["summary"],
                        "next": "slutt_god", "feedback": _fill("Hvorfor avslutningen er god.")}],
                   "routes": [{"when": {"any": ["summary", "reflection"]}, "next": "slutt_god"},
                              {"next": "slutt_god"}]},
            "slutt_god": {"say": [_fill("Personen takker for samtalen.")], "end": "good_close"},
            "slutt_gikk": {"say": [_fill("Personen logger av.")], "end": "caller_left"},
        },
    }
    header = (f"# Scenario «{title}». Personen er oppdiktet, laget for rollespill. Bytt ut alt som begynner med "
              f"«{PLACEHOLDER}».\n# Formatet er forklart i docs/architecture.md (scenarios/<id>.yaml). "
              "Sjekk med «trygge validate».\n")
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=110)


def _append_theme(course_yaml: Path, entry: dict[str, Any]) -> None:
    """Add a theme to course.yaml without losing its comments (appended when ``themes`` is the last key)."""
    text = course_yaml.read_text(encoding="utf-8")
    node = yaml.compose(text)
    keys = [k.value for k, _v in node.value] if isinstance(node, yaml.MappingNode) else []
    if keys and keys[-1] == "themes":
        themes_node = node.value[-1][1]
        column = themes_node.value[0].start_mark.column - 2 if themes_node.value else 2
        block = yaml.safe_dump([entry], allow_unicode=True, sort_keys=False, width=110)
        indented = "".join(" " * column + line if line.strip() else line for line in block.splitlines(keepends=True))
        course_yaml.write_text(text.rstrip("\n") + "\n\n" + indented, encoding="utf-8")
        return
    data = yaml.safe_load(text)
    data["themes"].append(entry)
    course_yaml.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=110), encoding="utf-8")


def new_theme(root: Path, theme_id: str, title: str, summary: str = "") -> list[Path]:
    """Start a new theme from the template: an entry in course.yaml, its content files, a first scenario and its
    notebook. Returns the files written. Raises :class:`TrainerError` if the id is taken or not valid."""
    from .content import check

    root = Path(root).resolve()
    if not _ID.match(theme_id):
        raise TrainerError(f"«{theme_id}» kan ikke brukes som id. Bruk små bokstaver, tall og bindestrek, "
                           "for eksempel «ensomhet».")
    if not title.strip():
        raise TrainerError("Temaet trenger en tittel: --title \"…\".")
    course, _problems = check(root)
    if course is None:
        raise TrainerError("data/course.yaml kan ikke leses. Kjør «trygge validate» og rett feilen først.")
    if any(t.id == theme_id for t in course.themes) or (root / "data" / "themes" / theme_id).exists():
        raise TrainerError(f"Temaet «{theme_id}» finnes allerede. Velg en annen id.")
    order = max((t.order for t in course.themes), default=0) + 1
    notebook = root / "notebooks" / f"{order:02d}-{theme_id}.ipynb"
    if notebook.exists():
        raise TrainerError(f"{notebook.relative_to(root)} finnes allerede.")
    folder = root / "data" / "themes" / theme_id
    written = []
    (folder / "scenarios").mkdir(parents=True)
    for name, text in theme_files(theme_id, title).items():
        (folder / name).write_text(text, encoding="utf-8")
        written.append(folder / name)
    scenario = folder / "scenarios" / "forste-samtale.yaml"
    scenario.write_text(scenario_text("forste-samtale", f"Første samtale: {title}"), encoding="utf-8")
    written.append(scenario)
    _append_theme(root / "data" / "course.yaml", {
        "id": theme_id, "order": order, "title": title.strip(),
        "summary": summary.strip() or _fill("Én setning om temaet til startsiden."), "status": "ready",
        "goals": [_fill("Du kan …"), _fill("Du vet …"), _fill("Du kjenner …")],
        "sections": NEW_THEME_SECTIONS,
    })
    written.append(root / "data" / "course.yaml")
    import nbformat

    course, _problems = check(root)
    assert course is not None
    nbformat.write(theme_notebook(course, theme_id), notebook)
    written.append(notebook)
    return written


def new_scenario(root: Path, theme_id: str, scenario_id: str, title: str = "") -> list[Path]:
    """Start a new scenario in a theme from the template, and give it its place in the theme's notebook."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell

    from .content import SECTION_TITLES, check

    root = Path(root).resolve()
    if not _ID.match(scenario_id):
        raise TrainerError(f"«{scenario_id}» kan ikke brukes som id. Bruk små bokstaver, tall og bindestrek.")
    course, _problems = check(root)
    if course is None or not any(t.id == theme_id for t in course.themes):
        raise TrainerError(f"Fant ikke temaet «{theme_id}» i data/course.yaml.")
    theme = course.theme(theme_id)
    path = root / "data" / "themes" / theme_id / "scenarios" / f"{scenario_id}.yaml"
    if path.exists():
        raise TrainerError(f"{path.relative_to(root)} finnes allerede. Velg en annen id.")
    path.parent.mkdir(parents=True, exist_ok=True)
    title = title.strip() or _fill("Tittel på scenarioet")
    path.write_text(scenario_text(scenario_id, title), encoding="utf-8")
    written = [path]
    notebook = root / "notebooks" / theme.notebook
    if notebook.is_file() and "simulation" in theme.sections:
        nb = nbformat.read(notebook, as_version=4)
        heading = f"## {SECTION_TITLES['simulation']}"
        indices = [i for i, c in enumerate(nb.cells) if "tema.simulation(" in c.source]
        if not indices:
            indices = [i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and c.source.startswith(heading)]
        if indices:
            at = indices[-1] + 1
            nb.cells[at:at] = [new_markdown_cell(f"### {title}"),
                               new_code_cell(f'tema.simulation("{scenario_id}")')]
            nbformat.write(nb, notebook)
            written.append(notebook)
    return written


def cmd_new(args: argparse.Namespace) -> int:
    from .cli import _course_dir
    from .content import validate

    root = _course_dir(args.course_dir)
    try:
        if args.kind == "theme":
            written = new_theme(root, args.name, args.title or "", args.summary or "")
        else:
            theme_id, _, scenario_id = args.name.partition("/")
            if not scenario_id:
                raise TrainerError("Skriv tema og scenario med skråstrek: trygge new scenario <tema>/<id>.")
            written = new_scenario(root, theme_id, scenario_id, args.title or "")
    except TrainerError as exc:
        print(f"trygge new: {exc}", file=sys.stderr)
        return 1
    print("Laget:")
    for path in written:
        print(f"  {path.relative_to(root)}")
    problems = validate(root)
    print(f"\nNeste steg: åpne filene og bytt ut alt som begynner med «{PLACEHOLDER}». Kjør så «trygge validate».")
    if args.kind == "scenario" and not any(p.name.endswith(".ipynb") for p in written):
        print("Temaet har ingen samtalesimulering i notatboken: legg «simulation» til i temaets «sections» i "
              "data/course.yaml, og en celle med tema.simulation(\"…\") i notatboken.")
    if problems:
        print(f"\n«trygge validate» finner {len(problems)} problem{'er' if len(problems) != 1 else ''} i kurset nå:")
        for problem in problems:
            print(problem.format())
        return 1
    return 0


def add_parser(sub: Any) -> None:
    """Register ``trygge trainer`` and ``trygge new`` on the CLI's sub-parsers."""
    trainer = sub.add_parser("trainer", help="åpne JupyterLab på norsk for kursholdere, med kursets notatbøker")
    trainer.add_argument("--course-dir", help="kursmappe (standard: denne mappen, eller TRYGGE_COURSE_DIR)")
    trainer.add_argument("--port", type=int, default=8888, help="port (standard 8888)")
    trainer.add_argument("--no-browser", action="store_true", help="ikke åpne nettleseren")
    trainer.set_defaults(func=cmd_trainer)

    new = sub.add_parser("new", help="start et nytt tema eller scenario fra en mal")
    new.add_argument("kind", choices=["theme", "scenario"], help="theme (tema) eller scenario")
    new.add_argument("name", help="temaets id, eller <tema>/<scenario-id>")
    new.add_argument("--title", help="tittel (et tema må ha tittel)")
    new.add_argument("--summary", help="én setning om temaet til startsiden")
    new.add_argument("--course-dir", help="kursmappe (standard: denne mappen, eller TRYGGE_COURSE_DIR)")
    new.set_defaults(func=cmd_new)
