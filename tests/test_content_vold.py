"""Content obligations for the theme «Vold og overgrep».

These tests read the YAML files directly (PyYAML only, no kernel), and walk the scenarios with the scripted engine.
They check what a learner would notice: feedback on every answer, scenarios without dead ends, safety on every
good path (asking whether the person is safe, no promise of secrecy, a referral that fits), and real sources.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from pathlib import Path

import pytest
import yaml

from widgets.simulation.coach import LABELS, classify
from widgets.simulation.engine import ScriptedEngine
from widgets.simulation.scenario import graph_problems

DATA = Path(__file__).resolve().parents[1] / "data"
THEME = DATA / "themes" / "vold"
CHECKED = dt.date(2026, 11, 22)
GOOD_ENDS = {"safety_plan", "referred", "good_close"}
GOOD_LABELS = {"open_question", "reflection", "affirmation", "summary", "suicide_question", "safety_planning"}
POOR_LABELS = {"advice", "minimizing"}


def load(path: Path):
    with path.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


SCENARIOS = {path.stem: load(path) for path in sorted((THEME / "scenarios").glob("*.yaml"))}


# --- theme, films, quiz, reflections, sources ------------------------------------------------------------


def test_theme_intro_referrals_and_confidence():
    theme = load(THEME / "theme.yaml")
    assert theme["intro"].strip().count("\n\n") in (1, 2)  # 2–3 paragraphs
    for number in ("116 111", "116 006", "800 57 000", "112", "113"):
        assert number in theme["intro"], number
    services = {s["id"] for s in load(DATA / "helplines.yaml")["services"]}
    assert {"alarmtelefonen", "vo-linjen", "seksuelt-misbrukte", "politi-112", "amk-113"} <= set(theme["referrals"])
    assert set(theme["referrals"]) <= services
    assert theme["confidence"]["scale"] == 7
    assert 3 <= len(theme["confidence"]["statements"]) <= 5


def test_three_demo_films_with_a_demo_notice_and_fictional_interview():
    films = load(THEME / "films.yaml")["films"]
    assert [f["kind"] for f in films] == ["expert_film", "interview_film", "tool_film"]
    for film in films:
        assert film["demo"] is True
        assert 5 <= len(film["script"]) <= 6, film["id"]
        assert film["script"][0]["slide"]["text"].startswith("Demofilm – erstattes av ekte film")
        for step in film["script"]:
            assert 10 <= len(step["say"].split()) <= 35, (film["id"], step["say"])
            assert 10 <= len(step["describe"].split()) <= 40, (film["id"], step["describe"])
        assert film["sources"][0]["src"] == f"media/vold/{film['id']}.webm"
    interview = films[1]
    assert "oppdiktet" in interview["description"].lower()
    assert "oppdiktet" in interview["script"][0]["slide"]["text"].lower()


QUIZ = load(THEME / "quiz.yaml")["items"]


def test_quiz_mixes_types_and_situations():
    assert len(QUIZ) >= 10
    assert len({i["id"] for i in QUIZ}) == len(QUIZ)
    assert {i["type"] for i in QUIZ} == {"single", "multiple", "true_false"}
    situations = [i for i in QUIZ if "«" in i["prompt"] and "»" in i["prompt"]]
    assert len(situations) >= 3


@pytest.mark.parametrize("item", QUIZ, ids=lambda item: item["id"])
def test_quiz_item_teaches_on_every_answer(item):
    assert item["prompt"].strip() and item["explanation"].strip()
    if item["type"] == "true_false":
        assert isinstance(item["answer"], bool)
        assert item["feedback_true"].strip() and item["feedback_false"].strip()
        return
    assert 2 <= len(item["options"]) <= 6
    for option in item["options"]:
        assert option["text"].strip() and option["feedback"].strip()
    n_correct = sum(1 for o in item["options"] if o["correct"])
    assert n_correct == 1 if item["type"] == "single" else n_correct >= 2


def test_quiz_never_teaches_a_promise_of_secrecy():
    for item in QUIZ:
        for option in item.get("options", []):
            if "lover" in option["text"] and "ikke love" not in option["text"].lower():
                assert not option["correct"], item["id"]


def test_reflections_and_exercises():
    tasks = load(THEME / "reflections.yaml")["tasks"]
    reflections = [t for t in tasks if t["kind"] == "reflection"]
    exercises = [t for t in tasks if t["kind"] == "exercise"]
    assert len(reflections) >= 3 and len(exercises) >= 2
    assert any(t["mode"] == "group" for t in exercises)
    assert any(t["mode"] == "individual" for t in exercises)
    for task in exercises:
        assert len(task["steps"]) >= 2, task["id"]


def test_sources_are_real_addresses_with_the_law_on_lovdata():
    sources = load(THEME / "sources.yaml")["sources"]
    assert len(sources) >= 4
    for source in sources:
        assert source["url"].startswith("https://"), source["title"]
        assert source["title"] and source["publisher"] and source["note"]
        assert source["checked"] == CHECKED
        assert source["year"] is None or 1990 <= source["year"] <= CHECKED.year
    assert any(s["url"].startswith("https://lovdata.no/") and "196" in s["title"] for s in sources)


# --- scenarios ---------------------------------------------------------------------------------------------


def test_two_scenarios_with_different_channels_personas_and_difficulty():
    assert len(SCENARIOS) >= 2
    assert {s["channel"] for s in SCENARIOS.values()} == {"chat", "phone"}
    assert len({s["persona"]["alias"] for s in SCENARIOS.values()}) == len(SCENARIOS)
    assert len({s["difficulty"] for s in SCENARIOS.values()}) == len(SCENARIOS)
    child = SCENARIOS["maja-forteller"]
    assert child["channel"] == "chat" and child["difficulty"] == "krevende"
    assert set(child["risks"]) == {"child_at_risk", "violence"} and child["persona"]["age"] < 18
    adult = SCENARIOS["hanne-teller-det"]
    assert adult["channel"] == "phone" and adult["difficulty"] == "middels" and adult["risks"] == ["violence"]


@pytest.mark.parametrize("sid", sorted(SCENARIOS))
def test_scenario_shape(sid):
    scenario = SCENARIOS[sid]
    assert scenario["id"] == sid
    assert graph_problems(scenario) == []
    assert "suicide" not in scenario.get("risks", [])
    assert 10 <= len(scenario["nodes"]) <= 16
    assert 2 <= len(scenario.get("intents", {})) <= 4
    assert set(scenario["must_do"]) <= set(LABELS)
    assert "oppdiktet" in scenario["description"] and "113" in scenario["description"]
    ends = {n["end"] for n in scenario["nodes"].values() if "end" in n}
    assert "caller_left" in ends and ends & GOOD_ENDS
    for name, node in scenario["nodes"].items():
        assert len(node["say"]) == 2, name
        if "end" in node:
            continue
        assert 2 <= len(node["choices"]) <= 4, name
        for choice in node["choices"]:
            assert choice["labels"] and set(choice["labels"]) <= set(LABELS), name
            assert choice.get("feedback", "").strip(), name
        assert "when" not in node["routes"][-1], name


def _walk(scenario: dict, pick) -> ScriptedEngine:
    engine = ScriptedEngine(scenario, seed=1)
    engine.opening()
    for _ in range(40):
        if engine.ended:
            break
        engine.respond("", pick(scenario["nodes"][engine.node_id]["choices"]))
    return engine


@pytest.mark.parametrize("sid", sorted(SCENARIOS))
def test_good_choices_reach_a_good_end_with_every_must_do(sid):
    def pick(choices):
        scores = [len(GOOD_LABELS & set(c["labels"])) - 3 * len(POOR_LABELS & set(c["labels"])) for c in choices]
        return scores.index(max(scores))
    engine = _walk(SCENARIOS[sid], pick)
    assert engine.end in GOOD_ENDS
    assert all(t.feedback for t in engine.turns)
    assert all(engine.summary()["must_do"].values())


@pytest.mark.parametrize("sid", sorted(SCENARIOS))
def test_advice_and_minimising_lead_to_the_caller_leaving(sid):
    def pick(choices):
        poor = [i for i, c in enumerate(choices) if POOR_LABELS & set(c["labels"])]
        return poor[0] if poor else 0
    engine = _walk(SCENARIOS[sid], pick)
    assert engine.end == "caller_left"
    assert engine.summary()["revisit"]


def _choice_paths_to_good_ends(scenario: dict, flags) -> set[tuple]:
    """Walk the graph through suggested replies only; return the flag states with which good ends are reached."""
    nodes = scenario["nodes"]
    start = (scenario["start"], (False,) * len(flags))
    seen, queue, reached = {start}, deque([start]), set()
    while queue:
        name, state = queue.popleft()
        node = nodes[name]
        if node.get("end") in GOOD_ENDS:
            reached.add(state)
        for choice in node.get("choices", []):
            nxt = (choice["next"], tuple(s or f(choice) for s, f in zip(state, flags)))
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return reached


def _safety(choice) -> bool:
    return "safety_planning" in choice["labels"]


def test_child_scenario_every_good_path_checks_safety_is_honest_about_secrecy_and_refers_to_116_111():
    def honest(choice):
        return "kan ikke love" in choice["text"]
    def alarmtelefonen(choice):
        return "referral" in choice["labels"] and ("116 111" in choice["text"] or "116111" in choice["text"])
    reached = _choice_paths_to_good_ends(SCENARIOS["maja-forteller"], [_safety, honest, alarmtelefonen])
    assert reached == {(True, True, True)}


def test_adult_scenario_every_good_path_explores_safety():
    reached = _choice_paths_to_good_ends(SCENARIOS["hanne-teller-det"], [_safety])
    assert reached == {(True,)}


def test_unfitting_referrals_never_lead_straight_to_a_good_end():
    unfitting = {"maja-forteller": ["116 006"], "hanne-teller-det": ["116 111"]}
    for sid, numbers in unfitting.items():
        nodes = SCENARIOS[sid]["nodes"]
        for node in nodes.values():
            for choice in node.get("choices", []):
                if any(n in choice["text"] for n in numbers):
                    assert nodes[choice["next"]].get("end") not in GOOD_ENDS
                    assert "passer" in choice["feedback"] or "grense" in choice["feedback"]


def test_a_promise_of_secrecy_is_never_rewarded_and_can_be_repaired():
    scenario = SCENARIOS["maja-forteller"]
    engine = ScriptedEngine(scenario, seed=3)
    engine.opening()
    engine.node_id = "n5_hemmelig"
    turn = engine.respond("Jeg lover at jeg ikke sier det til noen.")
    assert turn.node == "n5b_lovet"
    turn = engine.respond("Jeg må være ærlig: jeg kan ikke love å holde det hemmelig. Men jeg lover å være ærlig med deg.")
    assert turn.node == "n6_redd"


@pytest.mark.parametrize(
    "sid, node, text, target",
    [
        ("maja-forteller", "n2_hjemme", "Slår han deg?", "n2b_usikker"),
        ("maja-forteller", "n4_kveld", "Er du trygg akkurat nå?", "n5_hemmelig"),
        ("maja-forteller", "n7_hva_skjer", "Du kan chatte med Alarmtelefonen på 116111.no eller ringe 116 111.", "n8_natt"),
        ("maja-forteller", "n7_hva_skjer", "Du kan ringe Vold- og overgrepslinjen på 116 006.", "n_feil_tjeneste"),
        ("hanne-teller-det", "n4_dytt", "Hvorfor blir du hos ham da?", "n_trekker"),
        ("hanne-teller-det", "n5_kveld", "Er du trygg i kveld når han kommer hjem?", "n6_sosteren"),
        ("hanne-teller-det", "n8_neste", "Vold- og overgrepslinjen på 116 006 er åpen hele døgnet.", "end_referred"),
        ("hanne-teller-det", "n8_neste", "Du kan ringe Alarmtelefonen på 116 111.", "n_feil_tjeneste"),
    ],
)
def test_free_text_is_routed(sid, node, text, target):
    engine = ScriptedEngine(SCENARIOS[sid], seed=4)
    engine.opening()
    engine.node_id = node
    turn = engine.respond(text)
    assert turn.node == target, (classify(text), turn.intents)
