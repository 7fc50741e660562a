"""TryggeWidget: the base of every learner widget.

It wires the front end (an ES module in ``static/``) and the shared stylesheet, routes messages from the browser to
``on_<type>`` methods, and turns any error in them into a calm Norwegian message in the widget instead of a traceback.

The stylesheet (``static/widgets.css``) travels once per kernel, in one view-less model (:class:`SharedStyles`) that
every Trygge widget makes sure exists; anywidget injects a model's ``_css`` when the model is created in the browser,
whether or not it is displayed. Before, each widget carried its own copy (a theme page sent it 17 times: about half
of the page's widget state).

In a kernel Voilà preheats (``VOILA_PREHEAT=True``: it runs the notebook before any learner has asked for the page),
the first widget also does the one-off work a learner's first actions would otherwise wait for (:func:`warm_up`):
it opens the results store (for SQLite the light ``sqlite3`` store of :mod:`widgets.store_sqlite`; the schema
check), runs the store's reads once for a code no learner can have, and runs the scrubber once (it reads the
help-line directory on first use). All of it happens while the kernel waits in the pool.

A message handler's trait changes go to the browser as one update (:meth:`TryggeWidget._dispatch` holds the sync),
so a click costs one message and one redraw.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
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


class SharedStyles(anywidget.AnyWidget):  # type: ignore[misc]
    """Carries ``widgets.css`` to the browser once per kernel; never displayed (see the module docstring)."""

    _esm = "export default {};"
    _css = t.Unicode("").tag(sync=True)


_shared_styles: SharedStyles | None = None


def shared_styles() -> SharedStyles:
    """The kernel's :class:`SharedStyles` model, made (and kept alive) on first use, or again if it was closed."""
    global _shared_styles
    if _shared_styles is None or getattr(_shared_styles, "comm", None) is None:
        _shared_styles = SharedStyles(_css=stylesheet())
    return _shared_styles


_warmed = False
#: A well-formed code no learner can have (codes are random; this one is reserved for warming up).
WARM_UP_CODE = "0000-0000"


def warm_up(session: session_mod.Session) -> None:
    """Do a learner's one-off first-use work now, if this is a kernel Voilà is preheating (once per kernel).

    Only reads: nothing is written to the store, no event is emitted. Any failure is left for the real first use,
    which handles it as before.
    """
    global _warmed
    if _warmed or os.environ.get("VOILA_PREHEAT") != "True":
        return
    _warmed = True
    try:
        store = session.store
        store.get_state(WARM_UP_CODE, "progress/-")
        store.state_with_prefix(WARM_UP_CODE, "video/")
        store.all_state(WARM_UP_CODE)
        store.events(actor=WARM_UP_CODE)
    except Exception:
        log.warning("could not open the results store in advance", exc_info=True)
    try:
        from .scrub import scrub

        scrub("Hei, jeg heter Kari og bor i Storgata 1. Ring 22 22 22 22 eller se https://example.no.")
    except Exception:
        log.warning("could not prepare the scrubber in advance", exc_info=True)


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
        shared_styles()
        self._esm = front_end(self._front_end)
        super().__init__(**kwargs)
        self.session = session or session_mod.current()
        warm_up(self.session)
        self.on_msg(self._dispatch)

    def _batch_updates(self) -> bool:
        """Whether a message handler's trait changes are sent together when it returns (see :meth:`_dispatch`)."""
        return True

    def _dispatch(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            log.warning("%s: ignored malformed message", type(self).__name__)
            return
        handler = getattr(self, f"on_{content['type']}", None)
        if handler is None or not content["type"].isidentifier():
            log.warning("%s: ignored unknown message type %r", type(self).__name__, content["type"][:40])
            return
        try:
            # The trait changes a handler makes go to the browser as one update (one message, one redraw), not one
            # message per trait; a widget that must stream while it works (the chat with a language model) opts out.
            with self.hold_sync() if self._batch_updates() else contextlib.nullcontext():
                self.error = ""
                handler(content)
        except Exception:
            log.exception("%s failed on %r", type(self).__name__, content.get("type"))
            self.error = ERROR_MESSAGE
