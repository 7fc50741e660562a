"""Content obligations for the six themes and the help-line directory, one module parametrised over the themes.

These tests read the YAML files directly (PyYAML, plus the coach's labels, the scenario checks `trygge validate`
uses and the scripted engine). They check what a learner would notice: feedback on every answer, films labelled as
demos, scenarios without dead ends, safety on every good path, referrals that fit the caller's age and the clock,
no method or dose details, and real sources with addresses.

What all themes share is checked by the same test; what one theme promises on top lives in ``EXPECT`` (one entry a
theme, and within it one entry a scenario) or in a test whose name starts with the theme's id.
`tests/test_content.py` covers the validator (`validate() == []`) and the loader; this module does not repeat
them (its course-order check only ties ``EXPECT`` to course.yaml).

The course directory is `widgets.content.course_dir()`: set ``TRYGGE_COURSE_DIR`` to a copy (with ``data/`` and
``notebooks/``) to run these tests against content broken on purpose.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import deque
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml
from test_simulation import _walk  # a walk through a scenario by one rule of choice

from widgets.content import course_dir
from widgets.simulation.coach import LABELS, classify
from widgets.simulation.engine import ScriptedEngine
from widgets.simulation.scenario import graph_problems, reachable, suicide_safety_problems

ROOT = course_dir()
DATA = ROOT / "data"
CHECKED = dt.date(2026, 11, 22)
THEME_IDS = ["samtalen", "selvmord", "vold", "traumer", "rus", "ivaretakelse"]

COACH_LABELS = set(LABELS)
GOOD_ENDS = {"safety_plan", "referred", "good_close"}
END_KINDS = GOOD_ENDS | {"caller_left"}
GOOD_LABELS = {"open_question", "reflection", "affirmation", "summary", "suicide_question", "safety_planning"}
POOR_LABELS = {"advice", "minimizing"}
DIFFICULTIES = ("lett", "middels", "krevende")
FILM_KINDS = ["expert_film", "interview_film", "tool_film"]
DEMO_NOTICE = "Demofilm – erstattes av ekte film"
#: A quiz «situation»: a quoted line and who says it.
SITUATION_QUOTE = re.compile(r"«.+»")
SITUATION_SPEAKER = re.compile(r"(skriver|sier|ringer|spør)")
DAYS = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
DAY_NAMES_NB = {"mon": "mandag", "tue": "tirsdag", "wed": "onsdag", "thu": "torsdag", "fri": "fredag",
                "sat": "lørdag", "sun": "søndag"}
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")
MEDIA_BUDGET = 3 * 1024 * 1024  # bytes of demo media per theme

#: Words that would point towards a means or method of suicide, or give dose details (per theme, as each theme's
#: authors listed them), with the texts they are checked in (see `_scenario_texts`).
SUICIDE_METHOD_WORDS = re.compile(
    r"\b(tablett\w*|pille\w*|overdose\w*|henge\w*|tau\w*|kniv\w*|våpen\w*|gevær\w*|hoppe\w*|skyte\w*|kutte\w*)\b",
    re.IGNORECASE,
)
DOSE_WORDS = re.compile(r"\b(dose[rn]?|doser|mg|milligram|gram|injiser\w*|sprøyte\w*|snuse|sniffe)\b", re.IGNORECASE)
MEANS_WORDS = re.compile(r"\b(tablett\w*|pille\w*|overdose\w*|tau|kniv\w*|hoppe\w*|skyte\w*|våpen|gift)\b", re.IGNORECASE)

# --- what each theme promises ------------------------------------------------------------------------------------
#
# Theme keys (defaults in THEME_DEFAULTS):
#   intro_words        strings the intro must contain
#   referrals          service ids the theme must refer to (every referral must exist in helplines.yaml anyway)
#   film_say_max, film_describe_max   most words in a film step's «say» / «describe» (at least 10 each)
#   film_lines_mention strings some film step must say
#   quiz_min, exercises_min, dated_sources_min   minimum counts
#   exercise_titles    strings some exercise title must contain (lower case)
#   source_required    (url prefix, title part) one source must have
#   channels           the exact set of channels the scenarios use (else: at least chat and phone)
#   distinct_difficulties  how many different difficulties the scenarios have ("each": all differ)
#   all_scenarios_listed   every scenario file must have an entry under «scenarios»
#   first_scenario     the scenario first in file order (tests/test_simulation.py practises on it)
#   method_words       (regex, scope) that must never match
#   teaches_113        some suggested reply in every scenario names 113
#   referral_timing    "age_and_clock": a referral to a service that does not fit the caller's age or is closed at
#                      the scenario's time never leads straight to a good end; "weekday": every referral into a good
#                      end names a service open on the scenario's «day» at its time
#   poor_reply_withdraws   advice/minimising (without a referral) leads to «caller_left» or a «…trekker…» node
#   unlabelled_replies     suggested replies may have no coach label (pure boundaries), if they have feedback
#   unfitting_feedback_words  feedback on an unfitting referral names why (one of these words)
#   every_scenario     scenario expectations that hold for each scenario of the theme
#   scenarios          per scenario file stem: expectations (they extend / override «every_scenario»)
#
# Scenario keys: channel, difficulty (None: the field is optional), nodes (min, max), risks (exact, any order;
# None: no risks field), risks_include, risks_exclude, must_do (exact), must_do_include, ends (end kinds that
# must exist), best_end (the end the best replies reach), best_labels (labels the best walk uses), min_pause_lines,
# max_age, max_line_chars, day (weekday the description names), unfitting_numbers (phone numbers that do not fit
# the caller), every_good_path (CHOICE_FLAGS every suggested-reply path to a good end must pass).

THEME_DEFAULTS: dict[str, Any] = {
    "intro_words": (),
    "referrals": set(),
    "film_say_max": 40,
    "film_describe_max": 40,
    "film_lines_mention": (),
    "quiz_min": 10,
    "exercises_min": 2,
    "exercise_titles": (),
    "dated_sources_min": 0,
    "source_required": None,
    "channels": None,
    "distinct_difficulties": 1,
    "all_scenarios_listed": False,
    "first_scenario": None,
    "method_words": None,
    "teaches_113": False,
    "referral_timing": "age_and_clock",
    "poor_reply_withdraws": False,
    "unlabelled_replies": False,
    "unfitting_feedback_words": (),
    "every_scenario": {},
    "scenarios": {},
}

EXPECT: dict[str, dict[str, Any]] = {
    "samtalen": {
        "quiz_min": 8,
        "exercises_min": 3,
        "dated_sources_min": 4,
        "first_scenario": "forste-kontakt",
        "scenarios": {
            "forste-kontakt": {"channel": "chat", "difficulty": None, "nodes": (8, 14), "ends": {"good_close", "caller_left"}},
            "telefon-stillhet": {
                "channel": "phone", "difficulty": "middels", "risks_exclude": {"suicide"},
                "must_do": {"open_question", "reflection", "summary"},
                "ends": {"good_close", "caller_left", "referred"},
                # he hints once, is asked directly and answers no
                "best_end": "good_close", "best_labels": {"suicide_question"},
                # a phone call: the caller's pauses are written into his lines
                "min_pause_lines": 10,
            },
        },
    },
    "selvmord": {
        "intro_words": ("Tenker du på å ta livet ditt?", "113"),
        "referrals": {"amk-113", "hjelpetelefonen", "legevakt"},
        "film_lines_mention": ("113",),
        "every_scenario": {"risks": ["suicide"], "must_do_include": {"suicide_question", "safety_planning"}},
    },
    "vold": {
        "intro_words": ("116 111", "116 006", "800 57 000", "112", "113"),
        "referrals": {"alarmtelefonen", "vo-linjen", "seksuelt-misbrukte", "politi-112", "amk-113"},
        "film_say_max": 35,
        "source_required": ("https://lovdata.no/", "196"),
        "channels": {"chat", "phone"},
        "distinct_difficulties": "each",
        "unfitting_feedback_words": ("passer", "grense"),
        "every_scenario": {"risks_exclude": {"suicide"}},
        "scenarios": {
            "maja-forteller": {
                "channel": "chat", "difficulty": "krevende", "risks": ["child_at_risk", "violence"], "max_age": 17,
                "unfitting_numbers": ("116 006",),
                "every_good_path": ("explores_safety", "honest_about_secrecy", "refers_to_116_111"),
            },
            "hanne-teller-det": {
                "channel": "phone", "difficulty": "middels", "risks": ["violence"],
                "unfitting_numbers": ("116 111",),
                "every_good_path": ("explores_safety",),
            },
        },
    },
    "traumer": {
        "referrals": {"leve", "legevakt", "amk-113", "hjelpetelefonen"},
        "channels": {"chat", "phone"},
        "distinct_difficulties": 2,
        "all_scenarios_listed": True,
        "method_words": (SUICIDE_METHOD_WORDS, "say"),
        "referral_timing": "weekday",
        "scenarios": {
            "sjokk-etter-ulykke": {"risks": ["acute_crisis"], "day": "wed"},
            "sorg-etter-selvmord": {"risks": ["suicide"], "day": "tue"},
        },
    },
    "rus": {
        "intro_words": ("113", "RUSinfo"),
        "referrals": {"rusinfo"},
        "method_words": (DOSE_WORDS, "all"),
        "teaches_113": True,
        "poor_reply_withdraws": True,
        # both scenarios are set on a Thursday (RUSinfo: weekdays 11–18)
        "every_scenario": {"risks_include": {"substance"}, "risks_exclude": {"suicide"}, "day": "thu",
                           "ends": {"good_close", "referred", "caller_left"}},
    },
    "ivaretakelse": {
        "film_say_max": 32,
        "film_describe_max": 36,
        "exercise_titles": ("etter vakt",),  # a self-care routine after a shift
        "distinct_difficulties": 2,
        "method_words": (MEANS_WORDS, "lines"),
        "unlabelled_replies": True,
        "every_scenario": {"ends": {"good_close", "caller_left"}},
        "scenarios": {
            "sint-gjenganger": {"channel": "phone", "difficulty": "middels", "risks": ["suicide"],
                                "must_do_include": {"suicide_question", "safety_planning"}},
            "seksualisert-chat": {"channel": "chat", "difficulty": "krevende", "risks": None, "max_line_chars": 120},
        },
    },
}


def expect(theme: str) -> dict[str, Any]:
    return {**THEME_DEFAULTS, **EXPECT[theme]}


def scenario_expect(theme: str, stem: str) -> dict[str, Any]:
    spec = expect(theme)
    return {**spec["every_scenario"], **spec["scenarios"].get(stem, {})}


# --- loading ------------------------------------------------------------------------------------------------------

def load(path: Path):
    with path.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def theme_file(theme: str, name: str):
    return load(DATA / "themes" / theme / name)


COURSE = load(DATA / "course.yaml")
SERVICES = load(DATA / "helplines.yaml")["services"]
SERVICE_IDS = {s["id"] for s in SERVICES}
QUIZ = {theme: theme_file(theme, "quiz.yaml")["items"] for theme in THEME_IDS}
FILMS = {theme: theme_file(theme, "films.yaml")["films"] for theme in THEME_IDS}
SCENARIOS = {
    theme: {p.stem: load(p) for p in sorted((DATA / "themes" / theme / "scenarios").glob("*.yaml"))}
    for theme in THEME_IDS
}
QUIZ_ITEMS = [pytest.param(theme, item, id=f"{theme}/{item['id']}") for theme in THEME_IDS for item in QUIZ[theme]]
FILM_CASES = [pytest.param(theme, film, id=f"{theme}/{film['id']}") for theme in THEME_IDS for film in FILMS[theme]]
SCENARIO_CASES = [pytest.param(theme, stem, id=f"{theme}/{stem}") for theme in THEME_IDS for stem in SCENARIOS[theme]]


def scenario_cases(key: str) -> list:
    """The scenarios whose expectations name ``key``."""
    return [case for case in SCENARIO_CASES if key in scenario_expect(*case.values)]


def themes_with(key: str) -> list[str]:
    return [theme for theme in THEME_IDS if expect(theme)[key]]


# --- course -------------------------------------------------------------------------------------------------------

def test_course_lists_the_six_themes_in_the_order_of_this_table():
    ids = [t["id"] for t in sorted(COURSE["themes"], key=lambda t: t["order"])]
    assert ids == THEME_IDS == list(EXPECT), "a new or renamed theme needs an entry in EXPECT"
    assert COURSE["version"] == "0.1.0"


@pytest.mark.parametrize("theme", THEME_IDS)
def test_course_entry_is_ready_with_goals_sections_and_notebook(theme):
    entry = next(t for t in COURSE["themes"] if t["id"] == theme)
    assert 3 <= len(entry["goals"]) <= 5, theme
    assert entry["sections"], theme
    assert entry["status"] == "ready", theme
    assert (ROOT / "notebooks" / f"{entry['order']:02d}-{theme}.ipynb").is_file()


# --- theme --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("theme", THEME_IDS)
def test_theme_intro_referrals_and_confidence(theme):
    spec = expect(theme)
    data = theme_file(theme, "theme.yaml")
    paragraphs = data["intro"].strip().split("\n\n")
    assert 2 <= len(paragraphs) <= 3 and all(p.strip() for p in paragraphs), "the intro has 2–3 paragraphs"
    for words in spec["intro_words"]:
        assert words in data["intro"], f"the intro must say «{words}»"
    assert data["referrals"] and set(data["referrals"]) <= SERVICE_IDS
    assert spec["referrals"] <= set(data["referrals"]), f"missing referrals: {spec['referrals'] - set(data['referrals'])}"
    assert data["confidence"]["scale"] == 7
    statements = data["confidence"]["statements"]
    assert 3 <= len(statements) <= 5
    assert len({s["id"] for s in statements}) == len(statements)


# --- films --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("theme", THEME_IDS)
def test_three_films_one_of_each_kind_with_a_fictional_interview(theme):
    films = FILMS[theme]
    spec = expect(theme)
    assert [f["kind"] for f in films] == FILM_KINDS
    interview = films[1]
    assert "oppdiktet" in interview["description"].lower()
    assert "oppdiktet" in interview["script"][0]["slide"]["text"].lower()
    assert "(demo)" in interview["script"][0]["slide"]["text"]
    for words in spec["film_lines_mention"]:
        assert any(words in step["say"] for film in films for step in film["script"]), f"no film says «{words}»"


@pytest.mark.parametrize("theme, film", FILM_CASES)
def test_film_is_a_labelled_demo_with_standard_paths(theme, film):
    spec = expect(theme)
    assert film["demo"] is True
    assert 5 <= len(film["script"]) <= 6
    assert film["script"][0]["slide"]["text"].startswith(DEMO_NOTICE)
    for step in film["script"]:
        assert step["slide"]["title"].strip() and step["slide"]["text"].strip()
        assert 10 <= len(step["say"].split()) <= spec["film_say_max"], step["say"]
        assert 10 <= len(step["describe"].split()) <= spec["film_describe_max"], step["describe"]
    base = f"media/{theme}/{film['id']}"
    assert [s["src"] for s in film["sources"]] == [f"{base}.webm", f"{base}.mp4"]
    assert [s["src"] for s in film["described"]["sources"]] == [f"{base}.synstolket.webm", f"{base}.synstolket.mp4"]
    assert film["captions"] == f"{base}.nb.vtt"
    assert film["described"]["captions"] == f"{base}.synstolket.nb.vtt"
    assert film["transcript"] == f"{base}.txt"
    assert film["poster"] == f"{base}.png"


@pytest.mark.parametrize("theme", THEME_IDS)
def test_demo_media_stays_small(theme):
    media = DATA / "media" / theme
    total = sum(p.stat().st_size for p in media.iterdir() if p.is_file())
    assert total <= MEDIA_BUDGET, f"{total} bytes"


# --- quiz ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("theme", THEME_IDS)
def test_quiz_mixes_types_and_situations(theme):
    quiz = QUIZ[theme]
    assert len(quiz) >= expect(theme)["quiz_min"]
    assert len({item["id"] for item in quiz}) == len(quiz)
    assert {item["type"] for item in quiz} == {"single", "multiple", "true_false"}
    situations = [i for i in quiz if SITUATION_QUOTE.search(i["prompt"]) and SITUATION_SPEAKER.search(i["prompt"])]
    assert len(situations) >= 3, "at least three items quote what a caller says or writes"


@pytest.mark.parametrize("theme, item", QUIZ_ITEMS)
def test_quiz_item_teaches_on_every_answer(theme, item):
    assert item["prompt"].strip()
    assert item["explanation"].strip()
    if item["type"] == "true_false":
        assert isinstance(item["answer"], bool)
        assert item["feedback_true"].strip() and item["feedback_false"].strip()
        return
    options = item["options"]
    assert 2 <= len(options) <= 6
    for option in options:
        assert option["text"].strip() and option["feedback"].strip(), f"option «{option['text']}» has no feedback"
    n_correct = sum(1 for option in options if option["correct"])
    assert n_correct == 1 if item["type"] == "single" else n_correct >= 2


@pytest.mark.parametrize("theme", THEME_IDS)
def test_quiz_never_teaches_a_promise_of_secrecy(theme):
    for item in QUIZ[theme]:
        for option in item.get("options", []):
            if "lover" in option["text"] and "ikke love" not in option["text"].lower():
                assert not option["correct"], item["id"]


# --- reflections and sources --------------------------------------------------------------------------------------

@pytest.mark.parametrize("theme", THEME_IDS)
def test_reflections_and_exercises(theme):
    spec = expect(theme)
    tasks = theme_file(theme, "reflections.yaml")["tasks"]
    exercises = [t for t in tasks if t["kind"] == "exercise"]
    assert sum(1 for t in tasks if t["kind"] == "reflection") >= 3
    assert len(exercises) >= spec["exercises_min"]
    assert any(t["mode"] == "group" for t in exercises)
    assert any(t["mode"] == "individual" for t in exercises)
    for task in exercises:
        assert len(task["steps"]) >= 3, task["id"]
    for words in spec["exercise_titles"]:
        assert any(words in t["title"].lower() for t in exercises), f"no exercise about «{words}»"


@pytest.mark.parametrize("theme", THEME_IDS)
def test_sources_have_https_address_publisher_and_checked_date(theme):
    spec = expect(theme)
    sources = theme_file(theme, "sources.yaml")["sources"]
    assert len(sources) >= 4
    assert len({s["url"] for s in sources}) == len(sources)
    for source in sources:
        assert source["url"].startswith("https://"), source["title"]
        assert source["title"] and source["publisher"] and source["note"]
        assert source["checked"] == CHECKED
        # year may be null for an undated web page; a given year must be plausible
        assert source["year"] is None or 1990 <= source["year"] <= CHECKED.year
    assert sum(1 for s in sources if isinstance(s["year"], int)) >= spec["dated_sources_min"]
    if spec["source_required"]:
        prefix, title = spec["source_required"]
        assert any(s["url"].startswith(prefix) and title in s["title"] for s in sources), spec["source_required"]


# --- scenarios: the set -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("theme", THEME_IDS)
def test_scenarios_differ_in_channel_persona_and_difficulty(theme):
    spec = expect(theme)
    scenarios = SCENARIOS[theme]
    assert len(scenarios) >= 2
    assert set(spec["scenarios"]) <= set(scenarios), f"missing: {set(spec['scenarios']) - set(scenarios)}"
    if spec["all_scenarios_listed"]:
        assert set(scenarios) == set(spec["scenarios"])
    if spec["first_scenario"]:
        assert next(iter(scenarios)) == spec["first_scenario"]
    channels = {s["channel"] for s in scenarios.values()}
    assert channels == spec["channels"] if spec["channels"] else channels >= {"chat", "phone"}
    assert len({s["persona"]["alias"] for s in scenarios.values()}) == len(scenarios)
    wanted = len(scenarios) if spec["distinct_difficulties"] == "each" else spec["distinct_difficulties"]
    assert len({s.get("difficulty") for s in scenarios.values()}) >= wanted


@pytest.mark.parametrize("theme, stem", SCENARIO_CASES)
def test_scenario_meets_its_expectations(theme, stem):
    """Channel, difficulty, risks, must-dos and the description's safety lines (the per-scenario table)."""
    scenario = SCENARIOS[theme][stem]
    spec = scenario_expect(theme, stem)
    assert scenario["id"] == stem
    if "channel" in spec:
        assert scenario["channel"] == spec["channel"]
    if spec.get("difficulty"):
        assert scenario["difficulty"] == spec["difficulty"]
    elif "difficulty" in spec:  # None: the field is optional here
        assert scenario.get("difficulty", DIFFICULTIES[0]) in DIFFICULTIES
    else:
        assert scenario["difficulty"] in DIFFICULTIES
    risks = scenario.get("risks", [])
    if "risks" in spec:
        if spec["risks"] is None:
            assert "risks" not in scenario
        else:
            assert sorted(scenario["risks"]) == sorted(spec["risks"])
    assert spec.get("risks_include", set()) <= set(risks)
    assert not spec.get("risks_exclude", set()) & set(risks)
    must_do = set(scenario["must_do"])
    assert must_do <= COACH_LABELS
    if "must_do" in spec:
        assert must_do == spec["must_do"]
    assert spec.get("must_do_include", set()) <= must_do
    if "max_age" in spec:
        assert scenario["persona"]["age"] <= spec["max_age"]
    if "day" in spec:
        assert DAY_NAMES_NB[spec["day"]] in scenario["description"], "the description names the day"
    description = scenario["description"]
    for words in ("oppdiktet", "øvelse", "113", "116 123"):
        assert words in description, f"the description must say «{words}» (fictional, training only, real help)"


