"""Durability of the results store and the local queue: nothing a learner does is lost or stored twice.

- 50 writer processes × 1 000 events each, at the same time → all 50 000 stored exactly once (SQLite, PostgreSQL);
- the database unavailable in the middle (SQLite locked by another process, PostgreSQL stopped and started again,
  the disk full) → the session queues the events on disk (:mod:`widgets.queue`) and writes them afterwards, in order,
  exactly once, by itself or through ``trygge db drain`` when the kernel has gone;
- a kernel killed (SIGKILL) in the middle of writing → the database passes ``PRAGMA integrity_check``, no event is
  stored twice, the queue files are readable, and every event the session had accepted is stored.

Real databases: a SQLite file, and a throw-away PostgreSQL cluster started as tests/test_store.py starts its own
(same helpers), but owned by this module so it can be stopped and started again. The PostgreSQL tests are skipped
only when the server binaries are not installed.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from test_store import _free_port, _has_user, _pg_bindir
from widgets.events import Event
from widgets.queue import DurableQueue, adopt_orphans, pending_in, store_tag
from widgets.session import Session
from widgets.store import Store

REPO = Path(__file__).resolve().parent.parent
WRITERS, PER_WRITER, BATCH = 50, 1_000, 50

# -- a PostgreSQL cluster this module may stop and start ------------------------------------------------------------


class PgCluster:
    """A throw-away PostgreSQL server on 127.0.0.1 (as in tests/test_store.py) with ``stop()`` and ``start()``."""

    def __init__(self) -> None:
        bindir = _pg_bindir()
        if bindir is None:
            pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed: apt-get install -y postgresql")
        self.bindir = bindir
        self.base = Path(tempfile.mkdtemp(prefix="trygge-pg-durability-"))
        self.run_as: dict = {}
        if os.geteuid() == 0:  # initdb refuses to run as root
            account = __import__("pwd").getpwnam("postgres" if _has_user("postgres") else "nobody")
            os.chown(self.base, account.pw_uid, account.pw_gid)
            self.run_as = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
        self.data, self.port = self.base / "data", _free_port()
        self._run("initdb", "-D", str(self.data), "-U", "trygge", "--auth=trust", "-E", "UTF8", "--no-locale")
        self.start()
        self.url = f"postgresql+psycopg://trygge@127.0.0.1:{self.port}"

    def _run(self, *args: str) -> None:
        subprocess.run([str(self.bindir / args[0]), *args[1:]], check=True, capture_output=True, cwd=self.base,
                       timeout=120, **self.run_as)

    def start(self) -> None:
        options = (f"-p {self.port} -h 127.0.0.1 -k {self.base} -c max_connections=300 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.base / "server.log"), "-w", "-t", "60",
                  "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def destroy(self) -> None:
        subprocess.run([str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"],
                       capture_output=True, cwd=self.base, **self.run_as)
        shutil.rmtree(self.base, ignore_errors=True)

    def new_database(self) -> str:
        name = f"d_{uuid.uuid4().hex[:12]}"
        admin = sa.create_engine(f"{self.url}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return f"{self.url}/{name}"


@pytest.fixture(scope="module")
def pg_cluster() -> Iterator[PgCluster]:
    cluster = PgCluster()
    try:
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'results.sqlite'}"
    return request.getfixturevalue("pg_cluster").new_database()


def fast_failing(store: Store, busy_ms: int = 200, retries: int = 2) -> Store:
    """A SQLite store that gives up on a lock after ``busy_ms`` (the default waits 10 s per try, 8 tries), so a test
    sees the queue take over in a second instead of minutes. Everything else is the store as the app uses it."""

    @sa.event.listens_for(store.engine, "connect")
    def _short_wait(dbapi_connection, _record):  # runs after the store's own pragmas, so it wins
        dbapi_connection.execute(f"PRAGMA busy_timeout={busy_ms}")

    store.RETRIES = retries
    store.engine.dispose()
    return store


def _ids_in_order(store: Store, actor: str) -> list[str]:
    return [r["object_id"] for r in store.events(actor=actor)]


def _assert_once(store: Store) -> list[dict]:
    rows = store.events()
    assert len({r["event_id"] for r in rows}) == len(rows), "an event was stored twice"
    return rows


# -- 50 writers × 1 000 events ----------------------------------------------------------------------------------------


def _writer(url: str, index: int) -> None:
    """One kernel's worth of events, written in batches; every fourth batch is sent again together with the next one
    (as after a write whose answer was lost), so the database sees the same events offered twice, concurrently."""
    store = Store(url)
    actor = f"AAAA-{index:04d}"
    events = [Event(actor, "answered", f"samtalen/quiz/q{n}", "quiz-item", {"success": n % 2 == 0})
              for n in range(PER_WRITER)]
    batches = [events[i:i + BATCH] for i in range(0, PER_WRITER, BATCH)]
    previous: list[Event] = []
    for number, batch in enumerate(batches):
        store.add_events((previous if number % 4 == 1 else []) + batch)
        previous = batch
    store.dispose()
    os._exit(0)


def test_fifty_writer_processes_store_fifty_thousand_events_exactly_once(db_url: str) -> None:
    Store(db_url).dispose()  # the schema exists before the crowd arrives (opening at once is tested in test_store)
    ctx = mp.get_context("fork")
    started = time.monotonic()
    procs = [ctx.Process(target=_writer, args=(db_url, i)) for i in range(WRITERS)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(600)
    assert [p.exitcode for p in procs] == [0] * WRITERS
    store = Store(db_url)
    try:
        assert store.count_events() == WRITERS * PER_WRITER
        rows = _assert_once(store)
        per_actor: dict[str, list[str]] = {}
        for row in rows:  # in the order the database stored them
            per_actor.setdefault(row["actor"], []).append(row["object_id"])
        assert len(per_actor) == WRITERS
        expected = [f"samtalen/quiz/q{n}" for n in range(PER_WRITER)]
        assert all(ids == expected for ids in per_actor.values()), "a writer's events were stored out of order"
    finally:
        store.dispose()
    print(f"{WRITERS * PER_WRITER} events from {WRITERS} processes in {time.monotonic() - started:.1f} s")


# -- the database unavailable in the middle -----------------------------------------------------------------------

_LOCKER = textwrap.dedent("""
    import sqlite3, sys
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("BEGIN EXCLUSIVE")
    print("locked", flush=True)
    sys.stdin.readline()
    conn.execute("ROLLBACK")
    conn.close()
