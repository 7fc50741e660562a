"""The learner kernel's light SQLite store (widgets/store_sqlite.py) against the full SQLAlchemy store.

What a learner would notice if the two differed: answers missing from «Mine data», progress not found on the next
visit, events counted twice by the analysts, or a kernel that needs 10 MB more than it should.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from widgets.events import Event
from widgets.store import Store
from widgets.store_sqlite import SchemaNotCurrent, SqliteStore, open_store


def _events() -> list[Event]:
    """Events of every shape the widgets emit (typed result columns filled or left empty)."""
    ctx = {"course": "trygge-samtaler", "org": "org-a", "channel": "web"}
    return [
        Event("ABCD-EFGH", "launched", "samtalen", "theme", {}, ctx),
        Event("ABCD-EFGH", "answered", "samtalen/quiz/q1", "quiz-item",
              {"success": False, "first_attempt": True, "response": ["b", "c"], "score": {"raw": 0}}, ctx),
        Event("ABCD-EFGH", "rated", "samtalen/confidence/s1", "confidence",
              {"phase": "before", "score": {"raw": 3, "min": 1, "max": 7}}, ctx),
        Event("ABCD-EFGH", "completed", "samtalen/scenario/linn", "scenario",
              {"success": True, "reflection_to_question": 1.5, "open_question_share": 0.6,
               "counts": {"suicide_question": 1}}, ctx),
        Event("ZZZZ-ZZZZ", "responded", "samtalen/reflection/r1", "reflection",
              {"response": "Teksten min – med æøå og \"anførsel\""}, {"course": "trygge-samtaler"}),
    ]


@pytest.fixture
def url(tmp_path: Path) -> str:
    u = f"sqlite:///{tmp_path / 'results.sqlite'}"
    Store(u).dispose()  # a current schema, as `trygge serve` leaves it
    return u


@pytest.fixture(params=["sqlalchemy", "sqlite3"])
def kernel_store(request: pytest.FixtureRequest, url: str) -> Iterator[object]:
    store = Store(url) if request.param == "sqlalchemy" else SqliteStore(url)
    yield store
    store.dispose()


def _rows(url: str, table: str, order: str) -> list[tuple]:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        return conn.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall()


def test_both_stores_write_the_same_rows(tmp_path: Path) -> None:
    events = _events()
    urls = {}
    for kind, cls in (("full", Store), ("light", SqliteStore)):
        urls[kind] = f"sqlite:///{tmp_path / f'{kind}.sqlite'}"
        Store(urls[kind]).dispose()
        store = cls(urls[kind])
        assert store.add_events(events) == len(events)
        store.set_state("ABCD-EFGH", "progress/samtalen", ["quiz", "film"])
        store.set_state("ABCD-EFGH", "progress/samtalen", ["quiz", "film", "simulering"])
        store.set_state("ABCD-EFGH", "reflection/samtalen/r1", {"text": "æøå", "shared": False})
        store.dispose()
    assert _rows(urls["full"], "events", "seq") == _rows(urls["light"], "events", "seq")
    # learner_state: actor, key and value alike; not the time each was written
    assert [r[:3] for r in _rows(urls["full"], "learner_state", "key")] == [
        r[:3] for r in _rows(urls["light"], "learner_state", "key")]
    # And each reads what the other wrote, the same way.
    full, light = Store(urls["light"]), SqliteStore(urls["full"])
    try:
        assert full.events() == light.events()
        assert full.all_state("ABCD-EFGH") == light.all_state("ABCD-EFGH")
        assert isinstance(light.events()[0]["timestamp"], dt.datetime)
    finally:
        full.dispose()
        light.dispose()


def test_an_event_is_stored_once_whatever_the_store(kernel_store) -> None:
    e = _events()[1]
    assert kernel_store.add_events([e]) == 1
    assert kernel_store.add_events([e, _events()[2]]) == 1
    assert kernel_store.add_events([e, e]) == 0
    assert len(kernel_store.events(actor="ABCD-EFGH")) == 2


def test_state_round_trip_prefixes_and_delete(kernel_store) -> None:
    s = kernel_store
    s.set_state("ABCD-EFGH", "a_b", 1)
    s.set_state("ABCD-EFGH", "axb", 2)
    s.set_state("ABCD-EFGH", "100%/x", 3)
    assert s.state_with_prefix("ABCD-EFGH", "a_") == {"a_b": 1}
    assert s.state_with_prefix("ABCD-EFGH", "100%") == {"100%/x": 3}
    assert s.get_state("ABCD-EFGH", "missing", []) == []
    s.add_events(_events())
    assert s.delete_learner("ABCD-EFGH") == 4 + 3
    assert [r["actor"] for r in s.events()] == ["ZZZZ-ZZZZ"]
    assert s.all_state("ABCD-EFGH") == {}


def test_open_store_takes_the_light_path_only_for_a_current_sqlite_file(tmp_path: Path, url: str) -> None:
    light = open_store(url)
    assert isinstance(light, SqliteStore)
    light.dispose()
    new = f"sqlite:///{tmp_path / 'new.sqlite'}"
    full = open_store(new)  # a new file: the full store makes the schema
    assert isinstance(full, Store) and Path(new.removeprefix("sqlite:///")).is_file()
    full.dispose()
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:  # an older schema: the full store migrates it
        conn.execute("UPDATE trygge_schema_version SET version_num = '0001'")
    with pytest.raises(SchemaNotCurrent, match="revision 0001"):
        SqliteStore(url)
    with pytest.raises(SchemaNotCurrent):
        SqliteStore("sqlite:///:memory:")


def _light_writer(url: str, index: int, count: int) -> None:
    s = open_store(url)
    assert isinstance(s, SqliteStore)
    for n in range(count):
        s.add_events([Event(f"AAAA-{index:04d}", "answered", f"samtalen/quiz/q{n}", "quiz-item")])
    s.dispose()


def test_many_kernels_writing_through_the_light_store_lose_nothing(url: str) -> None:
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_light_writer, args=(url, i, 80)) for i in range(6)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(240)
        assert p.exitcode == 0
    rows = _rows(url, "events", "seq")
    assert len(rows) == 6 * 80 and len({r[1] for r in rows}) == 6 * 80


def test_a_learner_kernel_writes_without_importing_sqlalchemy(url: str) -> None:
    probe = (
        "import sys; from widgets.session import Session; "
        "s = Session(); s.set_learner('ABCD-EFGH'); s.emit('launched', 'samtalen', 'theme'); "
        "s.set_state('progress/samtalen', ['quiz']); print(s.get_state('progress/samtalen')); "
        "print(sorted(m for m in ('sqlalchemy', 'alembic', 'numpy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                         env={**__import__("os").environ, "TRYGGE_DB_URL": url})
    assert out.stdout.splitlines() == ["['quiz']", "[]"], out.stderr
    assert [r[2] for r in _rows(url, "events", "seq")] == ["ABCD-EFGH"]


def test_queue_files_name_a_sqlite_database_as_before(tmp_path: Path) -> None:
    """Queue files left by older kernels must still be found: the tag of a SQLite URL is unchanged."""
    import hashlib

    import sqlalchemy as sa

    from widgets.queue import store_tag

    url = f"sqlite:///{tmp_path / 'results.sqlite'}"
    rendered = sa.engine.make_url(url).render_as_string(hide_password=True)
    assert store_tag(url) == hashlib.sha1(rendered.encode()).hexdigest()[:8]
    assert store_tag("postgresql://u:secret@db/x") == store_tag("postgresql://u:other@db/x")
