"""Servers, kernels and numbers shared by the page and load benchmarks (benchmarks/pages.py, benchmarks/load.py).

Two servers, started the way they are used:

- the course, with ``trygge serve`` (so its defaults: content validated and cached, preheated kernel pools, culling),
  plus a pool for the baseline notebook so the baseline can also be measured *served the same way*;
- plain Voilà (``python -m voila benchmarks/baseline``, Voilà's own defaults: ``lab`` template, no preheating): the
  reference every ratio is taken against.

Both listen on 127.0.0.1 only, write their logs to a temporary folder, and are stopped (with every kernel: they run
in their own process group) when the benchmark ends, however it ends.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from widgets import voila_config  # noqa: E402

BASELINE_DIR = ROOT / "benchmarks" / "baseline"
BASELINE_PAGE = "benchmarks/baseline/baseline.ipynb"
"""The baseline notebook as the course server names it."""

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

_POOL_FILLED = re.compile(r"Kernel pool of (\S+) is filled with (\d+) kernel")


@dataclass
class Server:
    """A running server: its address, its process (group) and its log."""

    name: str
    port: int
    process: subprocess.Popen
    log_path: Path
    pools: dict[str, int] = field(default_factory=dict)

    prefix: str = "/"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.prefix.rstrip('/')}"

    def url(self, page: str) -> str:
        """The address of a notebook (``notebooks/01-samtalen.ipynb``) on this server."""
        return f"{self.base}/voila/render/{page}"

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def pool_fills(self) -> list[str]:
        """Every "pool is filled" line so far, as the page it was for (in order)."""
        return [m.group(1) for m in _POOL_FILLED.finditer(self.log())]

    def wait_for_pools(self, timeout: float = 300.0, since: int = 0, pages: Sequence[str] | None = None) -> None:
        """Block until every pooled page (or ``pages``) has reported a full pool after the first ``since`` reports."""
        wanted = set(pages if pages is not None else self.pools)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} stopped:\n{self.log()[-3000:]}")
            if wanted <= set(self.pool_fills()[since:]):
                return
            time.sleep(0.2)
        raise RuntimeError(f"{self.name}: pools {sorted(wanted)} not filled within {timeout:.0f} s")

    def kernels(self) -> list:
        """The kernel processes (psutil) of this server."""
        import psutil

        try:
            children = psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []
        out = []
        for proc in children:
            with contextlib.suppress(psutil.Error):
                if "ipykernel" in " ".join(proc.cmdline()):
                    out.append(proc)
        return out

    def kernel_process(self, kernel_id: str):
        """The kernel process whose connection file names ``kernel_id``, or ``None``."""
        import psutil

        for proc in self.kernels():
            with contextlib.suppress(psutil.Error):
                if any(kernel_id in part for part in proc.cmdline()):
                    return proc
        return None

    def server_process(self):
        """The Voilà (tornado) process itself: ``python -m voila …`` (a child of ``trygge serve``)."""
        import psutil

        proc = psutil.Process(self.process.pid)
        for candidate in [proc, *proc.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                cmd = candidate.cmdline()
                if "-m" in cmd and "voila" in cmd:
                    return candidate
        return proc

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)


def _wait_http(server: Server, probe: str, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited:\n{server.log()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{server.base}{probe}", timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers
        except Exception:  # not listening yet, or busy starting (refused, reset, timed out, half an answer)
            time.sleep(0.1)
    raise RuntimeError(f"{server.name} did not answer within {timeout:.0f} s")


def start_course(workdir: Path, pool_size: int, baseline_pool: int | None = None,
                 extra_pools: dict[str, int] | None = None, env_extra: dict[str, str] | None = None,
                 only: list[str] | None = None, extra_args: list[str] | None = None,
                 db_url: str | None = None) -> Server:
    """The course served by ``trygge serve`` (its defaults, ``pool_size`` per learner page) on a free port.

    ``baseline_pool`` kernels (default: ``pool_size``) are also kept for the baseline notebook, so it can be measured
    on the same server; ``extra_pools`` sets other pages' pools. With ``only``, just those learner pages get
    ``pool_size`` kernels (``--pool-size 0`` and one ``--pool`` each: a quicker start for a partial run). Results go
    to a throw-away SQLite file in ``workdir`` (or ``db_url``); the language model is off.
    """
    port = voila_config.find_free_port()
    log_path = workdir / "trygge-serve.log"
    learner = voila_config.learner_pages(ROOT)
    pools = {page: pool_size for page in (learner if only is None else only)} if pool_size > 0 else {}
    baseline_pool = pool_size if baseline_pool is None else baseline_pool
    if baseline_pool > 0:
        pools[BASELINE_PAGE] = baseline_pool
    pools.update(extra_pools or {})
    default = pool_size if only is None else 0
    command = [sys.executable, "-m", "widgets.cli", "serve", "--port", str(port), "--course-dir", str(ROOT),
               "--db-url", db_url or f"sqlite:///{workdir / 'results.sqlite'}", "--pool-size", str(default)]
    for page, size in pools.items():
        if page not in learner or size != default:
            command += ["--pool", f"{page}={size}"]
    command += list(extra_args or [])
    python_path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, "PYTHONPATH": python_path, "TRYGGE_LLM": "off", "TRYGGE_QUEUE_DIR": str(workdir / "queue"),
           **(env_extra or {})}
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    prefix = "/"
    if extra_args and "--base-url" in extra_args:
        prefix = voila_config.normalise_base_url(extra_args[extra_args.index("--base-url") + 1])
    server = Server("trygge serve", port, process, log_path, {p: n for p, n in pools.items() if n > 0}, prefix)
    try:
        _wait_http(server, f"/voila/templates/{voila_config.TEMPLATE_NAME}/static/trygge.css", timeout=180)
    except BaseException:
        server.stop()
        raise
    return server


def start_plain(workdir: Path) -> Server:
    """Plain Voilà with its defaults, serving ``benchmarks/baseline/`` (the page is ``baseline.ipynb``)."""
    port = voila_config.find_free_port()
    log_path = workdir / "plain-voila.log"
    command = [sys.executable, "-m", "voila", str(BASELINE_DIR), f"--port={port}", "--Voila.ip=127.0.0.1",
               "--no-browser", "--Voila.port_retries=0"]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=workdir, env=dict(os.environ), stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    server = Server("plain Voilà", port, process, log_path)
    try:
        _wait_http(server, "/")
    except BaseException:
        server.stop()
        raise
    return server


def wait_quiet(server: Server, threshold: float = 15.0, timeout: float = 60.0, window: float = 0.5) -> float:
    """Wait until the server and its kernels together use less than ``threshold`` % of one core; return the wait."""
    import psutil

    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            procs = [psutil.Process(server.process.pid), *psutil.Process(server.process.pid).children(recursive=True)]
        except psutil.NoSuchProcess:
            return 0.0
        before = {}
        for p in procs:
            with contextlib.suppress(psutil.Error):
                before[p.pid] = p.cpu_times()
        time.sleep(window)
        used = 0.0
        for p in procs:
            with contextlib.suppress(psutil.Error):
                t0 = before.get(p.pid)
                t1 = p.cpu_times()
                if t0 is not None:
                    used += (t1.user - t0.user) + (t1.system - t0.system)
        if used / window * 100 < threshold:
            break
    return time.monotonic() - started


def memory_mb(proc) -> dict[str, float]:
    """RSS, USS and PSS of a process in MB (USS/PSS need /proc/<pid>/smaps, i.e. the same user)."""
    info = proc.memory_full_info()
    return {"rss": info.rss / 2**20, "uss": info.uss / 2**20, "pss": getattr(info, "pss", 0) / 2**20}


# -- numbers ------------------------------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0–100) by linear interpolation between closest ranks (NaN for no values)."""
    data = sorted(v for v in values if v is not None and not math.isnan(v))
    if not data:
        return math.nan
    if len(data) == 1:
        return data[0]
    pos = (len(data) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return data[lo] + (data[hi] - data[lo]) * (pos - lo)


def median(values: Sequence[float]) -> float:
    data = [v for v in values if v is not None and not math.isnan(v)]
    return statistics.median(data) if data else math.nan


def fmt_ms(value: float) -> str:
    return "–" if value is None or math.isnan(value) else f"{value:,.0f}".replace(",", " ")


def fmt_ratio(value: float) -> str:
    return "–" if value is None or math.isnan(value) else f"{value:.2f}×"


def ratio(a: float, b: float) -> float:
    return a / b if b and not math.isnan(a) and not math.isnan(b) else math.nan


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f}"


@contextlib.contextmanager
def servers(*starters) -> Iterator[list[Server]]:
    """Start servers (callables returning a :class:`Server`) and stop them all at the end, whatever happens."""
    started: list[Server] = []
    try:
        for start in starters:
            started.append(start())
        yield started
    finally:
        for server in started:
            server.stop()