""")


class Locker:
    """Another process holding an exclusive lock on a SQLite file until :meth:`release`."""

    def __init__(self, path: Path) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", _LOCKER, str(path)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout.readline().strip() == "locked"

    def release(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.write("go\n")
            self.proc.stdin.flush()
            self.proc.wait(30)


def test_a_locked_sqlite_database_queues_events_and_the_session_writes_them_afterwards(tmp_path: Path) -> None:
    path = tmp_path / "results.sqlite"
    store = fast_failing(Store(f"sqlite:///{path}"))
    session = Session(store, queue_dir=tmp_path / "queue", retry_seconds=None)
    session.set_learner("TEST-0001")
    for n in range(3):
        session.emit("answered", f"samtalen/quiz/q{n}", "quiz-item")
    locker = Locker(path)
    try:
        for n in range(3, 10):
            session.emit("answered", f"samtalen/quiz/q{n}", "quiz-item")
        assert len(session.queue) == 7 and pending_in(tmp_path / "queue") == 7
        assert store.count_events() == 3  # readers still read while the writer waits (WAL)
    finally:
        locker.release()
    session.emit("completed", "samtalen/quiz", "quiz")
    assert _ids_in_order(store, "TEST-0001") == [f"samtalen/quiz/q{n}" for n in range(10)] + ["samtalen/quiz"]
    assert len(_assert_once(store)) == 11 and pending_in(tmp_path / "queue") == 0
    assert session.flush() == 0 and store.count_events() == 11
    store.dispose()


_KERNEL = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    import sqlalchemy as sa
    from widgets.session import Session
    from widgets.store import Store

    url, queue_dir, actor, count = sys.argv[1], Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    store = Store(url)
    @sa.event.listens_for(store.engine, "connect")
    def _short_wait(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA busy_timeout=200")
    store.RETRIES = 2
    store.engine.dispose()
    session = Session(store, queue_dir=queue_dir, retry_seconds=None)
    session.set_learner(actor)
    for n in range(count):
        event = session.emit("answered", f"samtalen/quiz/q{n}", "quiz-item", {"success": True})
        print(event.id, flush=True)  # accepted: stored, or on disk in the queue
    if sys.argv[5] == "die":
        os._exit(0)  # gone without any clean-up, like a kernel that was stopped
    import time
    time.sleep(600)
""")


