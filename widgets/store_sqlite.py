"""The learner kernel's results store on SQLite, with the standard library's ``sqlite3`` only.

Every open learner page has a Python kernel, and each kernel writes its learner's events and private state. With
SQLAlchemy (and its ORM machinery) imported only for that, each kernel cost about 10 MB more; on a server with 100
learners that is a gigabyte. So a kernel whose database is SQLite (the default) opens it through :class:`SqliteStore`,
which does exactly what the kernel needs — add events, read and write private state, show and delete a learner's
data — with the same tables, the same rows and the same guarantees as :class:`widgets.store.Store` (an event id is
stored once; WAL; waits on a busy database). Anything else (PostgreSQL, a database whose schema is not the newest,
analyst work, exports) goes through :class:`widgets.store.Store`, which migrates the schema on open.

:func:`open_store` chooses. A test writes the same events and state through both classes and compares the rows.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .events import Event
from .rows import default_db_url, event_row, normalise_url

class SchemaNotCurrent(RuntimeError):
    """The SQLite file is missing or its schema is not the newest: open it with :class:`widgets.store.Store`."""


def _sqlite_path(url: str) -> str | None:
    """The file behind a ``sqlite:///…`` URL, or ``None`` for any other URL (in-memory, other databases, options)."""
    if not url.startswith("sqlite:///") or "?" in url:
        return None
    path = url.removeprefix("sqlite:///")
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    return path


def _json(value: Any) -> Any:
    """A JSON column's value. The column has numeric affinity in SQLite, so a stored number comes back as a number
    (SQLAlchemy's SQLite JSON type reads it the same way)."""
    if isinstance(value, (int, float)):
        return value
    return json.loads(value)


def _timestamp(value: dt.datetime) -> str:
    """A timestamp as SQLAlchemy's SQLite ``DateTime`` writes it (the store reads both back the same way)."""
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


