"""Write throughput of the results store with 1, 10 and 50 concurrent writers (processes), against raw sqlite3.

Each writer is a process that behaves like a learner's kernel: it opens a Store, then writes its events one at a time
(one ``add_events`` call, one transaction, per learner action). The clock runs from the moment all writers are ready
(a barrier, so Python start-up is not counted) until the last one is done. The baseline, measured in the same run on
the same disk, is raw ``sqlite3``: ``executemany`` of exactly the same rows in one transaction, in one process — the
fastest way the rows can get into SQLite, which no concurrent writer can match; a second reference is raw sqlite3
committing one row at a time.

    python benchmarks/bench_write.py                       # 1, 10 and 50 writers × 200 events, SQLite
    python benchmarks/bench_write.py --writers 1,4 --events 20 --no-record     # a quick look
    python benchmarks/bench_write.py --db-url postgresql://…   # the same writers against PostgreSQL
"""

from __future__ import annotations

import argparse
import json
import os
import multiprocessing as mp
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import header, machine, record, table  # noqa: E402


def _events(writer: int, count: int) -> list:
    from widgets.events import Event

    ctx = {"course": "trygge-samtaler", "version": "0.1.0", "org": f"org-{writer % 5}", "channel": "web"}
    return [
        Event(
            f"W{writer:03d}-{n % 10000:04d}"[:9],
            "answered",
            f"samtalen/quiz/q{n % 14 + 1}",
            "quiz-item",
            {
                "success": n % 3 == 0,
                "response": ["b"],
                "score": {"raw": int(n % 3 == 0), "max": 1},
                "first_attempt": True,
            },
            ctx,
        )
        for n in range(count)
    ]


def _writer(url: str, writer: int, count: int, barrier, done, light: bool) -> None:
    from widgets.store import Store
    from widgets.store_sqlite import open_store

    # light: what a learner's kernel opens (widgets.store_sqlite.open_store: the sqlite3-only store for a SQLite file
    # at the newest schema); otherwise the SQLAlchemy store the server, the CLI and PostgreSQL use.
    store = open_store(url) if light else Store(url)
    events = _events(writer, count)
    barrier.wait()
    for event in events:
        store.add_events([event])
    done.put(time.perf_counter())
    store.dispose()


def store_run(url: str, writers: int, count: int, light: bool = False) -> float:
    """Seconds for ``writers`` processes to write ``count`` events each, one event per transaction."""
    from widgets.store import Store

    Store(url).dispose()  # the schema exists before the writers arrive, as `trygge serve` leaves it
    ctx = mp.get_context("spawn")
    barrier, done = ctx.Barrier(writers + 1), ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(url, w, count, barrier, done, light)) for w in range(writers)]
    for p in procs:
        p.start()
    barrier.wait()
    start = time.perf_counter()
    ends = [done.get(timeout=1800) for _ in procs]
    for p in procs:
        p.join()
        if p.exitcode != 0:
            raise RuntimeError(f"a writer failed (exit code {p.exitcode})")
    return max(ends) - start


def _rows(writers: int, count: int) -> list[tuple]:
    rows = []
    for w in range(writers):
        for e in _events(w, count):
            rows.append(
                (
                    e.id,
                    e.actor,
                    e.verb,
                    e.object_id,
                    e.object_type,
                    e.theme,
                    json.dumps(e.result),
                    json.dumps(e.context),
                    e.timestamp.isoformat(),
                    e.context.get("org"),
                )
            )
    return rows


def _raw_db(path: Path) -> sqlite3.Connection:
    from widgets.store import Store

    Store(f"sqlite:///{path}").dispose()  # the same schema and indexes as the store's
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


