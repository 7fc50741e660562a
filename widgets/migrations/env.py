"""Alembic's entry point for the results store's migrations.

The store (``widgets.migrations.upgrade``) hands over an open connection in ``config.attributes["connection"]``; there is
no alembic.ini and no URL here, so the same migrations run for SQLite and PostgreSQL, from a kernel or from
``trygge db upgrade``.
"""

from __future__ import annotations

from alembic import context

from widgets.migrations import VERSION_TABLE
from widgets.store import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached when someone runs the alembic command line by hand
    raise RuntimeError("Run the migrations through `trygge db upgrade` (widgets.migrations.upgrade).")

context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table=VERSION_TABLE,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
)
with context.begin_transaction():
    context.run_migrations()
