"""Learner pages in a real browser: time to interactive, click → feedback, and memory per learner kernel.

    .venv/bin/python benchmarks/pages.py                 # 10 loads of every page, cold and warm; writes results/pages.md
    .venv/bin/python benchmarks/pages.py --loads 3 --pages samtalen --cache cold --no-record    # a quick look
    make bench-pages

What is measured, in one run, on one machine, with headless Chromium, each page twice over: with a **cold** browser
cache (a fresh browser profile per load: a learner's first visit) and a **warm** one (the start page was opened first
in the same profile, as a learner who comes from it; the plain baseline is opened after itself) — ``--cache``:

- **time to interactive (TTI)**: from navigation until every widget is drawn *and* the page answers: as soon as
  Voilà has shown the cells and every widget view has rendered, the page clicks (the first quiz answer on a theme,
  «Oppdater» under «Mine data» on the start page, the button on the baseline) and the clock stops when the kernel's
  answer is on screen. «rendered» is the moment before that click.
- **click → feedback**: from the click (in the page) until the answer is in the DOM (a MutationObserver): a second
  quiz answer, a chat turn with a suggested reply, a typed chat turn (through the coach), and on the baseline a
  second click of its button.
- **memory**: RSS, USS and PSS (psutil) of the page's own kernel after those interactions (the coach model is loaded,
  the store is open), and of the Voilà server process.
- **coach + scripted engine per turn**: from ``benchmarks/coach_speed.py`` (the simulator benchmark), reused.

The baseline is a plain Voilà notebook (``benchmarks/baseline/baseline.ipynb``: a radio button group, a button and an
HTML output) served by plain Voilà with its defaults (no preheating): what «plain Voilà» means in the issue, and the
reference for every ratio. The same notebook is also measured on the course server («served the same way»), to show
how much of the difference is the server configuration and how much the course's own pages.

Loads are interleaved (page 1, page 2, …, page 1, page 2, …) so a change in the machine's load (other jobs) hits every
page alike. After each load the page is closed (Voilà shuts its kernel down), and the next load waits until the
course server has refilled that page's pool and the server is quiet: these are single-learner figures on a quiet
server. ``benchmarks/load.py`` measures many learners at once.
"""

from __future__ import annotations

import argparse
import signal
import datetime as dt
import json
import math
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import _serve  # noqa: E402
from _machine import header, machine, record, table  # noqa: E402
from _serve import BASELINE_PAGE, fmt_ms, fmt_ratio, median, percentile, ratio  # noqa: E402

THEMES = ["samtalen", "selvmord", "vold", "traumer", "rus", "ivaretakelse"]

# Targets from the issue.
TTI_RATIO_TARGET = 0.5
CLICK_RATIO_TARGET = 1.0
KERNEL_MB_TARGET = 70.0
COACH_P95_TARGET_MS = 20.0

TYPED_REPLY = "Det høres ut som det har vært en tung dag. Vil du fortelle meg hva som skjedde?"

# In every page before its own scripts: a precise "wait until" (MutationObserver + animation frames).
INIT_SCRIPT = """
window.__tsb = {
  kernelSocket: null,  // when the page opened its kernel websocket (ms from navigation): Voilà's front-end is up
  until(pred, timeout = 60000) {
    return new Promise((resolve, reject) => {
      let done = false, mo = null, timer = null;
      const finish = (value) => { done = true; if (mo) mo.disconnect(); clearTimeout(timer); resolve(value); };
      const check = () => { if (done) return; let ok = false; try { ok = pred(); } catch (e) { ok = false; }
                            if (ok) finish(performance.now()); };
      const frame = () => { check(); if (!done) requestAnimationFrame(frame); };
      timer = setTimeout(() => { if (!done) { done = true; if (mo) mo.disconnect(); reject(new Error("timeout")); } },
                         timeout);
      const start = () => {
        mo = new MutationObserver(check);
        mo.observe(document.documentElement, { subtree: true, childList: true, characterData: true, attributes: true });
        frame();
      };
      if (document.documentElement) start(); else document.addEventListener("DOMContentLoaded", start);
    });
  },
};
(() => {  // note when the page's kernel websocket is created, to split TTI into front-end start and widgets
  const Native = window.WebSocket;
  window.WebSocket = function (url, ...rest) {
    if (window.__tsb.kernelSocket === null && String(url).includes("/api/kernels/")) {
      window.__tsb.kernelSocket = performance.now();
    }
    return new Native(url, ...rest);
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
})();
"""