INSERT = (
    "INSERT INTO events (event_id, actor, verb, object_id, object_type, theme, result, context, timestamp, org) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def baseline_executemany(path: Path, rows: list[tuple]) -> float:
    conn = _raw_db(path)
    start = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany(INSERT, rows)
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def baseline_one_by_one(path: Path, rows: list[tuple]) -> float:
    conn = _raw_db(path)
    start = time.perf_counter()
    for row in rows:
        conn.execute("BEGIN")
        conn.execute(INSERT, row)
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--writers", default="1,10,50", help="comma-separated writer counts (default 1,10,50)"
    )
    parser.add_argument("--events", type=int, default=200, help="events per writer (default 200)")
    parser.add_argument(
        "--db-url", help="run the store writers against this database instead of a fresh SQLite file"
    )
    parser.add_argument(
        "--no-record", action="store_true", help="print only; do not write benchmarks/results/write.md"
    )
    args = parser.parse_args(argv)
    counts = [int(c) for c in args.writers.split(",") if c.strip()]

    info = machine()
    print("\n".join(f"{k}: {v}" for k, v in info.items()), flush=True)
    rows_out = []
    with tempfile.TemporaryDirectory(prefix="trygge-bench-") as tmp:
        for writers in counts:
            total = writers * args.events
            rows = _rows(writers, args.events)
            base = baseline_executemany(Path(tmp) / f"base-{writers}.sqlite", rows)
            single = baseline_one_by_one(Path(tmp) / f"single-{writers}.sqlite", rows)
            url = args.db_url or f"sqlite:///{Path(tmp) / f'store-{writers}.sqlite'}"
            seconds = store_run(url, writers, args.events)
            kernel_rate = None
            if not args.db_url:
                light_url = f"sqlite:///{Path(tmp) / f'light-{writers}.sqlite'}"
                kernel_rate = total / store_run(light_url, writers, args.events, light=True)
            rate, base_rate, single_rate = total / seconds, total / base, total / single
            rows_out.append(
                [
                    writers,
                    total,
                    "–" if kernel_rate is None else f"{kernel_rate:,.0f}",
                    "–" if kernel_rate is None else f"{kernel_rate / base_rate:.3f}",
                    f"{rate:,.0f}",
                    f"{base_rate:,.0f}",
                    f"{rate / base_rate:.3f}",
                    f"{single_rate:,.0f}",
                    f"{rate / single_rate:.2f}",
                ]
            )
            print(
                f"{writers:>3} writers, {total:>6} events: kernel store "
                f"{'–' if kernel_rate is None else f'{kernel_rate:,.0f}'} events/s | store {rate:,.0f} events/s | "
                "baseline executemany "
                f"{base_rate:,.0f}/s (ratio {rate / base_rate:.3f}) | raw sqlite3 one-by-one {single_rate:,.0f}/s "
                f"(ratio {rate / single_rate:.2f})",
                flush=True,
            )
    text = header("Write throughput: concurrent writers against raw sqlite3", info)
    target = args.db_url.split("@")[-1] if args.db_url else "a fresh SQLite file (WAL) for each writer count"
    text += (
        f"\nKernel store: `widgets.store_sqlite.SqliteStore.add_events` (what a learner's kernel writes through; "
        f"SQLite only). Store: `widgets.store.Store.add_events` (SQLAlchemy: the server, the CLI, PostgreSQL). Both "
        f"one event per call (as a kernel writes), {args.events} events "
        f"per writer process, into {target}. Baseline: raw `sqlite3.executemany` of the same rows in one "
        "transaction, one process. Reference: raw sqlite3, one transaction per row, one process. Ratio = store "
        "throughput / baseline throughput (higher is better; 1.0 would match the baseline).\n\n"
    )
    text += table(
        [
            "writers",
            "events",
            "kernel store (events/s)",
            "kernel store / baseline",
            "store (events/s)",
            "baseline executemany (events/s)",
            "ratio to baseline",
            "raw one-by-one (events/s)",
            "ratio to one-by-one",
        ],
        rows_out,
    )
    end = os.getloadavg()
    text += f"\nLoad average at the end: {end[0]:.2f}, {end[1]:.2f}, {end[2]:.2f}. The writers themselves add to it; other work on the machine slows store and baselines alike.\n"
    text += (
        "\nCommand: `python benchmarks/bench_write.py "
        + " ".join(argv if argv is not None else sys.argv[1:])
        + "`\n"
    )
    if not args.no_record:
        print(f"\nWrote {record('write', text)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
