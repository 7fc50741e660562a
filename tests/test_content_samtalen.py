"""Content obligations for the theme «Den gode samtalen» and the help-line directory.

These tests read the YAML files directly (PyYAML only, no kernel). They check what a learner
would notice: feedback on every answer, a scenario without dead ends, sources with addresses.
They are meant to be replaced in part by the real loader (`widgets.content`) later.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import deque
from pathlib import Path

import pytest
import yaml

from widgets.simulation import ScriptedEngine
from widgets.simulation.coach import LABELS
from widgets.simulation.scenario import graph_problems

DATA = Path(__file__).resolve().parents[1] / "data"
THEME = DATA / "themes" / "samtalen"
CHECKED = dt.date(2026, 11, 22)
DAYS = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
END_KINDS = {"safety_plan", "referred", "good_close", "caller_left"}
COACH_LABELS = set(LABELS)
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")


def load(path: Path):
    with path.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


# --- course -----------------------------------------------------------------------------------

def test_course_lists_the_six_themes_in_order():
    course = load(DATA / "course.yaml")
    ids = [t["id"] for t in sorted(course["themes"], key=lambda t: t["order"])]
    assert ids == ["samtalen", "selvmord", "vold", "traumer", "rus", "ivaretakelse"]
    assert course["version"] == "0.1.0"
    for theme in course["themes"]:
        assert 3 <= len(theme["goals"]) <= 5, theme["id"]
        assert theme["sections"], theme["id"]
    assert next(t for t in course["themes"] if t["id"] == "samtalen")["status"] == "ready"


def test_theme_has_intro_and_confidence_statements():
    theme = load(THEME / "theme.yaml")
    assert theme["intro"].strip()
    assert theme["confidence"]["scale"] == 7
    assert 3 <= len(theme["confidence"]["statements"]) <= 5


# --- quiz -------------------------------------------------------------------------------------

QUIZ = load(THEME / "quiz.yaml")["items"]


def test_quiz_has_enough_items_with_unique_ids():
    assert len(QUIZ) >= 8
    ids = [item["id"] for item in QUIZ]
    assert len(ids) == len(set(ids))
    assert {item["type"] for item in QUIZ} == {"single", "multiple", "true_false"}


@pytest.mark.parametrize("item", QUIZ, ids=lambda item: item["id"])
def test_quiz_item_teaches_on_every_answer(item):
    assert item["prompt"].strip()
    assert item["explanation"].strip()
    if item["type"] == "true_false":
        assert isinstance(item["answer"], bool)
        assert item["feedback_true"].strip() and item["feedback_false"].strip()
        return
    options = item["options"]
    assert 2 <= len(options) <= 6
    for option in options:
        assert option["text"].strip() and option["feedback"].strip()
    n_correct = sum(1 for option in options if option["correct"])
    if item["type"] == "single":
        assert n_correct == 1
    else:
        assert n_correct >= 2


# --- reflections ------------------------------------------------------------------------------

def test_reflections_and_exercises():
    tasks = load(THEME / "reflections.yaml")["tasks"]
    reflections = [t for t in tasks if t["kind"] == "reflection"]
    exercises = [t for t in tasks if t["kind"] == "exercise"]
    assert len(reflections) >= 3
    assert len(exercises) >= 3
    assert any(t["mode"] in ("group", "both") for t in exercises)
    assert any(t["mode"] in ("individual", "both") for t in exercises)
    for task in exercises:
        assert len(task["steps"]) >= 2, task["id"]


# --- sources ----------------------------------------------------------------------------------

def test_sources_have_https_address_and_year():
    sources = load(THEME / "sources.yaml")["sources"]
    assert len(sources) >= 4
    for source in sources:
        assert source["url"].startswith("https://"), source["title"]
        assert source["title"] and source["publisher"] and source["note"]
        assert source["checked"] == CHECKED
        # year may be null for an undated web page; a given year must be plausible
        assert source["year"] is None or 1990 <= source["year"] <= CHECKED.year
    assert sum(1 for s in sources if isinstance(s["year"], int)) >= 4


# --- scenario ---------------------------------------------------------------------------------

SCENARIO = load(THEME / "scenarios" / "forste-kontakt.yaml")
NODES = SCENARIO["nodes"]


def successors(node: dict) -> list[str]:
    nexts = [c["next"] for c in node.get("choices", [])]
    nexts += [r["next"] for r in node.get("routes", [])]
    return nexts


def reachable_from(start: str) -> set[str]:
    seen, queue = {start}, deque([start])
    while queue:
        for nxt in successors(NODES[queue.popleft()]):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def test_scenario_size_and_start():
    assert 8 <= len(NODES) <= 14
    assert SCENARIO["start"] in NODES
    assert set(SCENARIO["must_do"]) <= COACH_LABELS


def test_every_next_points_to_an_existing_node():
    for name, node in NODES.items():
        for nxt in successors(node):
            assert nxt in NODES, f"{name} -> {nxt}"


def test_every_node_is_an_end_or_leads_on():
    intents = set(SCENARIO.get("intents", {}))
    for name, node in NODES.items():
        assert len(node["say"]) == 2, name
        if "end" in node:
            assert node["end"] in END_KINDS, name
            assert not successors(node), name
            continue
        assert 2 <= len(node["choices"]) <= 4, name
        for choice in node["choices"]:
            assert choice["labels"] and set(choice["labels"]) <= COACH_LABELS, name
        routes = node["routes"]
        assert "when" not in routes[-1], f"{name}: last route must be the fallback"
        for route in routes[:-1]:
            assert set(route["when"]["any"]) <= COACH_LABELS | intents, name


def test_every_end_is_reachable_and_no_node_traps_the_learner():
    reachable = reachable_from(SCENARIO["start"])
    ends = {name for name, node in NODES.items() if "end" in node}
    assert ends <= reachable
    assert {NODES[e]["end"] for e in ends} >= {"good_close", "caller_left"}
    assert reachable == set(NODES), f"unreachable: {set(NODES) - reachable}"
    for name in reachable:  # from every node some end can still be reached
        assert reachable_from(name) & ends, name


# --- both scenarios -------------------------------------------------------------------------

SCENARIOS = {path.stem: load(path) for path in sorted((THEME / "scenarios").glob("*.yaml"))}
PHONE = SCENARIOS["telefon-stillhet"]


def test_two_scenarios_on_different_channels():
    assert {"forste-kontakt", "telefon-stillhet"} <= set(SCENARIOS)
    assert next(iter(SCENARIOS)) == "forste-kontakt"  # tests/test_simulation.py practises on the first one
    assert SCENARIOS["forste-kontakt"]["channel"] == "chat"
    assert PHONE["channel"] == "phone"
    for stem, scenario in SCENARIOS.items():
        assert scenario["id"] == stem


def test_phone_scenario_is_a_sound_graph():
    assert graph_problems(PHONE) == []
    assert PHONE["difficulty"] == "middels"
    assert 10 <= len(PHONE["nodes"]) <= 16
    assert set(PHONE["must_do"]) == {"open_question", "reflection", "summary"}
    assert "suicide" not in PHONE.get("risks", [])  # he hints once, is asked directly and answers no
    intents = set(PHONE["intents"])
    assert 2 <= len(intents) <= 4
    ends = set()
    for name, node in PHONE["nodes"].items():
        assert len(node["say"]) == 2, name
        if "end" in node:
            ends.add(node["end"])
            continue
        assert 2 <= len(node["choices"]) <= 4, name
        for choice in node["choices"]:
            assert choice["labels"] and set(choice["labels"]) <= COACH_LABELS, name
            assert choice["feedback"].strip(), name
        for route in node["routes"][:-1]:
            assert set(route["when"]["any"]) <= COACH_LABELS | intents, name
    assert {"good_close", "caller_left", "referred"} <= ends
    # a phone call: the caller's pauses are written into his lines
    assert sum("pause" in line for node in PHONE["nodes"].values() for line in node["say"]) >= 10


def _walk(scenario: dict, pick) -> ScriptedEngine:
    engine = ScriptedEngine(scenario, seed=1)
    engine.opening()
    for _ in range(40):
        if engine.ended:
            break
        engine.respond("", pick(scenario["nodes"][engine.node_id]["choices"]))
    return engine


def test_phone_scenario_rewards_listening_and_loses_the_caller_to_advice():
    good = {"open_question", "reflection", "affirmation", "summary", "suicide_question", "safety_planning"}
    poor = {"advice", "minimizing"}
    best = _walk(PHONE, lambda cs: max(range(len(cs)), key=lambda i: len(good & set(cs[i]["labels"]))
                                       - 3 * len(poor & set(cs[i]["labels"])) - 0.1 * i))
    assert best.end == "good_close"
    assert all(best.summary()["must_do"].values())
    assert any("suicide_question" in turn.labels for turn in best.turns)
    worst = _walk(PHONE, lambda cs: next((i for i, c in enumerate(cs) if poor & set(c["labels"])), 0))
    assert worst.end == "caller_left"


# --- help lines -------------------------------------------------------------------------------

SERVICES = load(DATA / "helplines.yaml")["services"]


def test_helplines_cover_the_directory():
    ids = [s["id"] for s in SERVICES]
    assert len(ids) == len(set(ids))
    assert len(SERVICES) >= 12
    phones = {s["phone"] for s in SERVICES}
    assert {"116 123", "22 40 00 40", "116 111", "116 006", "113", "112", "116 117"} <= phones


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s["id"])
def test_helpline_has_source_checked_date_and_valid_hours(service):
    assert service["source"].startswith("https://")
    assert service["checked"] == CHECKED
    assert service["hours_text"].strip()
    assert service["needs"]
    for span in service["hours"]:
        assert span["channel"] in ("phone", "chat", "sms")
        assert set(span["days"]) <= DAYS
        assert HHMM.match(span["from"]) and HHMM.match(span["to"])
        assert span["from"] < span["to"]