# --- scenarios: the graph -----------------------------------------------------------------------------------------

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


@pytest.mark.parametrize("theme, stem", SCENARIO_CASES)
def test_scenario_graph_is_sound_and_safe(theme, stem):
    scenario = SCENARIOS[theme][stem]
    spec = scenario_expect(theme, stem)
    nodes = scenario["nodes"]
    low, high = spec.get("nodes", (10, 16))
    assert low <= len(nodes) <= high
    assert graph_problems(scenario) == []
    assert suicide_safety_problems(scenario) == []
    intents = set(scenario["intents"])
    assert 2 <= len(intents) <= 4
    for name, node in nodes.items():
        for nxt in successors(node):
            assert nxt in nodes, f"{name} -> {nxt}"
    assert reachable(scenario) == set(nodes) == reachable_from(nodes, scenario["start"]), "unreachable nodes"
    ends = {name for name, node in nodes.items() if "end" in node}
    for name in nodes:  # from every node some end can still be reached
        assert reachable_from(nodes, name) & ends, f"{name} can never end"
    kinds = {nodes[e]["end"] for e in ends}
    assert kinds <= END_KINDS
    assert "caller_left" in kinds and kinds & GOOD_ENDS
    assert spec.get("ends", set()) <= kinds


@pytest.mark.parametrize("theme, stem", SCENARIO_CASES)
def test_every_node_has_two_variants_and_coached_replies(theme, stem):
    scenario = SCENARIOS[theme][stem]
    spec = scenario_expect(theme, stem)
    known = COACH_LABELS | set(scenario["intents"])
    for name, node in scenario["nodes"].items():
        assert len(node["say"]) == 2, name
        for line in node["say"]:
            assert len(line) <= spec.get("max_line_chars", len(line)), line
        if "end" in node:
            assert node["end"] in END_KINDS and not successors(node), name
            continue
        assert 2 <= len(node["choices"]) <= 4, name
        for choice in node["choices"]:
            assert set(choice["labels"]) <= COACH_LABELS, name
            # a reply without a label (a pure boundary) is allowed only where the table says so
            assert choice["labels"] or expect(theme)["unlabelled_replies"], f"{name}: «{choice['text']}» has no label"
            assert choice.get("feedback", "").strip(), f"{name}: «{choice['text']}» has no feedback"
        routes = node["routes"]
        assert "when" not in routes[-1], f"{name}: last route must be the fallback"
        for route in routes[:-1]:
            for values in route["when"].values():
                assert set(values) <= known, name


