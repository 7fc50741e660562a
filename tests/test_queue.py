"""The durable local queue: when the database is down, events wait on disk and are written later, in order, once."""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from widgets.events import Event
from widgets.queue import DurableQueue, adopt_orphans, pending_in, store_tag
from widgets.session import Session
from widgets.store import Store


def _events(n: int, actor: str = "ABCD-EFGH") -> list[Event]:
    return [
        Event(actor, "answered", f"samtalen/quiz/q{i + 1}", "quiz-item", {"success": True}) for i in range(n)
    ]


class Switch:
    """A store that fails until it is switched on (the database coming back)."""

    def __init__(self, real: Store) -> None:
        self.real, self.up, self.calls = real, False, 0

    def add_events(self, events):
        self.calls += 1
        if not self.up:
            raise OSError("could not connect to server")
        return self.real.add_events(events)

    def __getattr__(self, name):
        return getattr(self.real, name)


def test_append_is_on_disk_and_drain_writes_in_order_then_empties(tmp_path: Path, store: Store) -> None:
    queue = DurableQueue(tmp_path)
    events = _events(3)
    assert queue.append(events) == 3
    lines = queue.path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == [e.id for e in events]
    assert queue.pending() == events  # the same events back, timestamps and all
    assert queue.drain(store) == 3
    assert [r["event_id"] for r in store.events()] == [e.id for e in events]
    assert queue.pending() == [] and queue.path.stat().st_size == 0
    queue.close()
    assert not queue.path.exists()


def test_a_crash_after_writing_but_before_emptying_stores_nothing_twice(tmp_path: Path, store: Store) -> None:
    queue = DurableQueue(tmp_path)
    queue.append(_events(4))
    store.add_events(queue.pending()[:2])  # the first two made it to the database, then the kernel died
    assert queue.drain(store) == 2
    assert len(store.events()) == 4


def test_a_line_cut_short_by_a_crash_is_skipped_and_the_rest_kept(tmp_path: Path, store: Store) -> None:
    queue = DurableQueue(tmp_path)
    events = _events(2)
    queue.append(events)
    with open(queue.path, "a", encoding="utf-8") as f:
        f.write('{"id": "half an ev')
    assert queue.pending() == events
    assert queue.drain(store) == 2


def test_a_failed_store_keeps_everything_queued(tmp_path: Path) -> None:
    queue = DurableQueue(tmp_path)
    queue.append(_events(2))
    with pytest.raises(OSError):
        queue.drain(Switch(None))  # type: ignore[arg-type]
    assert len(queue) == 2


def test_remove_actor_forgets_only_that_learner(tmp_path: Path) -> None:
    queue = DurableQueue(tmp_path)
    queue.append(_events(2, "AAAA-AAAA") + _events(3, "BBBB-BBBB"))
    assert queue.remove_actor("BBBB-BBBB") == 3
    assert {e.actor for e in queue.pending()} == {"AAAA-AAAA"} and len(queue) == 2


def test_session_queues_on_disk_when_the_database_is_down_and_writes_once_it_is_back(
    tmp_path: Path, store: Store
) -> None:
    switch = Switch(store)
    session = Session(switch, queue_dir=tmp_path / "queue", retry_seconds=None)
    session.set_learner("ABCD-EFGH")
    session.emit("launched", "samtalen", "theme")
    session.emit("answered", "samtalen/quiz/q1", "quiz-item", {"success": False})
    assert store.events() == [] and session._outbox == []  # not in memory: on disk
    assert pending_in(tmp_path / "queue") == 2
    switch.up = True
    session.emit("answered", "samtalen/quiz/q2", "quiz-item", {"success": True})
    assert [r["object_id"] for r in store.events()] == ["samtalen", "samtalen/quiz/q1", "samtalen/quiz/q2"]
    assert pending_in(tmp_path / "queue") == 0
    assert session.flush() == 0  # nothing left, nothing written twice
    assert len(store.events()) == 3


def test_session_retries_in_the_background_without_a_new_event(tmp_path: Path, store: Store) -> None:
    switch = Switch(store)
    session = Session(switch, queue_dir=tmp_path / "queue", retry_seconds=0.05)
    session.set_learner("ABCD-EFGH")
    session.emit("launched", "samtalen", "theme")
    switch.up = True
    deadline = time.monotonic() + 10
    while not store.events() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [r["object_id"] for r in store.events()] == ["samtalen"]


