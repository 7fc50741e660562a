"""The results store: events and private learner state, through SQLAlchemy.

SQLite (a local file, WAL mode) is the embedded default, so many learner kernels can write at once; PostgreSQL (or any
SQLAlchemy URL) can be given instead with ``TRYGGE_DB_URL``, e.g. ``postgresql://user:password@host/trygge``. Opening
a store brings its schema up to date (Alembic migrations in :mod:`widgets.migrations`). The store knows nothing about
widgets; when it cannot be reached, the session keeps events in a local queue (:mod:`widgets.queue`).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from .events import Event
from .rows import RESULT_COLUMNS, default_db_url, event_row, normalise_url, result_columns  # noqa: F401 (re-exported)


class StoreUnavailable(RuntimeError):
    """The database could not be opened or reached (wrong URL, server down, missing driver)."""

metadata = sa.MetaData()

events_table = sa.Table(
    "events",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.String(36), nullable=False, unique=True),
    sa.Column("actor", sa.String(16), nullable=False, index=True),
    sa.Column("verb", sa.String(16), nullable=False),
    sa.Column("object_id", sa.String(200), nullable=False, index=True),
    sa.Column("object_type", sa.String(40), nullable=False),
    sa.Column("theme", sa.String(40), nullable=False, index=True),
    sa.Column("result", sa.JSON, nullable=False),
    sa.Column("context", sa.JSON, nullable=False),
    sa.Column("timestamp", sa.DateTime(timezone=True), nullable=False),
    # A copy of context.org (migration 0002): analysts group and suppress by organisation without parsing JSON.
    sa.Column("org", sa.String(64), nullable=True, index=True),
    # Typed copies of the result fields the analyses read (migration 0003; see result_columns). The JSON stays the
    # record; these let the database answer the analyst queries from one index, without reading the wide rows.
    sa.Column("success", sa.Boolean, nullable=True),
    sa.Column("first_attempt", sa.Boolean, nullable=True),
    sa.Column("response", sa.String(64), nullable=True),
    sa.Column("phase", sa.String(8), nullable=True),
    sa.Column("score", sa.Float, nullable=True),
    sa.Column("reflection_to_question", sa.Float, nullable=True),
    sa.Column("open_question_share", sa.Float, nullable=True),
    sa.Column("suicide_questions", sa.Integer, nullable=True),
)
#: Everything the analyst queries read, in one index (it starts with verb, so it also serves lookups by verb).
ANALYTICS_INDEX = ["verb", "object_type", "object_id", "actor", "org", *RESULT_COLUMNS]
sa.Index("ix_events_analytics", *(events_table.c[name] for name in ANALYTICS_INDEX))

learner_state_table = sa.Table(
    "learner_state",
    metadata,
    sa.Column("actor", sa.String(16), primary_key=True),
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("value", sa.JSON, nullable=False),
    sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
)


def _is_busy(exc: BaseException) -> bool:
    """A lock or serialisation conflict another try will get past (not a server that is down)."""
    text = str(getattr(exc, "orig", exc)).lower()
    return any(word in text for word in ("locked", "busy", "deadlock", "could not serialize"))


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

    def __init__(self, url: str | None = None, *, migrate: bool = True) -> None:
        self.url = normalise_url(url or default_db_url())
        if self.url.startswith("sqlite:///"):
            Path(self.url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        options: dict[str, Any] = {"pool_pre_ping": True}
        if self.url.startswith("postgresql"):
            # One kernel per learner page: keep each kernel's share of the server's connections small, and give up
            # quickly on a server that does not answer (the session queues the events instead).
            options.update(pool_size=2, max_overflow=4, pool_recycle=1800, connect_args={"connect_timeout": 5})
        try:
            self.engine = sa.create_engine(self.url, **options)
        except (ImportError, SQLAlchemyError, ValueError) as exc:
            raise StoreUnavailable(f"Kan ikke bruke databaseadressen {self._safe(self.url)}: {exc}") from exc
        if self.engine.dialect.name == "sqlite":
            sa_event.listen(self.engine, "connect", _sqlite_pragmas)
        if migrate:
            from . import migrations

            try:
                self._retry(lambda: migrations.upgrade(self.engine))
            except OperationalError as exc:
                self.engine.dispose()
                raise StoreUnavailable(
                    f"Får ikke kontakt med databasen {self.display_url}: {str(exc.orig).strip().splitlines()[0]}"
                ) from exc

    @staticmethod
    def _safe(url: str) -> str:
        try:
            return sa.engine.make_url(url).render_as_string(hide_password=True)
        except Exception:  # an unparsable URL: show only its scheme
            return url.split(":", 1)[0] + ":…"

    @property
    def display_url(self) -> str:
        """The database URL with any password hidden (for messages)."""
        return self.engine.url.render_as_string(hide_password=True)

    def _retry(self, fn: Any) -> Any:
        """Run ``fn``, trying again with back-off while the database is busy (a SQLite lock); other errors raise."""
        delay = 0.02
        for attempt in range(self.RETRIES):
            try:
                return fn()
            except OperationalError as exc:
                if attempt == self.RETRIES - 1 or not _is_busy(exc):
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 1.0)
        return None  # pragma: no cover

    def revision(self) -> str | None:
        """The schema revision the database is at (see :mod:`widgets.migrations`)."""
        from . import migrations

        with self.engine.connect() as conn:
            return migrations.current(conn)

    # -- events ---------------------------------------------------------------------------------------------------
    def add_events(self, events: Iterable[Event]) -> int:
        """Store events; an event whose id is already stored is skipped (so a retry never duplicates).

        Returns how many were newly stored.
        """
        events = list(events)
        rows = [event_row(e) for e in events]
        if not rows:
            return 0
        dialect = self.engine.dialect.name
        if dialect in ("sqlite", "postgresql"):
            # INSERT … ON CONFLICT (event_id) DO NOTHING RETURNING event_id: one round trip, and safe when another
            # writer stores the same event at the same moment.
            if dialect == "sqlite":
                from sqlalchemy.dialects.sqlite import insert
            else:
                from sqlalchemy.dialects.postgresql import insert
            stmt = (
                insert(events_table)
                .on_conflict_do_nothing(index_elements=["event_id"])
                .returning(events_table.c.event_id)
            )

            def write_new() -> int:
                with self.engine.begin() as conn:
                    return len(conn.execute(stmt, rows).all())

            return int(self._retry(write_new))

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

    def iter_events(self, batch: int = 10_000, *, orgs: Iterable[str | None] | None = None) -> Iterator[dict[str, Any]]:
        """Every stored event in order, fetched in batches (for exports); only those of ``orgs`` if given."""
        last = 0
        only = None if orgs is None else list(orgs)
        while True:
            query = (
                sa.select(events_table).where(events_table.c.seq > last).order_by(events_table.c.seq).limit(batch)
            )
            if only is not None:
                named = [o for o in only if o is not None]
                cond = events_table.c.org.in_(named)
                if None in only:
                    cond = cond | events_table.c.org.is_(None)
                query = query.where(cond)
            with self.engine.connect() as conn:
                rows = [dict(r._mapping) for r in conn.execute(query)]
            if not rows:
                return
            yield from rows
            last = rows[-1]["seq"]

    def count_events(self, *, orgs: Iterable[str | None] | None = None) -> int:
        """How many events are stored (only those of ``orgs`` if given)."""
        query = sa.select(sa.func.count()).select_from(events_table)
        if orgs is not None:
            only = list(orgs)
            cond = events_table.c.org.in_([o for o in only if o is not None])
            if None in only:
                cond = cond | events_table.c.org.is_(None)
            query = query.where(cond)
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def learners_per_org(self) -> dict[str | None, int]:
        """How many different learners (pseudonyms) each organisation has events from."""
        query = sa.select(events_table.c.org, sa.func.count(sa.distinct(events_table.c.actor))).group_by(
            events_table.c.org
        )
        with self.engine.connect() as conn:
            return {org: int(n) for org, n in conn.execute(query)}

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

    def all_state(self, actor: str) -> dict[str, Any]:
        """Every private value stored under a pseudonym (what «Mine data» shows the learner)."""
        return self.state_with_prefix(actor, "")

    def dispose(self) -> None:
        """Close the connection pool."""
        self.engine.dispose()