@pytest.mark.parametrize("theme, stem", scenario_cases("min_pause_lines"))
def test_phone_scenario_writes_pauses_into_the_callers_lines(theme, stem):
    nodes = SCENARIOS[theme][stem]["nodes"]
    pauses = sum("pause" in line for node in nodes.values() for line in node["say"])
    assert pauses >= scenario_expect(theme, stem)["min_pause_lines"]


# --- scenarios: walks ---------------------------------------------------------------------------------------------

def _best(choices: list[dict]) -> int:
    """The first reply with the most good and fewest poor labels."""
    scores = [len(GOOD_LABELS & set(c["labels"])) - 3 * len(POOR_LABELS & set(c["labels"])) for c in choices]
    return scores.index(max(scores))


def _poor(choices: list[dict]) -> int:
    poor = [i for i, c in enumerate(choices) if POOR_LABELS & set(c["labels"])]
    return poor[0] if poor else 0


@pytest.mark.parametrize("theme, stem", SCENARIO_CASES)
def test_good_replies_reach_a_good_end_with_every_must_do(theme, stem):
    spec = scenario_expect(theme, stem)
    engine = _walk(SCENARIOS[theme][stem], _best)
    assert engine.end in GOOD_ENDS
    assert engine.end == spec.get("best_end", engine.end)
    assert all(t.feedback for t in engine.turns)
    summary = engine.summary()
    assert all(summary["must_do"].values()), summary["must_do"]
    assert spec.get("best_labels", set()) <= {label for t in engine.turns for label in t.labels}


