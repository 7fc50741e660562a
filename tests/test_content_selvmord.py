"""Content obligations for the theme «Når noen tenker på å ta livet sitt» (selvmord).

These tests read the YAML files directly (PyYAML only, no kernel), like tests/test_content_samtalen.py. They check
what the theme promises a learner: asking directly and a safety plan on every good path, acute danger → 113,
referrals that fit the caller's age and the time of day, feedback on every answer, real sources.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import deque
from pathlib import Path

import pytest
import yaml

from widgets.simulation.coach import LABELS
from widgets.simulation.engine import ScriptedEngine
from widgets.simulation.scenario import graph_problems, suicide_safety_problems

DATA = Path(__file__).resolve().parents[1] / "data"
THEME = DATA / "themes" / "selvmord"
CHECKED = dt.date(2026, 11, 22)
GOOD_ENDS = {"safety_plan", "referred", "good_close"}
DEMO_NOTICE = "Demofilm – erstattes av ekte film"


def load(path: Path):
    with path.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


SCENARIOS = [load(p) for p in sorted((THEME / "scenarios").glob("*.yaml"))]
SERVICES = load(DATA / "helplines.yaml")["services"]


# --- theme, films -----------------------------------------------------------------------------

def test_theme_intro_asks_directly_and_names_113():
    theme = load(THEME / "theme.yaml")
    assert "Tenker du på å ta livet ditt?" in theme["intro"]
    assert "113" in theme["intro"]
    assert theme["confidence"]["scale"] == 7
    assert 3 <= len(theme["confidence"]["statements"]) <= 5
    known = {s["id"] for s in SERVICES}
    assert {"amk-113", "hjelpetelefonen", "legevakt"} <= set(theme["referrals"]) <= known


def test_three_demo_films_of_each_kind_with_a_clear_notice():
    films = load(THEME / "films.yaml")["films"]
    assert sorted(f["kind"] for f in films) == ["expert_film", "interview_film", "tool_film"]
    for film in films:
        assert film["demo"] is True
        assert 5 <= len(film["script"]) <= 6, film["id"]
        assert DEMO_NOTICE in film["script"][0]["slide"]["text"], film["id"]
        for step in film["script"]:
            assert step["say"].strip() and step["describe"].strip()
        assert all(src["src"].startswith(f"media/selvmord/{film['id']}.") for src in film["sources"])
    interview = next(f for f in films if f["kind"] == "interview_film")
    assert "oppdiktet" in interview["description"].lower()
    assert any("113" in step["say"] for film in films for step in film["script"])


# --- quiz -------------------------------------------------------------------------------------

QUIZ = load(THEME / "quiz.yaml")["items"]


def test_quiz_mixes_types_and_has_situations():
    assert len(QUIZ) >= 10
    assert len({item["id"] for item in QUIZ}) == len(QUIZ)
    assert {item["type"] for item in QUIZ} == {"single", "multiple", "true_false"}
    situations = [item for item in QUIZ if re.search(r"[«\"“].+[»\"”]", item["prompt"])]
    assert len(situations) >= 3


@pytest.mark.parametrize("item", QUIZ, ids=lambda item: item["id"])
def test_quiz_item_teaches_on_every_answer(item):
    assert item["explanation"].strip()
    if item["type"] == "true_false":
        assert isinstance(item["answer"], bool)
        assert item["feedback_true"].strip() and item["feedback_false"].strip()
        return
    assert 2 <= len(item["options"]) <= 6
    assert all(o["text"].strip() and o["feedback"].strip() for o in item["options"])
    correct = sum(1 for o in item["options"] if o["correct"])
    assert correct == 1 if item["type"] == "single" else correct >= 2


# --- reflections and sources ------------------------------------------------------------------

def test_reflections_and_exercises():
    tasks = load(THEME / "reflections.yaml")["tasks"]
    exercises = [t for t in tasks if t["kind"] == "exercise"]
    assert sum(1 for t in tasks if t["kind"] == "reflection") >= 3
    assert len(exercises) >= 2
    assert any(t["mode"] == "group" for t in exercises)
    assert any(t["mode"] == "individual" for t in exercises)
    assert all(len(t["steps"]) >= 2 for t in exercises)


def test_sources_are_cited_with_https_address():
    sources = load(THEME / "sources.yaml")["sources"]
    assert len(sources) >= 4
    for source in sources:
        assert source["url"].startswith("https://"), source["title"]
        assert source["title"] and source["publisher"] and source["note"]
        assert source["checked"] == CHECKED
        assert source["year"] is None or 1990 <= source["year"] <= CHECKED.year


# --- scenarios --------------------------------------------------------------------------------

def test_scenarios_differ_in_channel_and_carry_the_suicide_risk():
    assert len(SCENARIOS) >= 2
    assert {"chat", "phone"} <= {s["channel"] for s in SCENARIOS}
    assert len({s["persona"]["alias"] for s in SCENARIOS}) == len(SCENARIOS)
    for scenario in SCENARIOS:
        assert scenario["risks"] == ["suicide"]
        assert scenario["difficulty"] in ("lett", "middels", "krevende")
        assert {"suicide_question", "safety_planning"} <= set(scenario["must_do"]) <= set(LABELS)
        assert "113" in scenario["description"] and "oppdiktet" in scenario["description"]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s["id"])
def test_scenario_graph_is_sound_and_safe(scenario):
    assert 10 <= len(scenario["nodes"]) <= 16
    assert graph_problems(scenario) == []
    assert suicide_safety_problems(scenario) == []
    ends = {node["end"] for node in scenario["nodes"].values() if "end" in node}
    assert "caller_left" in ends and ends & GOOD_ENDS


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s["id"])
def test_every_node_has_two_variants_and_coached_replies(scenario):
    intents = set(scenario["intents"])
    for name, node in scenario["nodes"].items():
        assert len(node["say"]) == 2, name
        if "end" in node:
            continue
        assert 2 <= len(node["choices"]) <= 4, name
        for choice in node["choices"]:
            assert choice["labels"] and set(choice["labels"]) <= set(LABELS), name
            assert choice.get("feedback", "").strip(), f"{name}: «{choice['text']}» has no feedback"
        assert "when" not in node["routes"][-1], name
        for route in node["routes"][:-1]:
            for values in route["when"].values():
                assert set(values) <= set(LABELS) | intents, name


def _open_at(service: dict, hhmm: str) -> bool:
    """Whether a service answers the phone (or chat) at this time on at least one day; unknown hours count as open."""
    if not service["hours"]:
        return True
    return any(span["from"] <= hhmm < span["to"] for span in service["hours"])


def _fits_age(service: dict, age: int) -> bool:
    target = service["target"]
    return (target["min_age"] is None or age >= target["min_age"]) and (target["max_age"] is None or age <= target["max_age"])


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s["id"])
def test_referrals_that_do_not_fit_age_or_time_get_feedback_and_no_good_end(scenario):
    by_number = {s["phone"]: s for s in SERVICES if s["phone"]}
    age, time = scenario["persona"]["age"], scenario["time"]
    nodes = scenario["nodes"]
    for name, node in nodes.items():
        for choice in node.get("choices", []):
            if "referral" not in choice["labels"]:
                continue
            named = [s for number, s in by_number.items() if number in choice["text"]]
            tomorrow = "i morgen" in choice["text"] or "torsdag" in choice["text"]
            unfitting = [s["id"] for s in named if not _fits_age(s, age) or (not tomorrow and not _open_at(s, time))]
            if unfitting:
                assert nodes[choice["next"]].get("end") not in GOOD_ENDS, f"{name}: {unfitting}"
                assert choice["feedback"].strip()


def _walk(scenario: dict, pick) -> ScriptedEngine:
    engine = ScriptedEngine(scenario, seed=1)
    engine.opening()
    for _ in range(40):
        if engine.ended:
            break
        engine.respond("", pick(scenario["nodes"][engine.node_id]["choices"]))
    return engine


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s["id"])
def test_good_choices_ask_directly_make_a_plan_and_end_well(scenario):
    good = {"open_question", "reflection", "affirmation", "summary", "suicide_question", "safety_planning"}

    def pick(choices):
        scores = [len(good & set(c["labels"])) - 3 * len({"advice", "minimizing"} & set(c["labels"])) for c in choices]
        return scores.index(max(scores))

    engine = _walk(scenario, pick)
    assert engine.end in GOOD_ENDS
    summary = engine.summary()
    assert all(summary["must_do"].values()), summary["must_do"]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s["id"])
def test_advice_and_minimising_make_the_caller_leave(scenario):
    def pick(choices):
        poor = [i for i, c in enumerate(choices) if {"advice", "minimizing"} & set(c["labels"])]
        return poor[0] if poor else 0

    assert _walk(scenario, pick).end == "caller_left"


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s["id"])
def test_a_poor_reply_can_always_be_repaired(scenario):
    """From every node a caller withdraws to after advice or minimising, some reply leads back to a good end.

    (A poor reply in a withdrawal node may end the call: that is the consequence the learner sees.)
    """
    nodes = scenario["nodes"]
    good_ends = {n for n, node in nodes.items() if node.get("end") in GOOD_ENDS}
    for name, node in nodes.items():
        for choice in node.get("choices", []):
            if not {"advice", "minimizing"} & set(choice["labels"]) or "end" in nodes[choice["next"]]:
                continue
            seen, queue = {choice["next"]}, deque([choice["next"]])
            while queue:
                current = nodes[queue.popleft()]
                for nxt in [c["next"] for c in current.get("choices", [])] + [r["next"] for r in current.get("routes", [])]:
                    if nxt not in seen:
                        seen.add(nxt)
                        queue.append(nxt)
            assert seen & good_ends, f"{name}: no way back after «{choice['text']}»"
