"""How Voilà is started for a course directory.

One place knows the command line, so `trygge serve`, the browser tests and the docs start the same server:
the course directory's root is served (``/voila/render/notebooks/00-start.ipynb`` is the start page, media
under ``data/media/`` are at ``/voila/files/data/media/…``) with the ``trygge`` template from
``voila_templates/``, without tracebacks, and with only media files downloadable.

Options set here, and why:

- ``--show_tracebacks=False``: learners never see exception text (the template shows a calm message).
- ``file_allowlist`` / ``file_denylist``: ``/voila/files/`` serves media only; notebooks, Python files and
  anything under a dot-folder (``.git``, ``.venv``) stay private.
- ``allow_template_override=NOTEBOOK`` / ``allow_theme_override=NO``: otherwise ``?template=lab`` in the address
  renders the page without the template's preprocessor, showing the cells tagged ``trener``. Only a notebook's own
  metadata may pick a template: the facilitator view ``notebooks/plenum.ipynb`` names ``trygge-plenum``
  (``metadata.voila.template``); learner notebooks name none, and ``trygge build`` refuses one that names another.
  (Voilà 0.5.13 does not apply ``traitlet_configuration`` from a template's conf.json to these, so they are set
  here.)
- ``VoilaExecutor.allow_errors=True``: a cell that raises shows the calm message and the rest of the page
  still runs; by default Voilà stops rendering the page at the first error.
- ``Voila.port_retries=0``: fail loudly if the port is taken, instead of silently serving on another one.
- Only widget traffic reaches a kernel from the browser (:data:`KERNEL_MESSAGE_ALLOWLIST`). Without such a rule
  anyone with a page open could send an ``execute_request`` over its kernel websocket and run Python on the
  server. Voilà 0.5.13 has a rule of its own (it passes jupyter_server's ``allowed_message_types`` to the kernel
  manager as a constructor argument, so no configuration can change it, and its list also lets the browser shut
  the kernel down); :class:`TryggeKernelManager` replaces it with this narrower list right after construction, so
  the rule stays ours if a Voilà upgrade drops or widens its own. jupyter_server drops a refused message and logs
  its type only (never its content). Voilà runs the notebook through its own connection to the kernel, not the
  websocket, so pages still render. tests/browser/test_security_kernel.py proves both halves.

Kernels (see docs/deployment.md for the measurements behind these numbers):

- ``pool_size`` > 0 turns on Voilà's preheated kernels: for each learner page (the start page and the theme
  notebooks ``notebooks/NN-*.ipynb``; nothing else, not the analysts' or facilitators' notebooks) that many kernels
  are started and have run the notebook before anyone asks for it, so a learner gets a finished page at once.
  These notebooks do not depend on the request: the learner's code arrives from the browser after the page is
  drawn and the session holds events until then. A page that reads its address must never be pooled (its kernel
  runs before there is a request): ``avstemning.ipynb`` reads ``?kode=`` and ``plenum.ipynb`` its query, so
  neither is in :func:`learner_pages`, and ``pools`` should not name them. ``pools`` sets the size per page (e.g. the theme a group does
  today). A used kernel is replaced after ``fill_delay`` seconds, so the replacement does not compete with the
  learner's own page load. When a pool is empty the page starts a kernel as before (slower, never an error).
  ``trygge serve`` turns this on; :func:`voila_command` leaves it off unless asked.
- Kernels are managed by :class:`TryggeKernelManager` (Jupyter's, plus two rules). With pools, at most
  ``preheat_concurrency`` kernels are being preheated (started *and* running their notebook) at a time, half the
  CPU cores by default: without it, a class of 50 taking 50 pooled kernels in a minute makes Voilà start 50
  replacements at once, and those take the CPU the learners' own kernels need to answer their clicks. And it
  raises ZeroMQ's socket limit (1023 by default: about 170 kernels, then every new page fails with «Too many
  open files») and the process's open-files limit.
- ``cull_idle_timeout``: a kernel whose page is gone (no browser connected: tab closed without Voilà's
  ``beforeunload`` shutdown, laptop asleep, network lost) and that has done nothing for this long is stopped.
  A kernel with its page open is never culled (``cull_connected=False``), however long the learner reads;
  preheated kernels waiting in a pool are never culled either. ``cull_interval`` is how often Voilà looks.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path

__all__ = [
    "CULL_IDLE_TIMEOUT",
    "CULL_INTERVAL",
    "FACILITATOR_PAGE",
    "FILL_DELAY",
    "KERNEL_MESSAGE_ALLOWLIST",
    "MEDIA_ALLOWLIST",
    "MEDIA_DENYLIST",
    "START_PAGE",
    "TEMPLATE_NAME",
    "TEMPLATES_DIR",
    "facilitator_url",
    "find_free_port",
    "kernel_options",
    "learner_pages",
    "normalise_base_url",
    "start_url",
    "voila_command",
    "voila_env",
    "wait_until_ready",
]

REPO_ROOT = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = REPO_ROOT / "voila_templates"
"""A Jupyter data directory: holds ``voila/templates/trygge/``; put it on ``JUPYTER_PATH``."""

TEMPLATE_NAME = "trygge"
START_PAGE = "notebooks/00-start.ipynb"
FACILITATOR_PAGE = "notebooks/plenum.ipynb"

MEDIA_ALLOWLIST = [r"(?i).*\.(mp4|webm|vtt|png|svg|pdf)"]
"""Files ``/voila/files/`` may serve (Voilà full-matches each path, case-insensitively)."""

MEDIA_DENYLIST = [r"(?i).*\.(ipynb|py)", r"(.*/)?\..*"]
"""Never served even if allowed: Voilà's default (notebooks, Python) and any dot-folder or dot-file."""

