"""Exports for analysts: ``trygge export --format csv|parquet|xapi [--out FILE] [--k 5]``.

What an export holds, and what it never does:

* **No learner codes.** Each learner gets an export-only id (``L-`` + 12 hex digits, an HMAC of the code). The key is
  random for each export, so two exports cannot be joined on it, unless ``TRYGGE_EXPORT_SECRET`` is set (then the ids
  stay the same from export to export; keep that secret away from the data).
* **No small groups.** Events from an organisation with fewer than ``k`` learners (default 5) are left out, and the
  export says how many.
* **No free text** except a reflection the learner chose to share (the ``shared`` verb's ``response``, scrubbed when
  it was written and scrubbed again here); ``--no-shared-text`` leaves those out too. Every other result field is
  kept only if it is in the documented schema (:data:`widgets.events.RESULT_FIELDS`) and holds what the schema says:
  booleans, numbers, option letters, labels and ids. Anything else is dropped.
* Private learner state (progress, reflections kept private, video positions) is never exported.

CSV and Parquet have one row per event, with the result fields as columns; ``xapi`` is a JSON array of xAPI 1.0.3
statements (standard verb IRIs; see ``docs/events.md``) that a learning record store accepts.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import dataclasses
import hashlib
import hmac
import json
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from .events import FREE_TEXT, RESULT_FIELDS, Event, event_from_dict, xapi_statement

FORMATS = ("csv", "parquet", "xapi")
#: Ids, labels, node and end names: lower-case words. Any string field that does not look like this is dropped.
_ID = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,63}$")
_LETTER = re.compile(r"^[a-z]$")
_REASON = re.compile(r"^[a-z0-9][a-z0-9_\-:.]{0,63}$")

#: The columns of a CSV or Parquet export, in order, with their Parquet types.
COLUMNS: dict[str, str] = {
    "event_id": "string",
    "learner": "string",
    "timestamp": "timestamp",
    "verb": "string",
    "object_id": "string",
    "object_type": "string",
    "theme": "string",
    "org": "string",
    "course": "string",
    "version": "string",
    "channel": "string",
    "synthetic": "bool",
    "success": "bool",
    "score_raw": "float",
    "score_min": "float",
    "score_max": "float",
    "response": "string",
    "first_attempt": "bool",
    "completion": "bool",
    "phase": "string",
    "position": "float",
    "from": "float",
    "duration": "float",
    "described": "bool",
    "captions": "bool",
    "mode": "string",
    "labels": "string",
    "intents": "string",
    "node": "string",
    "chosen": "bool",
    "turn": "int",
    "turns": "int",
    "end": "string",
    "reflection_to_question": "float",
    "open_question_share": "float",
    "counts": "string",
    "must_do": "string",
    "asked_about_suicide": "bool",
    "explored_safety": "bool",
    "referral_ok": "string",
    "reply_source": "string",
    "fallback": "string",
    "state": "string",
}


class ExportError(ValueError):
    """An export was asked for in a way that cannot work (unknown format, Parquet to a terminal …)."""


# -- what may leave the database ----------------------------------------------------------------------------------------


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _ids(value: Any) -> list[str] | None:
    if isinstance(value, list) and all(isinstance(v, str) and _ID.match(v) for v in value):
        return list(value)
    return None


def safe_result(verb: str, result: dict[str, Any], *, shared_text: bool = True) -> dict[str, Any]:
    """The part of an event's result an export may hold (see the module docstring); the rest is dropped."""
    from .scrub import scrub

    out: dict[str, Any] = {}
    for key, value in result.items():
        if key not in RESULT_FIELDS:
            continue
        if key == "response":
            if (verb, key) == FREE_TEXT:
                if shared_text and isinstance(value, str) and value.strip():
                    out[key] = scrub(
                        value
                    )  # scrubbed when written; again here, in case the scrubber has improved
            elif isinstance(value, list) and all(isinstance(v, str) and _LETTER.match(v) for v in value):
                out[key] = list(value)
        elif key == "score":
            if isinstance(value, dict):
                score = {
                    k: _number(value.get(k))
                    for k in ("raw", "min", "max")
                    if _number(value.get(k)) is not None
                }
                if score:
                    out[key] = score
        elif key in ("labels", "intents"):
            if (ids := _ids(value)) is not None:
                out[key] = ids
        elif key in ("counts", "must_do", "state"):
            if isinstance(value, dict) and all(isinstance(k, str) and _ID.match(k) for k in value):
                kind = bool if key == "must_do" else int
                if all(
                    isinstance(v, kind) and (kind is bool or not isinstance(v, bool)) for v in value.values()
                ):
                    out[key] = dict(value)
        elif key == "referral_ok":
            if isinstance(value, list) and all(isinstance(v, bool) for v in value):
                out[key] = list(value)
        elif key == "fallback":
            if isinstance(value, str) and _REASON.match(value):
                out[key] = value
        elif isinstance(value, bool):
            out[key] = value
        elif _number(value) is not None:
            out[key] = value
        elif isinstance(value, str) and _ID.match(value):
            out[key] = value
        elif value is None and key in (
            "end",
            "reflection_to_question",
            "open_question_share",
            "asked_about_suicide",
        ):
            out[key] = None
    return out