@pytest.mark.parametrize("theme, stem", SCENARIO_CASES)
def test_advice_and_minimising_make_the_caller_leave(theme, stem):
    engine = _walk(SCENARIOS[theme][stem], _poor)
    assert engine.end == "caller_left"
    assert engine.summary()["revisit"]


@pytest.mark.parametrize("theme, stem", SCENARIO_CASES)
def test_a_poor_reply_can_always_be_repaired(theme, stem):
    """From every node a caller withdraws to after advice or minimising, some reply leads back to a good end.

    (A poor reply that ends the call is the consequence the learner sees.)
    """
    nodes = SCENARIOS[theme][stem]["nodes"]
    good_ends = {n for n, node in nodes.items() if node.get("end") in GOOD_ENDS}
    for name, node in nodes.items():
        for choice in node.get("choices", []):
            if not POOR_LABELS & set(choice["labels"]) or "end" in nodes[choice["next"]]:
                continue
            assert reachable_from(nodes, choice["next"]) & good_ends, f"{name}: no way back after «{choice['text']}»"


@pytest.mark.parametrize("theme, stem", [c for c in SCENARIO_CASES if expect(c.values[0])["poor_reply_withdraws"]])
def test_poor_reply_makes_the_caller_withdraw(theme, stem):
    nodes = SCENARIOS[theme][stem]["nodes"]
    for name, node in nodes.items():
        for choice in node.get("choices", []):
            if POOR_LABELS & set(choice["labels"]) and "referral" not in choice["labels"]:
                target = nodes[choice["next"]]
                assert target.get("end") == "caller_left" or "trekker" in choice["next"], (
                    f"{name}: «{choice['text']}» should make the caller withdraw")


