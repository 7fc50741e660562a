"""Nobody can run code through a learner page's kernel websocket; the server's other routes give nothing away.

Whatever a page's kernel websocket (``/api/kernels/<id>/channels``) forwards to the kernel runs with the server's
rights: a learner with the browser's developer tools could send an ``execute_request`` and run Python. The course
lets only widget traffic through (``widgets.voila_config.KERNEL_MESSAGE_ALLOWLIST``, set by ``TryggeKernelManager``
in place of Voilà 0.5.13's own, wider list). These tests send the requests from inside a real page, in both of
Jupyter's websocket protocols (JSON, and the binary ``v1.kernel.websocket.jupyter.org``), on the shell and the
control channel, and look for the file the code would have written.

The same requests against a server whose list lets ``execute_request`` through must run: that proves the probe
would see code running if the rule were gone.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import FIXTURES, VoilaServer, new_context, serve_course, start_voila, wait_for_widgets
from playwright.sync_api import Browser, Page
from test_template import fetch  # GET a path exactly as written

from widgets.voila_config import KERNEL_MESSAGE_ALLOWLIST

ON_FIXTURES = serve_course(FIXTURES)

NOTEBOOK = "voila/render/notebooks/template-check.ipynb"
V1 = "v1.kernel.websocket.jupyter.org"
REFUSED_LOG = 'Received message of type "{}", which is not allowed'

# Opens a second websocket to the page's kernel (as a learner could from the console), sends the messages, and
# collects everything the kernel answers until the reply to the last message (a kernel_info_request, always allowed)
# has arrived, plus a short grace period for replies still on their way.
_PROBE = """
async ({url, protocol, messages, graceMs}) => {
  const enc = new TextEncoder(), dec = new TextDecoder();
  const encodeV1 = (m) => {
    const parts = [m.channel, JSON.stringify(m.header), JSON.stringify(m.parent_header),
                   JSON.stringify(m.metadata), JSON.stringify(m.content)].map((p) => enc.encode(p));
    const offsets = [8 * (1 + 1 + parts.length)];
    for (const p of parts) offsets.push(offsets[offsets.length - 1] + p.length);
    const out = new Uint8Array(offsets[offsets.length - 1]);
    const view = new DataView(out.buffer);
    view.setBigUint64(0, BigInt(offsets.length), true);
    offsets.forEach((o, i) => view.setBigUint64(8 * (i + 1), BigInt(o), true));
    let at = offsets[0];
    for (const p of parts) { out.set(p, at); at += p.length; }
    return out;
  };
  const decode = (data) => {
    if (typeof data === "string") { const m = JSON.parse(data); return [m.channel, m]; }
    const view = new DataView(data);
    const n = Number(view.getBigUint64(0, true));
    const offsets = Array.from({length: n}, (_, i) => Number(view.getBigUint64(8 * (i + 1), true)));
    const part = (i) => dec.decode(new Uint8Array(data, offsets[i], offsets[i + 1] - offsets[i]));
    return [part(0), {header: JSON.parse(part(1)), parent_header: JSON.parse(part(2))}];
  };
  const ws = protocol ? new WebSocket(url, [protocol]) : new WebSocket(url);
  ws.binaryType = "arraybuffer";
  const got = [];
  const last = messages[messages.length - 1].header.msg_id;
  let done;
  const finished = new Promise((resolve) => { done = resolve; });
  ws.onmessage = (event) => {
    const [channel, m] = decode(event.data);
    got.push({channel, msg_type: m.header.msg_type, parent: (m.parent_header || {}).msg_id || null});
    if ((m.parent_header || {}).msg_id === last && m.header.msg_type.endsWith("_reply")) done();
  };
  await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = () => reject(new Error("websocket")); });
  for (const m of messages) ws.send(protocol ? encodeV1(m) : JSON.stringify(m));
  await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, 20000))]);
  await new Promise((resolve) => setTimeout(resolve, graceMs));
  ws.close();
  return got;
}
"""


def message(msg_type: str, content: dict, channel: str = "shell") -> dict:
    session = uuid.uuid4().hex
    return {
        "channel": channel,
        "header": {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "session": session, "username": "elev",
                   "version": "5.3", "date": "2026-11-22T12:00:00Z"},
        "parent_header": {},
        "metadata": {},
        "content": content,
        "buffers": [],
    }


def code_requests(marker_dir: Path, tag: str) -> list[dict]:
    """Every way to ask the kernel to run code that this test knows of; each would write its own marker file."""

    def writes(name: str) -> str:
        return f"import pathlib; pathlib.Path({str(marker_dir / f'{tag}-{name}')!r}).write_text('kjørte')"

    execute = {"silent": False, "store_history": True, "user_expressions": {}, "allow_stdin": False,
               "stop_on_error": True}
    return [
        message("execute_request", {**execute, "code": writes("execute")}),
        message("execute_request", {**execute, "silent": True, "store_history": False, "code": writes("silent")}),
        message("execute_request", {**execute, "code": "1", "user_expressions": {
            "x": f"__import__('pathlib').Path({str(marker_dir / f'{tag}-expr')!r}).write_text('kjørte')"}}),
        message("execute_request", {**execute, "code": writes("control")}, channel="control"),
    ]


def markers(marker_dir: Path, tag: str) -> list[str]:
    return sorted(p.name for p in marker_dir.glob(f"{tag}-*"))


def open_page(browser: Browser, server: VoilaServer) -> tuple:
    context = new_context(browser)
    page = context.new_page()
    page.goto(server.url(NOTEBOOK))
    wait_for_widgets(page)
    return context, page


def probe(page: Page, server: VoilaServer, messages: list[dict], protocol: str | None) -> list[dict]:
    """Send ``messages`` (then a kernel_info_request) over a new websocket to the page's own kernel."""
    kernel_id = page.evaluate("JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")
    assert kernel_id, "the page names its kernel"
    url = f"ws://127.0.0.1:{server.port}/api/kernels/{kernel_id}/channels?session_id={uuid.uuid4().hex}"
    tail = message("kernel_info_request", {})
    return page.evaluate(_PROBE, {"url": url, "protocol": protocol, "messages": [*messages, tail], "graceMs": 1500})