def pseudonymiser(secret: bytes | None = None) -> Any:
    """A function: learner code → export-only id. The key is ``secret``, ``TRYGGE_EXPORT_SECRET``, or random."""
    if secret is None:
        env = os.environ.get("TRYGGE_EXPORT_SECRET")
        secret = env.encode("utf-8") if env else os.urandom(32)
    cache: dict[str, str] = {}

    def learner_id(code: str) -> str:
        if code not in cache:
            cache[code] = "L-" + hmac.new(secret, code.encode("utf-8"), hashlib.sha256).hexdigest()[:12]
        return cache[code]

    return learner_id


def flat_row(event: Event, learner: str, *, shared_text: bool = True) -> dict[str, Any]:
    """One CSV/Parquet row (:data:`COLUMNS`) for an event."""
    result = safe_result(event.verb, event.result, shared_text=shared_text)
    ctx = event.context
    row: dict[str, Any] = dict.fromkeys(COLUMNS)
    row.update(
        event_id=event.id,
        learner=learner,
        timestamp=event.timestamp,
        verb=event.verb,
        object_id=event.object_id,
        object_type=event.object_type,
        theme=event.theme,
        org=ctx.get("org"),
        course=ctx.get("course"),
        version=ctx.get("version"),
        channel=ctx.get("channel"),
        synthetic=bool(ctx.get("synthetic", False)),
    )
    for key, value in result.items():
        if key == "score":
            row.update({f"score_{k}": v for k, v in value.items()})
        elif key == "response":
            row[key] = ",".join(value) if isinstance(value, list) else value
        elif key in ("labels", "intents"):
            row[key] = ";".join(value)
        elif key in ("counts", "must_do", "state", "referral_ok"):
            row[key] = json.dumps(value, sort_keys=True)
        elif key in COLUMNS:
            row[key] = value
    for key, kind in COLUMNS.items():  # one type per column, whatever the JSON held
        value = row[key]
        if value is None:
            continue
        if kind == "float":
            row[key] = float(value)
        elif kind == "int":
            row[key] = int(value)
    return row


def safe_statement(event: Event, learner: str, *, shared_text: bool = True) -> dict[str, Any]:
    """The event as an xAPI statement, with the export-only learner id and only the safe result fields."""
    clean = Event(
        event.actor,
        event.verb,
        event.object_id,
        event.object_type,
        safe_result(event.verb, event.result, shared_text=shared_text),
        {k: v for k, v in event.context.items() if k in ("course", "version", "org", "channel", "synthetic")},
        event.timestamp,
        event.id,
    )
    return xapi_statement(clean, actor_name=learner)


# -- writing ----------------------------------------------------------------------------------------------------------


