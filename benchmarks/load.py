"""Many learners at once: 20, 50 and 100 simulated learners on one course server, on loopback.

    .venv/bin/python benchmarks/load.py                      # 20, 50, 100 learners; writes benchmarks/results/load.md
    .venv/bin/python benchmarks/load.py --learners 5 --hold 10 --no-record     # a quick look
    make bench-load

100 Chromium tabs do not fit on a 2-core machine next to the server, so a learner here is what the server sees of
one: it fetches the rendered page (``GET /voila/render/…``, which with a preheated kernel is the finished page and
otherwise waits while Voilà starts a kernel and runs the notebook), reads the kernel id from it, asks for the kernel
(``GET /api/kernels/<id>``) and opens its websocket, as Voilà's front end does: ``kernel_info_request``, the widget
control comm's ``request_states`` (every widget's state, as the browser gets it). Then it sends its code to the
``LearnerBadge`` (``update``, as the badge does on render) and answers the first quiz item (a ``custom`` message, as
the quiz does). **Time to interactive** is the time from the first byte requested until that answer's update is back.
Then it stays: every few seconds (``--think``) it answers a quiz item, takes a chat turn with a suggested reply, or
types one (through the coach); each **interaction latency** is from sending until the kernel's update arrives. At the
end it closes the page the way the browser does (``POST /voila/api/shutdown/<kernel id>``, Voilà's beforeunload).

Not simulated: the browser's own work (parsing ~5 MB of Voilà's JavaScript and drawing, done on the learner's
machine; ``benchmarks/pages.py`` measures it) and, by default, the static files (``--assets`` fetches the ones a real
page load asks for, recorded from Chromium, for each learner). Arrivals are spread evenly over ``--ramp`` seconds (a
class told «open theme 1 now»); every learner then stays ``--hold`` seconds. A learner that does not get its page,
its widgets or an answer within ``--timeout`` seconds counts as an error. The test stops by itself. During each
level, ``--browser-probes`` real Chromium page loads (default 5) are measured as in ``benchmarks/pages.py``, so the
time to interactive *with* the browser's part is known under load too.

The server is ``trygge serve`` with the learners' page preheated for the whole class (``--pool <page>=<learners>``,
what docs/deployment.md recommends before a class) unless ``--pool`` says otherwise; a fresh server per level, so
each level starts from the same state.
"""

from __future__ import annotations

import argparse
import signal
import asyncio
import datetime as dt
import json
import math
import random
import re
import sys
import tempfile
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import _serve  # noqa: E402
from _machine import header, record, table  # noqa: E402
from _serve import fmt_ms, median, percentile  # noqa: E402

DEFAULT_PAGE = "notebooks/01-samtalen.ipynb"
TYPED_REPLY = "Det høres ut som det har vært en tung dag. Vil du fortelle meg hva som skjedde?"
_KERNEL_ID = re.compile(r'"kernelId":\s*"([0-9a-f-]{36})"')


class LearnerError(Exception):
    pass


class Kernel:
    """A kernel websocket in Jupyter's JSON protocol, with replies routed to waiters."""

    def __init__(self, ws, session: str) -> None:
        self.ws, self.session = ws, session
        self.waiters: list[tuple[callable, asyncio.Future]] = []
        self.reader = asyncio.ensure_future(self._read())
        self.closed = False

    def msg(self, msg_type: str, content: dict, metadata: dict | None = None) -> dict:
        return {"header": {"msg_id": uuid.uuid4().hex, "username": "bench", "session": self.session,
                           "msg_type": msg_type, "version": "5.3", "date": dt.datetime.now(dt.UTC).isoformat()},
                "parent_header": {}, "metadata": metadata or {}, "content": content, "channel": "shell",
                "buffers": []}

    async def send(self, msg: dict) -> None:
        await self.ws.write_message(json.dumps(msg))

    def expect(self, predicate) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        self.waiters.append((predicate, future))
        return future

    async def _read(self) -> None:
        while True:
            raw = await self.ws.read_message()
            if raw is None:
                self.closed = True
                for _, future in self.waiters:
                    if not future.done():
                        future.set_exception(LearnerError("websocket closed"))
                return
            if isinstance(raw, bytes):  # a message with binary buffers: offsets, then the JSON message
                nbufs = int.from_bytes(raw[:4], "big")
                offsets = [int.from_bytes(raw[4 * (i + 1):4 * (i + 2)], "big") for i in range(nbufs)]
                raw = raw[offsets[0]:offsets[1] if nbufs > 1 else None].decode("utf-8")
            message = json.loads(raw)
            for item in list(self.waiters):
                predicate, future = item
                if not future.done() and predicate(message):
                    future.set_result(message)
                    self.waiters.remove(item)


