"""The results store: events and private learner state, through SQLAlchemy.

SQLite (a local file, WAL mode) is the embedded default, so many learner kernels can write at once; any SQLAlchemy URL
(e.g. PostgreSQL) can be given instead with ``TRYGGE_DB_URL``. The store knows nothing about widgets.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.exc import IntegrityError, OperationalError

from .events import Event

metadata = sa.MetaData()

events_table = sa.Table(
    "events",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.String(36), nullable=False, unique=True),
    sa.Column("actor", sa.String(16), nullable=False, index=True),
    sa.Column("verb", sa.String(16), nullable=False, index=True),
    sa.Column("object_id", sa.String(200), nullable=False, index=True),
    sa.Column("object_type", sa.String(40), nullable=False),
    sa.Column("theme", sa.String(40), nullable=False, index=True),
    sa.Column("result", sa.JSON, nullable=False),
    sa.Column("context", sa.JSON, nullable=False),
    sa.Column("timestamp", sa.DateTime(timezone=True), nullable=False),
)

learner_state_table = sa.Table(
    "learner_state",
    metadata,
    sa.Column("actor", sa.String(16), primary_key=True),
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("value", sa.JSON, nullable=False),
    sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
)


def default_db_url() -> str:
    """``TRYGGE_DB_URL`` if set, else a SQLite file ``results.sqlite`` in the course directory's ``var/`` folder."""
    url = os.environ.get("TRYGGE_DB_URL")
    if url:
        return url
    from .content import course_dir

    var = course_dir() / "var"
    var.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{var / 'results.sqlite'}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


class Store:
    """Events and learner state in one database.

    Parameters
    ----------
    url:
        A SQLAlchemy URL; defaults to :func:`default_db_url`.
    """

    #: How often a write is retried when the database is busy (SQLite lock) before giving up.
    RETRIES = 8

    def __init__(self, url: str | None = None) -> None:
        self.url = url or default_db_url()
        if self.url.startswith("sqlite:///"):
            Path(self.url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.engine = sa.create_engine(self.url, pool_pre_ping=True)
        if self.engine.dialect.name == "sqlite":
            sa_event.listen(self.engine, "connect", _sqlite_pragmas)
        self._retry(lambda: metadata.create_all(self.engine))

    def _retry(self, fn: Any) -> Any:
        delay = 0.02
        for attempt in range(self.RETRIES):
            try:
                return fn()
            except OperationalError:
                if attempt == self.RETRIES - 1:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 1.0)
        return None  # pragma: no cover

    # -- events ---------------------------------------------------------------------------------------------------
    def add_events(self, events: Iterable[Event]) -> int:
        """Store events; an event whose id is already stored is skipped (so a retry never duplicates).

        Returns how many were newly stored.
        """
        rows = [
            {
                "event_id": e.id,
                "actor": e.actor,
                "verb": e.verb,
                "object_id": e.object_id,
                "object_type": e.object_type,
                "theme": e.theme,
                "result": e.result,
                "context": e.context,
                "timestamp": e.timestamp,
            }
            for e in events
        ]
        if not rows:
            return 0

        def write() -> int:
            stored = 0
            with self.engine.begin() as conn:
                known = set(
                    conn.execute(
                        sa.select(events_table.c.event_id).where(
                            events_table.c.event_id.in_([r["event_id"] for r in rows])
                        )
                    ).scalars()
                )
                new = [r for r in rows if r["event_id"] not in known]
                if new:
                    conn.execute(events_table.insert(), new)
                    stored = len(new)
            return stored

        try:
            return int(self._retry(write))
        except IntegrityError:
            # Another writer stored one of them between our check and insert: store one by one.
            return sum(self.add_events([e]) for e in events)

    def events(self, *, actor: str | None = None, verb: str | None = None) -> list[dict[str, Any]]:
        """Stored events as dicts, oldest first (optionally for one actor and/or verb)."""
        query = sa.select(events_table).order_by(events_table.c.seq)
        if actor:
            query = query.where(events_table.c.actor == actor)
        if verb:
            query = query.where(events_table.c.verb == verb)
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def iter_events(self, batch: int = 10_000) -> Iterator[dict[str, Any]]:
        """Every stored event in order, fetched in batches (for exports)."""
        last = 0
        while True:
            query = (
                sa.select(events_table).where(events_table.c.seq > last).order_by(events_table.c.seq).limit(batch)
            )
            with self.engine.connect() as conn:
                rows = [dict(r._mapping) for r in conn.execute(query)]
            if not rows:
                return
            yield from rows
            last = rows[-1]["seq"]

    # -- learner state --------------------------------------------------------------------------------------------
    def get_state(self, actor: str, key: str, default: Any = None) -> Any:
        """A learner's private value for ``key``, or ``default``."""
        query = sa.select(learner_state_table.c.value).where(
            learner_state_table.c.actor == actor, learner_state_table.c.key == key
        )
        with self.engine.connect() as conn:
            value = conn.execute(query).scalar_one_or_none()
        return default if value is None else value

    def state_with_prefix(self, actor: str, prefix: str) -> dict[str, Any]:
        """All of a learner's values whose key starts with ``prefix``."""
        query = sa.select(learner_state_table.c.key, learner_state_table.c.value).where(
            learner_state_table.c.actor == actor, learner_state_table.c.key.startswith(prefix, autoescape=True)
        )
        with self.engine.connect() as conn:
            return {k: v for k, v in conn.execute(query)}

    def set_state(self, actor: str, key: str, value: Any) -> None:
        """Set a learner's private value (JSON-serialisable) for ``key``."""
        json.dumps(value)  # fail early, with the caller on the stack, if it cannot be stored
        now = dt.datetime.now(dt.UTC)

        def write() -> None:
            with self.engine.begin() as conn:
                where = (learner_state_table.c.actor == actor) & (learner_state_table.c.key == key)
                updated = conn.execute(
                    learner_state_table.update().where(where).values(value=value, updated=now)
                ).rowcount
                if not updated:
                    try:
                        with conn.begin_nested():
                            conn.execute(
                                learner_state_table.insert().values(actor=actor, key=key, value=value, updated=now)
                            )
                    except IntegrityError:
                        conn.execute(learner_state_table.update().where(where).values(value=value, updated=now))

        self._retry(write)

    def delete_learner(self, actor: str) -> int:
        """Delete everything stored under a pseudonym (events and state). Returns the number of rows removed."""

        def delete() -> int:
            with self.engine.begin() as conn:
                n = conn.execute(events_table.delete().where(events_table.c.actor == actor)).rowcount
                n += conn.execute(learner_state_table.delete().where(learner_state_table.c.actor == actor)).rowcount
            return n

        return int(self._retry(delete))

    def dispose(self) -> None:
        """Close the connection pool."""
        self.engine.dispose()