def test_events_of_a_kernel_that_stopped_while_the_database_was_locked_reach_it_through_db_drain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from widgets.cli import main

    path, queue_dir = tmp_path / "results.sqlite", tmp_path / "queue"
    url = f"sqlite:///{path}"
    Store(url).dispose()
    locker = Locker(path)
    try:
        kernel = subprocess.run([sys.executable, "-c", _KERNEL, url, str(queue_dir), "GNNE-0001", "6", "die"],
                                capture_output=True, text=True, timeout=120, cwd=REPO)
        assert kernel.returncode == 0, kernel.stderr
        accepted = kernel.stdout.split()
        assert len(accepted) == 6 and pending_in(queue_dir) == 6
    finally:
        locker.release()
    monkeypatch.setenv("TRYGGE_QUEUE_DIR", str(queue_dir))
    assert main(["db", "drain", "--db-url", url]) == 0
    assert "Skrev 6 hendelser fra 1 køfil" in capsys.readouterr().out
    store = Store(url)
    assert [r["event_id"] for r in _assert_once(store)] == accepted
    assert main(["db", "drain", "--db-url", url]) == 0 and store.count_events() == 6  # nothing left to write twice
    store.dispose()


def test_postgresql_stopped_and_started_again_loses_nothing(pg_cluster: PgCluster, tmp_path: Path) -> None:
    url = pg_cluster.new_database()
    store = Store(url)
    session = Session(store, queue_dir=tmp_path / "queue", retry_seconds=0.2)
    session.set_learner("PGPG-0001")
    for n in range(3):
        session.emit("answered", f"samtalen/quiz/q{n}", "quiz-item")
    pg_cluster.stop()
    try:
        for n in range(3, 8):
            session.emit("answered", f"samtalen/quiz/q{n}", "quiz-item")
        assert len(session.queue) == 5
    finally:
        pg_cluster.start()
    # No new click needed: the session's background retry writes the queue once the server is back.
    deadline = time.monotonic() + 60
    while (len(session.queue) or store.count_events() < 8) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _ids_in_order(store, "PGPG-0001") == [f"samtalen/quiz/q{n}" for n in range(8)]
    session.emit("completed", "samtalen/quiz", "quiz")
    assert len(_assert_once(store)) == 9 and len(session.queue) == 0
    store.dispose()