def _comm_update(comm_id: str, key: str):
    def match(m: dict) -> bool:
        c = m.get("content", {})
        return (m.get("msg_type") == "comm_msg" or m.get("header", {}).get("msg_type") == "comm_msg") and \
            c.get("comm_id") == comm_id and c.get("data", {}).get("method") == "update" and \
            key in c.get("data", {}).get("state", {})
    return match


class Learner:
    """One simulated learner (see the module docstring)."""

    def __init__(self, number: int, server: _serve.Server, page: str, args, assets: list[str], rng: random.Random):
        self.number, self.server, self.page, self.args, self.assets, self.rng = number, server, page, args, assets, rng
        self.tti: float | None = None
        self.html_ms: float | None = None
        self.states_ms: float | None = None
        self.latencies: dict[str, list[float]] = {"quiz": [], "chat_choice": [], "chat_text": []}
        self.error: str | None = None
        self.stage = "start"
        self.closed = False
        self.code = self._code(number)
        #: Leave with the browser's shutdown beacon (False: a tab that just disappears; culling must clean up).
        self.beacon = True
        self.kernel_id: str | None = None

    @staticmethod
    def _code(number: int) -> str:
        alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
        digits = "".join(alphabet[(number >> (5 * i)) % 32] for i in range(4))
        return f"LOAD-{digits}"

    async def run(self, deadline: float) -> None:
        from tornado.httpclient import AsyncHTTPClient, HTTPRequest
        from tornado.websocket import websocket_connect

        http = AsyncHTTPClient()
        timeout = self.args.timeout
        started = time.monotonic()
        kernel = None
        kernel_id = None
        try:
            self.stage = "page"
            response = await http.fetch(HTTPRequest(self.server.url(self.page), request_timeout=timeout,
                                                    connect_timeout=timeout))
            self.html_ms = (time.monotonic() - started) * 1000
            found = _KERNEL_ID.search(response.body.decode("utf-8", "replace"))
            if not found:
                raise LearnerError("no kernel id in the page")
            kernel_id = self.kernel_id = found.group(1)
            cookie = "; ".join(c.split(";", 1)[0] for c in response.headers.get_list("Set-Cookie"))
            headers = {"Cookie": cookie} if cookie else {}
            if self.assets:
                await self._fetch_assets(http, headers)
            self.stage = "kernel session"
            await http.fetch(HTTPRequest(f"{self.server.base}/api/kernels/{kernel_id}", headers=headers,
                                         request_timeout=timeout))
            ws = await asyncio.wait_for(websocket_connect(HTTPRequest(
                f"ws://127.0.0.1:{self.server.port}/api/kernels/{kernel_id}/channels?session_id={uuid.uuid4()}",
                headers=headers), max_message_size=64 * 2**20), timeout)
            kernel = Kernel(ws, uuid.uuid4().hex)
            self.stage = "kernel_info"
            info = kernel.msg("kernel_info_request", {})
            reply = kernel.expect(lambda m: m.get("parent_header", {}).get("msg_id") == info["header"]["msg_id"]
                                  and m.get("msg_type", m.get("header", {}).get("msg_type")) == "kernel_info_reply")
            await kernel.send(info)
            await asyncio.wait_for(reply, timeout)
            control = uuid.uuid4().hex
            self.stage = "widget states"
            states_f = kernel.expect(lambda m: m.get("content", {}).get("comm_id") == control and
                                     m.get("content", {}).get("data", {}).get("method") == "update_states")
            await kernel.send(kernel.msg("comm_open", {"comm_id": control, "target_name": "jupyter.widget.control",
                                                       "data": {}}, {"version": "1.0.0"}))
            await kernel.send(kernel.msg("comm_msg", {"comm_id": control, "data": {"method": "request_states"}}))
            states = (await asyncio.wait_for(states_f, timeout))["content"]["data"]["states"]
            self.states_ms = (time.monotonic() - started) * 1000
            widgets = {}
            for model_id, spec in states.items():
                name = spec["state"].get("_anywidget_id") or spec.get("model_name")
                widgets.setdefault(name, []).append((model_id, spec["state"]))
            self.widgets = widgets
            if "widgets.learner.LearnerBadge" in widgets:  # the badge sends the code as soon as it is drawn
                badge = widgets["widgets.learner.LearnerBadge"][0][0]
                await kernel.send(kernel.msg("comm_msg", {"comm_id": badge, "data": {
                    "method": "update", "state": {"code": self.code}, "buffer_paths": []}}))
            self.stage = "first answer"
            first = await self.interact(kernel, "first", timeout)
            self.tti = (time.monotonic() - started) * 1000
            self.latencies.setdefault("first", []).append(first)
            step = 0
            while time.monotonic() + self.args.think < deadline:
                await asyncio.sleep(self.rng.uniform(0.5, 1.5) * self.args.think)
                kind = ("quiz", "chat_choice", "chat_text")[step % 3]
                step += 1
                self.stage = f"{kind} (action {step})"
                self.latencies[kind].append(await self.interact(kernel, kind, timeout))
        except Exception as exc:  # counted and reported, with the step it happened in
            self.error = f"{type(exc).__name__}: {self.stage}: {str(exc)[:160]}".rstrip(": ")
        finally:
            if kernel is not None:
                kernel.reader.cancel()
                kernel.ws.close()
            if kernel_id is not None and self.beacon:
                try:  # the browser's beforeunload beacon: Voilà shuts the kernel down (token as widgets/static/common.js)
                    token = uuid.uuid4().hex
                    closed = await http.fetch(HTTPRequest(
                        f"{self.server.base}/voila/api/shutdown/{kernel_id}", method="POST",
                        body=f"_xsrf={token}".encode(), request_timeout=30,
                        headers={"Cookie": f"_xsrf={token}", "Content-Type": "application/x-www-form-urlencoded",
                                 "Origin": f"http://127.0.0.1:{self.server.port}"}), raise_error=False)
                    self.closed = closed.code == 204
                except Exception:
                    pass

    async def _fetch_assets(self, http, headers) -> None:
        from tornado.httpclient import HTTPRequest

        queue = list(self.assets)

        async def worker() -> None:
            while queue:
                url = queue.pop(0)
                await http.fetch(HTTPRequest(f"{self.server.base}{url}", headers=headers,
                                             request_timeout=self.args.timeout), raise_error=False)

        await asyncio.gather(*(worker() for _ in range(6)))  # a browser's connections per host

    async def interact(self, kernel: Kernel, kind: str, timeout: float) -> float:
        """Send one learner action and wait for the widget's update; return the latency in ms."""
        w = self.widgets
        if "widgets.quiz.Quiz" in w:  # a theme page
            quiz_id, quiz = w["widgets.quiz.Quiz"][0]
            chats = w.get("widgets.chat.ChatSimulation", [])
            if kind in ("first", "quiz") or not chats:
                self._item = getattr(self, "_item", -1) + 1
                items = quiz["items"]
                item = items[self._item % len(items)]
                if self._item >= len(items):  # answered them all: try one again
                    await kernel.send(kernel.msg("comm_msg", {"comm_id": quiz_id, "data": {
                        "method": "custom", "content": {"type": "retry", "item": item["id"]}}}))
                comm, content, key = quiz_id, {"type": "answer", "item": item["id"], "selected": [0]}, "results"
            else:
                comm = chats[0][0] if kind == "chat_choice" else chats[-1][0]
                turns = getattr(self, "_turns", {})
                turns[comm] = turns.get(comm, 0) + 1
                self._turns = turns
                if turns[comm] % 6 == 0:
                    content = {"type": "restart"}
                elif kind == "chat_choice":
                    content = {"type": "choose", "index": 0}
                else:
                    content = {"type": "send", "text": TYPED_REPLY}
                key = "messages"
        elif "widgets.mydata.MyData" in w:  # the start page
            comm, content, key = w["widgets.mydata.MyData"][0][0], {"type": "refresh"}, "summary"
        else:  # the baseline: choose an option, click the button, wait for the HTML
            radio = w["RadioButtonsModel"][0][0]
            button = w["ButtonModel"][0][0]
            html = w["HTMLModel"][0][0]
            self._choice = (getattr(self, "_choice", -1) + 1) % 3
            await kernel.send(kernel.msg("comm_msg", {"comm_id": radio, "data": {
                "method": "update", "state": {"index": self._choice}, "buffer_paths": []}}))
            comm, content, key = button, {"event": "click"}, None
            done = kernel.expect(_comm_update(html, "value"))
            t0 = time.monotonic()
            await kernel.send(kernel.msg("comm_msg", {"comm_id": comm, "data": {"method": "custom", "content": content}}))
            await asyncio.wait_for(done, timeout)
            return (time.monotonic() - t0) * 1000
        done = kernel.expect(_comm_update(comm, key))
        t0 = time.monotonic()
        await kernel.send(kernel.msg("comm_msg", {"comm_id": comm, "data": {"method": "custom", "content": content}}))
        await asyncio.wait_for(done, timeout)
        return (time.monotonic() - t0) * 1000


