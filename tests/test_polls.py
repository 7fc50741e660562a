"""Live polls (widgets.polls) and the facilitator view (widgets.plenum), without a browser: the facilitator's and the
participants' kernels share a poll through the results store only."""

from __future__ import annotations

import pytest

from widgets.content import REPO_ROOT, load_course
from widgets.polls import (
    PollError,
    PollHost,
    PollParticipant,
    PollRoom,
    Question,
    code_from_query,
    normalise_poll_code,
)
from widgets.store import Store


def send(widget, **content) -> None:
    widget._dispatch(widget, content, [])


@pytest.fixture
def second_store(store: Store) -> Store:
    """Another connection to the same database: what another page's kernel has."""
    other = Store(store.url)
    yield other
    other.dispose()


def test_codes_are_short_and_forgiving() -> None:
    assert normalise_poll_code(" k7qm ") == "K7QM"
    assert normalise_poll_code("KO1L") == "K011"  # O → 0, I/L → 1
    assert normalise_poll_code("K7Q") is None and normalise_poll_code("K7QMX") is None and normalise_poll_code(7) is None
    assert code_from_query("kode=k7qm&x=1") == "K7QM" and code_from_query("") == "" and code_from_query("kode=?") == ""


def test_a_choice_poll_across_two_kernels(store: Store, second_store: Store) -> None:
    room = PollRoom.open(store, theme="samtalen", context={"course": "trygge-samtaler", "org": "test"})
    assert len(room.code) == 4 and room.actor == f"PLENUM-{room.code}"
    question = room.ask(Question("choice", "Hva er et åpent spørsmål?", ["Har du det bra?", "Hvordan har du det?"],
                                 correct=[1], explanation="Det inviterer til å fortelle."))
    joined = PollRoom.find(second_store, room.code.lower(), {"course": "trygge-samtaler", "org": "test"})
    assert joined.current().public() == {"id": "q1", "kind": "choice", "text": "Hva er et åpent spørsmål?",
                                         "options": ["Har du det bra?", "Hvordan har du det?"], "scale": 5, "open": True}
    for participant, answer in (("aaaaaaaa01", 1), ("aaaaaaaa02", 1), ("aaaaaaaa03", 0), ("aaaaaaaa03", 1)):
        joined.answer(question.id, participant, answer)  # the third participant changes their mind
    results = room.results(question.id)
    assert results["total"] == 3
    assert results["bars"] == [{"label": "Har du det bra?", "count": 0}, {"label": "Hvordan har du det?", "count": 3}]
    events = store.events(actor=room.actor)
    assert [e["verb"] for e in events] == ["launched", "answered", "answered", "answered", "answered"]
    assert events[1]["object_id"] == f"plenum/poll/{room.code.lower()}/q1" and events[1]["result"] == {"response": ["b"]}
    assert events[1]["context"]["org"] == "test"


def test_ratings_give_counts_and_a_mean(store: Store) -> None:
    room = PollRoom.open(store)
    q = room.ask(Question("rating", "Hvor trygg er du på å spørre direkte?", scale=7))
    for i, score in enumerate((2, 5, 5, 7)):
        room.answer(q.id, f"deltaker{i:02d}", score)
    results = room.results(q.id)
    assert [b["count"] for b in results["bars"]] == [0, 1, 0, 0, 2, 0, 1] and results["mean"] == 4.8
    assert store.events(actor=room.actor, verb="rated")[0]["result"] == {"score": {"raw": 2, "min": 1, "max": 7}}
    with pytest.raises(PollError, match="fra 1 til 7"):
        room.answer(q.id, "deltaker09", 8)
    with pytest.raises(PollError):
        room.answer(q.id, "deltaker09", True)


def test_free_text_is_scrubbed_grouped_and_kept_as_text(store: Store) -> None:
    room = PollRoom.open(store)
    q = room.ask(Question("text", "Ett ord om kvelden?"))
    room.answer(q.id, "deltaker01", "Trygghet")
    room.answer(q.id, "deltaker02", "  trygghet ")
    stored = room.answer(q.id, "deltaker03", "Jeg heter Kari Nordmann, ring 987 65 432 <script>alert(1)</script>")
    assert "Kari" not in stored and "987" not in stored and "[navn]" in stored and "[telefon]" in stored
    texts = room.results(q.id)["texts"]
    assert texts[0] == {"text": "Trygghet", "count": 2}
    assert texts[1]["text"] == stored  # the markup stays text; the page sets it with textContent
    shared = store.events(actor=room.actor, verb="shared")
    assert [e["result"]["response"] for e in shared] == ["Trygghet", "trygghet", stored]
    with pytest.raises(PollError, match="høyst 200"):
        room.answer(q.id, "deltaker04", "x" * 201)
    with pytest.raises(PollError, match="Skriv et svar"):
        room.answer(q.id, "deltaker04", "   ")


def test_closed_questions_and_sessions_take_no_answers(store: Store) -> None:
    room = PollRoom.open(store)
    first = room.ask(Question("choice", "Først?", ["Ja", "Nei"]))
    second = room.ask(Question("choice", "Så?", ["Ja", "Nei"]))
    with pytest.raises(PollError, match="lukket"):
        room.answer(first.id, "deltaker01", 0)  # asking the next question closes the one before
    room.stop()
    with pytest.raises(PollError, match="lukket"):
        room.answer(second.id, "deltaker01", 0)
    room.close()
    with pytest.raises(PollError, match="avsluttet"):
        PollRoom.find(store, room.code)
    with pytest.raises(PollError, match="Fant ingen avstemning"):
        PollRoom.find(store, "ZZZZ" if room.code != "ZZZZ" else "YYYY")
    with pytest.raises(PollError, match="4 tegn"):
        PollRoom.find(store, "12")