# --- scenarios: safety rules --------------------------------------------------------------------------------------

def _scenario_texts(scenario: dict, scope: str) -> list[str]:
    """The texts a scope covers: "say" the caller's lines; "lines" also the description and the suggested replies;
    "all" also the persona and the feedback on each reply."""
    if scope == "say":
        return [line for node in scenario["nodes"].values() for line in node["say"]]
    texts = [scenario["description"]]
    if scope == "all":
        texts += map(str, scenario["persona"].values())
    for node in scenario["nodes"].values():
        texts += node["say"]
        for choice in node.get("choices", []):
            texts.append(choice["text"])
            if scope == "all":
                texts.append(choice.get("feedback", ""))
    return texts


@pytest.mark.parametrize("theme, stem", [c for c in SCENARIO_CASES if expect(c.values[0])["method_words"]])
def test_no_method_or_dose_details(theme, stem):
    words, scope = expect(theme)["method_words"]
    for text in _scenario_texts(SCENARIOS[theme][stem], scope):
        assert not words.search(text), f"method or dose detail: {text!r}"


@pytest.mark.parametrize("theme, stem", [c for c in SCENARIO_CASES if expect(c.values[0])["teaches_113"]])
def test_a_reply_teaches_113_for_acute_danger(theme, stem):
    nodes = SCENARIOS[theme][stem]["nodes"]
    assert any("113" in c["text"] for node in nodes.values() for c in node.get("choices", []))


