"""Soak: many learners coming and going for a long time on one course server (loopback), bounded.

    .venv/bin/python benchmarks/soak.py                          # 100 learners, 10 minutes; writes results/soak.md
    .venv/bin/python benchmarks/soak.py --learners 5 --minutes 1 --session 15,30 --cull-after 20 --no-record
    make soak

A learner is ``benchmarks/load.py``'s :class:`load.Learner` (the page over HTTP, its kernel over the websocket, the
widget states, the learner code, then a quiz answer, a chat turn or a typed turn every ``--think`` seconds). Here
``--learners`` of them are on the server at every moment for ``--minutes``: each stays a random time from
``--session`` (seconds) and then leaves, and a new learner takes the free place a few seconds later. Most leave as
a browser does (Voilà's shutdown beacon); a share (``--no-beacon``, default 20 %) just disappear (a phone, a crashed
browser), so the server's culling must stop their kernels: ``--cull-after`` seconds after they went idle, looked
for every ``--cull-interval`` seconds (shorter than production's 30 min / 2 min, so a soak can see it happen).

Every ``--sample`` seconds (default 10) the soak records the Voilà process's memory (USS), the kernels' memory and
how many kernels are alive against how many may be (learners on the page + the preheated pool + learners who left
without the beacon within the cull window + a few seconds for shutdowns in progress). At the end every learner has
left; the soak waits for the last culls and then checks that no learner's kernel is left.

It exits non-zero when any learner had an error, when the Voilà process grew more than ``--max-server-growth`` MB
from the first sample after the arrivals to the last sample with learners, when the kernels' memory per alive
kernel grew more than ``--max-kernel-growth`` per cent over the same period (the samples with at least 90 % of the
places taken; total memory is reported too, but it also grows while the preheated pool refills, which is no leak), when at any sample more
kernels were alive than may be (``--kernel-slack`` allowed), or when a kernel of a learner who left is still alive
at the end. Everything has a hard time limit (``--minutes`` + the arrivals + the pool fill + the final culling +
five minutes); the server and all its kernels are stopped however the soak ends (they run in their own process
group).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import math
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import _serve  # noqa: E402
from _machine import header, record, table  # noqa: E402
from _serve import fmt_ms, median, percentile  # noqa: E402
from load import DEFAULT_PAGE, Learner  # noqa: E402

ROOT = HERE.parent
_KERNEL_FILE = re.compile(r"kernel-([0-9a-f-]{36})\.json")


def start_server(workdir: Path, page: str, pool: int, cull_after: float, cull_interval: int) -> _serve.Server:
    """The course as ``trygge serve`` starts it (content validated, Voilà with the trygge template, the page's pool,
    culling of kernels without a browser), with a cull interval short enough for a soak."""
    from widgets import voila_config
    from widgets.content import validate

    problems = validate(ROOT)
    if problems:
        raise SystemExit("content has problems: run trygge validate")
    port = voila_config.find_free_port()
    # The culling options as voila_config.kernel_options writes them, with a cull interval of our own (a traitlet
    # may be given once only, so they are all given here).
    culling = [f"--MappingKernelManager.cull_idle_timeout={int(cull_after)}",
               f"--MappingKernelManager.cull_interval={int(cull_interval)}",
               "--MappingKernelManager.cull_connected=False", "--MappingKernelManager.cull_busy=False"]
    command = voila_config.voila_command(ROOT, port, pools={page: pool} if pool else None, cull_idle_timeout=0,
                                         extra=culling)
    python_path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, **voila_config.voila_env(ROOT), "PYTHONPATH": python_path, "TRYGGE_LLM": "off",
           "TRYGGE_DB_URL": f"sqlite:///{workdir / 'results.sqlite'}", "TRYGGE_QUEUE_DIR": str(workdir / "queue")}
    log_path = workdir / "voila.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    server = _serve.Server("trygge (soak)", port, process, log_path, {page: pool} if pool else {})
    try:
        _serve._wait_http(server, f"/voila/templates/{voila_config.TEMPLATE_NAME}/static/trygge.css", timeout=180)
    except BaseException:
        server.stop()
        raise
    return server


def kernel_ids(server: _serve.Server) -> dict[str, object]:
    """The alive kernels of the server, by kernel id (from each kernel's connection-file name)."""
    import psutil

    out = {}
    for proc in server.kernels():
        with contextlib.suppress(psutil.Error):
            found = _KERNEL_FILE.search(" ".join(proc.cmdline()))
            if found:
                out[found.group(1)] = proc
    return out


def slope_per_minute(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, MB) points, in MB per minute (NaN for fewer than three points)."""
    if len(points) < 3:
        return math.nan
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    if not sxx:
        return math.nan
    return sum((x - mx) * (y - my) for x, y in points) / sxx * 60


class Soak:
    def __init__(self, server: _serve.Server, args: argparse.Namespace) -> None:
        self.server, self.args = server, args
        self.rng = random.Random(args.seed)
        self.learners: list[Learner] = []
        self.active = 0
        self.left: list[tuple[float, Learner]] = []  # (when, learner)
        self.samples: list[dict] = []
        self.number = 0
        self.t0 = time.monotonic()

    def next_learner(self) -> Learner:
        i = self.number
        self.number += 1
        learner = Learner(i, self.server, self.args.page, self.args, [], random.Random(self.rng.random()))
        share = self.args.no_beacon
        learner.beacon = not int((i + 1) * share) > int(i * share)  # every 1/share-th learner leaves without it
        self.learners.append(learner)
        return learner

    async def slot(self, first_delay: float, end: float) -> None:
        """One place on the page: learner after learner until the end."""
        lo, hi = self.args.session
        await asyncio.sleep(first_delay)
        while time.monotonic() + 10 <= end:  # the place stays taken to the end (the last stays are shorter)
            learner = self.next_learner()
            stay = min(self.rng.uniform(lo, hi), end - time.monotonic())
            self.active += 1
            try:
                await learner.run(time.monotonic() + stay)
            finally:
                self.active -= 1
                self.left.append((time.monotonic(), learner))
            await asyncio.sleep(self.rng.uniform(1, 5))  # the next one arrives a little later

    def sample(self, phase: str) -> dict:
        import psutil

        alive = kernel_ids(self.server)
        kernel_mb = 0.0
        for proc in alive.values():
            with contextlib.suppress(psutil.Error):
                kernel_mb += proc.memory_full_info().uss / 2**20
        try:
            server_mb = self.server.server_process().memory_full_info().uss / 2**20
        except psutil.Error:
            server_mb = math.nan
        now = time.monotonic()
        window = self.args.cull_after + 2 * self.args.cull_interval + 30
        unculled = sum(1 for when, x in self.left if not x.beacon and now - when < window)
        closing = sum(1 for when, x in self.left if x.beacon and now - when < 15)
        allowed = self.active + self.args.pool + unculled + closing + self.args.kernel_slack
        learner_ids = {x.kernel_id for _, x in self.left if x.kernel_id}
        stale = [k for k in learner_ids & set(alive)
                 if any(x.kernel_id == k and (now - when) > (window if not x.beacon else 60) for when, x in self.left)]
        s = {"t": now - self.t0, "phase": phase, "active": self.active, "kernels": len(alive), "allowed": allowed,
             "server_mb": server_mb, "kernel_mb": kernel_mb, "total_mb": server_mb + kernel_mb, "stale": len(stale),
             "left": len(self.left)}
        self.samples.append(s)
        print(f"  t={s['t']:5.0f}s {phase:8s} learners {self.active:3d}  kernels {len(alive):3d} (≤ {allowed:3d})  "
              f"server {server_mb:6.0f} MB  kernels {kernel_mb:7.0f} MB  left {len(self.left):4d}  stale {len(stale)}",
              flush=True)
        return s

    async def run(self) -> dict:
        a = self.args
        end = self.t0 + a.minutes * 60
        n = a.learners
        slots = [asyncio.ensure_future(self.slot(a.ramp * i / max(1, n - 1) if n > 1 else 0, end)) for i in range(n)]
        next_sample = time.monotonic()
        while not all(s.done() for s in slots):
            if time.monotonic() >= next_sample:
                self.sample("ramp" if time.monotonic() - self.t0 < a.ramp else "soak")
                next_sample += a.sample
            await asyncio.sleep(0.5)
        for s in slots:
            s.result()  # a bug in the soak itself should not pass silently
        # Everyone has left: wait for the last culls (or the limit).
        leaver_ids = {x.kernel_id for x in self.learners if x.kernel_id}
        limit = time.monotonic() + a.cull_after + 3 * a.cull_interval + 60
        while time.monotonic() < limit:
            self.sample("drain")
            if not leaver_ids & set(kernel_ids(self.server)):
                break
            await asyncio.sleep(min(a.sample, 5))
        left_over = sorted(leaver_ids & set(kernel_ids(self.server)))
        return {"left_over": left_over, "end": self.sample("end")}


def _per_kernel(sample: dict) -> float:
    """The kernels' memory per alive kernel (MB) in a sample."""
    return sample["kernel_mb"] / sample["kernels"] if sample.get("kernels") else math.nan


def memory_figures(samples: list[dict], learners: int) -> dict:
    """Memory at the start, middle and end of the steady part (after the arrivals, while at least 90 % of the places
    are taken, before the last learners leave), growth and least-squares slopes."""
    steady = [s for s in samples if s["phase"] == "soak" and s["active"] >= 0.9 * learners] or \
        [s for s in samples if s["phase"] == "soak"]
    first, last = (steady[0], steady[-1]) if steady else ({}, {})
    middle = steady[len(steady) // 2] if steady else {}
    three = (first, middle, last)
    return {
        "server_mb": [x.get("server_mb", math.nan) for x in three],
        "total_mb": [x.get("total_mb", math.nan) for x in three],
        "kernels": [x.get("kernels", 0) for x in three],
        "server_growth_mb": last.get("server_mb", math.nan) - first.get("server_mb", math.nan) if steady else math.nan,
        "server_slope": slope_per_minute([(s["t"], s["server_mb"]) for s in steady]),
        "total_slope": slope_per_minute([(s["t"], s["total_mb"]) for s in steady]),
        "per_kernel_mb": [_per_kernel(x) for x in three],
        "per_kernel_slope": slope_per_minute([(s["t"], _per_kernel(s)) for s in steady]),
    }


def summarise(soak: Soak, outcome: dict, args: argparse.Namespace, duration: float) -> dict:
    learners = soak.learners
    ok = [x for x in learners if x.error is None]
    every = [v for x in ok for k in ("quiz", "chat_choice", "chat_text") for v in x.latencies.get(k, [])]
    tti = [x.tti for x in ok if x.tti]
    memory = memory_figures(soak.samples, args.learners)
    no_beacon = [x for x in learners if not x.beacon and x.kernel_id]
    gone = set(outcome["left_over"])
    return {
        "learners": args.learners, "minutes": args.minutes, "sessions": len(learners),
        "errors": len(learners) - len(ok), "error_kinds": sorted({x.error.split(":")[0] for x in learners if x.error}),
        "error_details": sorted(x.error for x in learners if x.error)[:10],
        "interactions": len(every), "lat_p50": median(every), "lat_p95": percentile(every, 95),
        "lat_max": max(every, default=math.nan), "tti_p50": median(tti), "tti_p95": percentile(tti, 95),
        "closed_by_beacon": sum(1 for x in learners if x.beacon and x.closed),
        "beacon_leavers": sum(1 for x in learners if x.beacon and x.kernel_id),
        "no_beacon_leavers": len(no_beacon), "culled": sum(1 for x in no_beacon if x.kernel_id not in gone),
        "left_over": len(outcome["left_over"]),
        "max_excess": max((s["kernels"] - s["allowed"] for s in soak.samples), default=0),
        "max_stale": max((s["stale"] for s in soak.samples if s["phase"] != "drain"), default=0),
        **memory,
        "end_kernels": outcome["end"]["kernels"], "pool": args.pool, "samples": len(soak.samples),
        "duration": duration,
    }


def verdicts(r: dict, args: argparse.Namespace) -> list[tuple[str, str, bool]]:
    def num(x: float) -> str:
        return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.1f}"

    growth_ok = not math.isnan(r["server_growth_mb"]) and r["server_growth_mb"] <= args.max_server_growth
    start, end = r["per_kernel_mb"][0], r["per_kernel_mb"][2]
    kernel_ok = not math.isnan(start) and end <= start * (1 + args.max_kernel_growth / 100)
    return [
        ("no learner errors", f"{r['errors']} errors in {r['sessions']} learner sessions, {r['interactions']} "
         f"interactions {'; '.join(r.get('error_details') or r['error_kinds'])}".strip(), r["errors"] == 0),
        (f"Voilà process memory grows ≤ {args.max_server_growth:g} MB over the soak",
         f"{num(r['server_mb'][0])} → {num(r['server_mb'][2])} MB ({num(r['server_growth_mb'])} MB; slope "
         f"{num(r['server_slope'])} MB/min)", growth_ok),
        (f"memory per kernel grows ≤ {args.max_kernel_growth:g} %",
         f"{num(start)} / {num(r['per_kernel_mb'][1])} / {num(end)} MB per kernel at start / middle / end (slope "
         f"{num(r['per_kernel_slope'])} MB/min); all memory {num(r['total_mb'][0])} / {num(r['total_mb'][1])} / "
         f"{num(r['total_mb'][2])} MB (slope {num(r['total_slope'])} MB/min, with the pool refilling)", kernel_ok),
        ("kernels alive never more than expected",
         f"largest excess over learners + pool + cull window + {args.kernel_slack} slack: {r['max_excess']}; "
         f"stale learner kernels seen: {r['max_stale']}", r["max_excess"] <= 0 and r["max_stale"] == 0),
        ("idle kernels of learners who left are culled",
         f"{r['culled']} of {r['no_beacon_leavers']} left without the beacon and were culled; "
         f"{r['closed_by_beacon']} of {r['beacon_leavers']} closed by the beacon; learner kernels left at the end: "
         f"{r['left_over']}; kernels alive at the end {r['end_kernels']} (pool {r['pool']})",
         r["left_over"] == 0 and r["no_beacon_leavers"] > 0 and r["culled"] == r["no_beacon_leavers"]),
    ]


def report(r: dict, args: argparse.Namespace, samples: list[dict], meta: dict) -> str:
    lines = [header("Soak: learners coming and going on one server"), ""]
    lines.append(f"- **command**: `{meta.get('command') or 'benchmarks/soak.py ' + ' '.join(sys.argv[1:])}`")
    if args.report_from:
        lines.append(f"- **report**: written again from that run's figures (`--report-from`) by "
                     f"`benchmarks/soak.py {' '.join(sys.argv[1:])}`")
    lines.append(f"- **scenario**: {args.learners} learners on `{args.page}` at every moment for {args.minutes:g} min "
                 f"(arrivals over {args.ramp:g} s); each stays {args.session[0]:g}–{args.session[1]:g} s, acts every "
                 f"~{args.think:g} s (quiz answer, chat turn with a suggested reply, typed chat turn), then leaves; "
                 f"{args.no_beacon:.0%} leave without the shutdown beacon; culling after {args.cull_after:g} s idle, "
                 f"checked every {args.cull_interval} s; pool {args.pool} preheated kernels")
    lines.append(f"- **load average** before / after: {meta['load_before']} / {meta['load_after']}; "
                 f"duration {r['duration']:.0f} s")
    lines.append("")
    lines.append(table(["", "start", "middle", "end"], [
        ["Voilà process USS MB", *(f"{v:.0f}" for v in r["server_mb"])],
        ["server + kernels USS MB", *(f"{v:.0f}" for v in r["total_mb"])],
        ["kernels' USS per kernel MB", *(f"{v:.1f}" for v in r["per_kernel_mb"])],
        ["kernels alive", *r["kernels"]],
    ]))
    lines.append(table(["learner sessions", "interactions", "latency p50 ms", "latency p95 ms", "latency max ms",
                        "TTI p50 ms", "TTI p95 ms"],
                       [[r["sessions"], r["interactions"], fmt_ms(r["lat_p50"]), fmt_ms(r["lat_p95"]),
                         fmt_ms(r["lat_max"]), fmt_ms(r["tti_p50"]), fmt_ms(r["tti_p95"])]]))
    lines.append("## Checks")
    lines.append("")
    lines.append(table(["check", "measured", "met"], [[c, m, "yes" if ok else "**no**"] for c, m, ok in verdicts(r, args)]))
    lines.append("<details><summary>Samples</summary>")
    lines.append("")
    lines.append(table(["t s", "phase", "learners", "kernels", "allowed", "server MB", "kernels MB"],
                       [[f"{s['t']:.0f}", s["phase"], s["active"], s["kernels"], s["allowed"], f"{s['server_mb']:.0f}",
                         f"{s['kernel_mb']:.0f}"] for s in samples]))
    lines.append("</details>")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=100, help="learners on the page at every moment (default 100)")
    parser.add_argument("--minutes", type=float, default=10, help="how long (default 10)")
    parser.add_argument("--page", default=DEFAULT_PAGE, help=f"the page (default {DEFAULT_PAGE})")
    parser.add_argument("--ramp", type=float, default=None, help="seconds over which the first learners arrive "
                        "(default: 1.2 s per learner)")
    parser.add_argument("--session", default="180,420", help="min,max seconds a learner stays (default 180,420)")
    parser.add_argument("--think", type=float, default=4, help="mean seconds between a learner's actions (default 4)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds before a step counts as an error")
    parser.add_argument("--no-beacon", type=float, default=0.2, help="share leaving without the beacon (default 0.2)")
    parser.add_argument("--cull-after", type=float, default=120, help="cull a kernel idle this many s (default 120)")
    parser.add_argument("--cull-interval", type=int, default=15, help="how often culling looks, s (default 15)")
    parser.add_argument("--pool", type=int, default=None, help="preheated kernels for the page (default: learners)")
    parser.add_argument("--sample", type=float, default=10, help="seconds between samples (default 10)")
    parser.add_argument("--max-server-growth", type=float, default=150, help="MB the Voilà process may grow (150)")
    parser.add_argument("--max-kernel-growth", type=float, default=25,
                        help="%% the kernels' memory per kernel may grow (default 25)")
    parser.add_argument("--kernel-slack", type=int, default=3, help="kernels alive beyond the expected (default 3)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-record", action="store_true", help="do not write benchmarks/results/soak.md")
    parser.add_argument("--json", type=Path, help="write the figures as JSON here")
    parser.add_argument("--report-from", type=Path, metavar="JSON",
                        help="no soak: write the report again from an earlier run's --json (same other options)")
    args = parser.parse_args(argv)
    args.session = tuple(float(x) for x in args.session.split(","))
    args.ramp = args.learners * 1.2 if args.ramp is None else args.ramp
    args.pool = args.learners if args.pool is None else args.pool
    args.assets = False
    hard_limit = args.minutes * 60 + args.ramp + 60 + 10 * args.pool + args.cull_after + 3 * args.cull_interval + 300

    def out_of_time(*_: object) -> None:
        raise SystemExit(f"soak: hard time limit reached ({hard_limit:.0f} s); stopping")

    if args.report_from:  # the figures of an earlier run, checked and written again
        data = json.loads(args.report_from.read_text(encoding="utf-8"))
        result = {**data["result"], **memory_figures(data["samples"], args.learners)}
        return finish(result, args, data["samples"], data.get("meta") or {"load_before": "?", "load_after": "?"})
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # the clean-up below still runs
    signal.signal(signal.SIGALRM, out_of_time)
    signal.alarm(int(hard_limit))
    print(header("Soak").strip(), flush=True)
    load_before = _serve.load_average()
    started = time.monotonic()
    from tornado.httpclient import AsyncHTTPClient

    with tempfile.TemporaryDirectory(prefix="trygge-soak-") as tmp:
        with _serve.servers(lambda: start_server(Path(tmp), args.page, args.pool, args.cull_after,
                                                 args.cull_interval)) as (server,):
            if args.pool:
                print(f"waiting for {args.pool} preheated kernels …", flush=True)
                server.wait_for_pools(timeout=60 + 10 * args.pool)
            _serve.wait_quiet(server, timeout=120)
            AsyncHTTPClient.configure(None, max_clients=max(10, args.learners * 2))
            soak = Soak(server, args)

            async def go() -> dict:
                return await soak.run()

            outcome = asyncio.run(go())
    signal.alarm(0)
    result = summarise(soak, outcome, args, time.monotonic() - started)
    meta = {"load_before": load_before, "load_after": _serve.load_average(),
            "command": "benchmarks/soak.py " + " ".join(sys.argv[1:])}
    return finish(result, args, soak.samples, meta)


def finish(result: dict, args: argparse.Namespace, samples: list[dict], meta: dict) -> int:
    """Print and record the report; the exit status."""
    text = report(result, args, samples, meta)
    print()
    print(text)
    if args.json:
        args.json.write_text(json.dumps({"result": result, "samples": samples, "meta": meta,
                                         "verdicts": [list(v) for v in verdicts(result, args)]}, indent=1,
                                        default=str), encoding="utf-8")
    if not args.no_record:
        path = record("soak", text + f"\n\nRecorded {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}.\n")
        print(f"\nWrote {path.relative_to(ROOT)}")
    failed = [c for c, _, ok in verdicts(result, args) if not ok]
    for check in failed:
        print(f"FAILED: {check}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