# The browser suite's test (tests/browser/conftest.py: cells shown, loading message gone, every output replaced by
# its widget), and also no widget view still empty (a box is drawn before its children).
RENDERED = """() => {
  const cells = document.getElementById("rendered_cells");
  if (!cells || getComputedStyle(cells).display === "none") return false;
  if (document.getElementById("loading")) return false;
  if (document.querySelector('script[type="application/vnd.voila.cell-output+json"]')) return false;
  const outputs = document.querySelectorAll(".jp-OutputArea-output.lm-Panel");
  if (!outputs.length || ![...outputs].every((el) => el.childElementCount > 0)) return false;
  return !document.querySelector(".jp-OutputArea-output .lm-Widget:empty");
}"""

# Each click: returns [click time, answer-on-screen time] (performance.now(), ms since navigation).
CLICKS = {
    "baseline": """async (i) => {
      await __tsb.until(() => document.querySelectorAll('.widget-radio-box input[type="radio"]').length);
      const radios = [...document.querySelectorAll('.widget-radio-box input[type="radio"]')];
      const radio = radios[i % radios.length];
      const label = radio.closest("label").textContent.trim();
      radio.click();
      const button = [...document.querySelectorAll("button")].find((b) => b.textContent.includes("Sjekk svaret"));
      const t0 = performance.now();
      button.click();
      const t1 = await __tsb.until(() => {
        const out = document.querySelector(".baseline-feedback");
        return out && out.textContent.includes(label);
      });
      return [t0, t1];
    }""",
    "quiz": """async (i) => {
      await __tsb.until(() => document.querySelectorAll(".ts-quiz-item").length > i);
      const item = document.querySelectorAll(".ts-quiz-item")[i];
      item.querySelector("input").click();
      const button = [...item.querySelectorAll("button")].find((b) => b.textContent === "Sjekk svaret");
      const t0 = performance.now();
      button.click();
      const t1 = await __tsb.until(() => item.querySelector(".ts-verdict"));
      return [t0, t1];
    }""",
    "refresh": """async () => {
      await __tsb.until(() => document.querySelector(".ts-mydata button"));
      const box = document.querySelector(".ts-mydata");
      const button = [...box.querySelectorAll("button")].find((b) => b.textContent === "Oppdater");
      const t0 = performance.now();
      button.click();
      const t1 = await __tsb.until(() => [...box.querySelectorAll(".ts-status")].some((s) => s.textContent.includes("oppdatert")));
      return [t0, t1];
    }""",
    "use_code": """async () => {
      const box = document.querySelector(".ts-learner");
      box.querySelector("details").open = true;
      box.querySelector("input").value = "ikke en kode";
      const button = [...box.querySelectorAll("button")].find((b) => b.textContent === "Bruk koden");
      const t0 = performance.now();
      button.click();
      const t1 = await __tsb.until(() => box.querySelector(".ts-status").textContent.length > 0);
      return [t0, t1];
    }""",
    "chat_choice": """async () => {
      const chat = document.querySelectorAll(".ts-chat")[0];
      const n = chat.querySelectorAll(".ts-msg").length;
      const choice = chat.querySelector(".ts-choice");
      const t0 = performance.now();
      choice.click();
      const t1 = await __tsb.until(() => chat.querySelectorAll(".ts-msg").length >= n + 2);
      return [t0, t1];
    }""",
    "chat_text": """async (text) => {
      const chats = document.querySelectorAll(".ts-chat");
      const chat = chats[chats.length - 1];
      const n = chat.querySelectorAll(".ts-msg").length;
      chat.querySelector("textarea").value = text;
      const t0 = performance.now();
      chat.querySelector("form").requestSubmit();
      const t1 = await __tsb.until(() => chat.querySelectorAll(".ts-msg").length >= n + 2);
      return [t0, t1];
    }""",
}

