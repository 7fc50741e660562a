"""The results store on SQLite and on a real PostgreSQL server: events stored once, private learner state, many
writers at once, Alembic migrations, and the analyst queries (JSON fields read by the database itself).

The PostgreSQL tests start a throw-away cluster (initdb + pg_ctl, Debian's ``postgresql`` package) in a temporary
folder on a free port on 127.0.0.1, as the ``postgres`` user when the tests run as root. They are skipped only when the
server binaries are not installed.
"""

from __future__ import annotations

import glob
import multiprocessing as mp
import os
import pwd
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from widgets import migrations
from widgets.events import Event, EventError
from widgets.store import Store, StoreUnavailable, normalise_url

# -- a throw-away PostgreSQL server ----------------------------------------------------------------------------------


def _pg_bindir() -> Path | None:
    candidates = []
    found = shutil.which("pg_ctl")
    if found:
        candidates.append(Path(found).resolve().parent)
    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    for directory in candidates:
        if (
            (directory / "initdb").exists()
            and (directory / "pg_ctl").exists()
            and (directory / "postgres").exists()
        ):
            return directory
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A running PostgreSQL server for this test session; yields its base URL (without a database name)."""
    bindir = _pg_bindir()
    if bindir is None:
        pytest.skip(
            "PostgreSQL server binaries (initdb, pg_ctl) are not installed: apt-get install -y postgresql"
        )
    base = Path(tempfile.mkdtemp(prefix="trygge-pg-"))
    run_as: dict[str, int] = {}
    if os.geteuid() == 0:  # initdb refuses to run as root
        account = pwd.getpwnam("postgres") if _has_user("postgres") else pwd.getpwnam("nobody")
        os.chown(base, account.pw_uid, account.pw_gid)
        run_as = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
    data, port = base / "data", _free_port()

    def run(*args: str) -> None:
        subprocess.run(
            [str(bindir / args[0]), *args[1:]], check=True, capture_output=True, cwd=base, **run_as
        )

    run("initdb", "-D", str(data), "-U", "trygge", "--auth=trust", "-E", "UTF8", "--no-locale")
    options = (
        f"-p {port} -h 127.0.0.1 -k {base} -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    )
    run("pg_ctl", "-D", str(data), "-o", options, "-l", str(base / "server.log"), "-w", "-t", "60", "start")
    try:
        yield f"postgresql+psycopg://trygge@127.0.0.1:{port}"
    finally:
        subprocess.run(
            [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            cwd=base,
            **run_as,
        )
        shutil.rmtree(base, ignore_errors=True)


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


@pytest.fixture
def pg_url(postgres_server: str) -> Iterator[str]:
    """A fresh, empty database on the test server."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(f"{postgres_server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield f"{postgres_server}/{name}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'results.sqlite'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def any_store(db_url: str) -> Iterator[Store]:
    s = Store(db_url)
    yield s
    s.dispose()


def _event(
    actor: str = "ABCD-EFGH", verb: str = "answered", obj: str = "samtalen/quiz/q1", org: str = "org-a"
) -> Event:
    return Event(actor, verb, obj, "quiz-item", {"success": True}, {"course": "trygge-samtaler", "org": org})


# -- events and state (both databases) -------------------------------------------------------------------------------


def test_event_is_stored_with_xapi_fields(any_store: Store) -> None:
    any_store.add_events([_event()])
    [row] = any_store.events()
    assert row["actor"] == "ABCD-EFGH" and row["verb"] == "answered" and row["theme"] == "samtalen"
    assert row["result"] == {"success": True} and row["context"]["course"] == "trygge-samtaler"
    assert row["org"] == "org-a"


def test_the_same_event_is_never_stored_twice(any_store: Store) -> None:
    e = _event()
    assert any_store.add_events([e]) == 1
    assert any_store.add_events([e, _event()]) == 1
    assert any_store.add_events([e, e]) == 0
    assert len(any_store.events()) == 2


def test_unknown_verb_and_bad_object_id_are_refused() -> None:
    with pytest.raises(EventError, match="Unknown verb"):
        _event(verb="hacked")
    with pytest.raises(EventError, match="Object id"):
        _event(obj="../../etc")


def test_xapi_statement_shape() -> None:
    statement = _event().as_xapi()
    assert statement["actor"]["account"]["name"] == "ABCD-EFGH"
    assert statement["verb"]["id"].endswith(":answered")
    assert statement["object"]["id"] == "urn:trygge:samtalen/quiz/q1"


def test_learner_state_round_trip_and_delete(any_store: Store) -> None:
    store = any_store
    store.set_state("ABCD-EFGH", "progress/samtalen", ["quiz"])
    store.set_state("ABCD-EFGH", "progress/samtalen", ["quiz", "simulation"])
    store.set_state("ABCD-EFGH", "reflection/samtalen/r1", "tekst")
    assert store.get_state("ABCD-EFGH", "progress/samtalen") == ["quiz", "simulation"]
    assert store.state_with_prefix("ABCD-EFGH", "reflection/") == {"reflection/samtalen/r1": "tekst"}
    assert store.all_state("ABCD-EFGH") == {
        "progress/samtalen": ["quiz", "simulation"],
        "reflection/samtalen/r1": "tekst",
    }
    assert store.get_state("ZZZZ-ZZZZ", "progress/samtalen", []) == []
    store.add_events([_event()])
    store.add_events([_event(actor="ZZZZ-ZZZZ")])
    assert store.delete_learner("ABCD-EFGH") == 3
    assert [r["actor"] for r in store.events()] == ["ZZZZ-ZZZZ"]
    assert store.get_state("ABCD-EFGH", "progress/samtalen") is None


def test_state_keys_with_like_wildcards_do_not_leak(any_store: Store) -> None:
    any_store.set_state("ABCD-EFGH", "a_b", 1)
    any_store.set_state("ABCD-EFGH", "axb", 2)
    assert any_store.state_with_prefix("ABCD-EFGH", "a_") == {"a_b": 1}


def test_events_by_actor_verb_and_org(any_store: Store) -> None:
    any_store.add_events(
        [
            _event(),
            _event(verb="launched", obj="samtalen"),
            _event(actor="ZZZZ-ZZZZ", org="org-b"),
            _event(actor="YYYY-YYYY", org="org-b"),
        ]
    )
    assert len(any_store.events(actor="ABCD-EFGH")) == 2
    assert len(any_store.events(verb="launched")) == 1
    assert any_store.learners_per_org() == {"org-a": 1, "org-b": 2}
    assert any_store.count_events() == 4 and any_store.count_events(orgs=["org-b"]) == 2
    assert [r["actor"] for r in any_store.iter_events(batch=1, orgs=["org-b"])] == ["ZZZZ-ZZZZ", "YYYY-YYYY"]
    assert len(list(any_store.iter_events(batch=3))) == 4


def _writer(url: str, index: int, count: int) -> None:
    s = Store(url)
    for n in range(count):
        s.add_events([Event(f"AAAA-{index:04d}", "answered", f"samtalen/quiz/q{n}", "quiz-item")])
    s.dispose()


def test_many_kernels_writing_at_once_lose_nothing(db_url: str) -> None:
    Store(db_url).dispose()
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(db_url, i, 60)) for i in range(6)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(240)
        assert p.exitcode == 0
    store = Store(db_url)
    rows = store.events()
    store.dispose()
    assert len(rows) == 6 * 60
    assert len({r["event_id"] for r in rows}) == 6 * 60