def test_questions_are_checked() -> None:
    with pytest.raises(PollError, match="mellom 2 og 8"):
        Question("choice", "Hva?", ["Bare ett"])
    with pytest.raises(PollError, match="Skriv spørsmålet"):
        Question("text", "   ")
    with pytest.raises(PollError, match="Ukjent"):
        Question("ranking", "Hva?")


def test_host_and_participant_widgets_through_their_messages(session, store: Store, second_store: Store) -> None:
    host = PollHost("samtalen", [Question("choice", "Hva trenger personen mest?", ["Å bli lyttet til", "Råd"],
                                          correct=[0], explanation="**Lytt** først.")])
    send(host, type="start")
    assert len(host.code) == 4 and not host.closed
    voter = PollParticipant(store=second_store)
    send(voter, type="join", code="fei")
    assert "4 tegn" in voter.error and not voter.joined
    send(voter, type="join", code=host.code.lower())
    assert voter.joined and voter.question == {} and voter.error == ""
    send(host, type="ask", key="s0")
    assert host.question["text"] == "Hva trenger personen mest?" and "correct" not in host.question
    send(voter, type="tick")
    assert voter.question["id"] == "q1" and "correct" not in voter.question and "explanation" not in voter.question
    send(voter, type="answer", question="q1", value=0)
    assert voter.my_answer == {"question": "q1", "value": 0}
    send(host, type="tick")
    assert host.results["total"] == 1 and host.results["bars"][0]["count"] == 1
    send(host, type="reveal")
    assert host.question["correct"] == [0] and "<strong>Lytt</strong>" in host.question["explanation_html"]
    send(host, type="ask", custom={"kind": "choice", "text": "Bare ett valg?", "options": ["Ja"]})
    assert "svaralternativer" in host.error
    send(host, type="ask", custom={"kind": "text", "text": "Hva tar du med deg?"})
    send(voter, type="tick")
    assert voter.question["kind"] == "text"
    send(voter, type="answer", question="q1", value=0)
    assert "lukket" in voter.error
    send(host, type="close")
    send(voter, type="tick")
    assert host.closed and voter.closed


def test_participant_joins_from_the_address(session, store: Store) -> None:
    room = PollRoom.open(store)
    voter = PollParticipant(room.code)
    assert voter.joined and voter.code == room.code
    assert PollParticipant("ABCD" if room.code != "ABCD" else "ABCE").error.startswith("Fant ingen avstemning")


# -- the facilitator view ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def course():
    return load_course(REPO_ROOT)


def test_plenum_steps_follow_the_theme_notebook_and_carry_the_trainer_notes(course) -> None:
    from widgets.plenum import plenum_steps

    theme = course.theme("selvmord")
    steps = plenum_steps(course, theme)
    keys = [s.key for s in steps]
    assert keys[0] == "intro" and keys[-1] == "confidence_after"
    assert [k for k in keys if k.startswith("simulation/")] == [f"simulation/{s}" for s in theme.scenarios]
    intro = steps[0]
    assert theme.goals[0] in intro.text and intro.notes and "For kursholdere" in intro.notes[0]
    quiz = next(s for s in steps if s.key == "quiz")
    assert len(quiz.polls) == len(theme.quiz) and all(q.correct for q in quiz.polls)
    before = next(s for s in steps if s.key == "confidence_before")
    assert [q.kind for q in before.polls] == ["rating"] * len(theme.confidence["statements"])
    assert before.polls[0].scale == theme.confidence["scale"]
    reflection = next(s for s in steps if s.key == "reflection")
    group = [t["title"] for t in theme.tasks if t["mode"] in ("group", "both")]
    assert [p["title"] for p in reflection.prompts] == group and group
    assert next(s for s in steps if s.key == "expert_film").show == [("film", "expert_film")]


def test_plenum_view_navigates_and_offers_the_steps_questions(session, course) -> None:
    from widgets.plenum import PlenumView

    view = PlenumView("", course)
    assert view.nav.theme == "" and view.nav.steps == []
    send(view.nav, type="choose", theme="samtalen")
    assert view.nav.theme_title == "Den gode samtalen" and view.nav.index == 0
    assert view.nav.step["notes_html"], "the trainer note of the theme notebook"
    send(view.nav, type="go", index=2)
    assert view.nav.step["key"] == "expert_film" and type(view.stage.children[0]).__name__ == "VideoPlayer"
    film = view.stage.children[0]
    send(view.nav, type="go", index=5)
    assert view.nav.step["key"] == "quiz" and view.stage.children == ()
    assert len(view.polls.suggestions) == len(course.theme("samtalen").quiz)
    send(view.nav, type="go", index=2)
    assert view.stage.children[0] is film  # going back keeps the film where it was
    send(view.nav, type="go", index=999)
    assert view.nav.index == len(view.steps) - 1


def test_plenum_view_takes_the_theme_from_the_address(session, course, monkeypatch: pytest.MonkeyPatch) -> None:
    from widgets.plenum import PlenumView

    monkeypatch.setenv("QUERY_STRING", "tema=rus")
    view = PlenumView(course=course)
    assert view.nav.theme == "rus" and view.nav.step["title"] == course.theme("rus").title
    monkeypatch.setenv("QUERY_STRING", "tema=finnes-ikke")
    assert PlenumView(course=course).nav.theme == ""
