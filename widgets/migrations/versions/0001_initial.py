"""The first schema: events (one row per xAPI-shaped event, unique event id) and private learner state.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "events",
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
    op.create_table(
        "learner_state",
        sa.Column("actor", sa.String(16), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("value", sa.JSON, nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("learner_state")
    op.drop_table("events")