# What each kind of page does: the click that proves it is interactive, then the clicks timed on their own.
PLANS = {
    "baseline": {"probe": ("baseline", 0), "clicks": {"click": ("baseline", 1)}},
    "start": {"probe": ("refresh", None), "clicks": {"click": ("use_code", None)}},
    "theme": {"probe": ("quiz", 0),
              "clicks": {"click": ("quiz", 1), "chat_choice": ("chat_choice", None), "chat_text": ("chat_text", TYPED_REPLY)}},
}

CLICK_NAMES = {"click": "2nd click", "chat_choice": "chat turn (suggested reply)", "chat_text": "chat turn (typed, coach)"}


class Target:
    """A page to measure: which server, which notebook, what kind."""

    def __init__(self, label: str, server: _serve.Server, page: str, kind: str, pooled: bool,
                 prime: str | None = None) -> None:
        self.label, self.server, self.page, self.kind, self.pooled = label, server, page, kind, pooled
        self.prime = prime  # warm cache: this page is opened (and closed) first, in the same browser profile
        self.loads: list[dict] = []


def measure_load(browser, target: Target, timeout_ms: int) -> dict:
    """One load of one page in a fresh browser context; the kernel's memory before the page is closed."""
    context = browser.new_context(locale="nb-NO")
    context.route(lambda url: not url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")),
                  lambda route: route.abort("blockedbyclient"))
    context.add_init_script(INIT_SCRIPT)
    page = context.new_page()
    page.set_default_timeout(timeout_ms)
    kernel_ids: list[str] = []
    ws_bytes = [0]

    def on_websocket(ws) -> None:
        if "/api/kernels/" in ws.url:
            kernel_ids.append(ws.url.split("/api/kernels/")[1].split("/")[0])
            ws.on("framereceived", lambda frame: ws_bytes.__setitem__(0, ws_bytes[0] + len(frame)))

    result: dict = {"page": target.label, "error": None}
    try:
        if target.prime:  # the learner came from another page of the same server: the browser cache is warm
            first = context.new_page()
            first.goto(target.server.url(target.prime), wait_until="commit", timeout=timeout_ms)
            first.evaluate("async (rendered) => { await __tsb.until(eval('(' + rendered + ')')); }", RENDERED)
            first.close(run_before_unload=True)
            time.sleep(0.3)
        page.on("websocket", on_websocket)
        page.goto(target.server.url(target.page), wait_until="commit", timeout=timeout_ms)
        plan = PLANS[target.kind]
        name, arg = plan["probe"]
        rendered, (t0, t1) = page.evaluate(
            """async ([rendered, click, arg]) => {
                 const pred = eval("(" + rendered + ")");
                 const r = await __tsb.until(pred);
                 const clickFn = eval("(" + click + ")");
                 return [r, await clickFn(arg)];
               }""",
            [RENDERED, CLICKS[name], arg])
        nav = page.evaluate("(() => { const n = performance.getEntriesByType('navigation')[0];"
                            " return [n.responseStart, n.responseEnd, n.domContentLoadedEventEnd,"
                            " __tsb.kernelSocket]; })()")
        result.update(response_start=nav[0], response_end=nav[1], dom_ready=nav[2], rendered=rendered, tti=t1,
                      first_click=t1 - t0)
        if nav[3] is not None:
            result["kernel_socket"] = nav[3]
        for key, (name, arg) in plan["clicks"].items():
            t0, t1 = page.evaluate(f"async (arg) => ({CLICKS[name]})(arg)", arg)
            result[key] = t1 - t0
        result["page_bytes"] = page.evaluate(
            "performance.getEntries().reduce((s, e) => s + (e.decodedBodySize || 0), 0)")
        result["ws_bytes"] = ws_bytes[0]
        if kernel_ids:
            proc = target.server.kernel_process(kernel_ids[-1])
            if proc is not None:
                result["memory"] = _serve.memory_mb(proc)
    except Exception as exc:  # a failed load is counted and reported, not hidden
        result["error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
    finally:
        try:
            page.close(run_before_unload=True)  # Voilà shuts the kernel down on beforeunload
            time.sleep(0.3)
        finally:
            context.close()
    return result


def coach_figures() -> dict | None:
    """Coach + scripted engine per turn, from the simulator's own benchmark (benchmarks/coach_speed.py), run as is.

    Its table is kept verbatim; the «rules + model» row's first p95 column is the figure checked against the target.
    """
    script = HERE / "coach_speed.py"
    if not script.is_file():
        return {"error": "benchmarks/coach_speed.py is not there"}
    import subprocess

    run = subprocess.run([sys.executable, str(script), "--repeat", "2"], capture_output=True, text=True, timeout=900)
    if run.returncode != 0:
        return {"error": f"benchmarks/coach_speed.py failed: {run.stderr.strip().splitlines()[-1:]}"}
    rows = [line for line in run.stdout.splitlines() if line.startswith("|")]
    head = [c.strip() for c in rows[0].strip("|").split("|")] if rows else []
    out: dict = {"table": "\n".join(rows), "notes": [line for line in run.stdout.splitlines()
                                                      if line.strip() and not line.startswith("|")]}
    for line in rows[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        name = "combined" if cells[0].startswith("rules + model") else "rules" if cells[0].startswith("rules") else None
        if name is None:
            continue
        figures = {}
        for column, cell in zip(head, cells):
            for key in ("p50", "p95", "p99"):
                if key in column and key not in figures:
                    try:
                        figures[key] = float(cell)
                    except ValueError:
                        pass
        out[name] = figures
    return out


def summarise(targets: list[Target]) -> dict[str, dict]:
    stats = {}
    for t in targets:
        ok = [r for r in t.loads if not r["error"]]
        s = {"loads": len(t.loads), "errors": len(t.loads) - len(ok), "kind": t.kind}
        for key in ("rendered", "tti", "first_click", "click", "chat_choice", "chat_text", "response_end",
                    "page_bytes", "ws_bytes", "kernel_socket"):
            values = [r[key] for r in ok if key in r]
            s[key] = {"p50": median(values), "p95": percentile(values, 95), "n": len(values)}
        for key in ("rss", "uss", "pss"):
            values = [r["memory"][key] for r in ok if "memory" in r]
            s[key] = median(values)
        stats[t.label] = s
    return stats


WARM = " (warm cache)"


def report(stats: dict, coach: dict | None, args, meta: dict) -> str:
    def reference(label: str) -> dict | None:
        return stats.get("plain Voilà: baseline" + (WARM if label.endswith(WARM) else ""))

    lines = [header("Learner pages: time to interactive, click → feedback, memory"), ""]
    lines.append(f"- **command**: `{meta['command']}`")
    lines.append(f"- **loads per page**: {args.loads}, interleaved; browser cache: {args.cache} (cold: a fresh "
                 f"profile per load; warm: the start page, for the baseline itself, opened first in the same "
                 f"profile); preheated kernels per learner page: {args.pool_size}")
    lines.append(f"- **load average** before / after: {meta['load_before']} / {meta['load_after']}; "
                 f"duration {meta['duration']:.0f} s")
    lines.append(f"- **Chromium**: {meta['chromium']}, headless; Voilà {meta['voila']}")
    lines.append("")
    lines.append("Times in ms from navigation (TTI, rendered) or from the click (clicks). Ratios are to the *plain "
                 "Voilà baseline* measured in the same run with the same browser cache: TTI to its TTI median, "
                 "first click to its first click, later clicks and chat turns to its second click.")
    lines.append("")
    cols = ["page", "loads (errors)", "rendered p50", "TTI p50", "TTI p95", "TTI p50 / baseline",
            "first click p50", "click p50", "click / baseline", "chat (suggested) p50", "chat (typed) p50",
            "chat / baseline", "kernel RSS MB", "kernel USS MB", "widget state kB"]
    rows = []
    for label, s in stats.items():
        ref = reference(label)
        base_tti = ref["tti"]["p50"] if ref else math.nan
        base_click = ref["click"]["p50"] if ref else math.nan
        chat = max((s[k]["p50"] for k in ("chat_choice", "chat_text") if not math.isnan(s[k]["p50"])), default=math.nan)
        rows.append([
            label, f"{s['loads']} ({s['errors']})", fmt_ms(s["rendered"]["p50"]), fmt_ms(s["tti"]["p50"]),
            fmt_ms(s["tti"]["p95"]), fmt_ratio(ratio(s["tti"]["p50"], base_tti)), fmt_ms(s["first_click"]["p50"]),
            fmt_ms(s["click"]["p50"]), fmt_ratio(ratio(s["click"]["p50"], base_click)),
            fmt_ms(s["chat_choice"]["p50"]), fmt_ms(s["chat_text"]["p50"]), fmt_ratio(ratio(chat, base_click)),
            "–" if math.isnan(s["rss"]) else f"{s['rss']:.0f}", "–" if math.isnan(s["uss"]) else f"{s['uss']:.0f}",
            "–" if math.isnan(s["ws_bytes"]["p50"]) else f"{s['ws_bytes']['p50'] / 1000:.0f}",
        ])
    lines.append(table(cols, rows))
    if meta.get("server_memory"):
        lines.append(f"Voilà server process at the end: {meta['server_memory']}.")
        lines.append("")

    # Where the time to interactive goes: the page's HTML, Voilà's own front-end starting (its JavaScript, the
    # JupyterLab extensions, the kernel session), then the widgets (their state from the kernel, their modules, the
    # first paint of every view).
    phase_rows = []
    for label, s in stats.items():
        html, socket, rendered = s["response_end"]["p50"], s["kernel_socket"]["p50"], s["rendered"]["p50"]
        if any(math.isnan(x) for x in (html, socket, rendered)):
            continue
        phase_rows.append([label, fmt_ms(html), fmt_ms(socket - html), fmt_ms(rendered - socket), fmt_ms(rendered),
                           f"{100 * (socket - html) / rendered:.0f} %" if rendered else "–"])
    if phase_rows:
        lines.append("### Where the time goes (medians, ms)")
        lines.append("")
        lines.append("*HTML*: navigation until the page's HTML has arrived. *Front-end start*: from there until "
                     "Voilà's JavaScript opens the kernel websocket (Voilà's and JupyterLab's bundles, the widget "
                     "extensions, the kernel session; the same code on every Voilà page). *Widgets*: from the "
                     "websocket until every view is drawn (widget state from the kernel, widget modules, first "
                     "paint).")
        lines.append("")
        lines.append(table(["page", "HTML", "front-end start", "widgets", "rendered", "front-end share"], phase_rows))

    # Targets, for each browser-cache mode measured.
    verdicts = []
    for suffix in ("", WARM):
        plain = stats.get("plain Voilà: baseline" + suffix)
        themes = {k: v for k, v in stats.items() if v["kind"] == "theme" and k.endswith(WARM) == bool(suffix)}
        if not themes or not plain:
            continue
        mode = " (warm cache)" if suffix else " (cold cache)"
        base_tti, base_click, base_first = plain["tti"]["p50"], plain["click"]["p50"], plain["first_click"]["p50"]
        worst = max(themes.items(), key=lambda kv: kv[1]["tti"]["p50"])
        r = ratio(worst[1]["tti"]["p50"], base_tti)
        verdicts.append((f"Theme TTI median ≤ 0.5× plain baseline median{mode}",
                         f"slowest theme ({worst[0]}): {fmt_ms(worst[1]['tti']['p50'])} ms vs {fmt_ms(base_tti)} ms = "
                         f"{fmt_ratio(r)}; fastest {fmt_ratio(ratio(min(v['tti']['p50'] for v in themes.values()), base_tti))}",
                         r <= TTI_RATIO_TARGET))
        quiz = max(v["click"]["p50"] for v in themes.values())
        chat = max(max(v["chat_choice"]["p50"], v["chat_text"]["p50"]) for v in themes.values())
        first = max(v["first_click"]["p50"] for v in themes.values())
        for name, value, base in (("quiz answer", quiz, base_click), ("chat turn", chat, base_click),
                                  ("first click after render", first, base_first)):
            r = ratio(value, base)
            verdicts.append((f"Click → feedback ({name}) ≤ 1.0× baseline{mode}",
                             f"slowest theme p50 {fmt_ms(value)} ms vs {fmt_ms(base)} ms = {fmt_ratio(r)}",
                             r <= CLICK_RATIO_TARGET))
        if not suffix:
            rss = max(v["rss"] for v in themes.values())
            uss = max(v["uss"] for v in themes.values())
            pss = max(v["pss"] for v in themes.values())
            verdicts.append(("≤ 70 MB per learner kernel (USS: what one more learner costs)",
                             f"largest theme kernel: USS {uss:.0f} MB, PSS {pss:.0f} MB, RSS {rss:.0f} MB (plain "
                             f"baseline kernel: USS {plain['uss']:.0f}, RSS {plain['rss']:.0f} MB)",
                             uss <= KERNEL_MB_TARGET))
    if coach and "p95" in coach.get("combined", {}):
        c = coach["combined"]
        verdicts.append(("Coach + engine ≤ 20 ms p95 per turn",
                         f"p95 {c['p95']:.1f} ms (p50 {c.get('p50', math.nan):.1f} ms; rules alone p95 "
                         f"{coach.get('rules', {}).get('p95', math.nan):.1f} ms) — benchmarks/coach_speed.py, below",
                         c["p95"] <= COACH_P95_TARGET_MS))
    elif coach:
        verdicts.append(("Coach + engine ≤ 20 ms p95 per turn", coach.get("error", "not measured"), False))
    lines.append("## Targets")
    lines.append("")
    lines.append(table(["target", "measured", "met"], [[a, b, "yes" if c else "**no**"] for a, b, c in verdicts]))
    if coach and coach.get("table"):
        lines.append("### Coach + scripted engine per turn (benchmarks/coach_speed.py, run by this benchmark)")
        lines.append("")
        lines.append(coach["table"])
        lines.append("")
        lines.extend(coach.get("notes", []))
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loads", type=int, default=10, help="loads per page (default 10)")
    parser.add_argument("--pages", default="all",
                        help="comma-separated: baseline, start, and theme ids (default: all)")
    parser.add_argument("--pool-size", type=int, default=2, help="trygge serve --pool-size (default 2)")
    parser.add_argument("--timeout", type=float, default=60, help="seconds per load before it counts as an error")
    parser.add_argument("--cache", choices=["cold", "warm", "both"], default="both",
                        help="cold: a fresh browser profile per load; warm: the start page (the baseline: "
                             "itself) opened first in the same profile, as a learner who comes from it; both (default)")
    parser.add_argument("--no-coach", action="store_true", help="skip the coach + engine figure")
    parser.add_argument("--no-record", action="store_true", help="do not write benchmarks/results/pages.md")
    parser.add_argument("--json", type=Path, help="also write the raw loads and the summary here")
    args = parser.parse_args(argv)
    # A stop (SIGTERM, timeout) still runs the clean-up: servers and their kernels are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    wanted = ["baseline", "start", *THEMES] if args.pages == "all" else [p.strip() for p in args.pages.split(",")]
    if "baseline" not in wanted:
        wanted.insert(0, "baseline")  # every ratio needs it
    only = None if args.pages == "all" else [p for p in (voila_config_start() if w == "start" else theme_page(w)
                                                           for w in wanted if w != "baseline")]
    started = time.monotonic()
    load_before = _serve.load_average()
    print(header("Learner pages").strip())
    print(f"- loads per page: {args.loads}; pool size: {args.pool_size}\n", flush=True)

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="trygge-bench-") as tmp:
        workdir = Path(tmp)
        (workdir / "plain").mkdir()
        (workdir / "course").mkdir()
        with _serve.servers(lambda: _serve.start_plain(workdir / "plain"),
                            lambda: _serve.start_course(workdir / "course", args.pool_size, only=only)) as (plain, course):
            print(f"Waiting for the course server's kernel pools ({len(course.pools)} pages × "
                  f"{args.pool_size}) …", flush=True)
            course.wait_for_pools()
            _serve.wait_quiet(course, timeout=120)
            pooled = args.pool_size > 0
            cold = [Target("plain Voilà: baseline", plain, "baseline.ipynb", "baseline", False),
                    Target("trygge serve: baseline", course, BASELINE_PAGE, "baseline", pooled)]
            if "start" in wanted:
                cold.append(Target("start page", course, voila_config_start(), "start", pooled))
            for theme in THEMES:
                if theme in wanted:
                    cold.append(Target(f"theme {theme}", course, theme_page(theme), "theme", pooled))
            targets = list(cold) if args.cache in ("cold", "both") else []
            if args.cache in ("warm", "both"):  # after the start page (the baseline: after itself)
                for t in cold:
                    prime = t.page if t.server is plain else voila_config_start()
                    targets.append(Target(f"{t.label} (warm cache)", t.server, t.page, t.kind, t.pooled, prime))
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=_serve.CHROMIUM, args=_serve.CHROMIUM_ARGS,
                                             headless=True)
                chromium_version = browser.version
                try:
                    for i in range(args.loads):
                        for target in targets:
                            fills_before = len(target.server.pool_fills())
                            result = measure_load(browser, target, int(args.timeout * 1000))
                            target.loads.append(result)
                            status = result["error"] or (f"TTI {fmt_ms(result['tti'])} ms, rendered "
                                                         f"{fmt_ms(result['rendered'])} ms")
                            print(f"  [{i + 1}/{args.loads}] {target.label}: {status}", flush=True)
                            if target.pooled:  # let the pool refill before the next load: a quiet server
                                try:
                                    target.server.wait_for_pools(timeout=120, since=fills_before, pages=[
                                        p for p in (target.page, target.prime) if p in target.server.pools])
                                except RuntimeError as exc:
                                    print(f"    ({exc})", flush=True)
                            _serve.wait_quiet(target.server, timeout=60)
                finally:
                    browser.close()
            server_memory = None
            try:
                mem = _serve.memory_mb(course.server_process())
                server_memory = (f"RSS {mem['rss']:.0f} MB, USS {mem['uss']:.0f} MB "
                                 f"({len(course.kernels())} kernels running, all of them pooled)")
            except Exception:
                pass
    coach = None if args.no_coach else coach_figures()
    import voila

    meta = {"command": "benchmarks/pages.py " + " ".join(argv if argv is not None else sys.argv[1:]),
            "load_before": load_before, "load_after": _serve.load_average(),
            "duration": time.monotonic() - started, "chromium": chromium_version, "voila": voila.__version__,
            "server_memory": server_memory}
    stats = summarise(targets)
    text = report(stats, coach, args, meta)
    print()
    print(text)
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "meta": meta, "summary": stats, "coach": coach,
                                         "loads": {t.label: t.loads for t in targets}}, indent=1, default=str),
                             encoding="utf-8")
    if not args.no_record:
        path = record("pages", text + f"\n\nRecorded {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}.\n")
        print(f"\nWrote {path.relative_to(HERE.parent)}")
    errors = sum(s["errors"] for s in stats.values())
    return 1 if errors else 0


def voila_config_start() -> str:
    from widgets.voila_config import START_PAGE

    return START_PAGE


def theme_page(theme: str) -> str:
    from widgets.voila_config import learner_pages

    for page in learner_pages(_serve.ROOT):
        if page.endswith(f"-{theme}.ipynb"):
            return page
    raise SystemExit(f"No notebook for theme {theme!r}")


if __name__ == "__main__":
    raise SystemExit(main())