def _open_at(service: dict, hhmm: str, day: str | None = None, channel: str | None = None) -> bool:
    return any((day is None or day in span["days"]) and (channel is None or span["channel"] == channel)
               and span["from"] <= hhmm < span["to"] for span in service["hours"])


def _fits_age(service: dict, age: int) -> bool:
    target = service["target"]
    return (target["min_age"] is None or age >= target["min_age"]) and (target["max_age"] is None or age <= target["max_age"])


@pytest.mark.parametrize("theme, stem", [c for c in SCENARIO_CASES if expect(c.values[0])["referral_timing"] == "age_and_clock"])
def test_referrals_that_do_not_fit_age_or_time_get_feedback_and_no_good_end(theme, stem):
    """Unknown hours count as open; «i morgen» / «torsdag» in the reply means it names a later time."""
    scenario = SCENARIOS[theme][stem]
    by_number = {s["phone"]: s for s in SERVICES if s["phone"]}
    age, time = scenario["persona"]["age"], scenario["time"]
    nodes = scenario["nodes"]
    for name, node in nodes.items():
        for choice in node.get("choices", []):
            if "referral" not in choice["labels"]:
                continue
            named = [s for number, s in by_number.items() if number in choice["text"]]
            later = "i morgen" in choice["text"] or "torsdag" in choice["text"]
            unfitting = [s["id"] for s in named
                         if not _fits_age(s, age) or (not later and s["hours"] and not _open_at(s, time))]
            if unfitting:
                assert nodes[choice["next"]].get("end") not in GOOD_ENDS, f"{name}: {unfitting}"
                assert choice["feedback"].strip()


@pytest.mark.parametrize("theme, stem", [c for c in SCENARIO_CASES if expect(c.values[0])["referral_timing"] == "weekday"])
def test_every_referral_into_a_good_end_names_a_service_open_then(theme, stem):
    scenario = SCENARIOS[theme][stem]
    day, time = scenario_expect(theme, stem)["day"], scenario["time"]
    open_numbers = {s["phone"] for s in SERVICES if s["phone"] and _open_at(s, time, day)}
    checked = 0
    for node_id, node in scenario["nodes"].items():
        for choice in node.get("choices", []):
            if "referral" in choice["labels"] and scenario["nodes"][choice["next"]].get("end") in GOOD_ENDS:
                assert any(number in choice["text"] for number in open_numbers), (node_id, choice["text"])
                checked += 1
    assert checked >= 1