class SqliteStore:
    """Events and learner state in a SQLite file whose schema is current (see the module's docstring).

    Raises :class:`SchemaNotCurrent` when the file does not exist or its schema revision is not the newest one
    shipped with the package.
    """

    #: How long one write waits for another writer's lock (seconds). A WAL write holds the lock for milliseconds, so
    #: a lock that lasts longer is something else (a backup, a stuck process, `sqlite3` open on the file): the learner's
    #: click must not wait for it. After the tries below the session puts the events in its durable queue instead,
    #: and writes them later, in order (the server-side store waits 10 s × 8).
    BUSY_TIMEOUT = 1.5
    #: Tries in all, with back-off, before the write fails (and the session queues the events).
    RETRIES = 2

    def __init__(self, url: str | None = None) -> None:
        self.url = normalise_url(url or default_db_url())
        path = _sqlite_path(self.url)
        if path is None or not Path(path).is_file():
            raise SchemaNotCurrent(f"{self.url} is not an existing SQLite file")
        self.path = path
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        from .migrations import VERSION_TABLE, head

        try:
            row = self._conn().execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchone()
        except sqlite3.DatabaseError as exc:
            self.dispose()
            raise SchemaNotCurrent(f"{self.url}: no schema revision ({exc})") from exc
        if row is None or row[0] != head():
            self.dispose()
            raise SchemaNotCurrent(f"{self.url} is at revision {row[0] if row else None}, not {head()}")

    @property
    def display_url(self) -> str:
        return self.url

    def _conn(self) -> sqlite3.Connection:
        """This thread's connection (the session's retry timer writes from another thread)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=self.BUSY_TIMEOUT, isolation_level=None,
                                   check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(f"PRAGMA busy_timeout={int(self.BUSY_TIMEOUT * 1000)}")
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    def _write(self, fn: Any) -> Any:
        """Run ``fn(conn)`` in one transaction; retry with back-off while the database stays locked."""
        delay = 0.02
        for attempt in range(self.RETRIES):
            conn = self._conn()
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    result = fn(conn)
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
                return result
            except sqlite3.OperationalError as exc:
                text = str(exc).lower()
                if attempt == self.RETRIES - 1 or not ("locked" in text or "busy" in text):
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 1.0)
        return None  # pragma: no cover

    # -- events ---------------------------------------------------------------------------------------------------
    def add_events(self, events: Iterable[Event]) -> int:
        """Store events; an event whose id is already stored is skipped. Returns how many were newly stored."""
        rows = []
        for e in events:
            row = event_row(e)  # the same columns for every event: the row the SQLAlchemy store writes too
            row.update(result=json.dumps(row["result"]), context=json.dumps(row["context"]),
                       timestamp=_timestamp(row["timestamp"]))
            rows.append(row)
        if not rows:
            return 0
        columns = list(rows[0])
        sql = (f"INSERT INTO events ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)}) "
               "ON CONFLICT (event_id) DO NOTHING")

        def write(conn: sqlite3.Connection) -> int:
            before = conn.total_changes
            conn.executemany(sql, rows)
            return conn.total_changes - before

        return int(self._write(write))

    def events(self, *, actor: str | None = None, verb: str | None = None) -> list[dict[str, Any]]:
        """Stored events as dicts, oldest first (optionally for one actor and/or verb) — as the SQLAlchemy store."""
        where, args = [], []
        if actor:
            where.append("actor = ?")
            args.append(actor)
        if verb:
            where.append("verb = ?")
            args.append(verb)
        sql = "SELECT * FROM events" + (f" WHERE {' AND '.join(where)}" if where else "") + " ORDER BY seq"
        cur = self._conn().execute(sql, args)
        names = [d[0] for d in cur.description]
        out = []
        for values in cur.fetchall():
            row = dict(zip(names, values))
            row["result"] = _json(row["result"])
            row["context"] = _json(row["context"])
            row["timestamp"] = dt.datetime.fromisoformat(row["timestamp"])
            for name in ("success", "first_attempt"):
                if row.get(name) is not None:
                    row[name] = bool(row[name])
            out.append(row)
        return out

    # -- learner state --------------------------------------------------------------------------------------------
    def get_state(self, actor: str, key: str, default: Any = None) -> Any:
        """A learner's private value for ``key``, or ``default``."""
        row = self._conn().execute(
            "SELECT value FROM learner_state WHERE actor = ? AND key = ?", (actor, key)).fetchone()
        if row is None:
            return default
        value = _json(row[0])
        return default if value is None else value

    def state_with_prefix(self, actor: str, prefix: str) -> dict[str, Any]:
        """All of a learner's values whose key starts with ``prefix``."""
        pattern = prefix.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"
        cur = self._conn().execute(
            "SELECT key, value FROM learner_state WHERE actor = ? AND key LIKE ? ESCAPE '/'", (actor, pattern))
        return {k: _json(v) for k, v in cur.fetchall()}

    def set_state(self, actor: str, key: str, value: Any) -> None:
        """Set a learner's private value (JSON-serialisable) for ``key``."""
        text = json.dumps(value)  # fails here, with the caller on the stack, if it cannot be stored
        now = _timestamp(dt.datetime.now(dt.UTC))
        self._write(lambda conn: conn.execute(
            "INSERT INTO learner_state (actor, key, value, updated) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (actor, key) DO UPDATE SET value = excluded.value, updated = excluded.updated",
            (actor, key, text, now)))

    def delete_learner(self, actor: str) -> int:
        """Delete everything stored under a pseudonym (events and state). Returns the number of rows removed."""

        def delete(conn: sqlite3.Connection) -> int:
            n = conn.execute("DELETE FROM events WHERE actor = ?", (actor,)).rowcount
            return n + conn.execute("DELETE FROM learner_state WHERE actor = ?", (actor,)).rowcount

        return int(self._write(delete))

    def all_state(self, actor: str) -> dict[str, Any]:
        """Every private value stored under a pseudonym (what «Mine data» shows the learner)."""
        return self.state_with_prefix(actor, "")

    def dispose(self) -> None:
        """Close every connection."""
        with self._lock:
            connections, self._connections = self._connections, []
        for conn in connections:
            try:
                conn.close()
            except sqlite3.Error:  # pragma: no cover
                pass
        self._local = threading.local()


def open_store(url: str | None = None) -> Any:
    """The store a learner kernel should use: :class:`SqliteStore` for a current SQLite file, else the full store.

    The full :class:`widgets.store.Store` also creates or migrates the database; once that is done (``trygge serve``
    does it before the first page is opened), later kernels take the light path.
    """
    try:
        return SqliteStore(url)
    except SchemaNotCurrent:
        from .store import Store

        return Store(url)
