"""The learner's session in one kernel: their anonymous pseudonym, the events they cause, their private state.

Widgets call :meth:`Session.emit` and :meth:`Session.mark_done`; they never touch the store. The pseudonym arrives
from the browser (``LearnerBadge``) a moment after the page starts; until then events and state changes are held here
and written when it arrives, so nothing a learner does in the first second is lost.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable
from typing import Any

from .events import Event

log = logging.getLogger("trygge")

#: Crockford base32 without I, L, O, U: easy to read aloud and type on a phone.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_RE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")


def normalise_code(raw: str) -> str | None:
    """A pseudonym in canonical form (``ABCD-EFGH``), or ``None`` if ``raw`` is not one.

    Accepts lower case, spaces and the usual look-alikes (O→0, I/L→1) so a code typed on a phone still works.
    """
    if not isinstance(raw, str):
        return None
    s = re.sub(r"[\s\-_.]", "", raw.upper()).translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))
    if len(s) != 8:
        return None
    code = f"{s[:4]}-{s[4:]}"
    return code if CODE_RE.match(code) else None


def new_code() -> str:
    """A fresh random pseudonym (40 bits)."""
    s = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{s[:4]}-{s[4:]}"


class Session:
    """One learner page's session.

    Parameters
    ----------
    store:
        A :class:`widgets.store.Store`, or ``None`` to open the default one on first use.
    context:
        Added to every event (course id and version, organisation …).
    """

    def __init__(self, store: Any = None, context: dict[str, Any] | None = None) -> None:
        self._store = store
        self.context = dict(context or {})
        self.learner: str | None = None
        self._outbox: list[Event] = []
        self._pending: list[tuple[str, str, str, dict[str, Any]]] = []
        self._pending_state: dict[str, Any] = {}
        self._learner_listeners: list[Callable[[str], None]] = []
        self._progress_listeners: list[Callable[[str, list[str]], None]] = []

    @property
    def store(self) -> Any:
        if self._store is None:
            from .store import Store

            self._store = Store()
        return self._store

    # -- pseudonym ------------------------------------------------------------------------------------------------
    def set_learner(self, code: str) -> str:
        """Set the pseudonym (from the browser); flush what was held back. Raises ValueError if malformed."""
        canonical = normalise_code(code)
        if canonical is None:
            raise ValueError(f"Ugyldig kode: {code!r}. En kode ser slik ut: ABCD-1234.")
        changed = canonical != self.learner
        self.learner = canonical
        for key, value in self._pending_state.items():
            self.set_state(key, value)
        self._pending_state.clear()
        pending, self._pending = self._pending, []
        for verb, object_id, object_type, result in pending:
            self.emit(verb, object_id, object_type, result)
        if changed:
            for listener in list(self._learner_listeners):
                self._safely(listener, canonical)
        return canonical

    def on_learner(self, callback: Callable[[str], None]) -> None:
        """Call ``callback(code)`` when the pseudonym is known (now, if it already is), and whenever it changes."""
        self._learner_listeners.append(callback)
        if self.learner:
            self._safely(callback, self.learner)

    @staticmethod
    def _safely(fn: Callable[..., None], *args: Any) -> None:
        try:
            fn(*args)
        except Exception:  # a broken listener must not stop the others
            log.exception("listener failed")

    # -- events ---------------------------------------------------------------------------------------------------
    def emit(self, verb: str, object_id: str, object_type: str, result: dict[str, Any] | None = None) -> Event | None:
        """Record a learner action. Held until the pseudonym is known; kept and retried if the store fails."""
        result = dict(result or {})
        if self.learner is None:
            # Validate now, so a wrong verb fails where it is written, not a second later.
            Event("0000-0000", verb, object_id, object_type)
            self._pending.append((verb, object_id, object_type, result))
            return None
        event = Event(self.learner, verb, object_id, object_type, result, dict(self.context))
        self._outbox.append(event)
        self.flush()
        return event

    def flush(self) -> int:
        """Write held events to the store; on failure they stay held (in order) for the next try."""
        if not self._outbox:
            return 0
        try:
            self.store.add_events(self._outbox)
        except Exception:
            log.exception("could not store %d events; keeping them for the next try", len(self._outbox))
            return 0
        written, self._outbox = len(self._outbox), []
        return written

    # -- private learner state ------------------------------------------------------------------------------------
    def get_state(self, key: str, default: Any = None) -> Any:
        if self.learner is None:
            return self._pending_state.get(key, default)
        try:
            return self.store.get_state(self.learner, key, default)
        except Exception:
            log.exception("could not read learner state %s", key)
            return default

    def state_with_prefix(self, prefix: str) -> dict[str, Any]:
        """All of the learner's values whose key starts with ``prefix``."""
        if self.learner is None:
            return {k: v for k, v in self._pending_state.items() if k.startswith(prefix)}
        try:
            return dict(self.store.state_with_prefix(self.learner, prefix))
        except Exception:
            log.exception("could not read learner state %s*", prefix)
            return {}

    def set_state(self, key: str, value: Any) -> None:
        if self.learner is None:
            self._pending_state[key] = value
            return
        try:
            self.store.set_state(self.learner, key, value)
        except Exception:
            log.exception("could not store learner state %s", key)

    # -- progress -------------------------------------------------------------------------------------------------
    def progress(self, theme: str) -> list[str]:
        """The sections of ``theme`` this learner has finished."""
        return list(self.get_state(f"progress/{theme}", []))

    def mark_done(self, theme: str, section: str) -> None:
        """Mark a section of a theme as done (once), emit ``progressed`` and tell the progress listeners."""
        done = self.progress(theme)
        if section in done:
            return
        done.append(section)
        self.set_state(f"progress/{theme}", done)
        self.emit("progressed", f"{theme}/section/{section.replace('_', '-')}", "section", {"completion": True})
        for listener in list(self._progress_listeners):
            self._safely(listener, theme, done)

    def on_progress(self, callback: Callable[[str, list[str]], None]) -> None:
        """Call ``callback(theme, done_sections)`` whenever a section is marked done."""
        self._progress_listeners.append(callback)


_current: Session | None = None


def current() -> Session:
    """The session of this kernel (one learner page = one kernel), made on first use."""
    global _current
    if _current is None:
        from .content import load_course

        course = load_course()
        import os

        _current = Session(context={"course": course.id, "version": course.version,
                                    "org": os.environ.get("TRYGGE_ORG", "standard")})
    return _current


def reset(session: Session | None = None) -> Session | None:
    """Replace this kernel's session (tests use this); returns the new one."""
    global _current
    _current = session
    return session