@pytest.fixture(scope="module")
def unprotected_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VoilaServer]:
    """The same course with ``execute_request`` allowed: what a page could do without the rule."""
    allowed = [*KERNEL_MESSAGE_ALLOWLIST, "execute_request"]
    server = start_voila(FIXTURES, tmp_path_factory.mktemp("voila-open"),
                         extra=[f"--TryggeKernelManager.browser_message_types={t}" for t in allowed])
    yield server
    server.stop()


@pytest.mark.parametrize("protocol", [None, V1], ids=["json", "v1"])
def test_probe_runs_code_when_the_rule_allows_it(browser: Browser, unprotected_server, tmp_path, protocol):
    """Positive control: with execute_request allowed every request runs, and the probe sees the marker files."""
    context, page = open_page(browser, unprotected_server)
    try:
        requests = code_requests(tmp_path, "open")
        got = probe(page, unprotected_server, requests, protocol)
    finally:
        context.close()
    assert markers(tmp_path, "open") == ["open-control", "open-execute", "open-expr", "open-silent"]
    replied = {m["parent"] for m in got if m["msg_type"] == "execute_reply"}
    assert {r["header"]["msg_id"] for r in requests} <= replied


@ON_FIXTURES
@pytest.mark.parametrize("protocol", [None, V1], ids=["json", "v1"])
def test_code_sent_over_the_kernel_websocket_is_refused(browser: Browser, voila_server, tmp_path, protocol):
    context, page = open_page(browser, voila_server)
    try:
        requests = code_requests(tmp_path, "learner")
        harmless = [message("inspect_request", {"code": "open", "cursor_pos": 4, "detail_level": 1}),
                    message("complete_request", {"code": "import o", "cursor_pos": 8}),
                    message("history_request", {"output": False, "raw": True, "hist_access_type": "tail", "n": 10}),
                    # Voilà's own list lets this through; ours does not (so this also shows ours is the one in force).
                    message("shutdown_request", {"restart": False}, channel="control"),
                    message("comm_info_request", {})]
        got = probe(page, voila_server, [*requests, *harmless], protocol)
        # The page is still alive and its kernel still answers the widget traffic.
        assert page.locator("#rendered_cells").is_visible()
    finally:
        context.close()
    assert markers(tmp_path, "learner") == [], "code sent by the browser ran in the kernel"
    refused_ids = {m["header"]["msg_id"] for m in [*requests, *harmless[:4]]}
    answered = {m["parent"] for m in got}
    assert not refused_ids & answered, [m for m in got if m["parent"] in refused_ids]
    types = {m["msg_type"] for m in got}
    assert {"comm_info_reply", "kernel_info_reply"} <= types, types
    assert not {"execute_reply", "execute_input", "inspect_reply", "complete_reply", "history_reply",
                "shutdown_reply"} & types
    log = voila_server.log()
    for refused in ("execute_request", "inspect_request", "complete_request", "history_request", "shutdown_request"):
        assert REFUSED_LOG.format(refused) in log, refused
    assert "kjørte" not in log and "pathlib" not in log, "a refused message's content must not be logged"


