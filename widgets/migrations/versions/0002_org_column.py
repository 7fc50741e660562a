"""The organisation as a column of its own (copied from context.org), so analysts can group and suppress by it
without reading every event's JSON.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("org", sa.String(64), nullable=True))
        batch.create_index("ix_events_org", ["org"])
    # Fill it for events stored before this revision (the same JSON path reads on SQLite and PostgreSQL).
    events = sa.table("events", sa.column("org", sa.String), sa.column("context", sa.JSON))
    op.execute(events.update().values(org=events.c.context["org"].as_string()))


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_index("ix_events_org")
        batch.drop_column("org")
