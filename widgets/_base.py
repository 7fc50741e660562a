"""TryggeWidget: the base of every learner widget.

It wires the front end (an ES module in ``static/``) and the shared stylesheet, routes messages from the browser to
``on_<type>`` methods, and turns any error in them into a calm Norwegian message in the widget instead of a traceback.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Any

import anywidget
import traitlets as t

from . import session as session_mod

STATIC = Path(__file__).parent / "static"
log = logging.getLogger("trygge")

ERROR_MESSAGE = "Noe gikk galt her. Det du har gjort er ikke tapt. Prøv igjen, eller last siden på nytt."


@functools.cache
def front_end(name: str) -> str:
    """The ES module for a widget: the shared helpers followed by the widget's own file."""
    return (STATIC / "common.js").read_text(encoding="utf-8") + "\n" + (STATIC / f"{name}.js").read_text(encoding="utf-8")


@functools.cache
def stylesheet() -> str:
    return (STATIC / "widgets.css").read_text(encoding="utf-8")


class TryggeWidget(anywidget.AnyWidget):  # type: ignore[misc]
    """Base class: subclasses set ``_front_end`` to the name of their file in ``static/`` (without ``.js``).

    Parameters
    ----------
    session:
        The learner session to emit events to; the kernel's current session by default.
    """

    _front_end = ""

    error = t.Unicode("", help="A calm message shown in the widget when something went wrong.").tag(sync=True)

    def __init__(self, *, session: session_mod.Session | None = None, **kwargs: Any) -> None:
        self._esm = front_end(self._front_end)
        self._css = stylesheet()
        super().__init__(**kwargs)
        self.session = session or session_mod.current()
        self.on_msg(self._dispatch)

    def _dispatch(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            log.warning("%s: ignored malformed message", type(self).__name__)
            return
        handler = getattr(self, f"on_{content['type']}", None)
        if handler is None or not content["type"].isidentifier():
            log.warning("%s: ignored unknown message type %r", type(self).__name__, content["type"][:40])
            return
        try:
            self.error = ""
            handler(content)
        except Exception:
            log.exception("%s failed on %r", type(self).__name__, content.get("type"))
            self.error = ERROR_MESSAGE
