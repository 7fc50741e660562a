"""Widgets without a browser or kernel: what they show, what they do on a learner's action, what they emit.

Messages from the browser are sent the way the front end sends them (``{"type": ..., ...}``) through the widget's
own dispatcher, so these tests exercise the same code path a click does.
"""

from __future__ import annotations

import pytest

from widgets.content import REPO_ROOT, load_course
from widgets.session import Session


@pytest.fixture(scope="module")
def course():
    return load_course(REPO_ROOT)


@pytest.fixture
def learner(session: Session) -> Session:
    session.set_learner("TEST-0001")
    return session


def send(widget, **content) -> None:
    widget._dispatch(widget, content, [])


def verbs(session: Session) -> list[str]:
    return [r["verb"] for r in session.store.events()]


def test_every_front_end_module_has_a_default_export_and_no_inner_html_from_learners() -> None:
    from widgets._base import STATIC

    for js in STATIC.glob("*.js"):
        text = js.read_text(encoding="utf-8")
        if js.name != "common.js":
            assert "export default" in text, js.name
        # innerHTML is only reached through h(..., {html}) with server-sanitised HTML.
        assert text.count("innerHTML") == (1 if js.name == "common.js" else 0), js.name


def test_learner_badge_hands_the_code_to_the_session(session: Session) -> None:
    from widgets.learner import LearnerBadge

    badge = LearnerBadge()
    badge.code = "k7qm-2xpd"
    assert session.learner == "K7QM-2XPD" and badge.code == "K7QM-2XPD"
    send(badge, type="use_code", code="kode 12")
    assert "ser ikke ut som en kode" in badge.status and session.learner == "K7QM-2XPD"
    send(badge, type="use_code", code="abcd efgh")
    assert session.learner == "ABCD-EFGH" and "ABCD-EFGH" in badge.status


def test_quiz_grades_gives_feedback_and_emits(course, learner: Session) -> None:
    from widgets.quiz import Quiz

    theme = course.theme("samtalen")
    quiz = Quiz("samtalen", theme.quiz)
    assert all("correct" not in str(item["options"]) for item in quiz.items)  # answers stay in the kernel
    item = next(i for i in theme.quiz if i["type"] == "single")
    right = next(n for n, o in enumerate(item["options"]) if o["correct"])
    wrong = next(n for n, o in enumerate(item["options"]) if not o["correct"])
    send(quiz, type="answer", item=item["id"], selected=[wrong])
    result = quiz.results[item["id"]]
    assert result["correct"] is False and result["feedback"][0]["text"] == item["options"][wrong]["feedback"]
    assert result["explanation_html"]
    send(quiz, type="retry", item=item["id"])
    assert item["id"] not in quiz.results
    send(quiz, type="answer", item=item["id"], selected=[right])
    assert quiz.results[item["id"]]["correct"] is True
    rows = [r for r in learner.store.events() if r["verb"] == "answered"]
    assert [r["result"]["success"] for r in rows] == [False, True]
    assert rows[0]["result"]["first_attempt"] is True and rows[1]["result"]["first_attempt"] is False


def test_quiz_completion_marks_the_section_done(course, learner: Session) -> None:
    from widgets.quiz import Quiz

    theme = course.theme("samtalen")
    quiz = Quiz("samtalen", theme.quiz)
    for item in theme.quiz:
        send(quiz, type="answer", item=item["id"], selected=[0])
    assert "quiz" in learner.progress("samtalen")
    assert verbs(learner).count("completed") == 1


def test_quiz_ignores_hostile_messages(course, learner: Session) -> None:
    from widgets.quiz import Quiz

    quiz = Quiz("samtalen", course.theme("samtalen").quiz)
    first = course.theme("samtalen").quiz[0]["id"]
    send(quiz, type="answer", item="nope", selected=[0])
    send(quiz, type="answer", item=first, selected="0; drop")
    send(quiz, type="__class__")
    quiz._dispatch(quiz, "not a dict", [])
    assert quiz.results == {first: {"error": "Velg et svar først."}} and quiz.error == ""
    assert verbs(learner) == ["launched"] or "answered" not in verbs(learner)


def test_true_false_items_get_sant_and_usant(course) -> None:
    from widgets.quiz import grade, normalise_item

    item = next(i for i in course.theme("samtalen").quiz if i["type"] == "true_false")
    norm = normalise_item(item)
    assert [o["text"] for o in norm["options"]] == ["Sant", "Usant"]
    right = 0 if item["answer"] else 1
    assert grade(norm, [right])["correct"] and not grade(norm, [1 - right])["correct"]
    with pytest.raises(ValueError):
        grade(norm, [0, 1])


