"""The `trygge` command: serve the course, validate content, run the coach.

    trygge serve [--port 8866] [--ip 127.0.0.1] [--course-dir DIR] [--pool-size 2] [--pool PAGE=N]
                 [--cull-after 30] [--base-url /] [--facilitator-key KEY]
    trygge validate [--course-dir DIR] [--report]
    trygge coach --lang nb|en     < lines of {"text": "..."}   > lines of {"text": "...", "labels": [...]}
    trygge scenario list|diagram|play                          (registered by widgets.simulation.cli)
    trygge db upgrade|status|drain, trygge export, trygge demo-data   (registered by widgets.migrations,
                                                                      widgets.export, widgets.demo_data)
    trygge build, trygge print, trygge trainer, trygge new            (registered by widgets.build,
                                                                      widgets.printables, widgets.trainer)
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path


def _course_dir(value: str | None) -> Path:
    from .content import course_dir

    path = Path(value).resolve() if value else course_dir()
    if not (path / "data" / "course.yaml").is_file():
        raise SystemExit(f"trygge: {path} er ikke en kursmappe (fant ikke data/course.yaml).")
    return path


def cmd_validate(args: argparse.Namespace) -> int:
    from .content import validate

    root = _course_dir(args.course_dir)
    problems = validate(root)
    for problem in problems:
        print(problem.format())
    if problems:
        print(f"\n{len(problems)} problem{'er' if len(problems) != 1 else ''} i innholdet i {root}.", file=sys.stderr)
        return 1
    print(f"Innholdet i {root} er gyldig.")
    if args.report:
        from .content import load_course
        from .report import format_report

        print()
        print(format_report(load_course(root)))
    return 0


def _prepare_store(url: str) -> None:
    """Create or migrate the results database before the first page opens, so every learner kernel finds the newest
    schema and can write through the light SQLite store (:mod:`widgets.store_sqlite`). A database that cannot be
    reached now is not fatal: kernels queue their events until it can."""
    from .store import Store, StoreUnavailable

    try:
        Store(url).dispose()
    except StoreUnavailable as exc:
        print(f"Advarsel: {exc}. Kurset starter likevel; svarene venter i en lokal kø til databasen svarer.",
              file=sys.stderr)


#: Shorter keys are accepted, with a warning: the key is all that stands between the address and the trainer notes.
MIN_FACILITATOR_KEY = 16


def facilitator_key(given: str | None, environ: dict[str, str] | None = None) -> tuple[str, str]:
    """The facilitator key for this start of ``trygge serve`` and where it came from: ``"argument"``
    (``--facilitator-key``), ``"environment"`` (``TRYGGE_FACILITATOR_KEY``) or ``"new"`` (random, made now)."""
    environ = os.environ if environ is None else environ
    if given and given.strip():
        return given.strip(), "argument"
    if (from_env := environ.get("TRYGGE_FACILITATOR_KEY", "").strip()):
        return from_env, "environment"
    return secrets.token_urlsafe(18), "new"


def cmd_serve(args: argparse.Namespace) -> int:
    from .content import validate
    from .voila_config import facilitator_url, start_url, voila_command, voila_env

    root = _course_dir(args.course_dir)
    problems = validate(root)
    if problems:
        for problem in problems:
            print(problem.format(), file=sys.stderr)
        print("\nRett opp innholdet først (trygge validate viser det samme).", file=sys.stderr)
        return 1
    key, key_source = facilitator_key(args.facilitator_key)
    if len(key) < MIN_FACILITATOR_KEY:
        print(f"Advarsel: kursholdernøkkelen er kort. Bruk minst {MIN_FACILITATOR_KEY} tilfeldige tegn.", file=sys.stderr)
    env = {**os.environ, **voila_env(root, facilitator_key=key)}
    if args.db_url:
        env["TRYGGE_DB_URL"] = args.db_url
    elif "TRYGGE_DB_URL" not in env:
        (root / "var").mkdir(exist_ok=True)
        env["TRYGGE_DB_URL"] = f"sqlite:///{root / 'var' / 'results.sqlite'}"
    _prepare_store(env["TRYGGE_DB_URL"])
    pools = {}
    for item in args.pool or []:
        page, _, size = item.rpartition("=")
        if not page or not size.isdigit():
            print(f"trygge serve: --pool {item!r}: skriv SIDE=ANTALL, for eksempel notebooks/01-samtalen.ipynb=30",
                  file=sys.stderr)
            return 2
        pools[page] = int(size)
    command = voila_command(root, args.port, ip=args.ip, open_browser=args.open, pool_size=args.pool_size,
                            pools=pools, cull_idle_timeout=int(args.cull_after * 60), base_url=args.base_url)
    process = subprocess.Popen(command, env=env)
    facilitator = facilitator_url(args.port, key, args.ip, args.base_url)
    if key_source == "environment":  # the operator has the key; it is not repeated into a service log
        facilitator = (f"{facilitator.partition('?')[0]}?nokkel=<nøkkelen>\n"
                       "    (nøkkelen er den som står i TRYGGE_FACILITATOR_KEY)")
    print(f"\nTrygge samtaler kjører. Åpne startsiden:\n\n    {start_url(args.port, args.ip, args.base_url)}\n\n"
          f"Kursholdersiden (del ikke lenken med deltakerne):\n\n    {facilitator}\n\n"
          f"Resultater lagres i {env['TRYGGE_DB_URL']}. Stopp med Ctrl+C.\n", flush=True)

    def stop(signum: int, _frame: object) -> None:
        process.send_signal(signum)

    signal.signal(signal.SIGTERM, stop)
    try:
        return process.wait()
    except KeyboardInterrupt:
        process.send_signal(signal.SIGINT)
        return process.wait()


def cmd_coach(args: argparse.Namespace) -> int:
    from .simulation.coach import classify

    status = 0
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            text = record["text"]
            if not isinstance(text, str):
                raise TypeError
        except (json.JSONDecodeError, KeyError, TypeError):
            print(f"trygge coach: linje {number}: forventet JSON med tekstfeltet \"text\", fikk {line.strip()[:60]!r}",
                  file=sys.stderr)
            status = 2
            continue
        labels = classify(text, args.lang, getattr(args, "method", "combined"))
        print(json.dumps({"text": text, "labels": labels}, ensure_ascii=False), flush=True)
    return status


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="trygge", description="Trygge samtaler – kurs for hjelpetelefoner og chattetjenester.")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="start kurset i Voilà og skriv ut adressen til startsiden")
    serve.add_argument("--port", type=int, default=int(os.environ.get("TRYGGE_PORT", 8866)), help="port (standard 8866)")
    serve.add_argument("--ip", default="127.0.0.1", help="adresse å lytte på (standard 127.0.0.1)")
    serve.add_argument("--course-dir", help="kursmappe (standard: denne mappen, eller TRYGGE_COURSE_DIR)")
    serve.add_argument("--db-url", help="database for resultater (standard: SQLite-fil i <kursmappe>/var/)")
    serve.add_argument("--open", action="store_true", help="åpne nettleseren")
    serve.add_argument("--pool-size", type=int, default=int(os.environ.get("TRYGGE_POOL_SIZE", 2)),
                       help="ferdigstartede kjerner som venter per side (startsiden og hvert tema; standard 2, 0 = av)")
    serve.add_argument("--pool", action="append", metavar="SIDE=ANTALL",
                       help="egen størrelse for én side, f.eks. notebooks/01-samtalen.ipynb=30 (kan gjentas)")
    serve.add_argument("--base-url", default="/", metavar="PREFIKS",
                       help="server alt under et prefiks, f.eks. /kurs-a/ (flere servere bak én proxy; standard /)")
    serve.add_argument("--cull-after", type=float, default=30, metavar="MINUTTER",
                       help="stopp en kjerne når siden er lukket og den har stått ubrukt så lenge (standard 30, 0 = aldri)")
    serve.add_argument("--facilitator-key", metavar="NØKKEL",
                       help="nøkkelen kursholdersiden (plenum) krever i adressen (standard: TRYGGE_FACILITATOR_KEY, "
                            "ellers en ny tilfeldig nøkkel ved hver start)")
    serve.set_defaults(func=cmd_serve)

    validate = sub.add_parser("validate", help="sjekk alt innhold i data/ og skriv ut hvert problem")
    validate.add_argument("--course-dir", help="kursmappe (standard: denne mappen, eller TRYGGE_COURSE_DIR)")
    validate.add_argument("--report", action="store_true", help="skriv også ut omfang og lesbarhet (LIX) per tema")
    validate.set_defaults(func=cmd_validate)

    coach = sub.add_parser("coach", help="merk replikker fra standard inn (JSON-linjer) med coachens etiketter")
    coach.add_argument("--lang", choices=["nb", "en"], default="nb")
    coach.add_argument("--method", choices=["combined", "rules", "model"], default="combined",
                       help="regler og modell sammen (standard), bare regler eller bare modell")
    coach.set_defaults(func=cmd_coach)
    from .simulation.cli import add_scenario_commands  # trygge scenario list|diagram|play
    add_scenario_commands(sub)

    from . import demo_data, export, migrations  # results store and analyst commands live in their own modules
    for module in (migrations, export, demo_data):
        module.add_parser(sub)
    from . import build, printables, trainer  # trainers' and organisations' commands: build, print, trainer, new
    for module in (build, printables, trainer):
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
