"""Content obligations for the theme «Rus og pårørende» (data/themes/rus).

These tests read the YAML files directly (PyYAML only, no kernel). They check what a learner would notice:
feedback on every answer, scenarios without dead ends, referrals that fit the scenario's clock time, sources with
addresses, and the safety rules (no method or dose details, real help named in every scenario description).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import deque
from pathlib import Path

import pytest
import yaml

DATA = Path(__file__).resolve().parents[1] / "data"
THEME = DATA / "themes" / "rus"
CHECKED = dt.date(2026, 11, 22)
END_KINDS = {"safety_plan", "referred", "good_close", "caller_left"}
GOOD_ENDS = {"safety_plan", "referred", "good_close"}
COACH_LABELS = {
    "open_question", "closed_question", "reflection", "affirmation", "summary",
    "suicide_question", "advice", "minimizing", "referral", "safety_planning",
}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
# Words that would give dose or method details. None of them belongs in learner-facing scenario text.
METHOD_WORDS = re.compile(r"\b(dose[rn]?|doser|mg|milligram|gram|injiser\w*|sprøyte\w*|snuse|sniffe)\b", re.IGNORECASE)


def load(path: Path):
    with path.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


HELPLINES = {s["id"]: s for s in load(DATA / "helplines.yaml")["services"]}
SCENARIOS = {p.stem: load(p) for p in sorted((THEME / "scenarios").glob("*.yaml"))}


# --- theme ------------------------------------------------------------------------------------

def test_theme_intro_confidence_and_referrals():
    theme = load(THEME / "theme.yaml")
    paragraphs = [p for p in theme["intro"].strip().split("\n\n") if p.strip()]
    assert 2 <= len(paragraphs) <= 3
    assert "113" in theme["intro"] and "RUSinfo" in theme["intro"]
    assert theme["confidence"]["scale"] == 7
    assert 3 <= len(theme["confidence"]["statements"]) <= 5
    assert "rusinfo" in theme["referrals"]
    assert set(theme["referrals"]) <= set(HELPLINES)


# --- films ------------------------------------------------------------------------------------

def test_three_demo_films_with_scripts():
    films = load(THEME / "films.yaml")["films"]
    assert sorted(f["kind"] for f in films) == ["expert_film", "interview_film", "tool_film"]
    for film in films:
        assert film["demo"] is True
        assert 5 <= len(film["script"]) <= 6, film["id"]
        assert "Demofilm – erstattes av ekte film" in film["script"][0]["slide"]["text"]
        for slide in film["script"]:
            for key in ("say", "describe"):
                words = len(slide[key].split())
                assert 10 <= words <= 40, f"{film['id']}: {key} has {words} words"
    interview = next(f for f in films if f["kind"] == "interview_film")
    assert "oppdiktet" in interview["description"].lower()


# --- quiz -------------------------------------------------------------------------------------

QUIZ = load(THEME / "quiz.yaml")["items"]


def test_quiz_size_types_and_situations():
    assert len(QUIZ) >= 10
    ids = [item["id"] for item in QUIZ]
    assert len(ids) == len(set(ids))
    assert {item["type"] for item in QUIZ} == {"single", "multiple", "true_false"}
    situations = [i for i in QUIZ if re.search(r"«.+»", i["prompt"]) and re.search(r"(skriver|sier|ringer|spør)", i["prompt"])]
    assert len(situations) >= 3


@pytest.mark.parametrize("item", QUIZ, ids=lambda item: item["id"])
def test_quiz_item_teaches_on_every_answer(item):
    assert item["prompt"].strip() and item["explanation"].strip()
    if item["type"] == "true_false":
        assert isinstance(item["answer"], bool)
        assert item["feedback_true"].strip() and item["feedback_false"].strip()
        return
    options = item["options"]
    assert 2 <= len(options) <= 6
    assert all(o["text"].strip() and o["feedback"].strip() for o in options)
    n_correct = sum(1 for o in options if o["correct"])
    assert n_correct == 1 if item["type"] == "single" else n_correct >= 2


# --- reflections ------------------------------------------------------------------------------

def test_reflections_and_exercises():
    tasks = load(THEME / "reflections.yaml")["tasks"]
    exercises = [t for t in tasks if t["kind"] == "exercise"]
    assert sum(1 for t in tasks if t["kind"] == "reflection") >= 3
    assert len(exercises) >= 2
    assert any(t["mode"] in ("group", "both") for t in exercises)
    assert any(t["mode"] in ("individual", "both") for t in exercises)
    for task in exercises:
        assert len(task["steps"]) >= 2, task["id"]


# --- sources ----------------------------------------------------------------------------------

def test_sources_are_real_looking_and_checked():
    sources = load(THEME / "sources.yaml")["sources"]
    assert len(sources) >= 4
    for source in sources:
        assert source["url"].startswith("https://"), source["title"]
        assert source["title"] and source["publisher"] and source["note"]
        assert source["checked"] == CHECKED
        assert source["year"] is None or 1990 <= source["year"] <= CHECKED.year
    assert len({s["url"] for s in sources}) == len(sources)


# --- scenarios --------------------------------------------------------------------------------

def successors(node: dict) -> list[str]:
    return [c["next"] for c in node.get("choices", [])] + [r["next"] for r in node.get("routes", [])]


def reachable_from(nodes: dict, start: str) -> set[str]:
    seen, queue = {start}, deque([start])
    while queue:
        for nxt in successors(nodes[queue.popleft()]):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def test_two_scenarios_with_different_channels_personas_and_difficulty():
    assert len(SCENARIOS) >= 2
    assert {s["channel"] for s in SCENARIOS.values()} >= {"chat", "phone"}
    assert len({s["persona"]["alias"] for s in SCENARIOS.values()}) == len(SCENARIOS)
    for stem, sc in SCENARIOS.items():
        assert sc["id"] == stem
        assert sc["difficulty"] in ("lett", "middels", "krevende")
        assert "substance" in sc["risks"]
        assert "suicide" not in sc["risks"], "no suicide risk is written into these scenarios"


@pytest.mark.parametrize("stem", sorted(SCENARIOS))
def test_scenario_graph_has_no_dead_ends(stem):
    sc = SCENARIOS[stem]
    nodes = sc["nodes"]
    intents = set(sc.get("intents", {}))
    assert 10 <= len(nodes) <= 16
    assert 2 <= len(intents) <= 4
    assert set(sc["must_do"]) <= COACH_LABELS
    for name, node in nodes.items():
        assert len(node["say"]) == 2, name
        if "end" in node:
            assert node["end"] in END_KINDS and not successors(node), name
            continue
        assert 2 <= len(node["choices"]) <= 4, name
        for choice in node["choices"]:
            assert choice["labels"] and set(choice["labels"]) <= COACH_LABELS, name
            assert choice.get("feedback", "").strip(), f"{name}: every suggested reply has authored feedback"
        routes = node["routes"]
        assert "when" not in routes[-1], f"{name}: last route must be the fallback"
        for route in routes[:-1]:
            for values in route["when"].values():
                assert set(values) <= COACH_LABELS | intents, name
        for nxt in successors(node):
            assert nxt in nodes, f"{name} -> {nxt}"
    reachable = reachable_from(nodes, sc["start"])
    ends = {n for n, node in nodes.items() if "end" in node}
    assert reachable == set(nodes), f"unreachable: {set(nodes) - reachable}"
    assert {nodes[e]["end"] for e in ends} >= {"good_close", "referred", "caller_left"}
    for name in nodes:
        assert reachable_from(nodes, name) & ends, f"{name} can never end"


@pytest.mark.parametrize("stem", sorted(SCENARIOS))
def test_advice_and_minimising_make_the_caller_withdraw(stem):
    nodes = SCENARIOS[stem]["nodes"]
    for name, node in nodes.items():
        for choice in node.get("choices", []):
            if {"advice", "minimizing"} & set(choice["labels"]) and "referral" not in choice["labels"]:
                target = nodes[choice["next"]]
                assert target.get("end") == "caller_left" or "trekker" in choice["next"], (
                    f"{name}: «{choice['text']}» should make the caller withdraw")


def _open(service: dict, channel: str, weekday: str, hhmm: str) -> bool:
    return any(span["channel"] == channel and weekday in span["days"] and span["from"] <= hhmm < span["to"]
               for span in service["hours"])


@pytest.mark.parametrize("stem", sorted(SCENARIOS))
def test_rusinfo_is_offered_as_open_only_when_it_is(stem):
    """A reply that sends the caller to RUSinfo and moves the conversation forward must fit the clock time:
    either RUSinfo is open then (on a weekday), or the reply says when it opens."""
    sc = SCENARIOS[stem]
    rusinfo = HELPLINES["rusinfo"]
    open_now = _open(rusinfo, "phone", "thu", sc["time"])  # both scenarios are set on a Thursday
    assert "torsdag" in sc["description"]
    for name, node in sc["nodes"].items():
        for choice in node.get("choices", []):
            if not re.search(r"rusinfo|08588", choice["text"], re.IGNORECASE) or "referral" not in choice["labels"]:
                continue
            forward = "feil" not in choice["next"] and "trekker" not in choice["next"]
            if forward and not open_now:
                assert "11–18" in choice["text"], f"{name}: RUSinfo is closed at {sc['time']}; say when it is open"
            if not forward:
                assert "11–18" in choice.get("feedback", ""), f"{name}: explain RUSinfo's hours in the feedback"


@pytest.mark.parametrize("stem", sorted(SCENARIOS))
def test_scenario_keeps_the_safety_rules(stem):
    sc = SCENARIOS[stem]
    assert "oppdiktet" in sc["description"] and "113" in sc["description"] and "116 123" in sc["description"]
    texts = [sc["description"], *sc["persona"].values()]
    for node in sc["nodes"].values():
        texts += node["say"] + [c["text"] for c in node.get("choices", [])] + [c.get("feedback", "") for c in node.get("choices", [])]
    for text in texts:
        assert not METHOD_WORDS.search(str(text)), f"method or dose detail: {text!r}"
    # Acute danger: 113 is taught on at least one path in every scenario.
    assert any("113" in c["text"] for node in sc["nodes"].values() for c in node.get("choices", []))