class _CsvWriter:
    def __init__(self, stream: IO[str]) -> None:
        self.writer = csv.DictWriter(stream, fieldnames=list(COLUMNS), lineterminator="\n")
        self.writer.writeheader()

    def write(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            self.writer.writerow(
                {
                    k: (
                        "true"
                        if v is True
                        else "false"
                        if v is False
                        else v.isoformat()
                        if hasattr(v, "isoformat")
                        else v
                    )
                    for k, v in row.items()
                }
            )

    def close(self) -> None:
        pass


class _ParquetWriter:
    def __init__(self, path: Path) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        types = {
            "string": pa.string(),
            "bool": pa.bool_(),
            "float": pa.float64(),
            "int": pa.int64(),
            "timestamp": pa.timestamp("us", tz="UTC"),
        }
        self.pa = pa
        self.schema = pa.schema([(name, types[kind]) for name, kind in COLUMNS.items()])
        self.writer = pq.ParquetWriter(str(path), self.schema, compression="zstd")

    def write(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            columns = {name: [r[name] for r in rows] for name in COLUMNS}
            self.writer.write_table(self.pa.Table.from_pydict(columns, schema=self.schema))

    def close(self) -> None:
        self.writer.close()


class _XapiWriter:
    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.first = True
        stream.write("[")

    def write(self, statements: list[dict[str, Any]]) -> None:
        for statement in statements:
            self.stream.write(("\n" if self.first else ",\n") + json.dumps(statement, ensure_ascii=False))
            self.first = False

    def close(self) -> None:
        self.stream.write("\n]\n")


@contextlib.contextmanager
def _progress(total: int, show: bool) -> Iterator[Any]:
    if not show:
        yield lambda n: None
        return
    from tqdm import tqdm

    with tqdm(total=total, unit=" hendelser", file=sys.stderr, desc="Eksporterer", mininterval=0.5) as bar:
        yield bar.update


@dataclasses.dataclass
class ExportSummary:
    """What :func:`export` wrote and what it left out."""

    events: int
    learners: int
    left_out_events: int
    left_out_orgs: int


def export(
    store: Any,
    fmt: str,
    out: Path | IO[str] | None = None,
    *,
    k: int = 5,
    shared_text: bool = True,
    progress: bool = False,
    secret: bytes | None = None,
    batch: int = 10_000,
) -> ExportSummary:
    """Write every event of organisations with at least ``k`` learners to ``out`` (a path, or a text stream for
    csv/xapi; standard output if ``None``) in format ``fmt``."""
    if fmt not in FORMATS:
        raise ExportError(f"Ukjent format {fmt!r}; velg {', '.join(FORMATS)}.")
    if k < 1:
        raise ExportError("k må være minst 1.")
    if fmt == "parquet" and not isinstance(out, (str, Path)):
        raise ExportError(
            "Parquet er et binærformat: oppgi en fil med --out, for eksempel --out hendelser.parquet."
        )
    sizes = store.learners_per_org()
    kept = [org for org, n in sizes.items() if n >= k]
    left_orgs = [org for org, n in sizes.items() if n < k]
    total = store.count_events(orgs=kept)
    left_events = store.count_events(orgs=left_orgs) if left_orgs else 0
    learner_id = pseudonymiser(secret)
    learners: set[str] = set()
    written = 0
    with contextlib.ExitStack() as stack:
        if fmt == "parquet":
            writer: Any = _ParquetWriter(Path(out))  # type: ignore[arg-type]
        else:
            if out is None:
                stream = sys.stdout
            elif isinstance(out, (str, Path)):
                stream = stack.enter_context(open(out, "w", encoding="utf-8", newline=""))
            else:
                stream = out
            writer = _CsvWriter(stream) if fmt == "csv" else _XapiWriter(stream)
        tick = stack.enter_context(_progress(total, progress))
        chunk: list[dict[str, Any]] = []
        for row in store.iter_events(batch, orgs=kept):
            event = event_from_dict(row)
            name = learner_id(event.actor)
            learners.add(name)
            chunk.append(
                safe_statement(event, name, shared_text=shared_text)
                if fmt == "xapi"
                else flat_row(event, name, shared_text=shared_text)
            )
            if len(chunk) >= batch:
                writer.write(chunk)
                tick(len(chunk))
                written += len(chunk)
                chunk = []
        writer.write(chunk)
        tick(len(chunk))
        written += len(chunk)
        writer.close()
    return ExportSummary(
        events=written, learners=len(learners), left_out_events=left_events, left_out_orgs=len(left_orgs)
    )


def cmd_export(args: argparse.Namespace) -> int:
    from .store import Store, StoreUnavailable

    try:
        store = Store(args.db_url)
    except StoreUnavailable as exc:
        print(f"trygge export: {exc}", file=sys.stderr)
        return 1
    show = args.progress or sys.stderr.isatty()
    try:
        summary = export(
            store,
            args.format,
            Path(args.out) if args.out else None,
            k=args.k,
            shared_text=not args.no_shared_text,
            progress=show,
        )
    except ExportError as exc:
        print(f"trygge export: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader stopped early (… | head): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    finally:
        store.dispose()
    where = args.out or "standard ut"
    print(
        f"Eksporterte {summary.events} hendelser fra {summary.learners} deltakere til {where} ({args.format}).",
        file=sys.stderr,
    )
    if summary.left_out_orgs:
        print(
            f"Utelot {summary.left_out_events} hendelser fra {summary.left_out_orgs} organisasjon"
            f"{'er' if summary.left_out_orgs != 1 else ''} med færre enn {args.k} deltakere.",
            file=sys.stderr,
        )
    return 0


def add_parser(sub: Any) -> None:
    """Register ``trygge export`` on the ``trygge`` command line."""
    exp = sub.add_parser("export", help="eksporter anonyme hendelser for analyse (CSV, Parquet eller xAPI)")
    exp.add_argument(
        "--format", choices=FORMATS, default="csv", help="csv (standard), parquet eller xapi (JSON)"
    )
    exp.add_argument("--out", help="fil å skrive til (standard: standard ut; Parquet krever en fil)")
    exp.add_argument(
        "--k", type=int, default=5, help="utelat organisasjoner med færre enn k deltakere (standard 5)"
    )
    exp.add_argument(
        "--db-url", help="database (standard: TRYGGE_DB_URL, ellers SQLite-fil i <kursmappe>/var/)"
    )
    exp.add_argument("--no-shared-text", action="store_true", help="ta heller ikke med delte refleksjoner")
    exp.add_argument(
        "--progress", action="store_true", help="vis fremdrift også når standard feil ikke er en terminal"
    )
    exp.set_defaults(func=cmd_export)