def test_a_full_database_disk_queues_events_until_there_is_room_again(tmp_path: Path) -> None:
    """SQLite's ``max_page_count`` makes the database full (SQLITE_FULL, as on a full disk); the queue lives elsewhere."""
    url = f"sqlite:///{tmp_path / 'results.sqlite'}"
    store = Store(url)
    session = Session(store, queue_dir=tmp_path / "queue", retry_seconds=None)
    session.set_learner("DSKF-0001")
    session.emit("launched", "samtalen", "theme")
    padding = {"response": "x" * 60}

    def full(dbapi_connection, _record):
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count={pages}")

    sa.event.listen(store.engine, "connect", full)
    store.engine.dispose()
    for n in range(200):  # enough rows to need a new page
        session.emit("answered", f"samtalen/quiz/q{n}", "quiz-item", padding)
    stored = store.count_events()
    queued = len(session.queue)
    assert queued > 0 and stored + queued == 201, (stored, queued)
    sa.event.remove(store.engine, "connect", full)  # room again
    store.engine.dispose()
    session.emit("completed", "samtalen/quiz", "quiz")
    assert _ids_in_order(store, "DSKF-0001") == ["samtalen"] + [f"samtalen/quiz/q{n}" for n in range(200)] + [
        "samtalen/quiz"]
    assert len(_assert_once(store)) == 202 and len(session.queue) == 0
    with sqlite3.connect(tmp_path / "results.sqlite") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store.dispose()


_NO_DISK = textwrap.dedent("""
    import resource, signal, sys
    from pathlib import Path
    import sqlalchemy as sa
    from widgets.session import Session
    from widgets.store import Store

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead of killing us
    url, queue_dir = sys.argv[1], Path(sys.argv[2])
    store = Store(url)
    session = Session(store, queue_dir=queue_dir, retry_seconds=None)
    session.set_learner("DSKN-0001")
    session.emit("launched", "samtalen", "theme")

    def full(dbapi_connection, _record):
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count={pages}")

    sa.event.listen(store.engine, "connect", full)
    store.engine.dispose()
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, hard))  # no file may grow: the queue cannot be written either
    for n in range(150):
        session.emit("answered", f"samtalen/quiz/q{n}", "quiz-item", {"response": "x" * 60})
    waiting = len(session._outbox)
    queued = sum(len(p.read_text().splitlines()) for p in queue_dir.glob("*.jsonl"))
    resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))  # the disk has room again
    sa.event.remove(store.engine, "connect", full)
    store.engine.dispose()
    session.emit("completed", "samtalen/quiz", "quiz")
    print(waiting, queued, len(session._outbox), len(session.queue), flush=True)
""")


def test_with_no_disk_at_all_the_session_keeps_events_in_memory_in_order(tmp_path: Path) -> None:
    """RLIMIT_FSIZE in a child process: neither the database nor the queue can grow; nothing is lost or reordered."""
    url = f"sqlite:///{tmp_path / 'results.sqlite'}"
    Store(url).dispose()
    child = subprocess.run([sys.executable, "-c", _NO_DISK, url, str(tmp_path / "queue")], capture_output=True,
                           text=True, timeout=120, cwd=REPO)
    assert child.returncode == 0, child.stderr[-3000:]
    waiting, queued, left_memory, left_queue = map(int, child.stdout.split())
    assert waiting > 0 and queued == 0, "the events should have waited in memory (the queue could not be written)"
    assert (left_memory, left_queue) == (0, 0)
    store = Store(url)
    assert _ids_in_order(store, "DSKN-0001") == ["samtalen"] + [f"samtalen/quiz/q{n}" for n in range(150)] + [
        "samtalen/quiz"]
    _assert_once(store)
    store.dispose()


# -- a kernel killed in the middle of writing ----------------------------------------------------------------------