async def run_level(server: _serve.Server, page: str, learners: int, args, assets: list[str]) -> dict:
    from tornado.httpclient import AsyncHTTPClient

    AsyncHTTPClient.configure(None, max_clients=max(10, learners * 2))
    rng = random.Random(learners)
    t0 = time.monotonic()
    deadline = t0 + args.ramp + args.hold
    crowd = [Learner(i, server, page, args, assets, random.Random(rng.random())) for i in range(learners)]

    async def arrive(learner: Learner, delay: float) -> None:
        await asyncio.sleep(delay)
        await learner.run(deadline)

    tasks = [arrive(learner, args.ramp * i / max(1, learners - 1) if learners > 1 else 0)
             for i, learner in enumerate(crowd)]
    probes: list[dict] = []
    prober = None
    if args.browser_probes > 0:  # real Chromium page loads while the crowd is there (in a thread of their own)
        prober = asyncio.get_running_loop().run_in_executor(
            None, browser_probes, server, page, args, t0, probes)
    await asyncio.wait_for(asyncio.gather(*tasks), args.ramp + args.hold + 3 * args.timeout + 30)
    if prober is not None:
        await asyncio.wait_for(prober, 3 * args.timeout + 60)
    return {"learners": crowd, "wall": time.monotonic() - t0, "probes": probes}