def test_allowlist_is_widget_traffic_only():
    """The rule names only the messages widgets need; none of them runs code."""
    assert set(KERNEL_MESSAGE_ALLOWLIST) == {
        "kernel_info_request", "comm_info_request", "comm_open", "comm_msg", "comm_close"}


# ---- Other routes ---------------------------------------------------------------------------------------


@ON_FIXTURES
@pytest.mark.parametrize("path", [
    "notebooks/template-check.ipynb?content=1",
    "notebooks/template-check.ipynb?content=1&format=text&type=file",
    "data/media/secret.txt?content=1",
    "data/media/secret.txt?content=1&format=text&type=file",
    "data/media/notes.py?content=1",
    "data/media/pixel.png?content=1&format=base64&type=file",
    "..%2f..%2fetc%2fpasswd?content=1",
    "%2Fetc%2Fpasswd?content=1",
])
def test_contents_api_never_returns_file_contents(voila_server, path):
    """``/voila/api/contents`` lists notebooks (for Voilà's directory page) but must never hand out a file's content."""
    status, body = fetch(voila_server, "/voila/api/contents/" + path)
    if status == 200:
        assert json.loads(body).get("content") in (None, []), body[:300]
    for secret in ("HEMMELIG", "root:x:", "import ", "\\u0089PNG", "iVBOR"):
        assert secret not in body, (path, secret)


@ON_FIXTURES
def test_contents_api_control_sees_the_file(voila_server):
    """Control for the test above: the file exists and the route answers for it (so a leak would be visible)."""
    status, body = fetch(voila_server, "/voila/api/contents/notebooks/template-check.ipynb")
    assert status == 200 and json.loads(body)["type"] == "notebook"
    assert "HEMMELIG-TRENERNOTAT" in (FIXTURES / "notebooks/template-check.ipynb").read_text(encoding="utf-8")


@ON_FIXTURES
@pytest.mark.parametrize("path", [
    "/api/kernels", "/api/sessions", "/api/kernelspecs", "/api/terminals", "/api/contents/notebooks",
    "/api/nbconvert", "/lab", "/tree", "/files/notebooks/template-check.ipynb", "/login",
    "/voila/templates/trygge/conf.json", "/voila/templates/trygge/index.html.j2",
    "/voila/templates/trygge/static/..%2fconf.json", "/voila/templates/trygge/static/../index.html.j2",
    "/voila/templates/..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/voila/static/..%2f..%2fapp.py", "/voila/api/themes/..%2f..%2f..%2fetc%2fpasswd",
    "/voila/render/..%2f..%2fetc%2fpasswd", "/voila/render/data/media/secret.txt",
])
def test_no_other_route_serves_files_or_jupyter_apis(voila_server, path):
    """Only Voilà's own routes answer; nothing lists kernels (which would let a page reach another learner's kernel)
    and no template, server or course file comes back."""
    status, body = fetch(voila_server, path)
    assert status != 200, (path, status)
    for secret in ("root:x:", '"base_template"', "{%", "import ", "HEMMELIG", "Traceback"):
        assert secret not in body, (path, secret)


@ON_FIXTURES
@pytest.mark.parametrize("query", ["template=lab", "template=classic", "template=reveal", "template=../../lab",
                                   "template=trygge-plenum", "voila-template=lab"])
def test_template_override_is_refused(voila_server, query):
    """Extends test_template.py's ``?template=lab`` check to other templates, including the facilitator's."""
    status, body = fetch(voila_server, f"/{NOTEBOOK}?{query}")
    assert status == 200
    assert "HEMMELIG-TRENERNOTAT" not in body
    assert 'class="ts-skip-link"' in body
    assert "ts-plenum" not in body and "plenum.css" not in body
