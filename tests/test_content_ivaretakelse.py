"""Content obligations for the theme «Å ta vare på seg selv og samtalen» (ivaretakelse).

These tests read the YAML files directly (PyYAML, plus the coach's label list and the scenario checks the
validator uses). They check what a learner would notice: feedback on every answer, films labelled as demos,
two different scenarios without dead ends, a direct question about suicide on every good path where the risk
is there, boundaries that lead to a good end, and real sources with addresses.
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
THEME = DATA / "themes" / "ivaretakelse"
CHECKED = dt.date(2026, 11, 22)
END_KINDS = {"safety_plan", "referred", "good_close", "caller_left"}
GOOD_ENDS = {"safety_plan", "referred", "good_close"}
COACH_LABELS = set(LABELS)
DEMO_NOTICE = "Demofilm – erstattes av ekte film"
GOOD = {"open_question", "reflection", "affirmation", "summary", "suicide_question", "safety_planning"}
POOR = {"advice", "minimizing"}
# Words that would point at a means or method. None may appear in what a persona says or a reply suggests.
METHOD_WORDS = re.compile(r"\b(tablett\w*|pille\w*|overdose\w*|tau|kniv\w*|hoppe\w*|skyte\w*|våpen|gift)\b", re.I)


def load(path: Path):
    with path.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


SERVICES = {s["id"]: s for s in load(DATA / "helplines.yaml")["services"]}


# --- theme ------------------------------------------------------------------------------------

def test_theme_intro_referrals_and_confidence():
    theme = load(THEME / "theme.yaml")
    paragraphs = [p for p in theme["intro"].split("\n\n") if p.strip()]
    assert 2 <= len(paragraphs) <= 3
    assert theme["referrals"] and set(theme["referrals"]) <= set(SERVICES)
    assert theme["confidence"]["scale"] == 7
    statements = theme["confidence"]["statements"]
    assert 3 <= len(statements) <= 5
    assert len({s["id"] for s in statements}) == len(statements)


def test_course_entry_is_ready():
    course = load(DATA / "course.yaml")
    entry = next(t for t in course["themes"] if t["id"] == "ivaretakelse")
    assert entry["status"] == "ready"
    assert (DATA.parent / "notebooks" / "06-ivaretakelse.ipynb").is_file()


# --- films ------------------------------------------------------------------------------------

FILMS = load(THEME / "films.yaml")["films"]


def test_three_films_one_of_each_kind():
    assert sorted(f["kind"] for f in FILMS) == ["expert_film", "interview_film", "tool_film"]


@pytest.mark.parametrize("film", FILMS, ids=lambda f: f["id"])
def test_film_is_a_labelled_demo_with_standard_paths(film):
    fid = film["id"]
    assert film["demo"] is True
    assert 5 <= len(film["script"]) <= 6
    first = film["script"][0]["slide"]
    assert DEMO_NOTICE in first["text"]
    for step in film["script"]:
        assert step["slide"]["title"].strip() and step["slide"]["text"].strip()
        assert 10 <= len(step["say"].split()) <= 32, step["slide"]["title"]
        assert 10 <= len(step["describe"].split()) <= 36, step["slide"]["title"]
    base = f"media/ivaretakelse/{fid}"
    assert [s["src"] for s in film["sources"]] == [f"{base}.webm", f"{base}.mp4"]
    assert [s["src"] for s in film["described"]["sources"]] == [f"{base}.synstolket.webm", f"{base}.synstolket.mp4"]
    assert film["captions"] == f"{base}.nb.vtt"
    assert film["described"]["captions"] == f"{base}.synstolket.nb.vtt"
    assert film["transcript"] == f"{base}.txt"
    assert film["poster"] == f"{base}.png"


def test_interview_film_is_clearly_fictional():
    film = next(f for f in FILMS if f["kind"] == "interview_film")
    assert "oppdiktet" in film["description"].lower()
    assert "(demo)" in film["script"][0]["slide"]["text"]


def test_media_stays_small():
    media = DATA / "media" / "ivaretakelse"
    total = sum(p.stat().st_size for p in media.iterdir() if p.is_file())
    assert total <= 3 * 1024 * 1024


# --- quiz -------------------------------------------------------------------------------------

QUIZ = load(THEME / "quiz.yaml")["items"]


def test_quiz_mixes_types_and_situations():
    assert len(QUIZ) >= 10
    assert len({item["id"] for item in QUIZ}) == len(QUIZ)
    assert {item["type"] for item in QUIZ} == {"single", "multiple", "true_false"}
    situations = [item for item in QUIZ if re.search(r"«.+»", item["prompt"])]
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
    for option in options:
        assert option["text"].strip() and option["feedback"].strip()
    n_correct = sum(1 for option in options if option["correct"])
    assert n_correct == 1 if item["type"] == "single" else n_correct >= 2


# --- reflections ------------------------------------------------------------------------------

def test_reflections_and_exercises():
    tasks = load(THEME / "reflections.yaml")["tasks"]
    reflections = [t for t in tasks if t["kind"] == "reflection"]
    exercises = [t for t in tasks if t["kind"] == "exercise"]
    assert len(reflections) >= 3 and len(exercises) >= 2
    assert any(t["mode"] == "group" for t in exercises)
    assert any(t["mode"] == "individual" for t in exercises)
    for task in exercises:
        assert len(task["steps"]) >= 3, task["id"]
    # a self-care routine after a shift is one of the exercises
    assert any("etter vakt" in t["title"].lower() for t in exercises)


# --- sources ----------------------------------------------------------------------------------

def test_sources_are_real_looking_and_checked():
    sources = load(THEME / "sources.yaml")["sources"]
    assert len(sources) >= 4
    assert len({s["url"] for s in sources}) == len(sources)
    for source in sources:
        assert source["url"].startswith("https://"), source["title"]
        assert source["title"] and source["publisher"] and source["note"]
        assert source["checked"] == CHECKED
        assert source["year"] is None or 1990 <= source["year"] <= CHECKED.year


# --- scenarios --------------------------------------------------------------------------------

SCENARIO_FILES = sorted((THEME / "scenarios").glob("*.yaml"))
SCENARIOS = {path.stem: load(path) for path in SCENARIO_FILES}


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


def test_two_different_scenarios():
    assert len(SCENARIOS) >= 2
    assert {s["channel"] for s in SCENARIOS.values()} >= {"chat", "phone"}
    assert len({s["difficulty"] for s in SCENARIOS.values()}) >= 2
    assert len({s["persona"]["alias"] for s in SCENARIOS.values()}) == len(SCENARIOS)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario_graph_is_sound(name):
    scenario = SCENARIOS[name]
    nodes = scenario["nodes"]
    assert scenario["id"] == name
    assert 10 <= len(nodes) <= 16
    assert 2 <= len(scenario["intents"]) <= 4
    assert set(scenario["must_do"]) <= COACH_LABELS
    assert graph_problems(scenario) == []
    assert suicide_safety_problems(scenario) == []
    known = COACH_LABELS | set(scenario["intents"])
    for node_id, node in nodes.items():
        assert len(node["say"]) == 2, node_id
        if "end" in node:
            assert node["end"] in END_KINDS and not successors(node), node_id
            continue
        assert 2 <= len(node["choices"]) <= 4, node_id
        for choice in node["choices"]:
            assert set(choice["labels"]) <= COACH_LABELS, node_id
            # a reply without an OARS label (a pure boundary) must still teach through its own feedback
            assert choice["labels"] or choice.get("feedback"), node_id
            if "referral" in choice["labels"]:
                assert choice.get("feedback"), node_id
        routes = node["routes"]
        assert "when" not in routes[-1], f"{node_id}: last route must be the fallback"
        for route in routes[:-1]:
            for values in route["when"].values():
                assert set(values) <= known, node_id
    reachable = reachable_from(nodes, scenario["start"])
    assert reachable == set(nodes), f"unreachable: {set(nodes) - reachable}"
    ends = {n for n, node in nodes.items() if "end" in node}
    assert {nodes[e]["end"] for e in ends} >= {"good_close", "caller_left"}
    for node_id in reachable:
        assert reachable_from(nodes, node_id) & ends, node_id


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_no_method_details_in_any_line(name):
    scenario = SCENARIOS[name]
    texts = [scenario["description"]]
    for node in scenario["nodes"].values():
        texts += node["say"] + [c["text"] for c in node.get("choices", [])]
    for text in texts:
        assert not METHOD_WORDS.search(text), text


def _walk(scenario: dict, pick) -> ScriptedEngine:
    engine = ScriptedEngine(scenario, seed=1)
    engine.opening()
    for _ in range(40):
        if engine.ended:
            break
        engine.respond("", pick(scenario["nodes"][engine.node_id]["choices"]))
    return engine


def _best(choices):
    scores = [len(GOOD & set(c["labels"])) - 3 * len(POOR & set(c["labels"])) for c in choices]
    return scores.index(max(scores))


def _poor(choices):
    poor = [i for i, c in enumerate(choices) if POOR & set(c["labels"])]
    return poor[0] if poor else 0


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_good_replies_reach_a_good_end_with_feedback(name):
    engine = _walk(SCENARIOS[name], _best)
    assert engine.end in GOOD_ENDS
    assert all(t.feedback for t in engine.turns)
    assert all(engine.summary()["must_do"].values())


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_advice_minimising_or_shaming_make_the_caller_leave(name):
    engine = _walk(SCENARIOS[name], _poor)
    assert engine.end == "caller_left"


def test_repeat_caller_has_suicide_risk_and_needs_a_direct_question():
    scenario = SCENARIOS["sint-gjenganger"]
    assert scenario["channel"] == "phone" and scenario["difficulty"] == "middels"
    assert scenario["risks"] == ["suicide"]
    assert {"suicide_question", "safety_planning"} <= set(scenario["must_do"])


def test_repeat_caller_free_text_boundaries_are_understood():
    scenario = SCENARIOS["sint-gjenganger"]
    engine = ScriptedEngine(scenario, seed=3)
    engine.opening()
    engine.respond("Det er mange som ringer, så du må bare regne med kø.")  # minimising -> he insults
    assert engine.node_id == "n1b_skjeller"
    engine.respond("Jeg vil gjerne høre på deg, men jeg vil ikke bli kalt dum.")
    assert engine.node_id == "n2_else" and "set_boundary" in engine.turns[-1].intents


def test_referrals_in_the_repeat_caller_fit_the_time():
    scenario = SCENARIOS["sint-gjenganger"]
    hour = scenario["time"]
    fitting = next(c for c in scenario["nodes"]["n7_avslutt"]["choices"] if "116 123" in c["text"])
    assert fitting["next"] == "end_referred"
    spans = [h for h in SERVICES["hjelpetelefonen"]["hours"] if h["channel"] == "phone"]
    assert any(h["from"] <= hour < h["to"] for h in spans)
    unfitting = next(c for c in scenario["nodes"]["n7_avslutt"]["choices"] if "LEVE" in c["text"])
    assert unfitting["next"] != "end_referred" and "9–15" in unfitting["feedback"]


def test_sexualised_chat_ends_well_when_the_volunteer_sets_the_boundary():
    scenario = SCENARIOS["seksualisert-chat"]
    nodes = scenario["nodes"]
    assert scenario["channel"] == "chat" and scenario["difficulty"] == "krevende"
    assert "risks" not in scenario
    assert nodes["end_good"]["end"] == "good_close"
    # logging off after a clear boundary is an acceptable end, and the feedback says so
    to_logged_off = [c for c in nodes["n5_siste"]["choices"] if c["next"] == "end_logget_av"]
    assert to_logged_off and "riktige" in to_logged_off[0]["feedback"]
    assert nodes["end_logget_av"]["end"] == "caller_left"
    # free text: a clear boundary and an ending at the first sexual question close the chat well
    engine = ScriptedEngine(scenario, seed=4)
    engine.opening()
    engine.respond("Hei, og velkommen. Hva er det som gjør at du skriver i kveld?")
    engine.respond("Hvordan er det for deg å være så mye alene?")
    assert engine.node_id == "n3_vender"
    turn = engine.respond("Det svarer jeg ikke på. Jeg avslutter chatten nå. Ha en god natt.")
    assert turn.end == "good_close"


def test_sexualised_chat_never_shows_explicit_content():
    nodes = SCENARIOS["seksualisert-chat"]["nodes"]
    for line in nodes["n3c_grov"]["say"]:
        assert line.startswith("[") and "vises ikke i øvelsen" in line
    for node in nodes.values():
        for line in node["say"]:
            assert len(line) <= 120, line