def test_confidence_before_and_after(course, learner: Session) -> None:
    from widgets.confidence import ConfidenceCheck

    conf = course.theme("samtalen").confidence
    before = ConfidenceCheck("samtalen", conf, "before")
    send(before, type="save", ratings={s["id"]: 3 for s in conf["statements"][:-1]})
    assert before.error and not before.saved
    send(before, type="save", ratings={s["id"]: 3 for s in conf["statements"]})
    assert before.saved and verbs(learner).count("rated") == len(conf["statements"])
    after = ConfidenceCheck("samtalen", conf, "after")
    assert after.before == {s["id"]: 3 for s in conf["statements"]}
    send(after, type="save", ratings={s["id"]: 99 for s in conf["statements"]})
    assert not after.saved
    assert {"confidence_before"} <= set(learner.progress("samtalen"))


def test_reflection_is_scrubbed_private_and_shared_only_on_request(course, learner: Session) -> None:
    from widgets.reflection import Reflection

    tasks = course.theme("samtalen").tasks
    refl = Reflection("samtalen", tasks)
    send(refl, type="save", task=tasks[0]["id"], text="Ring meg på 98765432, hilsen Kari", share=False)
    stored = learner.get_state(f"reflection/samtalen/{tasks[0]['id']}")
    assert "98765432" not in stored and "[telefon]" in stored
    assert "shared" not in verbs(learner) and "Bare du kan se dette" in refl.status[tasks[0]["id"]]
    send(refl, type="save", task=tasks[1]["id"], text="Jeg lærte å vente med råd.", share=True)
    shared = [r for r in learner.store.events() if r["verb"] == "shared"]
    assert len(shared) == 1 and shared[0]["result"]["response"] == "Jeg lærte å vente med råd."
    again = Reflection("samtalen", tasks)
    assert again.notes[tasks[0]["id"]] == stored


def test_video_player_events_resume_and_preferences(course, learner: Session) -> None:
    from widgets.video import VideoPlayer

    theme = course.theme("samtalen")
    film = theme.film("expert_film")
    player = VideoPlayer("samtalen", film, REPO_ROOT / "data")
    assert player.captions_on is True and player.described is False
    assert player.film["captions"].startswith("data/media/") and player.film["transcript"]
    assert player.film["described"]["sources"][0]["src"] != player.film["sources"][0]["src"]
    send(player, type="play", position=0)
    send(player, type="pause", position=12.5)
    send(player, type="preferences", described=True)
    again = VideoPlayer("samtalen", film, REPO_ROOT / "data")
    assert again.described is True
    send(player, type="preferences", described=False)
    send(player, type="position", position=33.0)
    resumed = VideoPlayer("samtalen", film, REPO_ROOT / "data")
    assert resumed.resume_at == 33.0
    send(player, type="ended", position=60, duration=60, watched=20)
    assert "expert_film" not in learner.progress("samtalen")  # skipped to the end
    send(player, type="ended", position=60, duration=60, watched=59)
    assert "expert_film" in learner.progress("samtalen")
    assert verbs(learner)[:2] == ["played", "paused"] and "completed" in verbs(learner)


def test_chat_simulation_turns_feedback_and_summary(course, learner: Session) -> None:
    from widgets.chat import ChatSimulation

    scenario = next(iter(course.theme("samtalen").scenarios.values()))
    chat = ChatSimulation("samtalen", scenario, seed=4)
    assert chat.messages[0]["who"] == "caller" and chat.choices
    send(chat, type="send", text="Hva har gjort at du tok kontakt i kveld? Ring meg på 41234567")
    assert chat.messages[1] == {"who": "learner", "text": "Hva har gjort at du tok kontakt i kveld? Ring meg på [telefon]"}
    assert chat.feedback
    responded = [r for r in learner.store.events() if r["verb"] == "responded"]
    assert responded and "41234567" not in str(responded) and "open_question" in responded[0]["result"]["labels"]
    for _ in range(40):
        if chat.ended:
            break
        send(chat, type="choose", index=0)
    assert chat.ended and chat.summary["lines"]
    assert "simulation" in learner.progress("samtalen")
    send(chat, type="restart")
    assert not chat.ended and len(chat.messages) == 1


def test_chat_treats_markup_as_text(course, learner: Session) -> None:
    from widgets.chat import ChatSimulation

    chat = ChatSimulation("samtalen", next(iter(course.theme("samtalen").scenarios.values())), seed=1)
    send(chat, type="send", text="<img src=x onerror=alert(1)>")
    assert chat.messages[1]["text"] == "<img src=x onerror=alert(1)>"  # stored as text; the browser sets textContent