def browser_probes(server: _serve.Server, page: str, args, t0: float, out: list[dict]) -> None:
    """``--browser-probes`` real page loads in Chromium, spread over the ramp and the hold, measured as in pages.py."""
    import pages
    from playwright.sync_api import sync_playwright

    n = args.browser_probes
    span = args.ramp + args.hold * 0.75
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=_serve.CHROMIUM, args=_serve.CHROMIUM_ARGS, headless=True)
        try:
            for i in range(n):
                at = t0 + args.ramp * 0.5 + span * i / max(1, n)
                time.sleep(max(0.0, at - time.monotonic()))
                target = pages.Target("probe", server, page, "theme" if "/0" in page and "00-start" not in page
                                      else "start" if "00-start" in page else "baseline", True)
                out.append(pages.measure_load(browser, target, int(args.timeout * 1000)))
        finally:
            browser.close()


def record_assets(server: _serve.Server, page: str) -> list[str]:
    """The same-origin static files Chromium asks for when it opens ``page`` (kernel and API calls left out)."""
    from playwright.sync_api import sync_playwright

    urls: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=_serve.CHROMIUM, args=_serve.CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context()
            tab = context.new_page()
            tab.on("request", lambda r: urls.append(r.url))
            tab.goto(server.url(page))
            tab.wait_for_selector(".ts-quiz-item, .ts-mydata, .widget-radio-box", timeout=120_000)
            tab.wait_for_timeout(1500)
            tab.close(run_before_unload=True)
            context.close()
        finally:
            browser.close()
    base = server.base
    keep = []
    for url in urls:
        if url.startswith(base) and "/api/" not in url and "/voila/render/" not in url and url not in keep:
            keep.append(url[len(base):])
    return keep