# -- migrations --------------------------------------------------------------------------------------------------------


def test_a_new_database_gets_the_newest_schema_and_it_matches_the_code(any_store: Store) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from widgets.store import metadata

    assert any_store.revision() == migrations.head()
    with any_store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"version_table": migrations.VERSION_TABLE})
        assert compare_metadata(context, metadata) == [], (
            "the migrations and widgets/store.py have drifted apart"
        )


def test_migrating_down_and_up_keeps_the_data_and_fills_the_new_column(db_url: str) -> None:
    store = Store(db_url)
    store.add_events([_event(org="org-a")])
    assert migrations.downgrade(store.engine, migrations.BASELINE) == migrations.BASELINE
    with store.engine.connect() as conn:
        assert "org" not in {c["name"] for c in sa.inspect(conn).get_columns("events")}
    store.dispose()
    reopened = Store(db_url)  # opening migrates up again; 0002 copies context.org into the new column
    [row] = reopened.events()
    assert reopened.revision() == migrations.head() and row["org"] == "org-a"
    reopened.dispose()


def test_a_database_made_before_migrations_is_adopted_not_recreated(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as conn:  # the schema metadata.create_all made before migrations existed
        conn.executescript("""
            CREATE TABLE events (seq INTEGER NOT NULL PRIMARY KEY, event_id VARCHAR(36) NOT NULL UNIQUE,
              actor VARCHAR(16) NOT NULL, verb VARCHAR(16) NOT NULL, object_id VARCHAR(200) NOT NULL,
              object_type VARCHAR(40) NOT NULL, theme VARCHAR(40) NOT NULL, result JSON NOT NULL,
              context JSON NOT NULL, timestamp DATETIME NOT NULL);
            CREATE TABLE learner_state (actor VARCHAR(16) NOT NULL, key VARCHAR(200) NOT NULL, value JSON NOT NULL,
              updated DATETIME NOT NULL, PRIMARY KEY (actor, key));
            INSERT INTO events (event_id, actor, verb, object_id, object_type, theme, result, context, timestamp)
              VALUES ('e1', 'ABCD-EFGH', 'launched', 'samtalen', 'theme', 'samtalen', '{}', '{"org": "gammel"}',
                      '2026-11-01 10:00:00');
            INSERT INTO learner_state VALUES ('ABCD-EFGH', 'pref/captions', 'true', '2026-11-01 10:00:00');
        """)
    store = Store(f"sqlite:///{path}")
    assert store.revision() == migrations.head()
    assert [r["org"] for r in store.events()] == ["gammel"]
    assert store.get_state("ABCD-EFGH", "pref/captions") is True
    store.dispose()


def _opener(url: str) -> None:
    Store(url).dispose()


def test_many_kernels_opening_a_new_database_at_once_migrate_it_once(db_url: str) -> None:
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_opener, args=(db_url,)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(240)
        assert p.exitcode == 0
    store = Store(db_url)
    with store.engine.connect() as conn:
        versions = conn.execute(sa.text(f"SELECT version_num FROM {migrations.VERSION_TABLE}")).all()
    store.dispose()
    assert versions == [(migrations.head(),)]


def test_cli_db_upgrade_and_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from widgets.cli import main

    monkeypatch.setenv("TRYGGE_QUEUE_DIR", str(tmp_path / "queue"))
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    assert main(["db", "upgrade", "--db-url", url]) == 0
    assert f"nyeste versjon av skjemaet ({migrations.head()})" in capsys.readouterr().out
    assert main(["db", "status", "--db-url", url]) == 0
    out = capsys.readouterr().out
    assert f"Skjemaversjon: {migrations.head()}" in out and "Hendelser lagret: 0" in out


# -- urls and errors --------------------------------------------------------------------------------------------------


def test_postgres_urls_get_the_installed_driver() -> None:
    assert normalise_url("postgres://u@h/db").startswith("postgresql+psycopg://u@h/db")
    assert normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("postgresql+psycopg2://u@h/db") == "postgresql+psycopg2://u@h/db"
    assert normalise_url("sqlite:///x.sqlite") == "sqlite:///x.sqlite"


def test_an_unreachable_database_is_a_clear_error_without_the_password() -> None:
    port = _free_port()  # nothing listens here
    with pytest.raises(StoreUnavailable, match="Får ikke kontakt med databasen") as info:
        Store(f"postgresql://trygge:hemmelig@127.0.0.1:{port}/trygge")
    assert "hemmelig" not in str(info.value)
    with pytest.raises(StoreUnavailable, match="Kan ikke bruke databaseadressen"):
        Store("nosuchdb://x")


# -- the analyst queries read the same numbers from both databases -----------------------------------------------------


def test_analytics_and_export_read_the_same_from_postgresql_as_from_sqlite(
    pg_url: str, tmp_path: Path
) -> None:
    import io

    import pandas as pd

    from widgets import analytics, demo_data, export

    course = demo_data_course()
    results = {}
    for url in (f"sqlite:///{tmp_path / 'a.sqlite'}", pg_url):
        store = Store(url)
        demo_data.generate(store, learners=60, orgs=4, seed=3, course=course)
        data = analytics.load(store, course=course)
        out = io.StringIO()
        summary = export.export(store, "csv", out, secret=b"k")
        store.dispose()
        results[url] = (data, analytics.all_aggregates(data), summary, out.getvalue())
    (d1, a1, s1, csv1), (d2, a2, s2, csv2) = results.values()
    assert d1.n_events == d2.n_events > 1000 and d1.synthetic and d2.synthetic
    for name in a1:
        pd.testing.assert_frame_equal(a1[name], a2[name], check_dtype=False, obj=name)
    assert s1 == s2
    assert sorted(csv1.splitlines()) == sorted(csv2.splitlines())


def demo_data_course():  # the real course content
    from widgets.content import load_course

    return load_course()


# -- events that waited in the queue reach PostgreSQL once -------------------------------------------------------------


def test_queued_events_reach_postgresql_in_order_exactly_once(pg_url: str, tmp_path: Path) -> None:
    from widgets.session import Session

    class Down:
        def add_events(self, events):
            raise OSError("server is down")

    session = Session(Down(), queue_dir=tmp_path / "queue", retry_seconds=None)
    session.set_learner("ABCD-EFGH")
    for n in range(5):
        session.emit("answered", f"samtalen/quiz/q{n + 1}", "quiz-item", {"success": n % 2 == 0})
    assert len(session.queue) == 5
    store = Store(pg_url)
    session._store = store
    session.emit("completed", "samtalen/quiz", "quiz", {"score": {"raw": 3, "max": 5}})
    assert [r["object_id"] for r in store.events()] == [f"samtalen/quiz/q{n}" for n in range(1, 6)] + [
        "samtalen/quiz"
    ]
    assert len(session.queue) == 0
    assert store.add_events(session.queue.pending()) == 0 and len(store.events()) == 6
    store.dispose()


# -- migration 0003: typed result columns, filled for events stored before it -----------------------------------------

#: The events table as revision 0002 left it (what a store of that version wrote).
_EVENTS_0002 = sa.Table(
    "events",
    sa.MetaData(),
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.String(36)),
    sa.Column("actor", sa.String(16)),
    sa.Column("verb", sa.String(16)),
    sa.Column("object_id", sa.String(200)),
    sa.Column("object_type", sa.String(40)),
    sa.Column("theme", sa.String(40)),
    sa.Column("result", sa.JSON),
    sa.Column("context", sa.JSON),
    sa.Column("timestamp", sa.DateTime(timezone=True)),
    sa.Column("org", sa.String(64)),
)


