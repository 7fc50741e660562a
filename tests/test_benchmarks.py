"""The benchmark scripts run (with a tiny N, and without touching benchmarks/results/); the real runs are `make bench`."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from widgets.content import REPO_ROOT

BENCH = REPO_ROOT / "benchmarks"


def _run(script: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(BENCH / script), *args, "--no-record"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=REPO_ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_write_benchmark_runs_and_reports_machine_and_ratios() -> None:
    out = _run("bench_write.py", "--writers", "2", "--events", "5")
    assert "machine:" in out and "date:" in out
    assert " 2 writers," in out and "ratio" in out
    rate = re.search(r"kernel store ([\d,]+) events/s \| store ([\d,]+) events/s", out)
    assert rate and all(int(x.replace(",", "")) > 0 for x in rate.groups()), out


def test_analytics_benchmark_runs_and_reports_time_memory_and_baseline(tmp_path: Path) -> None:
    out = _run("bench_analytics.py", "--events", "2000", "--repeat", "1", "--cache", str(tmp_path))
    assert "machine:" in out and "peak RSS" in out and "baseline (raw sqlite3 reading every row)" in out
    assert "ratio" in out