def summarise(level: dict, cpu: dict) -> dict:
    crowd = level["learners"]
    ok = [x for x in crowd if x.error is None]
    lat = {k: [v for x in ok for v in x.latencies.get(k, [])] for k in ("first", "quiz", "chat_choice", "chat_text")}
    every = [v for k in ("quiz", "chat_choice", "chat_text") for v in lat[k]]
    return {
        "learners": len(crowd), "errors": len(crowd) - len(ok), "closed": sum(1 for x in crowd if x.closed),
        "error_kinds": sorted({x.error.split(":")[0] for x in crowd if x.error}),
        "tti_p50": median([x.tti for x in ok if x.tti]), "tti_p95": percentile([x.tti for x in ok if x.tti], 95),
        "tti_max": max([x.tti for x in ok if x.tti], default=math.nan),
        "html_p50": median([x.html_ms for x in ok if x.html_ms]),
        "html_p95": percentile([x.html_ms for x in ok if x.html_ms], 95),
        "interactions": len(every), "lat_p50": median(every), "lat_p95": percentile(every, 95),
        "lat_max": max(every, default=math.nan),
        **{f"{k}_p50": median(v) for k, v in lat.items()}, **{f"{k}_p95": percentile(v, 95) for k, v in lat.items()},
        "wall": level["wall"], **cpu,
        "probes": len(level.get("probes", [])),
        "probe_errors": sum(1 for r in level.get("probes", []) if r.get("error")),
        "probe_tti_p50": median([r["tti"] for r in level.get("probes", []) if not r.get("error")]),
        "probe_tti_p95": percentile([r["tti"] for r in level.get("probes", []) if not r.get("error")], 95),
        "probe_tti_max": max([r["tti"] for r in level.get("probes", []) if not r.get("error")], default=math.nan),
        "probe_click_p50": median([r.get("click") for r in level.get("probes", []) if not r.get("error")]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", default="20,50,100", help="comma-separated levels (default 20,50,100)")
    parser.add_argument("--page", default=DEFAULT_PAGE, help=f"the page every learner opens (default {DEFAULT_PAGE})")
    parser.add_argument("--ramp", type=float, default=20, help="seconds over which the learners arrive (default 20)")
    parser.add_argument("--hold", type=float, default=60, help="seconds every learner stays after the ramp (default 60)")
    parser.add_argument("--think", type=float, default=4, help="mean seconds between a learner's actions (default 4)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds before a step counts as an error")
    parser.add_argument("--pool", type=int, default=None,
                        help="preheated kernels for the page (default: one per learner at each level)")
    parser.add_argument("--pool-size", type=int, default=2, help="trygge serve --pool-size for the other pages")
    parser.add_argument("--assets", action="store_true", help="also fetch the page's static files per learner")
    parser.add_argument("--browser-probes", type=int, default=5,
                        help="real Chromium page loads measured during each level (default 5; 0 = none)")
    parser.add_argument("--baseline-ms", type=float, default=None,
                        help="the baseline's single-user TTI median for the ratio (default: from results/pages.md)")
    parser.add_argument("--no-record", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    # A stop (SIGTERM, timeout) still runs the clean-up: servers and their kernels are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    levels = [int(x) for x in args.learners.split(",") if x.strip()]
    baseline_ms = args.baseline_ms if args.baseline_ms is not None else baseline_from_pages()

    import psutil

    print(header("Many learners").strip(), flush=True)
    load_before = _serve.load_average()
    started = time.monotonic()
    results = []
    assets: list[str] = []
    for n in levels:
        pool = args.pool if args.pool is not None else n + args.browser_probes
        with tempfile.TemporaryDirectory(prefix="trygge-load-") as tmp:
            with _serve.servers(lambda: _serve.start_course(Path(tmp), args.pool_size, baseline_pool=0,
                                                            extra_pools={args.page: pool})) as (server,):
                t_fill = time.monotonic()
                print(f"\n{n} learners: waiting for {pool} preheated kernels for {args.page} …", flush=True)
                server.wait_for_pools(timeout=60 + 10 * pool)
                fill_s = time.monotonic() - t_fill
                _serve.wait_quiet(server, timeout=120)
                if args.assets and not assets:
                    assets = record_assets(server, args.page)
                    print(f"  {len(assets)} static files per page load", flush=True)
                    server.wait_for_pools(timeout=120)
                    _serve.wait_quiet(server, timeout=120)
                seen: dict[int, list[float]] = {}  # pid -> [CPU s when first seen (0 if born during the run), last]

                def sample(first: bool = False) -> None:
                    try:
                        tree = [psutil.Process(server.process.pid), *psutil.Process(server.process.pid).children(True)]
                    except psutil.Error:
                        return
                    for proc in tree:
                        try:
                            used = sum(proc.cpu_times()[:2])
                        except psutil.Error:
                            continue
                        seen.setdefault(proc.pid, [used if first else 0.0, used])[1] = used

                sample(first=True)
                me0 = sum(psutil.Process().cpu_times()[:2])
                kernels_before = len(server.kernels())
                peak = {"kernels": kernels_before, "mem": 0.0}

                async def watch(stop: asyncio.Event) -> None:
                    while not stop.is_set():
                        sample()
                        ks = server.kernels()
                        mem = 0.0
                        for k in ks:
                            try:
                                mem += k.memory_full_info().uss
                            except psutil.Error:
                                pass
                        peak["kernels"] = max(peak["kernels"], len(ks))
                        peak["mem"] = max(peak["mem"], mem / 2**30)
                        try:
                            await asyncio.wait_for(stop.wait(), 1)
                        except asyncio.TimeoutError:
                            pass

                async def level() -> dict:
                    stop = asyncio.Event()
                    watcher = asyncio.ensure_future(watch(stop))
                    try:
                        return await run_level(server, args.page, n, args, assets)
                    finally:
                        stop.set()
                        await watcher

                outcome = asyncio.run(level())
                sample()
                cpu = {"server_cpu_s": sum(last - first for first, last in seen.values()), "driver_cpu_s": sum(psutil.Process().cpu_times()[:2]) - me0,
                       "peak_kernels": peak["kernels"], "peak_kernel_uss_gb": peak["mem"], "pool": pool,
                       "fill_s": fill_s}
                s = summarise(outcome, cpu)
                results.append(s)
                print(f"  TTI p50 {fmt_ms(s['tti_p50'])} ms, p95 {fmt_ms(s['tti_p95'])} ms; interaction p50 "
                      f"{fmt_ms(s['lat_p50'])} ms, p95 {fmt_ms(s['lat_p95'])} ms ({s['interactions']}); "
                      f"errors {s['errors']} {s['error_kinds']}; Chromium TTI p50 {fmt_ms(s['probe_tti_p50'])} ms, "
                      f"p95 {fmt_ms(s['probe_tti_p95'])} ms ({s['probes']}, {s['probe_errors']} errors)", flush=True)
    meta = {"load_before": load_before, "load_after": _serve.load_average(), "duration": time.monotonic() - started}
    text = report(results, args, meta, baseline_ms, len(assets))
    print()
    print(text)
    if args.json:
        args.json.write_text(json.dumps({"results": results, "meta": meta}, indent=1, default=str), encoding="utf-8")
    if not args.no_record:
        path = record("load", text + f"\n\nRecorded {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}.\n")
        print(f"\nWrote {path.relative_to(HERE.parent)}")
    return 1 if any(r["errors"] or r["probe_errors"] for r in results) else 0


def baseline_from_pages() -> float | None:
    """The plain Voilà baseline's TTI median from the last ``benchmarks/pages.py`` run (results/pages.md)."""
    path = HERE / "results" / "pages.md"
    if not path.is_file():
        return None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("| plain Voilà: baseline |"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            try:
                return float(cells[3].replace(" ", ""))
            except (IndexError, ValueError):
                return None
    return None


def report(results: list[dict], args, meta: dict, baseline_ms: float | None, n_assets: int) -> str:
    lines = [header("Many learners: time to interactive and interaction latency under load"), ""]
    lines.append(f"- **command**: `benchmarks/load.py {' '.join(sys.argv[1:])}`")
    lines.append(f"- **scenario**: every learner opens `{args.page}`; arrivals spread over {args.ramp:g} s, then "
                 f"{args.hold:g} s of activity (an action every ~{args.think:g} s: quiz answer, chat turn with a "
                 f"suggested reply, typed chat turn); timeout {args.timeout:g} s per step")
    lines.append(f"- **static files**: {'fetched per learner (' + str(n_assets) + ' files)' if args.assets else 'not fetched (see the module docstring)'}")
    lines.append(f"- **load average** before / after: {meta['load_before']} / {meta['load_after']}; "
                 f"duration {meta['duration']:.0f} s")
    lines.append("")
    cols = ["learners", "errors", "pool (fill s)", "TTI p50", "TTI p95", "TTI max", "page HTML p95",
            "interactions", "latency p50", "latency p95", "latency max", "peak kernels", "peak kernel USS GB",
            "server CPU s", "driver CPU s", "kernels closed on leaving"]
    rows = [[r["learners"], f"{r['errors']} {' '.join(r['error_kinds'])}".strip(), f"{r['pool']} ({r['fill_s']:.0f})",
             fmt_ms(r["tti_p50"]), fmt_ms(r["tti_p95"]), fmt_ms(r["tti_max"]), fmt_ms(r["html_p95"]),
             r["interactions"], fmt_ms(r["lat_p50"]), fmt_ms(r["lat_p95"]), fmt_ms(r["lat_max"]),
             r["peak_kernels"], f"{r['peak_kernel_uss_gb']:.1f}", f"{r['server_cpu_s']:.0f}",
             f"{r['driver_cpu_s']:.0f}", f"{r['closed']} of {r['learners']}"] for r in results]
    lines.append("Times in ms. TTI here is the server's part (page, kernel, widget states, first answer), without "
                 "the browser's own work.")
    lines.append("")
    lines.append(table(cols, rows))
    cols2 = ["learners", "first answer p50/p95", "quiz p50/p95", "chat (suggested) p50/p95", "chat (typed) p50/p95"]
    rows2 = [[r["learners"], *(f"{fmt_ms(r[k + '_p50'])} / {fmt_ms(r[k + '_p95'])}"
                               for k in ("first", "quiz", "chat_choice", "chat_text"))] for r in results]
    lines.append(table(cols2, rows2))
    if any(r["probes"] for r in results):
        lines.append(f"Real Chromium page loads of `{args.page}` during each level (fresh browser profile each, "
                     "measured as in pages.py: until every widget is drawn and the first quiz answer is back; "
                     "Chromium shares the 2 cores with the server and the simulated learners):")
        lines.append("")
        lines.append(table(["learners", "Chromium loads (errors)", "TTI p50", "TTI p95", "TTI max",
                            "2nd quiz click p50"],
                           [[r["learners"], f"{r['probes']} ({r['probe_errors']})", fmt_ms(r["probe_tti_p50"]),
                             fmt_ms(r["probe_tti_p95"]), fmt_ms(r["probe_tti_max"]), fmt_ms(r["probe_click_p50"])]
                            for r in results]))
    lines.append("## Targets")
    lines.append("")
    lines.append(f"Reference: the plain Voilà baseline's single-user TTI median from benchmarks/results/pages.md "
                 f"(cold browser cache): {fmt_ms(baseline_ms) if baseline_ms else 'not available'} ms.")
    lines.append("")
    verdicts = []
    twenty = next((r for r in results if r["learners"] == 20), None)
    if twenty and baseline_ms:
        if twenty["probes"] and not math.isnan(twenty["probe_tti_p95"]):
            ratio = twenty["probe_tti_p95"] / baseline_ms
            verdicts.append(["p95 TTI with 20 learners ≤ 1.0× the plain baseline's single-user median",
                             f"real Chromium loads during the level: p95 {fmt_ms(twenty['probe_tti_p95'])} ms "
                             f"({twenty['probes']} loads) vs {fmt_ms(baseline_ms)} ms = {ratio:.2f}×; server part "
                             f"alone (simulated learners) p95 {fmt_ms(twenty['tti_p95'])} ms = "
                             f"{twenty['tti_p95'] / baseline_ms:.2f}×", "yes" if ratio <= 1 else "**no**"])
        else:
            ratio = twenty["tti_p95"] / baseline_ms
            verdicts.append(["p95 TTI with 20 learners ≤ 1.0× the plain baseline's single-user median",
                             f"{fmt_ms(twenty['tti_p95'])} ms vs {fmt_ms(baseline_ms)} ms = {ratio:.2f}× (server "
                             f"part only)", "yes" if ratio <= 1 else "**no**"])
    hundred = next((r for r in results if r["learners"] >= 100), None)
    if hundred:
        errors = hundred["errors"] + hundred["probe_errors"]
        verdicts.append(["≥ 100 concurrent learners with no errors",
                         f"{hundred['learners']} simulated learners + {hundred['probes']} Chromium loads: {errors} "
                         f"errors; interaction latency p95 {fmt_ms(hundred['lat_p95'])} ms",
                         "yes" if errors == 0 else "**no**"])
    lines.append(table(["target", "measured", "met"], verdicts) if verdicts else "(no targets measured)\n")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
