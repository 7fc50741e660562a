"""Schema migrations for the results store (Alembic), shipped inside the package.

A :class:`widgets.store.Store` calls :func:`upgrade` when it opens a database, so a new course version brings its
schema with it; ``trygge db upgrade`` does the same by hand (e.g. before starting the server). Migrations live in
``versions/`` as ordinary Alembic revision files; the revision table is ``trygge_schema_version`` so the store can
share a PostgreSQL database with other Alembic-managed applications.

Many kernels may open the same database at once. Only one migrates at a time: a lock file beside a SQLite database,
an advisory lock on PostgreSQL; the others wait, then find the schema up to date.

    trygge db upgrade [--db-url URL]     bring the schema to the newest revision
    trygge db status  [--db-url URL]     show the database's revision, the newest one, and queued events
    trygge db drain   [--db-url URL]     write events waiting in var/queue/ (left by stopped kernels) to the store
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import logging
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

log = logging.getLogger("trygge")

#: The table Alembic keeps the schema revision in.
VERSION_TABLE = "trygge_schema_version"
#: The revision every database made before migrations existed already has (its tables came from create_all).
BASELINE = "0001"
#: Key of the PostgreSQL advisory lock held while migrating (any fixed 64-bit number; this one spells «trygge»).
PG_LOCK_KEY = 0x747279676765

HERE = Path(__file__).resolve().parent


def _config(connection: Any = None) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.attributes["connection"] = connection
    return cfg


_REVISION = re.compile(r"^(down_revision|revision)\s*(?::[^=]*)?=\s*(None|['\"]([^'\"]+)['\"])\s*$", re.MULTILINE)


@functools.cache
def head() -> str:
    """The newest revision shipped with this version of the package.

    Read from the revision files' ``revision`` / ``down_revision`` lines rather than through Alembic: every learner
    kernel asks this when it opens the store, and importing Alembic (and Mako) for it would cost each kernel about
    10 MB. A test checks the answer against Alembic's own.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in sorted((HERE / "versions").glob("*.py")):
        found = {m.group(1): m.group(3) for m in _REVISION.finditer(path.read_text(encoding="utf-8"))}
        if found.get("revision"):
            revisions.add(found["revision"])
            if found.get("down_revision"):
                parents.add(found["down_revision"])
    heads = sorted(revisions - parents)
    if len(heads) != 1:  # pragma: no cover - a packaging mistake, caught by the tests
        raise RuntimeError(f"The migrations have {len(heads)} heads; merge them: {heads}")
    return heads[0]


def current(connection: Any) -> str | None:
    """The revision the database is at, or ``None`` if it has never been migrated."""
    import sqlalchemy as sa

    inspector = sa.inspect(connection)
    if not inspector.has_table(VERSION_TABLE):
        return None
    return connection.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar_one_or_none()


@contextlib.contextmanager
def _migration_lock(engine: Any) -> Iterator[Any]:
    """A connection to migrate with, held under a lock no other process can take at the same time."""
    import sqlalchemy as sa

    if engine.dialect.name == "sqlite":
        database = engine.url.database
        lock_file = None
        if database and database != ":memory:" and not database.startswith("file::memory:"):
            import fcntl

            lock_file = open(f"{database}.migrate-lock", "a")  # noqa: SIM115 - held until the block ends
            fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            with engine.connect() as connection:
                yield connection
        finally:
            if lock_file is not None:
                lock_file.close()  # closing releases the lock
    elif engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": PG_LOCK_KEY})
            connection.commit()
            try:
                yield connection
            finally:
                connection.rollback()
                connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": PG_LOCK_KEY})
                connection.commit()
    else:
        with engine.connect() as connection:
            yield connection


def upgrade(engine: Any, revision: str = "head") -> str:
    """Bring the database behind ``engine`` to ``revision`` (the newest by default); return the revision it is at.

    A database whose tables were made before migrations existed is recognised (it has ``events`` but no revision
    table) and marked as the baseline revision first, so its rows are kept.
    """
    import sqlalchemy as sa

    if revision == "head":
        with engine.connect() as connection:
            if current(connection) == head():
                return head()  # the common case: nothing to do, no lock needed (and no Alembic import)
    from alembic import command

    with _migration_lock(engine) as connection:
        before = current(connection)
        if before is None and sa.inspect(connection).has_table("events"):
            log.info("results store made before migrations: marking it as revision %s", BASELINE)
            command.stamp(_config(connection), BASELINE)
            connection.commit()
        command.upgrade(_config(connection), revision)
        connection.commit()
        after = current(connection)
    if after != before:
        log.info("results store migrated from %s to %s", before, after)
    return str(after)


def downgrade(engine: Any, revision: str) -> str | None:
    """Take the schema back to ``revision`` (``base`` removes every table). For tests and emergencies."""
    from alembic import command

    with _migration_lock(engine) as connection:
        command.downgrade(_config(connection), revision)
        connection.commit()
        return current(connection)


# -- trygge db ---------------------------------------------------------------------------------------------------------


def _open_store(args: argparse.Namespace) -> Any:
    from ..store import Store, StoreUnavailable

    try:
        return Store(args.db_url)
    except StoreUnavailable as exc:
        raise SystemExit(f"trygge db: {exc}") from None


def cmd_db(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    store = _open_store(args)  # opening migrates, so «upgrade» is opening
    try:
        return _db_action(args, store)
    except SQLAlchemyError as exc:  # e.g. a file another process keeps locked: say so, keep what is queued
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        print(f"trygge db {args.action}: databasen {store.display_url} svarte ikke ({reason}). Ingenting er tapt: "
              "hendelser som venter i køen, blir liggende til neste forsøk.", file=sys.stderr)
        return 1
    finally:
        store.dispose()


def _db_action(args: argparse.Namespace, store: Any) -> int:
    from ..queue import pending_in, queue_dir

    if args.action == "upgrade":
        print(f"Databasen {store.display_url} er på nyeste versjon av skjemaet ({store.revision()}).")
    elif args.action == "status":
        revision = store.revision()
        print(f"Database: {store.display_url}")
        print(f"Skjemaversjon: {revision} (nyeste: {head()})")
        print(f"Hendelser lagret: {store.count_events()}")
        print(f"Hendelser i kø i {queue_dir()}: {pending_in(queue_dir())}")
    elif args.action == "drain":
        from ..queue import adopt_orphans

        written, files = adopt_orphans(queue_dir(), store)
        print(
            f"Skrev {written} hendelser fra {files} køfil{'er' if files != 1 else ''} i {queue_dir()} til databasen."
        )
    return 0


def add_parser(sub: Any) -> None:
    """Register ``trygge db`` on the ``trygge`` command line."""
    db = sub.add_parser(
        "db", help="resultatdatabasen: oppgrader skjemaet, vis status, skriv hendelser som venter i kø"
    )
    db.add_argument(
        "action",
        choices=["upgrade", "status", "drain"],
        help="upgrade: nyeste skjema; status: versjon og antall; drain: skriv køen til databasen",
    )
    db.add_argument(
        "--db-url", help="database (standard: TRYGGE_DB_URL, ellers SQLite-fil i <kursmappe>/var/)"
    )
    db.set_defaults(func=cmd_db)
