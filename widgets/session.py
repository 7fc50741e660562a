"""The learner's session in one kernel: their anonymous pseudonym, the events they cause, their private state.

Widgets call :meth:`Session.emit` and :meth:`Session.mark_done`; they never touch the store. The pseudonym arrives
from the browser (``LearnerBadge``) a moment after the page starts; until then events and state changes are held here
and written when it arrives, so nothing a learner does in the first second is lost. Events the store cannot take (the
database is down) go to a durable local queue (:mod:`widgets.queue`) and are written later, in order, exactly once.
"""

from __future__ import annotations

import logging
import re
import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path
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
    queue_dir:
        Where events wait when the store fails (default :func:`widgets.queue.queue_dir`).
    retry_seconds:
        First wait before retrying queued events in the background (doubles up to a minute); ``None``: only retry on
        the next event.
    """

    #: How often (seconds) a kernel at most looks for queue files left by stopped kernels.
    ADOPT_EVERY = 60.0
    #: After the database could not be opened, wait this long (seconds) before trying to open it again, so a learner's
    #: clicks are not each held up by a connection timeout; events meanwhile go to the queue.
    REOPEN_AFTER = 5.0

    def __init__(self, store: Any = None, context: dict[str, Any] | None = None, *,
                 queue_dir: Path | None = None, retry_seconds: float | None = 5.0) -> None:
        self._store = store
        self.context = dict(context or {})
        self.learner: str | None = None
        self._outbox: list[Event] = []
        self._queue_dir = queue_dir
        self._queue: Any = None
        self._flush_lock = threading.RLock()
        self._retry_first = retry_seconds
        self._retry_delay = retry_seconds
        self._retry_timer: threading.Timer | None = None
        self._adopted_at = 0.0
        self._reopen_at = 0.0
        self._pending: list[tuple[str, str, str, dict[str, Any]]] = []
        self._pending_state: dict[str, Any] = {}
        self._learner_listeners: list[Callable[[str], None]] = []
        self._progress_listeners: list[Callable[[str, list[str]], None]] = []

    @property
    def store(self) -> Any:
        if self._store is None:
            from .store_sqlite import open_store

            if time.monotonic() < self._reopen_at:
                raise RuntimeError("the results database could not be opened a moment ago; not trying again yet")
            try:
                self._store = open_store()
            except Exception:
                self._reopen_at = time.monotonic() + self.REOPEN_AFTER
                raise
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

    @property
    def queue(self) -> Any:
        """This kernel's durable queue (:class:`widgets.queue.DurableQueue`); its file is made on first use."""
        if self._queue is None:
            import atexit

            from .queue import DurableQueue, store_tag

            self._queue = DurableQueue(self._queue_dir, tag=store_tag(self._store_url()))
            atexit.register(self._last_try)
        return self._queue

    def _store_url(self) -> str | None:
        """The URL of the database this session writes to, even when it cannot be opened right now."""
        if self._store is not None:
            return getattr(self._store, "url", None)
        from .rows import default_db_url, normalise_url

        return normalise_url(default_db_url())

    def flush(self) -> int:
        """Write held events to the store, oldest (queued) first; on failure queue them on disk for the next try.

        Returns how many events the store took.
        """
        with self._flush_lock:
            queued = self._queue is not None and bool(self._queue)
            if not self._outbox and not queued:
                return 0
            try:
                if queued:
                    if self._outbox:
                        self._queue.append(self._outbox)  # after the queued ones, so the order holds
                        self._outbox = []
                    written = self._queue.drain(self.store)
                else:
                    written = self.store.add_events(self._outbox)
                    self._outbox = []
            except Exception as exc:  # the database is down or busy: an expected condition, no traceback needed
                log.warning("could not store events (%s: %s); they wait in the local queue for the next try",
                            type(exc).__name__, str(exc)[:200])
                self._to_queue()
                self._schedule_retry()
                return 0
            self._retry_delay = self._retry_first
            self._adopt_orphans()
            return int(written)

    def _to_queue(self) -> None:
        if not self._outbox:
            return
        try:
            self.queue.append(self._outbox)
            self._outbox = []
        except Exception:  # no disk either: keep them in memory, in order, for the next try
            log.exception("could not queue %d events on disk; keeping them in memory", len(self._outbox))

    def _schedule_retry(self) -> None:
        if self._retry_delay is None or (self._retry_timer is not None and self._retry_timer.is_alive()):
            return
        self._retry_timer = threading.Timer(self._retry_delay, self._retry)
        self._retry_timer.daemon = True
        self._retry_timer.start()
        self._retry_delay = min(self._retry_delay * 2, 60.0)

    def _retry(self) -> None:
        self._retry_timer = None
        self.flush()

    def _adopt_orphans(self) -> None:
        """Now and then, write queue files left by kernels that stopped while their database was down."""
        if time.monotonic() - self._adopted_at < self.ADOPT_EVERY:
            return
        self._adopted_at = time.monotonic()
        from .queue import adopt_orphans, queue_dir

        try:
            written, files = adopt_orphans(self._queue_dir or queue_dir(), self.store, tag=self._tag())
            if files:
                log.info("wrote %d queued events from %d stopped kernels", written, files)
        except Exception:
            log.exception("could not write queue files of stopped kernels")

    def _tag(self) -> str:
        from .queue import store_tag

        return store_tag(self._store_url())

    def _last_try(self) -> None:
        """At exit: one more try, then let go of the queue file (deleted if empty, else left for another kernel)."""
        try:
            self.flush()
        finally:
            if self._queue is not None:
                self._queue.close()

    def delete_my_data(self) -> int:
        """Delete everything stored about this learner: events, private state, and events still waiting in a queue.

        Returns the number of stored rows removed. Raises if the store cannot be reached (then nothing is deleted
        from it; the caller tells the learner to try again).
        """
        if self.learner is None:
            return 0
        from .queue import adopt_orphans, queue_dir

        with self._flush_lock:
            removed = self.store.delete_learner(self.learner)
            self._outbox = [e for e in self._outbox if e.actor != self.learner]
            if self._queue is not None:
                self._queue.remove_actor(self.learner)
            adopt_orphans(self._queue_dir or queue_dir(), self.store, actor_to_forget=self.learner, tag=self._tag())
        return int(removed)

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
                                    "org": os.environ.get("TRYGGE_ORG", "standard"),
                                    "channel": os.environ.get("TRYGGE_CHANNEL", "web")})
    return _current


def reset(session: Session | None = None) -> Session | None:
    """Replace this kernel's session (tests use this); returns the new one."""
    global _current
    _current = session
    return session