def test_kernels_killed_mid_write_leave_no_corruption_no_duplicates_and_lose_nothing_accepted(tmp_path: Path) -> None:
    """Rounds of a kernel writing as fast as it can, killed with SIGKILL at a random moment: half of the rounds
    straight into the database, half into the queue (the database locked). Afterwards `trygge db drain` takes over
    the queue files of the killed kernels."""
    path, queue_dir = tmp_path / "results.sqlite", tmp_path / "queue"
    url = f"sqlite:///{path}"
    Store(url).dispose()
    rng = random.Random(9)
    accepted: list[str] = []
    for round_ in range(6):
        locker = Locker(path) if round_ % 2 else None
        kernel = subprocess.Popen([sys.executable, "-c", _KERNEL, url, str(queue_dir), f"KXKX-{round_:04d}", "100000",
                                   "stay"], stdout=subprocess.PIPE, text=True, cwd=REPO)
        try:
            goal = rng.randint(3, 12) if locker else rng.randint(20, 300)  # a locked write waits ~0.5 s
            for _ in range(goal):
                line = kernel.stdout.readline()
                assert line, "the kernel stopped by itself"
                accepted.append(line.strip())
            kernel.send_signal(signal.SIGKILL)  # mid-write: it was writing the next one
            kernel.wait(30)
            # What it printed after our last read was accepted too, before it died.
            accepted += [line.strip() for line in kernel.stdout.read().splitlines() if line.strip()]
        finally:
            if kernel.poll() is None:
                kernel.kill()
            kernel.stdout.close()
            if locker:
                locker.release()
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert pending_in(queue_dir) > 0  # readable, a line cut off by the kill skipped
    env = {**os.environ, "TRYGGE_QUEUE_DIR": str(queue_dir)}
    drain = subprocess.run([sys.executable, "-m", "widgets.cli", "db", "drain", "--db-url", url], capture_output=True,
                           text=True, timeout=300, env=env, cwd=REPO)
    assert drain.returncode == 0 and "Traceback" not in drain.stderr, drain.stderr
    assert list(queue_dir.glob("*.jsonl")) == []
    store = Store(url)
    stored = {r["event_id"] for r in _assert_once(store)}
    missing = [i for i in accepted if i not in stored]
    assert not missing, f"{len(missing)} accepted events were lost"
    for actor in {r["actor"] for r in store.events()}:
        ids = _ids_in_order(store, actor)
        numbers = [int(i.rsplit("q", 1)[1]) for i in ids]
        assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
    store.dispose()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_queue_file_cut_by_a_kill_mid_line_is_still_drained(tmp_path: Path, store: Store) -> None:
    """The bytes of a kill in the middle of an append: the complete lines are written, the cut one is not."""
    queue = DurableQueue(tmp_path, tag=store_tag(store))
    events = [Event("CXTS-0001", "answered", f"samtalen/quiz/q{n}", "quiz-item") for n in range(5)]
    queue.append(events)
    queue.close(remove_if_empty=False)
    with open(queue.path, "ab") as f:
        f.write(b'{"id": "' + uuid.uuid4().hex.encode() + b'", "actor": "CXTS-0001", "ve')
    assert pending_in(tmp_path) == 5
    assert adopt_orphans(tmp_path, store) == (5, 1)
    assert [r["event_id"] for r in store.events()] == [e.id for e in events]


# -- the learner kernel's light store (widgets/store_sqlite.py) ------------------------------------------------------


def test_the_light_store_gives_up_on_a_locked_database_in_seconds_and_the_queue_takes_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With its own defaults (no test shortcuts), a learner's click waits a few seconds at most for a locked file."""
    from widgets.store_sqlite import SqliteStore

    path = tmp_path / "results.sqlite"
    url = f"sqlite:///{path}"
    Store(url).dispose()
    monkeypatch.setenv("TRYGGE_DB_URL", url)
    session = Session(queue_dir=tmp_path / "queue", retry_seconds=None)  # opens the store as a kernel does
    session.set_learner("ABCD-0002")
    session.emit("answered", "samtalen/quiz/q0", "quiz-item")
    assert isinstance(session.store, SqliteStore)
    locker = Locker(path)
    try:
        started = time.monotonic()
        session.emit("answered", "samtalen/quiz/q1", "quiz-item")
        waited = time.monotonic() - started
        session.emit("answered", "samtalen/quiz/q2", "quiz-item")
        assert len(session.queue) == 2
    finally:
        locker.release()
    assert waited < 2 * SqliteStore.BUSY_TIMEOUT * SqliteStore.RETRIES + 1, f"a click waited {waited:.1f} s"
    session.emit("completed", "samtalen/quiz", "quiz")
    store = Store(url)
    assert _ids_in_order(store, "ABCD-0002") == [f"samtalen/quiz/q{n}" for n in range(3)] + ["samtalen/quiz"]
    assert len(_assert_once(store)) == 4 and len(session.queue) == 0
    store.dispose()


