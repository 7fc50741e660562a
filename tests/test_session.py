"""The learner session: pseudonyms, events held until the code arrives, nothing lost when the store fails."""

from __future__ import annotations

import pytest

from widgets.session import Session, new_code, normalise_code


@pytest.mark.parametrize("raw,expected", [
    ("abcd-efgh", "ABCD-EFGH"), ("ABCD EFGH", "ABCD-EFGH"), ("abcdefgh", "ABCD-EFGH"),
    ("0O1I-L234", "0011-1234"), ("ABCD-EFG", None), ("ABCD-EFGU", None), ("<script>", None), ("", None),
])
def test_codes_are_normalised_or_refused(raw: str, expected: str | None) -> None:
    assert normalise_code(raw) == expected


def test_new_codes_are_valid_and_differ() -> None:
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200 and all(normalise_code(c) == c for c in codes)


def test_events_before_the_code_arrives_are_kept_and_written_in_order(session: Session) -> None:
    session.emit("launched", "samtalen", "theme")
    session.emit("answered", "samtalen/quiz/q1", "quiz-item", {"success": False})
    session.set_state("pref/described", True)
    assert session.store.events() == []
    session.set_learner("k7qm-2xpd")
    rows = session.store.events()
    assert [r["verb"] for r in rows] == ["launched", "answered"]
    assert {r["actor"] for r in rows} == {"K7QM-2XPD"}
    assert session.store.get_state("K7QM-2XPD", "pref/described") is True


def test_bad_code_is_refused(session: Session) -> None:
    with pytest.raises(ValueError, match="Ugyldig kode"):
        session.set_learner("robert'); drop table events;--")


class FailingStore:
    def __init__(self, real):
        self.real, self.fail = real, True

    def add_events(self, events):
        if self.fail:
            raise OSError("database is gone")
        return self.real.add_events(events)

    def __getattr__(self, name):
        return getattr(self.real, name)


def test_events_survive_a_store_failure_and_are_written_once_later(store) -> None:
    failing = FailingStore(store)
    s = Session(failing)
    s.set_learner("ABCD-EFGH")
    s.emit("answered", "samtalen/quiz/q1", "quiz-item")
    s.emit("answered", "samtalen/quiz/q2", "quiz-item")
    assert store.events() == []
    failing.fail = False
    s.emit("answered", "samtalen/quiz/q3", "quiz-item")
    assert [r["object_id"] for r in store.events()] == ["samtalen/quiz/q1", "samtalen/quiz/q2", "samtalen/quiz/q3"]


def test_progress_is_per_learner_and_notifies(session: Session) -> None:
    seen = []
    session.on_progress(lambda theme, done: seen.append((theme, list(done))))
    session.set_learner("ABCD-EFGH")
    session.mark_done("samtalen", "quiz")
    session.mark_done("samtalen", "quiz")
    assert session.progress("samtalen") == ["quiz"] and seen == [("samtalen", ["quiz"])]
    assert [r["verb"] for r in session.store.events()] == ["progressed"]
    other = Session(session.store)
    other.set_learner("ZZZZ-ZZZZ")
    assert other.progress("samtalen") == []