def _odd_events() -> list[Event]:
    """Events whose result fields do not have the documented types, and a shared reflection's free text."""
    ctx = {"course": "trygge-samtaler", "org": "demo-org-1"}
    return [
        Event(
            "ODDS-0001",
            "answered",
            "samtalen/quiz/q1",
            "quiz-item",
            {"success": "yes", "response": "jeg tror a", "first_attempt": 1, "score": {"raw": "1"}},
            ctx,
        ),
        Event(
            "ODDS-0001",
            "rated",
            "samtalen/confidence/c1",
            "confidence-statement",
            {"phase": "during", "score": {"raw": 4, "max": 7}},
            ctx,
        ),
        Event(
            "ODDS-0001",
            "completed",
            "samtalen/scenario/forste-kontakt",
            "scenario",
            {"reflection_to_question": None, "open_question_share": "høy", "counts": []},
            ctx,
        ),
        Event("ODDS-0001", "shared", "samtalen/reflection/r1", "reflection", {"response": ["a"]}, ctx),
        Event(
            "ODDS-0001",
            "shared",
            "samtalen/reflection/r2",
            "reflection",
            {"response": "Jeg lærte å tåle stillhet."},
            ctx,
        ),
    ]


def test_result_columns_copy_only_documented_types_and_never_free_text() -> None:
    from widgets.store import RESULT_COLUMNS, result_columns

    answered = result_columns(
        "answered",
        "quiz-item",
        {"success": False, "response": ["a", "c"], "score": {"raw": 0, "max": 1}, "first_attempt": True},
    )
    assert answered == {
        **dict.fromkeys(RESULT_COLUMNS),
        "success": False,
        "response": "a,c",
        "score": 0.0,
        "first_attempt": True,
    }
    rated = result_columns(
        "rated", "confidence-statement", {"score": {"raw": 6, "min": 1, "max": 7}, "phase": "after"}
    )
    assert (rated["phase"], rated["score"]) == ("after", 6.0)
    sim = result_columns(
        "completed",
        "scenario",
        {
            "success": True,
            "reflection_to_question": 1.5,
            "open_question_share": 0.75,
            "counts": {"suicide_question": 2},
        },
    )
    assert (
        sim["success"],
        sim["reflection_to_question"],
        sim["open_question_share"],
        sim["suicide_questions"],
    ) == (True, 1.5, 0.75, 2)
    for event in _odd_events():
        values = result_columns(event.verb, event.object_type, event.result)
        assert values["response"] is None and values["success"] is None and values["first_attempt"] is None
        assert values["phase"] is None and values["open_question_share"] is None
    assert result_columns("completed", "film", {"duration": 12.0, "completion": True}) == dict.fromkeys(
        RESULT_COLUMNS
    )