@pytest.mark.parametrize("theme, stem", scenario_cases("unfitting_numbers"))
def test_unfitting_referrals_never_lead_straight_to_a_good_end(theme, stem):
    nodes = SCENARIOS[theme][stem]["nodes"]
    numbers = scenario_expect(theme, stem)["unfitting_numbers"]
    why = expect(theme)["unfitting_feedback_words"]
    seen = 0
    for node in nodes.values():
        for choice in node.get("choices", []):
            if any(n in choice["text"] for n in numbers):
                seen += 1
                assert nodes[choice["next"]].get("end") not in GOOD_ENDS, choice["text"]
                assert any(w in choice["feedback"] for w in why), choice["feedback"]
    assert seen, f"no reply offers {numbers}: the table is out of date"


#: Properties of a suggested reply that every path to a good end must have passed (see «every_good_path»).
CHOICE_FLAGS: dict[str, Callable[[dict], bool]] = {
    "explores_safety": lambda c: "safety_planning" in c["labels"],
    "honest_about_secrecy": lambda c: "kan ikke love" in c["text"],
    "refers_to_116_111": lambda c: "referral" in c["labels"] and ("116 111" in c["text"] or "116111" in c["text"]),
}


@pytest.mark.parametrize("theme, stem", scenario_cases("every_good_path"))
def test_every_good_path_passes_the_required_replies(theme, stem):
    """Walk the graph through suggested replies only; every good end must be reached with every flag set."""
    scenario = SCENARIOS[theme][stem]
    names = scenario_expect(theme, stem)["every_good_path"]
    flags = [CHOICE_FLAGS[n] for n in names]
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
    assert reached == {(True,) * len(flags)}, f"good ends reached without: {names}"


# --- scripted free-text dialogues ---------------------------------------------------------------------------------

#: (id, theme, scenario, seed, node to start at (None: after the opening), [(learner text, what must follow)]).
#: «node»: the node the turn lands on; «end»: the end it reaches; «intents»: intents it must carry;
#: «labels_so_far»: labels the whole dialogue must have used by then.
DIALOGUES = [
    ("vold-child-hit", "vold", "maja-forteller", 4, "n2_hjemme", [("Slår han deg?", {"node": "n2b_usikker"})]),
    ("vold-child-safe-now", "vold", "maja-forteller", 4, "n4_kveld",
     [("Er du trygg akkurat nå?", {"node": "n5_hemmelig"})]),
    ("vold-child-alarmtelefonen", "vold", "maja-forteller", 4, "n7_hva_skjer",
     [("Du kan chatte med Alarmtelefonen på 116111.no eller ringe 116 111.", {"node": "n8_natt"})]),
    ("vold-child-wrong-service", "vold", "maja-forteller", 4, "n7_hva_skjer",
     [("Du kan ringe Vold- og overgrepslinjen på 116 006.", {"node": "n_feil_tjeneste"})]),
    ("vold-adult-why-stay", "vold", "hanne-teller-det", 4, "n4_dytt",
     [("Hvorfor blir du hos ham da?", {"node": "n_trekker"})]),
    ("vold-adult-safe-tonight", "vold", "hanne-teller-det", 4, "n5_kveld",
     [("Er du trygg i kveld når han kommer hjem?", {"node": "n6_sosteren"})]),
    ("vold-adult-vo-linjen", "vold", "hanne-teller-det", 4, "n8_neste",
     [("Vold- og overgrepslinjen på 116 006 er åpen hele døgnet.", {"node": "end_referred"})]),
    ("vold-adult-wrong-service", "vold", "hanne-teller-det", 4, "n8_neste",
     [("Du kan ringe Alarmtelefonen på 116 111.", {"node": "n_feil_tjeneste"})]),
    # a promise of secrecy is never rewarded and can be repaired
    ("vold-child-secrecy-repaired", "vold", "maja-forteller", 3, "n5_hemmelig", [
        ("Jeg lover at jeg ikke sier det til noen.", {"node": "n5b_lovet"}),
        ("Jeg må være ærlig: jeg kan ikke love å holde det hemmelig. Men jeg lover å være ærlig med deg.",
         {"node": "n6_redd"}),
    ]),
    # asking for details overwhelms the caller in shock; grounding brings him back
    ("traumer-shock-details-overwhelm", "traumer", "sjokk-etter-ulykke", 1, None, [
        ("Hva skjedde? Fortell alt fra begynnelsen.", {"node": "n_overveldet"}),
        ("Vi stopper der. Kjenn føttene mot gulvet, og pust sakte ut.", {"node": "n3_normalt"}),
    ]),
    ("traumer-grief-reaches-referral", "traumer", "sorg-etter-selvmord", 3, None, [
        ("Hei, så godt at du skriver. Hvordan har du det nå?", {}),
        ("Du savner ham hele tiden.", {}),
        ("Du bærer på mye skyld.", {}),
        ("Jeg spør fordi jeg bryr meg om deg: tenker du på å ta livet ditt?", {}),
        ("Hva kan hjelpe deg å komme gjennom natten?", {}),
        ("Hvem kan du ringe hvis tankene blir sterkere i natt?", {}),
        ("Du kan ringe Mental Helse Hjelpetelefonen på 116 123 i natt, og LEVE i morgen mellom 9 og 15.",
         {"end": "referred", "labels_so_far": {"suicide_question", "safety_planning"}}),
    ]),
    ("ivaretakelse-repeat-caller-boundary", "ivaretakelse", "sint-gjenganger", 3, None, [
        ("Det er mange som ringer, så du må bare regne med kø.", {"node": "n1b_skjeller"}),  # minimising -> insults
        ("Jeg vil gjerne høre på deg, men jeg vil ikke bli kalt dum.", {"node": "n2_else", "intents": {"set_boundary"}}),
    ]),
    # a clear boundary and an ending at the first sexual question close the chat well
    ("ivaretakelse-sexualised-chat-boundary", "ivaretakelse", "seksualisert-chat", 4, None, [
        ("Hei, og velkommen. Hva er det som gjør at du skriver i kveld?", {}),
        ("Hvordan er det for deg å være så mye alene?", {"node": "n3_vender"}),
        ("Det svarer jeg ikke på. Jeg avslutter chatten nå. Ha en god natt.", {"end": "good_close"}),
    ]),
]


