"""The coach's labels, the scripted engine's paths through a scenario, and the end summary."""

from __future__ import annotations

import pytest

from widgets.content import REPO_ROOT, load_course
from widgets.simulation import ScriptedEngine, classify
from widgets.simulation.engine import ScenarioEnded
from widgets.simulation.scenario import graph_problems

CASES_NB = [
    ("Hvordan har du det i kveld?", {"open_question"}),
    ("Hva tenker du selv om det?", {"open_question"}),
    ("Kan du fortelle litt mer om det?", {"open_question"}),
    ("Har du venner der du bor?", {"closed_question"}),
    ("Er du trist?", {"closed_question"}),
    ("Det høres ut som kveldene er lange og ensomme.", {"reflection"}),
    ("Du kjenner deg alene i den nye byen.", {"reflection"}),
    ("Takk for at du tok kontakt i kveld.", {"affirmation"}),
    ("Tenker du på å ta livet ditt?", {"closed_question", "suicide_question"}),
    ("Jeg spør fordi jeg bryr meg: har du tanker om selvmord?", {"closed_question", "suicide_question"}),
    ("Du bør melde deg på en klatregruppe.", {"advice"}),
    ("Det går nok over, andre har det verre.", {"minimizing"}),
    ("Du kan ringe Mental Helse Hjelpetelefonen på 116 123, de er døgnåpne.", {"referral"}),
    ("Hva kan hjelpe deg å komme gjennom natten?", {"open_question", "safety_planning"}),
    ("Hvis jeg forstår deg riktig, er du sliten og savner søsteren din.", {"summary"}),
]
CASES_EN = [
    ("How are you feeling tonight?", {"open_question"}),
    ("Do you have friends nearby?", {"closed_question"}),
    ("It sounds like the evenings are hard.", {"reflection"}),
    ("Are you thinking about killing yourself?", {"closed_question", "suicide_question"}),
    ("You should just go to bed earlier.", {"advice"}),
    ("Don't worry, it will pass.", {"minimizing"}),
]


@pytest.mark.parametrize("text,expected", CASES_NB)
def test_coach_labels_norwegian(text: str, expected: set[str]) -> None:
    assert set(classify(text, "nb")) == expected


@pytest.mark.parametrize("text,expected", CASES_EN)
def test_coach_labels_english(text: str, expected: set[str]) -> None:
    assert set(classify(text, "en")) == expected


def test_coach_refuses_bad_input() -> None:
    with pytest.raises(TypeError):
        classify(None)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        classify("hei", "de")
    assert classify("   ") == []


@pytest.fixture(scope="module")
def scenario() -> dict:
    return next(iter(load_course(REPO_ROOT).theme("samtalen").scenarios.values()))


def test_scenario_is_a_sound_graph(scenario: dict) -> None:
    assert graph_problems(scenario) == []


def _walk(scenario: dict, pick) -> ScriptedEngine:
    engine = ScriptedEngine(scenario, seed=1)
    engine.opening()
    for _ in range(40):
        if engine.ended:
            break
        engine.respond("", pick(scenario["nodes"][engine.node_id]["choices"]))
    return engine


def test_good_choices_reach_a_good_end_with_feedback_on_every_turn(scenario: dict) -> None:
    good = {"open_question", "reflection", "affirmation", "summary", "suicide_question", "safety_planning"}
    def pick(choices):
        scores = [len(good & set(c["labels"])) - 3 * len({"advice", "minimizing"} & set(c["labels"])) for c in choices]
        return scores.index(max(scores))
    engine = _walk(scenario, pick)
    assert engine.end in ("good_close", "referred", "safety_plan")
    assert all(t.feedback for t in engine.turns)
    summary = engine.summary()
    assert all(summary["must_do"].values())
    assert summary["reflection_to_question"] is not None


def test_advice_and_minimising_lead_to_the_caller_leaving(scenario: dict) -> None:
    def pick(choices):
        poor = [i for i, c in enumerate(choices) if {"advice", "minimizing"} & set(c["labels"])]
        return poor[0] if poor else 0
    engine = _walk(scenario, pick)
    assert engine.end == "caller_left"
    summary = engine.summary()
    assert summary["revisit"] and any("Tur" in line for line in summary["lines"])


def test_free_text_is_routed_by_the_coach(scenario: dict) -> None:
    engine = ScriptedEngine(scenario, seed=2)
    engine.opening()
    turn = engine.respond("Hei, så fint at du skriver. Hva har gjort at du tok kontakt i kveld?")
    assert "open_question" in turn.labels and turn.reply
    assert any("åpent spørsmål" in f for f in turn.feedback)
    closed = ScriptedEngine(scenario, seed=2)
    closed.opening()
    turn = closed.respond("Er du lei deg?")
    assert turn.labels == ["closed_question"]
    assert any("Et åpent spørsmål kunne vært" in f for f in turn.feedback)


def test_unrecognised_text_gets_a_helpful_hint(scenario: dict) -> None:
    engine = ScriptedEngine(scenario, seed=3)
    engine.opening()
    turn = engine.respond("ok")
    assert turn.labels == [] and "Prøv et åpent spørsmål" in turn.feedback[-1]


def test_caller_lines_vary_between_runs(scenario: dict) -> None:
    openings = {ScriptedEngine(scenario, seed=s).opening() for s in range(30)}
    assert len(openings) > 1


def test_no_turns_after_the_end(scenario: dict) -> None:
    engine = _walk(scenario, lambda choices: 0)
    assert engine.ended
    with pytest.raises(ScenarioEnded):
        engine.respond("hei")


def test_cli_coach_reads_and_writes_json_lines() -> None:
    import json
    import subprocess
    import sys

    lines = [json.dumps({"text": t}) for t, _ in CASES_NB[:3]] + ["ikke json"]
    out = subprocess.run([sys.executable, "-m", "widgets.cli", "coach", "--lang", "nb"], input="\n".join(lines),
                         capture_output=True, text=True)
    records = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["text"] for r in records] == [t for t, _ in CASES_NB[:3]]
    assert [set(r["labels"]) for r in records] == [e for _, e in CASES_NB[:3]]
    assert out.returncode == 2 and "linje 4" in out.stderr