def test_a_0002_database_with_events_is_upgraded_on_open_and_reads_as_if_written_today(
    db_url: str, tmp_path: Path
) -> None:
    import pandas as pd

    from widgets import analytics, demo_data
    from widgets.store import RESULT_COLUMNS, event_row, events_table, result_columns

    course = demo_data_course()
    events = list(demo_data.iter_events(learners=40, orgs=3, seed=11, course=course)) + _odd_events()
    engine = sa.create_engine(normalise_url(db_url))
    assert migrations.upgrade(engine, "0002") == "0002"
    with engine.begin() as conn:  # written as a store of revision 0002 wrote them: no typed columns yet
        conn.execute(
            _EVENTS_0002.insert(),
            [
                {k: v for k, v in event_row(e).items() if k not in RESULT_COLUMNS}
                for e in events
            ],
        )
    engine.dispose()

    old = Store(db_url)  # opening migrates to the newest revision and fills the columns
    assert old.revision() == migrations.head()
    rows = old.events()
    assert len(rows) == len(events) and old.count_events() == len(events)
    by_id = {e.id: e for e in events}
    filled = 0
    for row in rows:
        event = by_id[row["event_id"]]
        assert row["result"] == event.result and row["context"] == event.context  # the record is untouched
        expected = result_columns(event.verb, event.object_type, event.result)
        got = {name: row[name] for name in RESULT_COLUMNS}
        assert (
            got == pytest.approx(expected)
            if any(v is not None for v in expected.values())
            else got == expected
        )
        filled += any(v is not None for v in expected.values())
    assert filled > len(events) / 3
    with old.engine.connect() as conn:
        indexes = {i["name"] for i in sa.inspect(conn).get_indexes("events")}
        texts = (
            conn.execute(sa.select(events_table.c.response).where(events_table.c.verb == "shared"))
            .scalars()
            .all()
        )
    assert "ix_events_analytics" in indexes and "ix_events_verb" not in indexes
    assert len(texts) >= 2 and set(texts) == {
        None
    }  # a shared reflection's text is never copied out of the JSON

    fresh = Store(f"sqlite:///{tmp_path / 'fresh.sqlite'}")  # the same events, written by today's store
    fresh.add_events(events)
    upgraded, written = analytics.load(old, course=course), analytics.load(fresh, course=course)
    assert upgraded.n_events == written.n_events == len(events) and upgraded.n_learners == 41
    a1, a2 = analytics.all_aggregates(upgraded), analytics.all_aggregates(written)
    for name in a1:
        pd.testing.assert_frame_equal(a1[name], a2[name], check_dtype=False, obj=name)
    assert len(upgraded.answers) > 100 and len(upgraded.ratings) > 100 and len(upgraded.simulations) > 10
    old.dispose()
    fresh.dispose()


def test_the_analyst_queries_read_one_index_and_no_json(store: Store) -> None:
    from widgets import analytics

    store.add_events([_event()])
    with store.engine.connect() as conn:
        for name, query in analytics._queries().items():
            sql = str(query.compile(dialect=store.engine.dialect, compile_kwargs={"literal_binds": True}))
            plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
            if name in (
                "count",
                "synthetic",
            ):  # a count, and one JSON read that stops at the first synthetic event
                continue
            assert "json" not in sql.lower(), name
            assert "COVERING INDEX ix_events_analytics" in plan, (name, plan)
