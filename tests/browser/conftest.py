"""Fixtures for the browser suite: a real Voilà server, headless Chromium, and axe-core.

- ``voila_server`` (session): Voilà started by :mod:`widgets.voila_config` for a course directory (the
  repository by default) on a free port, with a throw-away results database and a facilitator key
  (:data:`FACILITATOR_KEY`; open the facilitator page with ``voila_server.facilitator_url()``). To serve another course,
  parametrize it indirectly; :func:`serve_course` builds that mark
  (``pytestmark = serve_course(FIXTURES)``). One server per course directory is started and shared.
- ``browser`` (session) and ``page`` (per test, fresh context): Debian's Chromium, headless. Nothing leaves
  the machine: requests to other hosts are aborted (``page.on("request")`` listeners still see them).
  :func:`new_context` makes such a context with other options (viewport, reduced motion).
- :func:`wait_for_widgets` waits until Voilà has shown the cells and every widget view has rendered.
- :func:`axe_violations` runs the bundled axe-core (no network): WCAG 2.1 A/AA plus the ``region`` rule.

Every test in this folder is marked ``browser``; when one fails, the server log is attached to its report.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from widgets import voila_config

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"

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
LOCAL_HOSTS = ("127.0.0.1", "localhost")
_NOT_LOCAL = re.compile(r"^(?!https?://(127\.0\.0\.1|localhost)[:/]).*")

#: The facilitator key every test server is started with (``TRYGGE_FACILITATOR_KEY``), new for each test run.
FACILITATOR_KEY = secrets.token_urlsafe(18)

SERVER_START_TIMEOUT = 60.0
RENDER_TIMEOUT_MS = 30_000

WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
BEST_PRACTICE_RULES = ("region",)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: starts a real Voilà server and drives Chromium")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.browser)


# ---- The Voilà server -----------------------------------------------------------------------------------


@dataclass
class VoilaServer:
    """A running Voilà server for one course directory."""

    course_dir: Path
    port: int
    db_url: str
    log_path: Path
    process: subprocess.Popen = field(repr=False)
    facilitator_key: str = field(default=FACILITATOR_KEY, repr=False)

    @property
    def base(self) -> str:
        """``http://127.0.0.1:<port>``, without a trailing slash."""
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "") -> str:
        """The address of ``path`` (e.g. ``voila/render/notebooks/00-start.ipynb``) on this server."""
        return f"{self.base}/{path.lstrip('/')}"

    def facilitator_url(self, query: str = "") -> str:
        """The facilitator page with this server's key, plus ``query`` (e.g. ``tema=samtalen``)."""
        return self.url(f"voila/render/{voila_config.FACILITATOR_PAGE}?nokkel={self.facilitator_key}"
                        + (f"&{query}" if query else ""))

    def log(self) -> str:
        """Everything the server (and its kernels) has written so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_until_ready(self, timeout: float = SERVER_START_TIMEOUT) -> None:
        """Block until the server answers with the template's CSS (so the template was found too)."""
        voila_config.wait_until_ready(self.base, timeout, self.process)

    def stop(self) -> None:
        """Stop Voilà and its kernels (they share the process group started for it)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        # Kernels may outlive Voilà for a moment; the process group is still ours to clean up.
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def start_voila(course_dir: Path, workdir: Path, extra: Sequence[str] = ()) -> VoilaServer:
    """Start Voilà for ``course_dir``, with a fresh SQLite results store in ``workdir``; wait for it.

    ``extra`` options go last on Voilà's command line (see :func:`widgets.voila_config.voila_command`).
    """
    port = voila_config.find_free_port()
    db_url = f"sqlite:///{workdir / 'results.sqlite'}"
    log_path = workdir / "voila.log"
    env = {**os.environ, **voila_config.voila_env(course_dir, facilitator_key=FACILITATOR_KEY), "TRYGGE_DB_URL": db_url}
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            voila_config.voila_command(course_dir, port, extra=extra),
            cwd=workdir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = VoilaServer(Path(course_dir), port, db_url, log_path, process)
    try:
        server.wait_until_ready()
    except RuntimeError as error:
        server.stop()
        pytest.fail(f"{error}\n--- Voilà log ---\n{server.log()}", pytrace=False)
    return server


@pytest.fixture(scope="session")
def _voila_servers() -> Iterator[dict[Path, VoilaServer]]:
    servers: dict[Path, VoilaServer] = {}
    yield servers
    for server in servers.values():
        server.stop()


@pytest.fixture(scope="session")
def voila_server(
    request: pytest.FixtureRequest,
    _voila_servers: dict[Path, VoilaServer],
    tmp_path_factory: pytest.TempPathFactory,
) -> VoilaServer:
    """Voilà serving a course directory: the repository, or the one given by :func:`serve_course`."""
    course_dir = Path(getattr(request, "param", REPO_ROOT)).resolve()
    if course_dir not in _voila_servers:
        _voila_servers[course_dir] = start_voila(course_dir, tmp_path_factory.mktemp("voila"))
    return _voila_servers[course_dir]


def serve_course(course_dir: Path) -> pytest.MarkDecorator:
    """A mark making ``voila_server`` serve ``course_dir`` (on a test, or as a module's ``pytestmark``)."""
    course_dir = Path(course_dir)
    return pytest.mark.parametrize("voila_server", [course_dir], indirect=True, ids=[course_dir.name])


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    server = getattr(item, "funcargs", {}).get("voila_server")
    if report.failed and isinstance(server, VoilaServer):
        report.sections.append(("Voilà server log", server.log()[-20_000:]))
    return report


# ---- The browser ----------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Chromium from Debian (Playwright cannot download its own here)."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


def new_context(browser: Browser, **options) -> BrowserContext:
    """A fresh browser context (empty localStorage) in Norwegian; requests to other hosts are aborted.

    ``options`` go to ``Browser.new_context`` (e.g. ``viewport={"width": 320, "height": 640}``,
    ``reduced_motion="reduce"``). Close it when done.
    """
    context = browser.new_context(**{"locale": "nb-NO", **options})
    context.route(_NOT_LOCAL, lambda route: route.abort("blockedbyclient"))
    context.set_default_timeout(RENDER_TIMEOUT_MS)
    return context


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page in its own context (see :func:`new_context`)."""
    context = new_context(browser)
    yield context.new_page()
    context.close()


_RENDERED = """() => {
  const cells = document.getElementById("rendered_cells");
  if (!cells || getComputedStyle(cells).display === "none") return false;
  if (document.getElementById("loading")) return false;
  if (document.querySelector('script[type="application/vnd.voila.cell-output+json"]')) return false;
  const outputs = document.querySelectorAll(".jp-OutputArea-output.lm-Panel");
  return [...outputs].every((el) => el.childElementCount > 0);
}"""


def wait_for_widgets(page: Page, timeout: float = RENDER_TIMEOUT_MS) -> None:
    """Wait until Voilà has finished: cells shown (``voila_finish``), loading message gone, outputs drawn.

    Voilà replaces each ``application/vnd.voila.cell-output+json`` script by the rendered output, and a
    widget's output area (a Lumino panel) stays empty until the widget's view has rendered.
    """
    page.wait_for_function(_RENDERED, timeout=timeout)


# ---- axe-core -------------------------------------------------------------------------------------------


class Violations(list):
    """axe-core violations (dicts as axe reports them); ``str()`` is a summary for assertion messages."""

    def __str__(self) -> str:
        if not self:
            return "no accessibility violations"
        lines = [f"{len(self)} accessibility violation(s):"]
        for violation in self:
            lines.append(f"- {violation['id']} ({violation.get('impact')}): {violation['help']}")
            lines.append(f"  {violation['helpUrl']}")
            for node in violation["nodes"][:5]:
                summary = " ".join(node.get("failureSummary", "").split())
                lines.append(f"  * {', '.join(map(str, node['target']))}: {summary}")
                lines.append(f"    {node.get('html', '')[:200]}")
            if len(violation["nodes"]) > 5:
                lines.append(f"  … and {len(violation['nodes']) - 5} more")
        return "\n".join(lines)

    __repr__ = __str__


def axe_violations(
    page: Page,
    tags: Sequence[str] = WCAG_TAGS,
    rules: Sequence[str] = BEST_PRACTICE_RULES,
    context: str | list | dict | None = None,
) -> Violations:
    """Run axe-core (bundled with axe-playwright-python, so offline) on ``page``; return its violations.

    ``tags`` select the WCAG rules; ``rules`` adds single rules outside those tags (by default the
    best-practice ``region`` rule: all content inside landmarks). ``context`` limits the check to part of the
    page. ``assert not violations, violations`` gives a readable message.
    """
    options = {
        "runOnly": {"type": "tag", "values": list(tags)},
        "rules": {rule: {"enabled": True} for rule in rules},
        "resultTypes": ["violations"],
    }
    results = Axe().run(page, context=context, options=options)
    return Violations(results.response["violations"])