CULL_IDLE_TIMEOUT = 1800
"""Seconds a kernel with no browser connected may sit idle before it is stopped (30 min)."""
CULL_INTERVAL = 120
"""Seconds between Voilà's looks for such kernels."""
FILL_DELAY = 3.0
"""Seconds before a preheated kernel that was handed out is replaced (Voilà's default is 1 s)."""

KERNEL_MESSAGE_ALLOWLIST = (
    "kernel_info_request",  # the page's kernel connection asks once, to know the kernel is alive
    "comm_info_request",  # the widget manager lists the kernel's widget comms
    "comm_open",  # the widget manager opens its control comm (jupyter.widget.control)
    "comm_msg",  # widget state and events: every click and keystroke a widget sends
    "comm_close",
)
"""Message types a learner's browser may send to its kernel. Everything else is refused: ``execute_request``
(on any channel), ``inspect_request``, ``complete_request``, ``history_request``, ``is_complete_request``,
``debug_request`` (the debugger evaluates code), ``shutdown_request``/``interrupt_request`` (Voilà shuts a kernel
down over HTTP) and ``input_reply`` (no course page asks for input)."""


def learner_pages(course_dir: Path) -> list[str]:
    """The pages preheated by default, as Voilà names them: the start page and ``notebooks/NN-*.ipynb``, sorted.

    Not the other notebooks: the polls and the facilitator view read the request (see the module docstring), and
    the help-line finder and the accessibility statement are opened now and then, not by a whole class at once.
    """
    root = Path(course_dir)
    pages = {START_PAGE} if (root / START_PAGE).is_file() else set()
    pages.update(f"notebooks/{nb.name}" for nb in (root / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    return sorted(pages)


def kernel_options(
    course_dir: Path,
    *,
    pool_size: int = 0,
    pools: Mapping[str, int] | None = None,
    fill_delay: float = FILL_DELAY,
    cull_idle_timeout: int = CULL_IDLE_TIMEOUT,
    cull_interval: int = CULL_INTERVAL,
) -> list[str]:
    """Voilà options for preheated kernel pools and culling (see the module docstring).

    ``pool_size`` kernels for every learner page (0: no preheating), ``pools`` overrides or adds pages
    (``{"notebooks/01-samtalen.ipynb": 30}``, paths relative to the course directory). ``cull_idle_timeout=0``
    never culls.
    """
    sizes = {page: pool_size for page in learner_pages(course_dir)} if pool_size > 0 else {}
    sizes.update({page: int(n) for page, n in (pools or {}).items()})
    sizes = {page: n for page, n in sizes.items() if n > 0}
    options = [f"--VoilaConfiguration.multi_kernel_manager_class={__name__}.TryggeKernelManager"]
    if sizes:
        config = {"default": {"pool_size": 0}, **{page: {"pool_size": n} for page, n in sorted(sizes.items())}}
        options += [
            "--VoilaConfiguration.preheat_kernel=True",
            f"--VoilaKernelManager.kernel_pools_config={json.dumps(config, separators=(',', ':'))}",
            f"--VoilaKernelManager.fill_delay={fill_delay:g}",
        ]
    if cull_idle_timeout > 0:
        options += [
            f"--MappingKernelManager.cull_idle_timeout={int(cull_idle_timeout)}",
            f"--MappingKernelManager.cull_interval={int(cull_interval)}",
            "--MappingKernelManager.cull_connected=False",
            "--MappingKernelManager.cull_busy=False",
        ]
    return options


def _make_kernel_manager() -> type:
    """Build :class:`TryggeKernelManager` (on first use: it imports jupyter_server, which the CLI need not)."""
    import asyncio

    from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
    from traitlets import Float, Int, List, Unicode

    class TryggeKernelManager(AsyncMappingKernelManager):
        """Jupyter's kernel manager, for Voilà's preheated pools: bounded preheating (see the module docstring).

        Voilà builds its pooling manager on top of this class; this class wraps the pool's ``_initialize`` (start a
        kernel, then run the notebook in it) so that only ``preheat_concurrency`` of them run at once.
        """

        preheat_concurrency = Int(
            max(1, (os.cpu_count() or 2) // 2), config=True,
            help="How many kernels may be preheated (started and running their notebook) at the same time.")
        preheat_timeout = Float(
            120.0, config=True, help="Seconds one preheating kernel may hold its turn before the next may start.")
        browser_message_types = List(
            Unicode(), default_value=list(KERNEL_MESSAGE_ALLOWLIST), config=True,
            help="Message types a browser may send to a kernel; jupyter_server drops and logs any other. Replaces "
                 "the list Voilà passes to the constructor. An empty list allows everything: never for learners.")
        max_sockets = Int(
            16384, config=True,
            help="ZeroMQ sockets the server may open (5–6 per kernel). ZeroMQ's default, 1023, stops a server at "
                 "about 170 kernels with 'Too many open files'.")

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            # After construction: Voilà passes its own allowed_message_types as an argument (see the module docstring).
            self.allowed_message_types = list(self.browser_message_types)
            self._raise_limits()
            self._preheat_slots: asyncio.Semaphore | None = None
            initialize = getattr(self, "_initialize", None)  # only Voilà's pooling manager has it
            if initialize is not None:
                self._initialize = self._bounded(initialize)

        def _raise_limits(self) -> None:
            """Room for many kernels: ZeroMQ's socket limit (before the first socket) and the open-files limit."""
            import resource

            import zmq

            try:
                if self.context.get(zmq.MAX_SOCKETS) < self.max_sockets:
                    self.context.set(zmq.MAX_SOCKETS, self.max_sockets)
            except zmq.ZMQError as exc:  # pragma: no cover - a context that already has sockets
                self.log.warning("could not raise ZeroMQ's socket limit: %s", exc)
            soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
            wanted = 4 * self.max_sockets if hard == resource.RLIM_INFINITY else min(hard, 4 * self.max_sockets)
            if soft != resource.RLIM_INFINITY and soft < wanted:
                try:
                    resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
                except (ValueError, OSError) as exc:  # pragma: no cover
                    self.log.warning("could not raise the open-files limit from %s: %s", soft, exc)

        def _bounded(self, initialize):
            async def bounded(notebook_path, kernel_id=None, **kwargs):
                if self._preheat_slots is None:
                    self._preheat_slots = asyncio.Semaphore(max(1, self.preheat_concurrency))
                async with self._preheat_slots:
                    result = await initialize(notebook_path, kernel_id, **kwargs)
                    try:  # hold the turn until the notebook has run in the new kernel
                        await asyncio.wait_for(asyncio.shield(result["task"]), self.preheat_timeout)
                    except Exception:  # noqa: BLE001 - a failing or slow notebook is Voilà's to report
                        pass
                    return result

            return bounded

    TryggeKernelManager.__module__ = __name__
    TryggeKernelManager.__qualname__ = "TryggeKernelManager"
    return TryggeKernelManager


_kernel_manager_class: type | None = None


def __getattr__(name: str):  # PEP 562: ``widgets.voila_config.TryggeKernelManager``, built on first use
    global _kernel_manager_class
    if name == "TryggeKernelManager":
        if _kernel_manager_class is None:
            _kernel_manager_class = _make_kernel_manager()
        return _kernel_manager_class
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: JupyterLab extensions installed in the environment that learner pages do not use (Voilà loads every installed one).
UNUSED_LAB_EXTENSIONS = ("jupyterlab_pygments", "@voila-dashboards/jupyterlab-preview")


def voila_command(
    course_dir: Path,
    port: int,
    *,
    ip: str = "127.0.0.1",
    open_browser: bool = False,
    extra: Iterable[str] = (),
    pool_size: int = 0,
    pools: Mapping[str, int] | None = None,
    fill_delay: float = FILL_DELAY,
    cull_idle_timeout: int = CULL_IDLE_TIMEOUT,
    base_url: str = "/",
) -> list[str]:
    """Return the argv that serves ``course_dir`` with Voilà on ``ip:port``.

    Run it with the environment from :func:`voila_env` added, so Voilà finds the ``trygge`` template.
    ``pool_size``, ``pools``, ``fill_delay`` and ``cull_idle_timeout`` go to :func:`kernel_options` (by default:
    no preheated kernels, idle kernels without a browser culled after 30 minutes).
    ``base_url`` serves everything under a prefix (``/kurs-a/voila/render/…``), for several servers behind one
    proxy (docs/deployment.md).
    ``extra`` arguments come last and so override the ones set here.
    """
    return [
        sys.executable,
        "-m",
        "voila",
        str(Path(course_dir).resolve()),
        f"--Voila.ip={ip}",
        f"--Voila.port={port}",
        "--Voila.port_retries=0",
        *([f"--Voila.base_url={normalise_base_url(base_url)}"] if normalise_base_url(base_url) != "/" else []),
        f"--Voila.open_browser={open_browser}",
        f"--template={TEMPLATE_NAME}",
        "--show_tracebacks=False",
        # traitlets takes a list as the same option repeated, one item each.
        *(f"--VoilaConfiguration.file_allowlist={pattern}" for pattern in MEDIA_ALLOWLIST),
        *(f"--VoilaConfiguration.file_denylist={pattern}" for pattern in MEDIA_DENYLIST),
        "--VoilaConfiguration.allow_template_override=NOTEBOOK",
        "--VoilaConfiguration.allow_theme_override=NO",
        # Learner pages have no code cells to highlight: one JupyterLab extension fewer for every page to load.
        *(f"--VoilaConfiguration.extension_denylist={name}" for name in UNUSED_LAB_EXTENSIONS),
        "--VoilaExecutor.allow_errors=True",
        *kernel_options(course_dir, pool_size=pool_size, pools=pools, fill_delay=fill_delay,
                        cull_idle_timeout=cull_idle_timeout),
        *extra,
    ]


def voila_env(course_dir: Path, *, facilitator_key: str | None = None) -> dict[str, str]:
    """Return the environment variables to add when running :func:`voila_command`.

    ``JUPYTER_PATH`` puts the repository's ``voila_templates`` first (keeping any existing entries), and
    ``TRYGGE_COURSE_DIR`` tells the server's kernels which course they serve. A course built for an organisation
    (``trygge build``) also sets ``TRYGGE_ORG`` to its id, so its events carry it, unless ``TRYGGE_ORG`` is set.
    ``facilitator_key`` becomes ``TRYGGE_FACILITATOR_KEY``: the facilitator page (``notebooks/plenum.ipynb``) is then
    shown only to an address with ``?nokkel=<key>`` (:func:`widgets.plenum.facilitator_access`; ``trygge serve``
    always passes one).
    """
    jupyter_path = [str(TEMPLATES_DIR)]
    if existing := os.environ.get("JUPYTER_PATH"):
        jupyter_path.append(existing)
    env = {
        "JUPYTER_PATH": os.pathsep.join(jupyter_path),
        "TRYGGE_COURSE_DIR": str(Path(course_dir).resolve()),
    }
    if "TRYGGE_ORG" not in os.environ:
        from .profile import course_org

        if (org := course_org(Path(course_dir))) is not None and org.id:
            env["TRYGGE_ORG"] = org.id
    if facilitator_key:
        env["TRYGGE_FACILITATOR_KEY"] = facilitator_key
    return env


def start_url(port: int, ip: str = "127.0.0.1", base_url: str = "/") -> str:
    """Return the address of the course's start page on a server started with :func:`voila_command`."""
    host = "127.0.0.1" if ip in ("", "0.0.0.0", "::") else ip
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}{normalise_base_url(base_url)}voila/render/{START_PAGE}"


def facilitator_url(port: int, key: str, ip: str = "127.0.0.1", base_url: str = "/") -> str:
    """Return the address of the facilitator page, with the facilitator key (``…/plenum.ipynb?nokkel=<key>``)."""
    from urllib.parse import quote

    page = start_url(port, ip, base_url).removesuffix(START_PAGE) + FACILITATOR_PAGE
    return f"{page}?nokkel={quote(key, safe='')}"


def normalise_base_url(base_url: str) -> str:
    """``base_url`` with one leading and one trailing slash (``kurs-a`` → ``/kurs-a/``; empty → ``/``)."""
    inner = base_url.strip("/")
    return f"/{inner}/" if inner else "/"


def wait_until_ready(base_url: str, timeout: float = 60.0, process: "subprocess.Popen | None" = None) -> None:
    """Block until a server started by :func:`voila_command` serves the template's CSS (so it found the template).

    ``base_url`` is ``http://127.0.0.1:<port>/``. Raises RuntimeError if the process exits, the template is
    missing, or nothing answers within ``timeout`` seconds.
    """
    import time
    import urllib.error
    import urllib.request

    probe = f"{base_url.rstrip('/')}/voila/templates/{TEMPLATE_NAME}/static/trygge.css"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"Voilà exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(probe, timeout=2):
                return
        except urllib.error.HTTPError as error:
            raise RuntimeError(f"{probe} answered {error.code}: is the template on JUPYTER_PATH?") from None
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    raise RuntimeError(f"Voilà did not answer {probe} within {timeout:.0f} s")


def find_free_port(ip: str = "127.0.0.1") -> int:
    """Return a TCP port on ``ip`` that nothing listens on right now."""
    with socket.socket(socket.AF_INET6 if ":" in ip else socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((ip, 0))
        return sock.getsockname()[1]
