"""A short soak (`benchmarks/soak.py`): learners come and go on a real Voilà server with real kernels for a minute;
no errors, memory within bounds, every idle kernel of a learner who left without the shutdown beacon culled.

The full soak (100 learners, 10 minutes) is `make soak`; its last result is in benchmarks/results/soak.md.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from argparse import Namespace
from pathlib import Path

import pytest

from widgets.content import REPO_ROOT

BENCH = REPO_ROOT / "benchmarks"


@pytest.mark.timeout(900)
def test_a_short_soak_has_no_errors_stable_memory_and_culls_idle_kernels(tmp_path: Path) -> None:
    out = tmp_path / "soak.json"
    run = subprocess.run(
        [sys.executable, str(BENCH / "soak.py"), "--learners", "5", "--minutes", "1", "--session", "15,30",
         "--think", "2", "--cull-after", "20", "--cull-interval", "5", "--no-beacon", "0.4", "--sample", "5",
         "--no-record", "--json", str(out)],
        capture_output=True, text=True, timeout=840, cwd=REPO_ROOT,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    data = json.loads(out.read_text(encoding="utf-8"))
    r = data["result"]
    assert r["errors"] == 0 and r["sessions"] >= 8 and r["interactions"] >= 20
    assert r["no_beacon_leavers"] >= 2 and r["culled"] == r["no_beacon_leavers"] and r["left_over"] == 0
    assert r["beacon_leavers"] > 0 and r["closed_by_beacon"] == r["beacon_leavers"]
    assert r["end_kernels"] <= r["pool"]  # only the preheated pool is left
    assert r["samples"] >= 10 and not math.isnan(r["server_mb"][0])
    assert all(ok for _check, _measured, ok in data["verdicts"])
    assert "| no learner errors |" in run.stdout and "Checks" in run.stdout


def _result(**changes) -> dict:
    good = {"errors": 0, "sessions": 40, "interactions": 900, "error_kinds": [], "server_mb": [200.0, 210.0, 220.0],
            "server_growth_mb": 20.0, "server_slope": 2.0, "total_mb": [7000.0, 7100.0, 7050.0], "total_slope": 5.0,
            "per_kernel_mb": [60.0, 62.0, 63.0], "per_kernel_slope": 0.3,
            "max_excess": -2, "max_stale": 0, "culled": 8, "no_beacon_leavers": 8, "closed_by_beacon": 32,
            "beacon_leavers": 32, "left_over": 0, "end_kernels": 5, "pool": 5}
    return {**good, **changes}


@pytest.mark.parametrize("changes,failing", [
    ({}, None),
    ({"errors": 1, "error_kinds": ["TimeoutError"]}, 0),
    ({"server_growth_mb": 400.0}, 1),
    ({"per_kernel_mb": [60.0, 70.0, 80.0]}, 2),
    ({"max_excess": 4}, 3),
    ({"max_stale": 1}, 3),
    ({"culled": 7, "left_over": 1}, 4),
    ({"no_beacon_leavers": 0, "culled": 0}, 4),  # nobody left without the beacon: culling was not tested
])
def test_the_soak_checks_fail_when_they_should(changes: dict, failing: int | None) -> None:
    sys.path.insert(0, str(BENCH))
    try:
        import soak
    finally:
        sys.path.remove(str(BENCH))
    args = Namespace(max_server_growth=150.0, max_kernel_growth=25.0, kernel_slack=3)
    oks = [ok for _check, _measured, ok in soak.verdicts(_result(**changes), args)]
    assert oks == [i != failing for i in range(len(oks))]