_KERNEL = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from widgets.session import Session

    class Down:
        url = sys.argv[4]  # the database the events are meant for

        def add_events(self, events):
            raise OSError("database is gone")

    session = Session(Down(), queue_dir=Path(sys.argv[1]), retry_seconds=None)
    session.set_learner(sys.argv[2])
    for n in range(3):
        session.emit("answered", f"samtalen/quiz/q{n + 1}", "quiz-item")
    print("queued", flush=True)
    if sys.argv[3] == "stay":
        time.sleep(60)
    else:
        import os
        os._exit(0)  # dies without any clean-up, like a killed kernel
""")


def test_events_of_a_kernel_that_died_are_taken_over_by_another(tmp_path: Path, store: Store) -> None:
    queue_dir = tmp_path / "queue"
    dead = subprocess.run(
        [sys.executable, "-c", _KERNEL, str(queue_dir), "DEAD-0001", "die", store.url],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert dead.returncode == 0, dead.stderr
    alive = subprocess.Popen(
        [sys.executable, "-c", _KERNEL, str(queue_dir), "WAIT-0002", "stay", store.url],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert alive.stdout.readline().strip() == "queued"
        assert pending_in(queue_dir) == 6
        written, files = adopt_orphans(queue_dir, store)
        assert (written, files) == (3, 1)  # the live kernel's file is locked and left alone
        assert {r["actor"] for r in store.events()} == {"DEAD-0001"}
        assert pending_in(queue_dir) == 3
    finally:
        alive.kill()
        alive.wait()
    assert adopt_orphans(queue_dir, store) == (3, 1)
    assert len(store.events()) == 6 and list(queue_dir.glob("*.jsonl")) == []


def test_cli_db_drain_writes_what_stopped_kernels_left(
    tmp_path: Path, store: Store, capsys, monkeypatch
) -> None:
    from widgets.cli import main

    queue_dir = tmp_path / "queue"
    subprocess.run(
        [sys.executable, "-c", _KERNEL, str(queue_dir), "DEAD-0001", "die", store.url],
        check=True,
        timeout=120,
        capture_output=True,
    )
    monkeypatch.setenv("TRYGGE_QUEUE_DIR", str(queue_dir))
    assert main(["db", "drain", "--db-url", store.url]) == 0
    assert "Skrev 3 hendelser fra 1 køfil" in capsys.readouterr().out
    assert len(store.events()) == 3


def _appender(directory: str, actor: str, url: str) -> None:
    queue = DurableQueue(Path(directory), tag=store_tag(url))
    for event in _events(50, actor):
        queue.append([event])
    os._exit(0)


def test_kernels_queueing_at_once_each_keep_their_own_file(tmp_path: Path, store: Store) -> None:
    ctx = mp.get_context("spawn")
    procs = [
        ctx.Process(target=_appender, args=(str(tmp_path), f"AAAA-{i:04d}", store.url)) for i in range(4)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert len(list(tmp_path.glob("*.jsonl"))) == 4
    assert adopt_orphans(tmp_path, store) == (200, 4)
    per_actor: dict[str, list[str]] = {}
    for row in store.events():
        per_actor.setdefault(row["actor"], []).append(row["object_id"])
    assert all(ids == [f"samtalen/quiz/q{i + 1}" for i in range(50)] for ids in per_actor.values())


def test_a_queue_meant_for_another_database_is_left_alone(tmp_path: Path, store: Store) -> None:
    other = DurableQueue(tmp_path, tag=store_tag("sqlite:////somewhere/else.sqlite"))
    other.append(_events(2))
    other.close()
    assert adopt_orphans(tmp_path, store) == (0, 0) and store.events() == []
    assert adopt_orphans(
        tmp_path,
        Store(f"sqlite:///{tmp_path / 'x.sqlite'}"),
        tag=store_tag("sqlite:////somewhere/else.sqlite"),
    ) == (2, 1)
    assert store_tag("postgresql+psycopg://u:secret@h/db") == store_tag("postgresql+psycopg://u:other@h/db")


def test_a_database_that_cannot_be_opened_is_not_retried_on_every_click(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import widgets.store as store_mod

    opened = []

    class Unreachable:
        def __init__(self, *args, **kwargs):
            opened.append(1)
            raise store_mod.StoreUnavailable("Får ikke kontakt med databasen")

    monkeypatch.setattr(store_mod, "Store", Unreachable)
    session = Session(None, queue_dir=tmp_path / "queue", retry_seconds=None)
    session.set_learner("ABCD-EFGH")
    for n in range(5):
        session.emit("answered", f"samtalen/quiz/q{n + 1}", "quiz-item")
    assert len(opened) == 1 and len(session.queue) == 5
