"""Typed copies of the result fields the analyses read, and one index that holds everything they read.

The analyst queries used to pull ``success``, ``score.raw``, ``response``, ``first_attempt``, ``phase``,
``reflection_to_question``, ``open_question_share`` and ``counts.suicide_question`` out of every event's JSON, row by
row. From this revision the store writes them into plain columns as well (``widgets.store.result_columns``; the JSON
stays the record), and ``ix_events_analytics`` (verb, object type, object id, actor, organisation and those columns)
lets the database answer the analyst queries from the index alone, without reading the wide rows. It replaces the
index on ``verb`` alone, which it starts with.

Events stored before this revision are filled in here, in batches, by the same function the store writes with (so a
field of the wrong type is left empty, as it would be when written today), on SQLite, PostgreSQL or any other
database. Only ``answered``, ``rated`` and ``completed`` events have values to fill. ``response`` is only ever the
letters of a quiz answer; the free text of a shared reflection is never copied.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

#: The new columns (as in widgets/store.py): name and type, all nullable.
COLUMNS = [
    ("success", sa.Boolean()),
    ("first_attempt", sa.Boolean()),
    ("response", sa.String(64)),
    ("phase", sa.String(8)),
    ("score", sa.Float()),
    ("reflection_to_question", sa.Float()),
    ("open_question_share", sa.Float()),
    ("suicide_questions", sa.Integer()),
]
INDEX = ["verb", "object_type", "object_id", "actor", "org", *(name for name, _ in COLUMNS)]
#: Events read and written back per round trip while filling the columns.
BATCH = 5000


def _fill(connection: sa.Connection) -> int:
    """Fill the new columns of every stored event that has values for them; return how many were filled."""
    from widgets.store import result_columns

    events = sa.table(
        "events",
        sa.column("seq", sa.Integer),
        sa.column("verb", sa.String),
        sa.column("object_type", sa.String),
        sa.column("result", sa.JSON),
        *(sa.column(name, type_) for name, type_ in COLUMNS),
    )
    update = (
        events.update()
        .where(events.c.seq == sa.bindparam("_seq"))
        .values({name: sa.bindparam(name, type_=type_) for name, type_ in COLUMNS})
    )
    last, filled = 0, 0
    while True:
        rows = connection.execute(
            sa.select(events.c.seq, events.c.verb, events.c.object_type, events.c.result)
            .where(events.c.verb.in_(["answered", "rated", "completed"]) & (events.c.seq > last))
            .order_by(events.c.seq)
            .limit(BATCH)
        ).all()
        if not rows:
            return filled
        params = []
        for seq, verb, object_type, result in rows:
            values = result_columns(verb, object_type, result)
            if any(v is not None for v in values.values()):
                params.append({"_seq": seq, **values})
        if params:
            connection.execute(update, params)
            filled += len(params)
        last = rows[-1][0]


def upgrade() -> None:
    # A database made before migrations existed may lack the index on verb (its tables were made by hand or by an
    # older create_all).
    has_verb_index = any(
        i["name"] == "ix_events_verb" for i in sa.inspect(op.get_bind()).get_indexes("events")
    )
    with op.batch_alter_table("events") as batch:
        for name, type_ in COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))
        if has_verb_index:
            batch.drop_index("ix_events_verb")
    _fill(op.get_bind())
    # Made after filling: building an index once is quicker than keeping it up to date row by row.
    op.create_index("ix_events_analytics", "events", INDEX)


def downgrade() -> None:
    op.drop_index("ix_events_analytics", table_name="events")
    with op.batch_alter_table("events") as batch:
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
    op.create_index("ix_events_verb", "events", ["verb"])
