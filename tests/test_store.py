"""The results store: events stored once, private learner state, many writers at once."""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

import pytest

from widgets.events import Event, EventError
from widgets.store import Store


def _event(actor: str = "ABCD-EFGH", verb: str = "answered", obj: str = "samtalen/quiz/q1") -> Event:
    return Event(actor, verb, obj, "quiz-item", {"success": True}, {"course": "trygge-samtaler"})


def test_event_is_stored_with_xapi_fields(store: Store) -> None:
    store.add_events([_event()])
    [row] = store.events()
    assert row["actor"] == "ABCD-EFGH" and row["verb"] == "answered" and row["theme"] == "samtalen"
    assert row["result"] == {"success": True} and row["context"]["course"] == "trygge-samtaler"


def test_the_same_event_is_never_stored_twice(store: Store) -> None:
    e = _event()
    assert store.add_events([e]) == 1
    assert store.add_events([e, _event()]) == 1
    assert len(store.events()) == 2


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


def test_learner_state_round_trip_and_delete(store: Store) -> None:
    store.set_state("ABCD-EFGH", "progress/samtalen", ["quiz"])
    store.set_state("ABCD-EFGH", "progress/samtalen", ["quiz", "simulation"])
    store.set_state("ABCD-EFGH", "reflection/samtalen/r1", "tekst")
    assert store.get_state("ABCD-EFGH", "progress/samtalen") == ["quiz", "simulation"]
    assert store.state_with_prefix("ABCD-EFGH", "reflection/") == {"reflection/samtalen/r1": "tekst"}
    assert store.get_state("ZZZZ-ZZZZ", "progress/samtalen", []) == []
    store.add_events([_event()])
    assert store.delete_learner("ABCD-EFGH") == 3
    assert store.events() == [] and store.get_state("ABCD-EFGH", "progress/samtalen") is None


def test_state_keys_with_like_wildcards_do_not_leak(store: Store) -> None:
    store.set_state("ABCD-EFGH", "a_b", 1)
    store.set_state("ABCD-EFGH", "axb", 2)
    assert store.state_with_prefix("ABCD-EFGH", "a_") == {"a_b": 1}


def _writer(url: str, index: int, count: int) -> None:
    s = Store(url)
    for n in range(count):
        s.add_events([Event(f"AAAA-{index:04d}", "answered", f"samtalen/quiz/q{n}", "quiz-item")])
    s.dispose()


def test_many_kernels_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    Store(url).dispose()
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(url, i, 60)) for i in range(6)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    rows = Store(url).events()
    assert len(rows) == 6 * 60
    assert len({r["event_id"] for r in rows}) == 6 * 60