_LIGHT_KERNEL = textwrap.dedent("""
    import sys
    from pathlib import Path
    from widgets.session import Session
    from widgets.store_sqlite import SqliteStore

    queue_dir, actor = Path(sys.argv[1]), sys.argv[2]
    session = Session(queue_dir=queue_dir, retry_seconds=None)  # the store from TRYGGE_DB_URL, as in a kernel
    session.set_learner(actor)
    assert isinstance(session.store, SqliteStore) and "sqlalchemy" not in sys.modules
    n = 0
    while True:
        event = session.emit("answered", f"samtalen/quiz/q{n}", "quiz-item", {"success": True, "score": {"raw": 1}})
        print(event.id, flush=True)
        n += 1
""")


def test_light_store_kernels_killed_mid_write_leave_no_corruption_and_lose_nothing_accepted(tmp_path: Path) -> None:
    path, queue_dir = tmp_path / "results.sqlite", tmp_path / "queue"
    url = f"sqlite:///{path}"
    Store(url).dispose()
    env = {**os.environ, "TRYGGE_DB_URL": url}
    rng = random.Random(11)
    accepted: list[str] = []
    for round_ in range(4):
        kernel = subprocess.Popen([sys.executable, "-c", _LIGHT_KERNEL, str(queue_dir), f"KXKY-{round_:04d}"],
                                  stdout=subprocess.PIPE, text=True, cwd=REPO, env=env)
        try:
            for _ in range(rng.randint(20, 400)):
                line = kernel.stdout.readline()
                assert line, "the kernel stopped by itself"
                accepted.append(line.strip())
            kernel.send_signal(signal.SIGKILL)
            kernel.wait(30)
            accepted += [line.strip() for line in kernel.stdout.read().splitlines() if line.strip()]
        finally:
            if kernel.poll() is None:
                kernel.kill()
            kernel.stdout.close()
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store = Store(url)
    rows = _assert_once(store)
    stored = {r["event_id"] for r in rows}
    assert not [i for i in accepted if i not in stored], "an accepted event was lost"
    assert all(r["score"] == 1.0 and r["success"] is True for r in rows)  # typed columns filled by the light store
    store.dispose()


def test_db_drain_on_a_locked_database_says_so_and_keeps_the_queue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import widgets.store as store_mod
    from widgets.cli import main

    path, queue_dir = tmp_path / "results.sqlite", tmp_path / "queue"
    url = f"sqlite:///{path}"
    Store(url).dispose()
    queue = DurableQueue(queue_dir, tag=store_tag(url))
    queue.append([Event("DRLK-0001", "answered", f"samtalen/quiz/q{n}", "quiz-item") for n in range(3)])
    queue.close(remove_if_empty=False)

    def short_wait(dbapi_connection, _record):  # the store's own pragmas, with a short busy timeout
        dbapi_connection.execute("PRAGMA journal_mode=WAL")
        dbapi_connection.execute("PRAGMA busy_timeout=200")

    monkeypatch.setattr(store_mod, "_sqlite_pragmas", short_wait)
    monkeypatch.setattr(Store, "RETRIES", 1)
    monkeypatch.setenv("TRYGGE_QUEUE_DIR", str(queue_dir))
    locker = Locker(path)
    try:
        assert main(["db", "drain", "--db-url", url]) == 1
    finally:
        locker.release()
    err = capsys.readouterr().err
    assert "svarte ikke" in err and "Ingenting er tapt" in err and "Traceback" not in err
    assert pending_in(queue_dir) == 3
    assert main(["db", "drain", "--db-url", url]) == 0
    assert pending_in(queue_dir) == 0
