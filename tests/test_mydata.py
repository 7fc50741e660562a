"""«Mine data»: a learner sees, downloads and deletes everything stored under their code."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from widgets import session as session_mod
from widgets.content import REPO_ROOT, load_course
from widgets.events import Event
from widgets.mydata import MyData, describe_event
from widgets.session import Session
from widgets.store import Store


def send(widget, **content) -> None:
    widget._dispatch(widget, content, [])


@pytest.fixture
def me(store: Store, tmp_path: Path) -> Session:
    s = Session(
        store,
        context={"course": "trygge-samtaler", "org": "standard"},
        queue_dir=tmp_path / "queue",
        retry_seconds=None,
    )
    session_mod.reset(s)
    yield s
    session_mod.reset(None)


def _activity(s: Session) -> None:
    s.emit("launched", "samtalen", "theme")
    s.emit(
        "answered",
        "samtalen/quiz/q1",
        "quiz-item",
        {"success": True, "response": ["b"], "first_attempt": True},
    )
    s.emit(
        "rated",
        "samtalen/confidence/c1",
        "confidence-statement",
        {"score": {"raw": 4, "min": 1, "max": 7}, "phase": "before"},
    )
    s.mark_done("samtalen", "quiz")
    s.set_state("reflection/samtalen/r1", "Jeg vil øve på stillhet.")
    s.set_state("pref/captions", True)


def test_shows_counts_readable_events_and_private_state_in_norwegian(me: Session) -> None:
    widget = MyData(load_course())
    me.set_learner("ABCD-EFGH")
    _activity(me)
    other = Session(me.store, retry_seconds=None)
    other.set_learner("ZZZZ-ZZZZ")
    other.emit("launched", "samtalen", "theme")  # someone else's: never shown
    send(widget, type="refresh")
    assert widget.code == "ABCD-EFGH" and widget.total == 4
    assert {"label": "Svar i quizer", "count": 1} in widget.summary
    texts = [e["text"] for e in widget.events]
    assert texts[0] == "Fullførte delen «Test deg selv» i «Den gode samtalen»"  # newest first
    assert "Svarte på quizspørsmål q1 i «Den gode samtalen» – riktig" in texts
    assert "Vurderte hvor trygg du er (før temaet «Den gode samtalen»): 4 av 7" in texts
    state = " ".join(s["text"] for s in widget.state)
    assert "«Jeg vil øve på stillhet.»" in state and "Teksting: på" in state and "1 del fullført" in state


def test_download_is_all_of_it_as_json(me: Session) -> None:
    widget = MyData()
    me.set_learner("ABCD-EFGH")
    _activity(me)
    sent = []
    widget.send = lambda msg, buffers=None: sent.append((msg, buffers))
    send(widget, type="download")
    [(msg, [payload])] = sent
    assert msg == {"type": "download", "filename": "mine-data-ABCD-EFGH.json"}
    document = json.loads(payload)
    assert document["kode"] == "ABCD-EFGH"
    assert [e["verb"] for e in document["hendelser"]] == ["launched", "answered", "rated", "progressed"]
    assert document["private_data"]["reflection/samtalen/r1"] == "Jeg vil øve på stillhet."
    assert "4 hendelser, 3 private verdier" in widget.status


def test_delete_needs_the_confirmation_and_removes_everything_including_the_queue(
    me: Session, store: Store
) -> None:
    widget = MyData()
    me.set_learner("ABCD-EFGH")
    _activity(me)
    other = Session(store, retry_seconds=None)
    other.set_learner("ZZZZ-ZZZZ")
    other.emit("launched", "samtalen", "theme")
    me.queue.append([Event("ABCD-EFGH", "launched", "course", "course")])  # one still waiting in the queue
    send(widget, type="delete")  # no confirmation: nothing happens
    assert len(store.events(actor="ABCD-EFGH")) == 4
    send(widget, type="delete", confirm=True)
    assert store.events(actor="ABCD-EFGH") == [] and store.all_state("ABCD-EFGH") == {}
    assert me.queue.pending("ABCD-EFGH") == []
    assert [r["actor"] for r in store.events()] == ["ZZZZ-ZZZZ"]
    assert "er slettet (7 oppføringer)" in widget.status and widget.total == 0 and widget.state == []
    me.flush()
    assert store.events(actor="ABCD-EFGH") == []  # nothing comes back from the queue


def test_a_database_that_is_down_gives_a_calm_message_and_deletes_nothing(me: Session) -> None:
    widget = MyData()
    me.set_learner("ABCD-EFGH")
    _activity(me)

    class Down:
        def __getattr__(self, name):
            raise OSError("connection refused")

    real, me._store = me._store, Down()
    send(widget, type="delete", confirm=True)
    assert "får ikke kontakt med databasen" in widget.status and "Ingenting er slettet" in widget.status
    me._store = real
    assert len(real.events(actor="ABCD-EFGH")) == 4 and widget.error == ""


def test_every_event_kind_reads_as_a_sentence() -> None:
    from widgets.mydata import _Names

    names = _Names(load_course())
    theme = next(t for t in load_course().themes if t.ready and t.films and t.scenarios)
    film, scenario = theme.films[0]["id"], next(iter(theme.scenarios))
    cases = [
        ("launched", "course", {}),
        ("launched", theme.id, {}),
        ("played", f"{theme.id}/film/{film}", {"position": 75}),
        ("paused", f"{theme.id}/film/{film}", {}),
        ("seeked", f"{theme.id}/film/{film}", {}),
        ("completed", f"{theme.id}/film/{film}", {}),
        ("completed", f"{theme.id}/quiz", {"score": {"raw": 3, "max": 5}}),
        ("launched", f"{theme.id}/scenario/{scenario}", {}),
        ("responded", f"{theme.id}/scenario/{scenario}", {"turn": 2}),
        ("completed", f"{theme.id}/scenario/{scenario}", {}),
        ("terminated", f"{theme.id}/scenario/{scenario}", {}),
        ("progressed", f"{theme.id}/section/expert-film", {}),
        ("shared", f"{theme.id}/reflection/r1", {"response": "x"}),
        ("experienced", f"{theme.id}/learn-more/source-1", {}),
        ("experienced", f"{theme.id}/printable/worksheet", {}),
    ]
    for verb, obj, result in cases:
        text = describe_event({"verb": verb, "object_id": obj, "result": result}, names)
        assert not text.startswith(f"{verb}:"), text
    assert "fra 1:15" in describe_event(
        {"verb": "played", "object_id": f"{theme.id}/film/{film}", "result": {"position": 75}}, names
    )
    assert f"«{theme.films[0]['title']}»" in describe_event(
        {"verb": "completed", "object_id": f"{theme.id}/film/{film}", "result": {}}, names
    )


def test_front_end_is_keyboard_usable_and_asks_before_deleting() -> None:
    js = (REPO_ROOT / "widgets" / "static" / "mydata.js").read_text(encoding="utf-8")
    for text in ("Last ned mine data (JSON)", "Slett alt om meg", "Er du sikker?", "Ja, slett alt", "Avbryt"):
        assert text in js
    assert 'role: "alertdialog"' in js and '"Escape"' in js and "no.focus()" in js
    assert 'tsSend(model, "delete", { confirm: true })' in js
    assert js.count('h("button"') >= 5 and "innerHTML" not in js


def test_start_page_has_it_under_personvern(me: Session) -> None:
    from widgets.lesson import StartPage

    assert isinstance(StartPage().my_data(), MyData)
    nb = nbformat.read(REPO_ROOT / "notebooks" / "00-start.ipynb", as_version=4)
    sources = [c.source for c in nb.cells]
    personvern = next(i for i, s in enumerate(sources) if s.startswith("## Personvern"))
    following = next(c for c in nb.cells[personvern + 1 :] if c.cell_type == "code")
    assert following.source == "start.my_data()"