@pytest.mark.parametrize("theme, stem, seed, at, steps", [pytest.param(*d[1:], id=d[0]) for d in DIALOGUES])
def test_free_text_is_routed(theme, stem, seed, at, steps):
    engine = ScriptedEngine(SCENARIOS[theme][stem], seed=seed)
    engine.opening()
    if at:
        engine.node_id = at
    for text, want in steps:
        turn = engine.respond(text)
        why = (text, classify(text), turn.intents)
        if "node" in want:
            assert turn.node == engine.node_id == want["node"], why
        if "end" in want:
            assert turn.ended and turn.end == want["end"], why
        assert set(want.get("intents", ())) <= set(turn.intents), why
        assert set(want.get("labels_so_far", ())) <= {label for t in engine.turns for label in t.labels}, why


# --- theme-specific scenario rules --------------------------------------------------------------------------------

def test_traumer_leve_is_closed_at_the_grief_scenarios_time_and_its_referral_is_repaired():
    scenario = SCENARIOS["traumer"]["sorg-etter-selvmord"]
    leve = next(s for s in SERVICES if s["id"] == "leve")
    assert not _open_at(leve, scenario["time"], scenario_expect("traumer", "sorg-etter-selvmord")["day"])
    plan = scenario["nodes"]["n8_plan"]
    leve_now = next(c for c in plan["choices"] if c["text"].startswith("Ring LEVE nå"))
    assert scenario["nodes"][leve_now["next"]].get("end") is None
    assert "9–15" in leve_now["feedback"]


def test_traumer_injured_caller_reaches_a_good_end_only_after_a_doctor_is_named():
    """In the accident scenario, every good end lies behind a reply that names legevakt or 113."""
    scenario = SCENARIOS["traumer"]["sjokk-etter-ulykke"]
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


@pytest.mark.parametrize("stem", sorted(SCENARIOS["rus"]))
def test_rus_rusinfo_is_offered_as_open_only_when_it_is(stem):
    """A reply that sends the caller to RUSinfo and moves the conversation forward must fit the clock time:
    either RUSinfo is open then (on the scenario's weekday), or the reply says when it opens."""
    scenario = SCENARIOS["rus"][stem]
    rusinfo = next(s for s in SERVICES if s["id"] == "rusinfo")
    open_now = _open_at(rusinfo, scenario["time"], scenario_expect("rus", stem)["day"], "phone")
    for name, node in scenario["nodes"].items():
        for choice in node.get("choices", []):
            if not re.search(r"rusinfo|08588", choice["text"], re.IGNORECASE) or "referral" not in choice["labels"]:
                continue
            forward = "feil" not in choice["next"] and "trekker" not in choice["next"]
            if forward and not open_now:
                assert "11–18" in choice["text"], f"{name}: RUSinfo is closed at {scenario['time']}; say when it is open"
            if not forward:
                assert "11–18" in choice.get("feedback", ""), f"{name}: explain RUSinfo's hours in the feedback"


def test_ivaretakelse_referrals_in_the_repeat_caller_fit_the_time():
    scenario = SCENARIOS["ivaretakelse"]["sint-gjenganger"]
    hour = scenario["time"]
    choices = scenario["nodes"]["n7_avslutt"]["choices"]
    fitting = next(c for c in choices if "116 123" in c["text"])
    assert fitting["next"] == "end_referred"
    hjelpetelefonen = next(s for s in SERVICES if s["id"] == "hjelpetelefonen")
    assert _open_at(hjelpetelefonen, hour, channel="phone")
    unfitting = next(c for c in choices if "LEVE" in c["text"])
    assert unfitting["next"] != "end_referred" and "9–15" in unfitting["feedback"]


def test_ivaretakelse_sexualised_chat_ends_well_when_the_volunteer_sets_the_boundary():
    nodes = SCENARIOS["ivaretakelse"]["seksualisert-chat"]["nodes"]
    assert nodes["end_good"]["end"] == "good_close"
    # logging off after a clear boundary is an acceptable end, and the feedback says so
    to_logged_off = [c for c in nodes["n5_siste"]["choices"] if c["next"] == "end_logget_av"]
    assert to_logged_off and "riktige" in to_logged_off[0]["feedback"]
    assert nodes["end_logget_av"]["end"] == "caller_left"


def test_ivaretakelse_sexualised_chat_never_shows_explicit_content():
    nodes = SCENARIOS["ivaretakelse"]["seksualisert-chat"]["nodes"]
    for line in nodes["n3c_grov"]["say"]:
        assert line.startswith("[") and "vises ikke i øvelsen" in line


# --- help lines ---------------------------------------------------------------------------------------------------

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
