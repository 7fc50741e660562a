"""A durable local queue for events the results store could not take yet, so nothing a learner does is lost.

Each kernel that meets an unavailable database appends the events to its own JSON-lines file under the course
directory's ``var/queue/`` (``TRYGGE_QUEUE_DIR`` overrides), one event per line, and ``fsync``s it before carrying on.
When the store answers again the file is written to it in order and emptied. Event ids are unique and the store skips
ids it already has, so a crash between writing and emptying never stores an event twice.

A kernel holds an exclusive ``flock`` on its own file for as long as it lives. A file nobody holds belongs to a kernel
that has stopped: any other kernel (or ``trygge db drain``) takes it over, writes it to the store and deletes it. A file's
name starts with a tag of the database it was meant for (:func:`store_tag`), so events only ever reach that database.

A line cut short by a crash in the middle of a write is skipped (it was never confirmed written); a failed write is
undone, so the file never holds half an event followed by more.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import secrets
import socket
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .events import Event, event_from_dict, event_to_dict

log = logging.getLogger("trygge")

SUFFIX = ".jsonl"


def queue_dir() -> Path:
    """``TRYGGE_QUEUE_DIR``, else ``var/queue/`` in the course directory."""
    configured = os.environ.get("TRYGGE_QUEUE_DIR")
    if configured:
        return Path(configured)
    from .content import course_dir

    return course_dir() / "var" / "queue"


def store_tag(store_or_url: Any) -> str:
    """Eight hex digits naming a database (from its URL, password left out): queue files carry it in their name."""
    url = store_or_url if isinstance(store_or_url, str) else getattr(store_or_url, "url", None)
    if not url:
        return "00000000"
    if url.startswith("sqlite:") and "@" not in url:  # a file has no password; a learner kernel skips SQLAlchemy
        return hashlib.sha1(url.encode("utf-8")).hexdigest()[:8]
    try:
        import sqlalchemy as sa

        url = sa.engine.make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL SQLAlchemy can parse: use it as it is
        pass
    return hashlib.sha1(str(url).encode("utf-8")).hexdigest()[:8]


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _read_events(fileobj: Any, path: Path) -> list[Event]:
    fileobj.seek(0)
    events = []
    for number, line in enumerate(fileobj.read().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            events.append(event_from_dict(json.loads(line)))
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("%s line %d: skipped an unreadable event (%s)", path.name, number, exc)
    return events


class DurableQueue:
    """This kernel's queue file: append, read, write to a store, forget a learner.

    Parameters
    ----------
    directory:
        Where queue files live; default :func:`queue_dir`. The file itself is made on the first :meth:`append`.
    tag:
        :func:`store_tag` of the database the events are meant for.
    """

    def __init__(self, directory: Path | None = None, tag: str = "00000000") -> None:
        self.directory = Path(directory) if directory is not None else queue_dir()
        self.tag = tag
        name = f"{tag}-{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(4)}{SUFFIX}"
        self.path = self.directory / name
        self._file: Any = None
        self._lock = threading.RLock()

    def _open(self) -> Any:
        if self._file is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            fileobj = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - kept open: the lock lives with it
            fcntl.flock(fileobj, fcntl.LOCK_EX | fcntl.LOCK_NB)
            _fsync_dir(self.directory)
            self._file = fileobj
        return self._file

    def __len__(self) -> int:
        return len(self.pending())

    def __bool__(self) -> bool:
        with self._lock:
            return self._file is not None and os.fstat(self._file.fileno()).st_size > 0

    def append(self, events: Iterable[Event]) -> int:
        """Add events at the end, on disk (fsync'd) before returning. Returns how many."""
        lines = "".join(json.dumps(event_to_dict(e), ensure_ascii=False) + "\n" for e in events)
        if not lines:
            return 0
        data = lines.encode("utf-8")
        with self._lock:
            fileobj = self._open()
            fd = fileobj.fileno()
            size = os.fstat(fd).st_size
            try:
                # Straight to the file descriptor, not through the text file's buffer: a failed write (disk full)
                # must leave nothing behind in a buffer that a later flush would write after all.
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
                os.fsync(fd)
            except OSError:
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, size)  # never leave half an event that later lines would run into
                raise
        return lines.count("\n")

    def pending(self, actor: str | None = None) -> list[Event]:
        """The events waiting, oldest first (only one learner's if ``actor`` is given)."""
        with self._lock:
            if self._file is None:
                return []
            events = _read_events(self._file, self.path)
        return [e for e in events if actor is None or e.actor == actor]

    def _truncate(self) -> None:
        self._file.seek(0)
        self._file.truncate(0)
        self._file.flush()
        os.fsync(self._file.fileno())

    def drain(self, store: Any) -> int:
        """Write every waiting event to ``store`` (in order) and empty the file. Returns how many the store took.

        If the store fails, the events stay and the exception is raised.
        """
        with self._lock:
            events = self.pending()
            if not events:
                return 0
            written = store.add_events(events)
            self._truncate()
            return int(written)

    def remove_actor(self, actor: str) -> int:
        """Forget a learner's waiting events (they asked for everything about them to be deleted). Returns how many."""
        with self._lock:
            if self._file is None:
                return 0
            events = self.pending()
            keep = [e for e in events if e.actor != actor]
            if len(keep) == len(events):
                return 0
            self._truncate()
            self.append(keep)
            return len(events) - len(keep)

    def close(self, *, remove_if_empty: bool = True) -> None:
        """Let go of the file (and its lock); delete it if nothing is waiting."""
        with self._lock:
            if self._file is None:
                return
            empty = os.fstat(self._file.fileno()).st_size == 0
            if empty and remove_if_empty:
                self.path.unlink(missing_ok=True)
            self._file.close()
            self._file = None


def adopt_orphans(
    directory: Path, store: Any, *, actor_to_forget: str | None = None, tag: str | None = None
) -> tuple[int, int]:
    """Write the queue files of stopped kernels in ``directory`` that were meant for ``store`` to it, and delete them.

    A file whose kernel still runs is locked and left alone; so is a file meant for another database (``tag``, by
    default :func:`store_tag` of ``store``). With ``actor_to_forget``, that learner's events are dropped
    instead of written (they asked to have everything deleted). Returns (events written, files taken over). A store
    failure leaves the file for next time and is raised.
    """
    written = files = 0
    if not directory.is_dir():
        return 0, 0
    tag = tag or store_tag(store)
    for path in sorted(directory.glob(f"{tag}-*{SUFFIX}")):
        try:
            fileobj = open(path, "r+", encoding="utf-8")  # noqa: SIM115
        except FileNotFoundError:
            continue  # taken over by someone else a moment ago
        with fileobj:
            try:
                fcntl.flock(fileobj, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # its kernel is alive
            if os.fstat(fileobj.fileno()).st_nlink == 0:
                continue  # deleted by whoever held it before us
            events = [e for e in _read_events(fileobj, path) if e.actor != actor_to_forget]
            if events:
                written += int(store.add_events(events))
            path.unlink(missing_ok=True)
            files += 1
    return written, files


def pending_in(directory: Path) -> int:
    """How many events wait in all queue files in ``directory`` (for ``trygge db status``)."""
    if not directory.is_dir():
        return 0
    total = 0
    for path in directory.glob(f"*{SUFFIX}"):
        try:
            with open(path, encoding="utf-8") as fileobj:
                total += len(_read_events(fileobj, path))
        except FileNotFoundError:
            continue
    return total