def test_worksheet_is_a_pdf_with_the_tasks(course, learner: Session) -> None:
    from widgets.resources import Worksheet

    sheet = Worksheet(course.title, course.theme("samtalen"))
    pdf = sheet.pdf()
    assert pdf.startswith(b"%PDF") and len(pdf) > 1500
    sent = []
    sheet.send = lambda content, buffers=None: sent.append((content, buffers))
    send(sheet, type="download")
    assert sent and sent[0][0]["filename"] == "arbeidsark-samtalen.pdf" and sent[0][1][0].startswith(b"%PDF")
    assert "printable" in learner.progress("samtalen")


def test_overview_shows_progress_after_the_code_arrives(course, session: Session) -> None:
    from widgets.overview import CourseOverview, HelpBox

    session.store.set_state("PRGS-0001", "progress/samtalen", ["quiz", "simulation"])
    overview = CourseOverview(course)
    assert overview.themes[0]["done"] == 0
    session.set_learner("PRGS-0001")
    assert overview.themes[0]["done"] == 2 and overview.themes[0]["ready"]
    assert [t["id"] for t in overview.themes] == [t.id for t in course.themes]
    assert all(t["notebook"].endswith(f"-{t['id']}.ipynb") for t in overview.themes)
    html = HelpBox(course.helplines)._repr_html_()
    assert "113" in html and "116 123" in html


def test_a_failing_handler_shows_a_calm_message(course, learner: Session) -> None:
    from widgets.quiz import Quiz

    quiz = Quiz("samtalen", course.theme("samtalen").quiz)
    def boom(_content):
        raise RuntimeError("secret internals")
    quiz.on_answer = boom
    send(quiz, type="answer", item="q1", selected=[0])
    assert quiz.error.startswith("Noe gikk galt") and "secret" not in quiz.error


@pytest.mark.parametrize("theme_id", ["samtalen", "selvmord", "vold", "traumer", "rus", "ivaretakelse"])
def test_every_theme_has_a_worksheet_pdf_with_its_tasks(course, theme_id: str) -> None:
    from widgets.printables import worksheet_pdf

    theme = course.theme(theme_id)
    pdf = worksheet_pdf(course.title, theme)
    assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF")
    assert len(theme.tasks) >= 5 and len(pdf) > 2000


def test_chat_shows_the_scenario_authors_hint_for_the_turn(course, learner: Session) -> None:
    """A node's `hint` reaches the learner above the suggested replies at that turn, and only there."""
    from collections import deque

    from widgets.chat import ChatSimulation

    scenario = course.theme("vold").scenarios["maja-forteller"]
    nodes = scenario["nodes"]
    target = next(name for name, node in nodes.items() if node.get("hint"))
    # The suggested replies that lead from the start to that node (breadth first over the choices).
    paths, queue = {scenario["start"]: []}, deque([scenario["start"]])
    while queue and target not in paths:
        name = queue.popleft()
        for index, choice in enumerate(nodes[name].get("choices", [])):
            if choice["next"] not in paths:
                paths[choice["next"]] = [*paths[name], index]
                queue.append(choice["next"])
    chat = ChatSimulation("vold", scenario, seed=1, persona=False)
    assert chat.hint == str(nodes[scenario["start"]].get("hint", ""))
    for index in paths[target]:
        send(chat, type="choose", index=index)
    assert chat.engine.node_id == target
    assert chat.hint == nodes[target]["hint"].strip() and chat.hint
    for _ in range(40):
        if chat.ended:
            break
        send(chat, type="choose", index=0)
    assert chat.ended and chat.hint == ""


def test_what_a_click_changes_reaches_the_browser_as_one_update(course, learner: Session, monkeypatch) -> None:
    """A chat turn changes the conversation, the replies, the feedback and more: one message, one redraw."""
    from widgets.chat import ChatSimulation

    chat = ChatSimulation("samtalen", next(iter(course.theme("samtalen").scenarios.values())), seed=1, persona=False)
    updates: list[dict] = []
    monkeypatch.setattr(chat, "_send", lambda msg, buffers=None: updates.append(msg), raising=False)
    send(chat, type="choose", index=0)
    assert len(updates) == 1 and updates[0]["method"] == "update"
    assert {"messages", "choices", "feedback", "feedback_labels"} <= set(updates[0]["state"])
    assert [m["who"] for m in updates[0]["state"]["messages"]] == ["caller", "learner", "caller"]
