"""How Voilà is started for a course directory.

One place knows the command line, so `trygge serve`, the browser tests and the docs start the same server:
the course directory's root is served (``/voila/render/notebooks/00-start.ipynb`` is the start page, media
under ``data/media/`` are at ``/voila/files/data/media/…``) with the ``trygge`` template from
``voila_templates/``, without tracebacks, and with only media files downloadable.

Options set here, and why:

- ``--show_tracebacks=False``: learners never see exception text (the template shows a calm message).
- ``file_allowlist`` / ``file_denylist``: ``/voila/files/`` serves media only; notebooks, Python files and
  anything under a dot-folder (``.git``, ``.venv``) stay private.
- ``allow_template_override=NO`` / ``allow_theme_override=NO``: otherwise ``?template=lab`` in the address
  renders the page without the template's preprocessor, showing the cells tagged ``trener``. (Voilà 0.5.13
  does not apply ``traitlet_configuration`` from a template's conf.json to these, so they are set here.)
- ``VoilaExecutor.allow_errors=True``: a cell that raises shows the calm message and the rest of the page
  still runs; by default Voilà stops rendering the page at the first error.
- ``Voila.port_retries=0``: fail loudly if the port is taken, instead of silently serving on another one.

Everything else (preheating, timeouts, kernel management) is left at Voilà's defaults.
"""

from __future__ import annotations

import os
import socket
import sys
import subprocess
from collections.abc import Iterable
from pathlib import Path

__all__ = [
    "MEDIA_ALLOWLIST",
    "MEDIA_DENYLIST",
    "START_PAGE",
    "TEMPLATE_NAME",
    "TEMPLATES_DIR",
    "find_free_port",
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

MEDIA_ALLOWLIST = [r"(?i).*\.(mp4|webm|vtt|png|svg|pdf)"]
"""Files ``/voila/files/`` may serve (Voilà full-matches each path, case-insensitively)."""

MEDIA_DENYLIST = [r"(?i).*\.(ipynb|py)", r"(.*/)?\..*"]
"""Never served even if allowed: Voilà's default (notebooks, Python) and any dot-folder or dot-file."""


def voila_command(
    course_dir: Path,
    port: int,
    *,
    ip: str = "127.0.0.1",
    open_browser: bool = False,
    extra: Iterable[str] = (),
) -> list[str]:
    """Return the argv that serves ``course_dir`` with Voilà on ``ip:port``.

    Run it with the environment from :func:`voila_env` added, so Voilà finds the ``trygge`` template.
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
        f"--Voila.open_browser={open_browser}",
        f"--template={TEMPLATE_NAME}",
        "--show_tracebacks=False",
        # traitlets takes a list as the same option repeated, one item each.
        *(f"--VoilaConfiguration.file_allowlist={pattern}" for pattern in MEDIA_ALLOWLIST),
        *(f"--VoilaConfiguration.file_denylist={pattern}" for pattern in MEDIA_DENYLIST),
        "--VoilaConfiguration.allow_template_override=NO",
        "--VoilaConfiguration.allow_theme_override=NO",
        "--VoilaExecutor.allow_errors=True",
        *extra,
    ]


def voila_env(course_dir: Path) -> dict[str, str]:
    """Return the environment variables to add when running :func:`voila_command`.

    ``JUPYTER_PATH`` puts the repository's ``voila_templates`` first (keeping any existing entries), and
    ``TRYGGE_COURSE_DIR`` tells the server's kernels which course they serve.
    """
    jupyter_path = [str(TEMPLATES_DIR)]
    if existing := os.environ.get("JUPYTER_PATH"):
        jupyter_path.append(existing)
    return {
        "JUPYTER_PATH": os.pathsep.join(jupyter_path),
        "TRYGGE_COURSE_DIR": str(Path(course_dir).resolve()),
    }


def start_url(port: int, ip: str = "127.0.0.1") -> str:
    """Return the address of the course's start page on a server started with :func:`voila_command`."""
    host = "127.0.0.1" if ip in ("", "0.0.0.0", "::") else ip
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/voila/render/{START_PAGE}"


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
