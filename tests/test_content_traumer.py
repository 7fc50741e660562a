"""Content obligations for the theme «Krise, traumer og sorg» (traumer).

These tests read the YAML files directly (PyYAML, plus the scenario checks from `widgets.simulation`), like
tests/test_content_samtalen.py. They check what the theme promises a learner: stabilise before the story, a doctor
for the injured caller, asking directly and exploring safety with the bereaved, referrals that are open at the
scenario's time, no method details, feedback on every answer, and real sources.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from widgets.simulation.coach import LABELS
from widgets.simulation.engine import ScriptedEngine
from widgets.simulation.scenario import graph_problems, reachable, suicide_safety_problems

DATA = Path(__file__).resolve().parents[1] / "data"
THEME = DATA / "themes" / "traumer"
CHECKED = dt.date(2026, 11, 22)
GOOD_ENDS = {"safety_plan", "referred", "good_close"}
END_KINDS = GOOD_ENDS | {"caller_left"}
DEMO_NOTICE = "Demofilm – erstattes av ekte film"
#: The weekday each scenario's description names (the scenario format has a time of day, not a day).
SCENARIO_DAY = {"sjokk-etter-ulykke": "wed", "sorg-etter-selvmord": "tue"}
#: Words that would point towards a means or method of suicide; caller lines never contain them.
METHOD_WORDS = re.compile(
    r"\b(tablett\w*|pille\w*|overdose\w*|henge\w*|tau\w*|kniv\w*|våpen\w*|gevær\w*|hoppe\w*|skyte\w*|kutte\w*)\b",
    re.IGNORECASE,
)


def load(path: Path):
    with path.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


SCENARIOS = {p.stem: load(p) for p in sorted((THEME / "scenarios").glob("*.yaml"))}
SERVICES = load(DATA / "helplines.yaml")["services"]
QUIZ = load(THEME / "quiz.yaml")["items"]


# --- theme and films --------------------------------------------------------------------------

def test_theme_has_intro_referrals_and_confidence():
    theme = load(THEME / "theme.yaml")
    assert 2 <= len([p for p in theme["intro"].split("\n\n") if p.strip()]) <= 3
    assert {"leve", "legevakt", "amk-113", "hjelpetelefonen"} <= set(theme["referrals"])
    assert set(theme["referrals"]) <= {s["id"] for s in SERVICES}
    assert theme["confidence"]["scale"] == 7
    assert 3 <= len(theme["confidence"]["statements"]) <= 5


def test_three_demo_films_with_labelled_scripts():
    films = load(THEME / "films.yaml")["films"]
    assert sorted(f["kind"] for f in films) == ["expert_film", "interview_film", "tool_film"]
    for film in films:
        assert film["demo"] is True
        assert 5 <= len(film["script"]) <= 6, film["id"]
        assert DEMO_NOTICE in film["script"][0]["slide"]["text"], film["id"]
        for ref in [s["src"] for s in film["sources"]] + [film["captions"], film["transcript"], film["poster"]]:
            assert ref.startswith(f"media/traumer/{film['id']}."), ref
    interview = next(f for f in films if f["kind"] == "interview_film")
    assert "oppdiktet" in interview["description"].lower()
    assert "oppdiktet" in interview["script"][0]["slide"]["text"].lower()


# --- quiz -------------------------------------------------------------------------------------

def test_quiz_mixes_types_and_situations():
    assert len(QUIZ) >= 10
    assert len({item["id"] for item in QUIZ}) == len(QUIZ)
    assert {item["type"] for item in QUIZ} == {"single", "multiple", "true_false"}
    situations = [i for i in QUIZ if re.search(r"«.+»", i["prompt"])]
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


# --- reflections and sources ------------------------------------------------------------------

def test_reflections_and_exercises():
    tasks = load(THEME / "reflections.yaml")["tasks"]
    exercises = [t for t in tasks if t["kind"] == "exercise"]
    assert sum(1 for t in tasks if t["kind"] == "reflection") >= 3
    assert len(exercises) >= 2
    assert any(t["mode"] in ("group", "both") for t in exercises)
    assert any(t["mode"] in ("individual", "both") for t in exercises)
    for task in exercises:
        assert len(task["steps"]) >= 2, task["id"]


def test_sources_are_complete():
    sources = load(THEME / "sources.yaml")["sources"]
    assert len(sources) >= 4
    for source in sources:
        assert source["url"].startswith("https://"), source["title"]
        assert source["title"] and source["publisher"] and source["note"]
        assert source["checked"] == CHECKED
        assert source["year"] is None or 1990 <= source["year"] <= CHECKED.year


# --- scenarios --------------------------------------------------------------------------------

def test_two_scenarios_with_different_channels_and_difficulty():
    assert set(SCENARIOS) == set(SCENARIO_DAY)
    assert {s["channel"] for s in SCENARIOS.values()} == {"chat", "phone"}
    assert len({s["difficulty"] for s in SCENARIOS.values()}) == 2
    assert len({s["persona"]["alias"] for s in SCENARIOS.values()}) == 2
    assert SCENARIOS["sjokk-etter-ulykke"]["risks"] == ["acute_crisis"]
    assert SCENARIOS["sorg-etter-selvmord"]["risks"] == ["suicide"]


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario_graph_is_sound(name):
    scenario = SCENARIOS[name]
    nodes = scenario["nodes"]
    assert 10 <= len(nodes) <= 16
    assert graph_problems(scenario) == []
    assert suicide_safety_problems(scenario) == []
    assert reachable(scenario) == set(nodes)
    assert {n.get("end") for n in nodes.values()} - {None} <= END_KINDS
    assert 2 <= len(scenario["intents"]) <= 4
    assert set(scenario["must_do"]) <= set(LABELS)
    for node_id, node in nodes.items():
        assert len(node["say"]) == 2, node_id
        if "end" in node:
            continue
        assert 2 <= len(node["choices"]) <= 4, node_id
        for choice in node["choices"]:
            assert choice["labels"] and set(choice["labels"]) <= set(LABELS), node_id
            assert choice["feedback"].strip(), node_id
        assert "when" not in node["routes"][-1], node_id


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_caller_lines_never_name_a_method(name):
    for node_id, node in SCENARIOS[name]["nodes"].items():
        for line in node["say"]:
            assert not METHOD_WORDS.search(line), (node_id, line)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_description_says_training_only_and_where_real_help_is(name):
    description = SCENARIOS[name]["description"]
    assert "oppdiktet" in description and "øvelse" in description
    assert "113" in description and "116 123" in description


def _open_at(service: dict, day: str, hhmm: str) -> bool:
    return any(day in span["days"] and span["from"] <= hhmm < span["to"] for span in service["hours"])


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_every_referral_into_a_good_end_names_a_service_open_then(name):
    scenario = SCENARIOS[name]
    day, time = SCENARIO_DAY[name], scenario["time"]
    open_numbers = {s["phone"] for s in SERVICES if s["phone"] and _open_at(s, day, time)}
    checked = 0
    for node_id, node in scenario["nodes"].items():
        for choice in node.get("choices", []):
            if "referral" in choice["labels"] and scenario["nodes"][choice["next"]].get("end") in GOOD_ENDS:
                assert any(number in choice["text"] for number in open_numbers), (node_id, choice["text"])
                checked += 1
    assert checked >= 1


def test_leve_is_closed_at_the_grief_scenarios_time_and_its_referral_is_repaired():
    scenario = SCENARIOS["sorg-etter-selvmord"]
    leve = next(s for s in SERVICES if s["id"] == "leve")
    assert not _open_at(leve, SCENARIO_DAY["sorg-etter-selvmord"], scenario["time"])
    plan = scenario["nodes"]["n8_plan"]
    leve_now = next(c for c in plan["choices"] if c["text"].startswith("Ring LEVE nå"))
    assert scenario["nodes"][leve_now["next"]].get("end") is None
    assert "9–15" in leve_now["feedback"]


def test_injured_caller_reaches_a_good_end_only_after_a_doctor_is_named():
    """In the accident scenario, every good end lies behind a reply that names legevakt or 113."""
    scenario = SCENARIOS["sjokk-etter-ulykke"]
    nodes = scenario["nodes"]
    medical = re.compile(r"legevakt|116 117|\b113\b", re.IGNORECASE)
    medical_intents = set(scenario["intents"]["medical_referral"]["patterns"])
    start = (scenario["start"], False)
    seen, stack = {start}, [start]
    while stack:
        name, told = stack.pop()
        assert not (nodes[name].get("end") in GOOD_ENDS and not told), name
        for choice in nodes[name].get("choices", []):
            state = (choice["next"], told or bool(medical.search(choice["text"])))
            if state not in seen:
                seen.add(state)
                stack.append(state)
        for route in nodes[name].get("routes", []):
            sure = set(route.get("when", {}).get("any", [])) == {"medical_referral"}
            state = (route["next"], told or sure)
            if state not in seen:
                seen.add(state)
                stack.append(state)
    assert {"legevakt", "116 117", "113"} <= medical_intents


def test_scripted_walk_through_the_grief_scenario_reaches_a_safety_plan():
    engine = ScriptedEngine(SCENARIOS["sorg-etter-selvmord"], seed=3)
    engine.opening()
    for text in [
        "Hei, så godt at du skriver. Hvordan har du det nå?",
        "Du savner ham hele tiden.",
        "Du bærer på mye skyld.",
        "Jeg spør fordi jeg bryr meg om deg: tenker du på å ta livet ditt?",
        "Hva kan hjelpe deg å komme gjennom natten?",
        "Hvem kan du ringe hvis tankene blir sterkere i natt?",
        "Du kan ringe Mental Helse Hjelpetelefonen på 116 123 i natt, og LEVE i morgen mellom 9 og 15.",
    ]:
        turn = engine.respond(text)
    assert turn.ended and turn.end == "referred"
    assert {"suicide_question", "safety_planning"} <= {label for t in engine.turns for label in t.labels}


def test_asking_for_details_overwhelms_the_caller_in_shock():
    engine = ScriptedEngine(SCENARIOS["sjokk-etter-ulykke"], seed=1)
    engine.opening()
    assert engine.respond("Hva skjedde? Fortell alt fra begynnelsen.").node == "n_overveldet"
    assert engine.respond("Vi stopper der. Kjenn føttene mot gulvet, og pust sakte ut.").node == "n3_normalt"
