"""``trygge scenario …``: tools for trainers who write scenarios.

    trygge scenario list                                   # every scenario: theme/id, title, nodes, ends
    trygge scenario diagram <tema>/<id> [--format svg|mermaid|dot] [--engine builtin|graphviz] [-o FILE]
    trygge scenario play <tema>/<id> [--seed N] [--lang nb|en]
                                                           # play it in the terminal: a number picks a suggested
                                                           # reply, anything else is free text; feedback per turn
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _root(value: str | None) -> Path:
    from ..content import course_dir

    return Path(value).resolve() if value else course_dir()


def cmd_list(args: argparse.Namespace) -> int:
    from ..content import read_yaml

    root = _root(args.course_dir)
    found = sorted((root / "data" / "themes").glob("*/scenarios/*.yaml"))
    if not found:
        print(f"Fant ingen scenarier under {root / 'data' / 'themes'}.", file=sys.stderr)
        return 1
    for path in found:
        ref = f"{path.parent.parent.name}/{path.stem}"
        try:
            data = read_yaml(path, root).data
            nodes = data.get("nodes") or {}
            ends = sorted({n["end"] for n in nodes.values() if isinstance(n, dict) and "end" in n})
        except Exception as exc:  # noqa: BLE001 — list what can be read, say what cannot
            print(f"{ref}\t(kan ikke leses: {str(exc).splitlines()[0]})")
            continue
        print(f"{ref}\t{data.get('title', '?')}\t{len(nodes)} noder\tslutter: {', '.join(ends)}")
    return 0


def cmd_diagram(args: argparse.Namespace) -> int:
    from ..content import ContentError
    from .diagram import load_scenario, render

    try:
        text = render(load_scenario(args.scenario, _root(args.course_dir)), args.format, args.engine)
    except (ValueError, FileNotFoundError) as exc:
        print(f"trygge scenario diagram: {exc}", file=sys.stderr)
        return 2
    except ContentError as exc:
        print(f"trygge scenario diagram: scenarioet har feil (trygge validate viser det samme):", file=sys.stderr)
        print(str(exc), file=sys.stderr)
        return 2
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"Skrev {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def cmd_play(args: argparse.Namespace) -> int:
    from ..content import ContentError
    from .diagram import load_scenario
    from .engine import ScriptedEngine
    from .feedback import LABEL_SINGULAR

    try:
        scenario = load_scenario(args.scenario, _root(args.course_dir), playable=True)
    except (ValueError, FileNotFoundError) as exc:
        print(f"trygge scenario play: {exc}", file=sys.stderr)
        return 2
    except ContentError as exc:
        print(f"trygge scenario play: scenarioet har feil (trygge validate viser det samme):", file=sys.stderr)
        print(str(exc), file=sys.stderr)
        return 2
    from ..scrub import scrub

    alias = scenario["persona"]["alias"]
    engine = ScriptedEngine(scenario, seed=args.seed, lang=args.lang)
    print(f"{scenario['title']} – øvingssamtale (oppdiktet person). Avslutt med Ctrl+D.\n")
    print(f"{alias}: {engine.opening()}")
    interactive = sys.stdin.isatty()
    while not engine.ended:
        for i, choice in enumerate(engine.choices(), start=1):
            print(f"  [{i}] {choice}")
        if interactive:
            print("Du: ", end="", flush=True)
        line = sys.stdin.readline()
        if not line:
            print("\n(Samtalen ble ikke avsluttet.)")
            break
        line = line.strip()
        if not line:
            continue
        if line.isdigit() and 1 <= int(line) <= len(engine.choices()):
            turn = engine.respond("", int(line) - 1)
            print(f"Du (forslag {line}): {turn.text}")
        else:
            turn = engine.respond(scrub(line, keep=[alias]))
            if not interactive:
                print(f"Du: {turn.text}")
        if turn.labels:
            print("  Coachen merket: " + ", ".join(LABEL_SINGULAR[label] for label in turn.labels))
        for item in turn.feedback:
            print(f"  - {item}")
        print(f"\n{alias}: {turn.reply}")
    if engine.ended:
        print("\nOppsummering:")
        for line in engine.summary()["lines"]:
            print(f"  {line}")
    return 0


def add_scenario_commands(sub: argparse._SubParsersAction) -> None:
    """Register ``trygge scenario`` and its subcommands on the main parser's subparsers."""
    scenario = sub.add_parser("scenario", help="verktøy for scenarioforfattere: liste, diagram, prøvespill")
    inner = scenario.add_subparsers(dest="scenario_command", required=True)

    listing = inner.add_parser("list", help="alle scenarier: tema/id, tittel, noder og slutter")
    listing.add_argument("--course-dir", help="kursmappe (standard: denne mappen, eller TRYGGE_COURSE_DIR)")
    listing.set_defaults(func=cmd_list)

    diagram = inner.add_parser("diagram", help="scenarioet som diagram (SVG, Mermaid eller Graphviz DOT)")
    diagram.add_argument("scenario", help="<tema>/<id>, for eksempel samtalen/forste-kontakt")
    diagram.add_argument("--format", choices=["svg", "mermaid", "dot"], default="svg")
    diagram.add_argument("--engine", choices=["builtin", "graphviz"], default="builtin",
                         help="hvem som tegner SVG: innebygd (standard) eller Graphviz dot (må være installert)")
    diagram.add_argument("-o", "--output", help="skriv til fil i stedet for standard ut")
    diagram.add_argument("--course-dir", help="kursmappe (standard: denne mappen, eller TRYGGE_COURSE_DIR)")
    diagram.set_defaults(func=cmd_diagram)

    play = inner.add_parser("play", help="spill scenarioet i terminalen, med tilbakemelding på hvert svar")
    play.add_argument("scenario", help="<tema>/<id>")
    play.add_argument("--seed", type=int, default=None, help="fast valg blant replikkvariantene")
    play.add_argument("--lang", choices=["nb", "en"], default="nb")
    play.add_argument("--course-dir", help="kursmappe (standard: denne mappen, eller TRYGGE_COURSE_DIR)")
    play.set_defaults(func=cmd_play)
