"""Time per learner turn in the simulator: the coach plus the scripted engine (labels, intents, referral checks,
state, route, feedback), over every turn of every scenario in the course. Goal: p95 ≤ 20 ms.

    .venv/bin/python benchmarks/coach_speed.py            # print the table
    .venv/bin/python benchmarks/coach_speed.py --write    # also write the speed part of benchmarks/results/coach.md

Every suggested reply of every node is sent as *free text* from that node (so it goes through the coach, the
routes and the feedback, like a learner's own words), ``--repeat`` times. Baseline: the same turns with the rules
alone (no model). The model is loaded before timing; its one-off cost (training it, or reading it from the cache)
is reported on its own.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from widgets.content import read_yaml
from widgets.simulation import coach
from widgets.simulation import engine as engine_mod
from widgets.simulation import model as coach_model


def scenarios() -> list[dict]:
    return [read_yaml(p).data for p in sorted((ROOT / "data" / "themes").glob("*/scenarios/*.yaml"))]


def turns(all_scenarios: list[dict]) -> list[tuple[dict, str, str]]:
    """(scenario, node, text) for every suggested reply of every node that has any."""
    out = []
    for sc in all_scenarios:
        for name, node in sc["nodes"].items():
            for choice in node.get("choices", []):
                out.append((sc, name, choice["text"]))
    return out


def time_turns(items: list[tuple[dict, str, str]], method: str, repeat: int) -> tuple[list[float], list[float]]:
    """Milliseconds per turn (wall clock, and this thread's CPU time), with the coach in ``method`` mode."""
    original = engine_mod.classify
    engine_mod.classify = lambda text, lang="nb": coach.classify(text, lang, method)
    try:
        engines = {sc["id"]: engine_mod.ScriptedEngine(sc, seed=1) for sc, _, _ in items}
        wall, cpu = [], []
        for _ in range(repeat):
            for sc, node, text in items:
                e = engines[sc["id"]]
                e.node_id, e.turns = node, []
                e.state = {k: int(v["start"]) for k, v in e.spec.items()}
                started, started_cpu = time.perf_counter(), time.thread_time()
                e.respond(text)
                cpu.append((time.thread_time() - started_cpu) * 1000)
                wall.append((time.perf_counter() - started) * 1000)
        return wall, cpu
    finally:
        engine_mod.classify = original


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    index = min(len(values) - 1, max(0, round(q / 100 * (len(values) - 1))))
    return values[index]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    # One-off cost of the model: trained into an empty cache, then read from it.
    with tempfile.TemporaryDirectory() as cache:
        os.environ["TRYGGE_CACHE_DIR"] = cache
        coach_model.forget()
        started = time.perf_counter()
        coach_model.model_for("nb", coach.LABELS)
        train_s = time.perf_counter() - started
        coach_model.forget()
        started = time.perf_counter()
        coach_model.model_for("nb", coach.LABELS)
        load_s = time.perf_counter() - started
    all_scenarios = scenarios()
    items = turns(all_scenarios)
    time_turns(items[:50], "combined", 1)  # warm up
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    rows = []
    for method in ("rules", "combined"):
        wall, cpu = time_turns(items, method, args.repeat)
        rows.append((method, len(wall), statistics.median(wall), percentile(wall, 95), percentile(wall, 99),
                     statistics.median(cpu), percentile(cpu, 95), percentile(cpu, 99)))
    table = ["| coach | turns timed | wall p50 ms | wall p95 ms | wall p99 ms | CPU p50 ms | CPU p95 ms | CPU p99 ms |",
             "|---|---|---|---|---|---|---|---|"]
    for method, n, *values in rows:
        name = {"rules": "rules only (baseline)", "combined": "rules + model (what the simulator uses)"}[method]
        table.append(f"| {name} | {n} | " + " | ".join(f"{v:.2f}" for v in values) + " |")
    ratio = rows[1][3] / rows[0][3] if rows[0][3] else float("nan")
    text = "\n".join(table)
    summary = (f"{len(all_scenarios)} scenarios, {len(items)} distinct turns × {args.repeat}; 1-minute load average "
               f"{load:.1f} on {os.cpu_count()} cores while measuring (other work on the machine shows up in the wall "
               f"clock, not in the CPU time). Wall p95 combined / rules = {ratio:.2f}. Goal p95 ≤ 20 ms: "
               f"wall {'met' if rows[1][3] <= 20 else 'NOT met'} ({rows[1][3]:.1f} ms), CPU "
               f"{'met' if rows[1][6] <= 20 else 'NOT met'} ({rows[1][6]:.1f} ms).\n\n"
               f"One-off per process (nb): training the model {train_s:.2f} s (first process after a corpus change); "
               f"reading it from the cache {load_s * 1000:.0f} ms.")
    print(text + "\n\n" + summary)
    if args.write:
        import datetime as dt

        from coach_eval import machine  # same folder

        out = ROOT / "benchmarks" / "results" / "coach.md"
        head = out.read_text(encoding="utf-8").split("<!-- speed -->", 1)[0] if out.is_file() else "# Coach\n\n"
        out.write_text(f"{head}<!-- speed -->\n## Time per turn (coach + scripted engine)\n\nMeasured "
                       f"{dt.date.today().isoformat()} on {machine()} with `benchmarks/coach_speed.py`.\n\n"
                       f"{text}\n\n{summary}\n", encoding="utf-8")
        print(f"Skrev {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
