"""Loading and computing every analyst aggregate for 1 000 000 events: time and peak memory (goal ≤ 3 s, ≤ 1 GB).

The events are synthetic (``trygge demo-data``'s generator, on the real course content), made once and kept in a SQLite
file in the temporary folder so a second run does not wait for them. The measurement runs in a fresh Python process:
after the imports, the clock runs over ``analytics.load`` + ``analytics.all_aggregates`` (funnel, quiz items,
distractors, trygghet change, simulator trends and change, organisations); peak RSS is the process's high-water mark
(``ru_maxrss``), imports included. The baseline, in the same run and another fresh process, is the least any analysis
must do: raw ``sqlite3`` reading every row of the events table once (``SELECT * … fetchmany``).

    python benchmarks/bench_analytics.py                  # 1 000 000 events
    python benchmarks/bench_analytics.py --events 20000 --no-record   # a quick look
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _machine import header, machine, record, table  # noqa: E402

GOAL_SECONDS = 3.0
GOAL_MB = 1024

MEASURE = """
import json, resource, sys, time
t0 = time.perf_counter()
from widgets import analytics, migrations
from widgets.content import load_course
import scipy.stats, sqlalchemy, widgets.store  # imported here so the clock below measures work, not imports
migrations.head()
course = load_course()
t1 = time.perf_counter()
data = analytics.load(sys.argv[1], course=course)
t2 = time.perf_counter()
tables = analytics.all_aggregates(data)
t3 = time.perf_counter()
print(json.dumps({"imports": t1 - t0, "load": t2 - t1, "aggregates": t3 - t2, "total": t3 - t1,
                  "events": data.n_events, "learners": data.n_learners,
                  "rows": {k: len(v) for k, v in tables.items()},
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

BASELINE = """
import json, resource, sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1])
t0 = time.perf_counter()
cur = conn.execute("SELECT * FROM events")
n = 0
while True:
    rows = cur.fetchmany(50000)
    if not rows:
        break
    n += len(rows)
print(json.dumps({"total": time.perf_counter() - t0, "events": n,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def ensure_data(events: int, seed: int, cache: Path) -> tuple[str, int]:
    """A SQLite file with about ``events`` synthetic events (made once per size, seed and course version)."""
    from widgets import demo_data
    from widgets.content import load_course
    from widgets.store import Store

    course = load_course()
    sample = sum(1 for _ in demo_data.iter_events(learners=200, orgs=8, seed=seed, course=course))
    learners = max(8 * 10, math.ceil(events / (sample / 200) * 1.05))  # a little over: at least ``events``
    path = cache / f"analytics-{course.version}-{learners}-{seed}.sqlite"
    url = f"sqlite:///{path}"
    store = Store(url)
    have = store.count_events()
    if have == 0:
        print(f"Making {learners} synthetic learners (about {events:,} events) in {path} …", flush=True)
        start = time.perf_counter()
        demo_data.generate(store, learners=learners, orgs=8, seed=seed, course=course, batch=20_000)
        have = store.count_events()
        print(f"… {have:,} events in {time.perf_counter() - start:.0f} s", flush=True)
    store.dispose()
    return url, have


def run(code: str, arg: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code, arg], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--events", type=int, default=1_000_000, help="about how many events (default 1 000 000)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--repeat", type=int, default=3, help="measure this many times, report the best (default 3)"
    )
    parser.add_argument(
        "--cache",
        default=str(Path(tempfile.gettempdir()) / "trygge-bench"),
        help="where the synthetic database is kept between runs",
    )
    parser.add_argument(
        "--no-record", action="store_true", help="print only; do not write benchmarks/results/analytics.md"
    )
    args = parser.parse_args(argv)
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)

    info = machine()
    print("\n".join(f"{k}: {v}" for k, v in info.items()), flush=True)
    url, have = ensure_data(args.events, args.seed, cache)
    path = url.removeprefix("sqlite:///")
    ours = min((run(MEASURE, url) for _ in range(args.repeat)), key=lambda r: r["total"])
    base = min((run(BASELINE, path) for _ in range(args.repeat)), key=lambda r: r["total"])
    ratio = ours["total"] / base["total"]
    ok_time, ok_mem = ours["total"] <= GOAL_SECONDS, ours["peak_mb"] <= GOAL_MB
    print(
        f"{have:,} events, {ours['learners']:,} learners: load {ours['load']:.2f} s + aggregates "
        f"{ours['aggregates']:.2f} s = {ours['total']:.2f} s (goal ≤ {GOAL_SECONDS:.0f} s: "
        f"{'met' if ok_time else 'NOT met'}); peak RSS {ours['peak_mb']:.0f} MB (goal ≤ {GOAL_MB} MB: "
        f"{'met' if ok_mem else 'NOT met'}); imports {ours['imports']:.2f} s"
    )
    print(
        f"baseline (raw sqlite3 reading every row): {base['total']:.2f} s, peak RSS {base['peak_mb']:.0f} MB; "
        f"ratio {ratio:.2f}"
    )
    text = header("Analyst aggregates over synthetic events", info)
    text += (
        f"\nData: {have:,} synthetic events from {ours['learners']:,} learners in 8 organisations "
        f"(`widgets.demo_data`, seed {args.seed}), SQLite. Measured: `analytics.load` + "
        "`analytics.all_aggregates` in a fresh process, after imports; best of "
        f"{args.repeat}. Baseline: raw `sqlite3` reading every row of `events` once, best of {args.repeat}. "
        "Peak RSS includes the interpreter and the imports (pandas, SQLAlchemy, scipy).\n\n"
    )
    text += table(
        ["measure", "time (s)", "peak RSS (MB)", "goal", "met"],
        [
            ["load (8 queries on 2 connections, typed columns from one covering index)", f"{ours['load']:.2f}", "", "", ""],
            ["all aggregates (pandas)", f"{ours['aggregates']:.2f}", "", "", ""],
            [
                "**load + aggregates**",
                f"**{ours['total']:.2f}**",
                f"**{ours['peak_mb']:.0f}**",
                "≤ 3 s, ≤ 1 GB",
                "yes" if ok_time and ok_mem else "no",
            ],
            [
                "baseline: raw sqlite3, every row once",
                f"{base['total']:.2f}",
                f"{base['peak_mb']:.0f}",
                "",
                "",
            ],
            ["ratio (ours / baseline)", f"{ratio:.2f}", "", "", ""],
            ["imports (not in the total)", f"{ours['imports']:.2f}", "", "", ""],
        ],
    )
    end = os.getloadavg()
    text += f"\nLoad average at the end: {end[0]:.2f}, {end[1]:.2f}, {end[2]:.2f}. Other work on the machine slows both the measurement and the baseline; the ratio is the steadier figure.\n"
    text += (
        "\nCommand: `python benchmarks/bench_analytics.py "
        + " ".join(argv if argv is not None else sys.argv[1:])
        + "`\n"
    )
    if not args.no_record:
        print(f"\nWrote {record('analytics', text)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
