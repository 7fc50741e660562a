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


# -- every scenario in the course --------------------------------------------------------------------------------------

import copy
import json
import subprocess
import sys
import xml.dom.minidom

from widgets.content import read_yaml
from widgets.simulation import diagram, referral
from widgets.simulation.feedback import transcript_markdown
from widgets.simulation.scenario import extension_problems

SCENARIO_FILES = sorted((REPO_ROOT / "data" / "themes").glob("*/scenarios/*.yaml"))
GOOD = {"open_question", "reflection", "affirmation", "summary", "suicide_question", "safety_planning", "referral"}


def _best(choices: list[dict]) -> int:
    scores = [len(GOOD & set(c["labels"])) - 3 * len({"advice", "minimizing"} & set(c["labels"])) for c in choices]
    return scores.index(max(scores))


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=[f"{p.parent.parent.name}/{p.stem}" for p in SCENARIO_FILES])
def test_every_scenario_runs_with_choices_and_with_free_text(path) -> None:
    sc = read_yaml(path).data
    assert graph_problems(sc) == [] and extension_problems(sc, referral.helplines()) == []
    engine = ScriptedEngine(sc, seed=5)
    engine.opening()
    for _ in range(40):
        if engine.ended:
            break
        engine.respond("", _best(engine.node["choices"])) if engine.node.get("choices") else engine.respond("Hva tenker du?")
    assert engine.ended and all(t.feedback for t in engine.turns)
    summary = engine.summary()
    assert summary["lines"] and "MITI" in " ".join(summary["lines"])
    # Free text from every node: labelled, routed, and answered, with feedback.
    for name, node in sc["nodes"].items():
        if "end" in node:
            continue
        for text in ("Hvordan har du det nå?", "Det høres tungt ut.", "Du bør bare ta deg sammen.", "ok"):
            e = ScriptedEngine(sc, seed=1)
            e.node_id = name
            turn = e.respond(text)
            assert turn.feedback and turn.reply and turn.node in sc["nodes"]


# -- the extended format: state, conditions on state, regex intents, built-in referral intents ---------------------


def _tiny(**extra) -> dict:
    sc = {
        "id": "liten", "title": "Liten", "description": "Test.", "channel": "chat", "time": "21:30",
        "persona": {"alias": "Kim", "age": 16, "situation": "Ensom."},
        "start": "a",
        "nodes": {
            "a": {"say": ["hei"], "choices": [
                {"text": "Hvordan har du det?", "labels": ["open_question"], "next": "b", "state": {"trust": 3}},
                {"text": "Det går over.", "labels": ["minimizing"], "next": "a"},
            ], "routes": [
                {"when": {"state": {"trust": ">= 2"}}, "next": "b"},
                {"when": {"any": ["referral_fits"]}, "next": "ok"},
                {"when": {"any": ["referral_unfit"]}, "next": "a"},
                {"next": "a"},
            ]},
            "b": {"say": ["mm"], "signs": ["suicide"], "routes": [{"next": "ok"}]},
            "ok": {"say": ["takk"], "end": "referred"},
        },
    }
    sc.update(extra)
    return sc


def test_state_moves_with_labels_and_a_reply_can_set_its_own_effect() -> None:
    sc = _tiny(state={"distress": {"start": 5, "min": 0, "max": 10, "label": "Uro"}},
               label_effects={"reflection": {"trust": 2, "distress": -1}})
    engine = ScriptedEngine(sc, seed=1)
    assert engine.state == {"trust": 0, "distress": 5}
    turn = engine.respond("Det høres ut som du er veldig alene.")  # reflection: +2 trust, -1 distress
    assert turn.labels == ["reflection"] and engine.state == {"trust": 2, "distress": 4}
    assert turn.node == "b"  # the route on trust >= 2 (after this reply's effect) was taken
    engine = ScriptedEngine(sc, seed=1)
    engine.respond("", 0)  # the choice's own effect replaces the labels' (open_question would give +1)
    assert engine.state["trust"] == 3
    engine = ScriptedEngine(sc, seed=1)
    engine.respond("", 1)
    assert engine.state["trust"] == -2  # minimising: the default effect


def test_state_is_kept_within_its_limits() -> None:
    sc = _tiny(state={"trust": {"min": -1, "max": 1}})
    engine = ScriptedEngine(sc, seed=1)
    engine.respond("", 1)
    engine.respond("", 1)
    assert engine.state["trust"] == -1


def test_builtin_referral_intents_judge_age_and_opening_hours() -> None:
    sc = _tiny(time="21:30")  # Kim is 16; Kors på halsen is for under 18, open 14–22
    turn = ScriptedEngine(sc, seed=1).respond("Du kan ringe Kors på halsen på 800 33 321.")
    assert {"named_service", "referral_fits"} <= set(turn.intents) and turn.node == "ok"
    assert any(f.startswith("Godt valg: Kors på halsen") and "åpen" in f for f in turn.feedback)
    late = _tiny(time="23:15")
    turn = ScriptedEngine(late, seed=1).respond("Du kan ringe Kors på halsen på 800 33 321.")
    assert "referral_unfit" in turn.intents and turn.node == "a"
    assert any("stengt" in f for f in turn.feedback)
    adult = _tiny(persona={"alias": "Kim", "age": 30, "situation": "Ensom."})
    turn = ScriptedEngine(adult, seed=1).respond("Kors på halsen kan du prate med.")
    assert any("under 18 år, og Kim er 30" in f for f in turn.feedback)


def test_the_weekday_matters_for_opening_hours() -> None:
    services = {s["id"]: s for s in referral.helplines()}
    weekday = _tiny(time="12:00", day="mon")
    saturday = _tiny(time="12:00", day="sat")
    assert referral.judge(services["rusinfo"], weekday).open_now is True
    assert referral.judge(services["rusinfo"], saturday).open_now is False
    assert referral.judge(services["hjelpetelefonen"], saturday).channels_open == ["phone", "chat"]
    assert referral.judge(services["mhu-hjelpechat"], weekday).open_now is None  # hours not verified


def test_services_are_found_by_name_number_and_address() -> None:
    h = referral.helplines()
    assert referral.services_named("Ring 116123 eller skriv på sidetmedord.no", h) == ["hjelpetelefonen"]
    assert referral.services_named("Mental Helse Ungdom har en chat", h) == ["mhu-hjelpechat"]
    assert referral.services_named("Det er viktig å leve livet", h) == []
    assert referral.services_named("LEVE kan hjelpe deg", h) == ["leve"]
    assert set(referral.services_named("ring 113 eller legevakten på 116 117", h)) == {"legevakt", "amk-113"}


def test_regex_intents_and_must_dos_that_are_intents() -> None:
    sc = _tiny(intents={"asked_about_plan": {"regex": [r"\bplan(en|er)?\b"], "description": "spurte om en plan"}},
               must_do=["asked_about_plan", "open_question"])
    engine = ScriptedEngine(sc, seed=1)
    turn = engine.respond("Har du en plan for natten?")
    assert "asked_about_plan" in turn.intents
    summary = engine.summary()
    assert summary["must_do"] == {"asked_about_plan": True, "open_question": False}
    assert any(line.startswith("✓ spurte om en plan") for line in summary["lines"])


def test_signs_of_suicide_get_a_nudge_and_the_summary_quotes_the_turns() -> None:
    sc = _tiny(risks=["suicide"])
    engine = ScriptedEngine(sc, seed=1)
    engine.respond("", 0)  # to b, where Kim shows signs
    turn = engine.respond("Det høres tungt ut.")
    assert any("tegn på selvmordstanker" in f and "Spør direkte" in f for f in turn.feedback)
    summary = engine.summary()
    assert summary["asked_about_suicide"] is False
    assert any("Du spurte ikke direkte om selvmordstanker" in line and "(tur 2)" in line for line in summary["lines"])
    asked = ScriptedEngine(sc, seed=1)
    asked.respond("", 0)
    turn = asked.respond("Jeg spør fordi jeg bryr meg: tenker du på å ta livet ditt?")
    assert not any("tegn på selvmordstanker" in f for f in turn.feedback)
    assert not any("Et åpent spørsmål kunne vært" in f for f in turn.feedback)  # a yes/no question is right here
    summary = asked.summary()
    assert summary["asked_about_suicide"] is True
    assert any("✓ Du spurte direkte om selvmordstanker (tur 2: «Jeg spør fordi" in line for line in summary["lines"])
    assert any(line.startswith("✗ Du utforsket ikke sikkerhet") for line in summary["lines"])


def test_the_summary_judges_referrals_and_says_when_the_day_was_assumed() -> None:
    sc = _tiny(referral={"fits": ["hjelpetelefonen"], "why": "Kim trenger noen å snakke med om kvelden."},
               must_do=["referral"], time="21:30")
    engine = ScriptedEngine(sc, seed=1)
    engine.respond("Du kan ringe RUSinfo på 08588.")
    engine.respond("Hva med Kors på halsen?")
    summary = engine.summary()
    text = "\n".join(summary["lines"])
    assert "✗ RUSinfo" in text and "stengt onsdag kl. 21:30" in text
    assert "passer ikke det Kim trenger" in text
    assert "Dette ville passet bedre: Mental Helse Hjelpetelefonen." in text
    assert "vanlig hverdag (onsdag)" in text
    assert [r["service"] for r in summary["referrals"]] == ["rusinfo", "kors-pa-halsen"]
    none = ScriptedEngine(sc, seed=1)
    none.respond("Hvordan har du det?")
    assert any(line.startswith("✗ Du viste ikke videre. Her ville dette passet: Mental Helse Hjelpetelefonen.")
               for line in none.summary()["lines"])


def test_rushing_to_advice_is_named_with_the_turn() -> None:
    engine = ScriptedEngine(_tiny(), seed=1)
    engine.respond("Du bør legge deg tidligere.")
    summary = engine.summary()
    assert summary["rushed_to_advice"] == 1
    assert any(line.startswith("Tur 1: du ga råd før du hadde utforsket") for line in summary["lines"])
    assert any("«Du bør legge deg tidligere.»" in line for line in summary["lines"])


def test_free_text_feedback_rewrites_their_closed_question(scenario: dict) -> None:
    engine = ScriptedEngine(scenario, seed=2)
    turn = engine.respond("Er det noen du kan snakke med?")
    assert any("(«Er det noen du kan snakke med?»)" in f and "«Hvem kan du snakke med?»" in f for f in turn.feedback)


def test_the_transcript_has_every_turn_the_feedback_and_the_summary_and_is_scrubbed(scenario: dict) -> None:
    engine = ScriptedEngine(scenario, seed=1)
    opening = engine.opening()
    engine.respond("Hei Ida. Ring meg på 98765432 om du vil. Hva har gjort at du skriver i kveld?")
    for _ in range(30):
        if engine.ended:
            break
        engine.respond("", 0)
    md = transcript_markdown(scenario, opening, engine.turns, engine.summary())
    assert md.startswith("# Øvingssamtale: ") and "bare for trening" in md
    assert f"**Ida:** {opening}" in md and "## Oppsummering" in md and "| Refleksjoner |" in md
    assert "98765432" not in md and "[telefon]" in md and "Hei Ida" in md
    assert md.count("**Du**") == len(engine.turns) and "> Coachen merket:" in md


# -- checks of the optional fields ---------------------------------------------------------------------------------


def test_extension_problems_name_what_is_wrong() -> None:
    sc = _tiny(state={"distress": {"start": 20, "min": 0, "max": 10}},
               label_effects={"advice": {"anger": 1}},
               referral={"fits": ["finnes-ikke"]},
               must_do=["asked_nothing"],
               intents={"broken": {"regex": ["(unclosed"]}, "empty": {"description": "ingen mønstre"}})
    sc["nodes"]["a"]["routes"][0]["when"]["state"] = {"mood": "> 1", "trust": "veldig"}
    messages = "\n".join(m for _, m, _ in extension_problems(sc, referral.helplines()))
    for expected in ("startverdien for «distress»", "tilstanden «anger» er ikke definert",
                     "tilstanden «mood» er ikke definert", "betingelsen «veldig» kan ikke leses",
                     "tjenesten «finnes-ikke» finnes ikke", "«asked_nothing» er verken", "er ugyldig",
                     "intensjonen «empty» har verken"):
        assert expected in messages


def test_the_schema_accepts_the_new_fields_and_still_every_old_scenario() -> None:
    import jsonschema

    from widgets.content import schema

    validator = jsonschema.Draft202012Validator(schema("scenario"))
    new = _tiny(day="sat", state={"distress": {"start": 5}}, label_effects={"advice": {"trust": -3}},
                referral={"fits": ["hjelpetelefonen"], "why": "…"}, facilitator_notes="Bare for kursholdere.",
                intents={"plan": {"regex": ["plan"]}}, must_do=["plan"])
    new["nodes"]["a"]["guidance"] = "Kim er usikker."
    assert list(validator.iter_errors(new)) == []
    bad = copy.deepcopy(new)
    bad["day"] = "fredag"
    assert list(validator.iter_errors(bad))
    for path in SCENARIO_FILES:
        assert list(validator.iter_errors(read_yaml(path).data)) == [], path


# -- diagrams and the scenario commands -------------------------------------------------------------------------------


def test_diagrams_show_every_node_and_arrow(scenario: dict) -> None:
    svg = diagram.to_svg(scenario)
    doc = xml.dom.minidom.parseString(svg)
    root = doc.documentElement
    assert root.getAttribute("role") == "img" and doc.getElementsByTagName("title")
    texts = " ".join(t.firstChild.data for t in doc.getElementsByTagName("text") if t.firstChild)
    assert all(name in texts for name in scenario["nodes"])
    n_edges = len(diagram.edges(scenario))
    assert len([p for p in doc.getElementsByTagName("path") if p.getAttribute("marker-end")]) == n_edges
    mermaid = diagram.to_mermaid(scenario)
    assert mermaid.startswith("flowchart TD") and mermaid.count("-->") + mermaid.count("-.->") == n_edges
    assert "end_good" in mermaid and '"end"' not in mermaid
    dot = diagram.to_dot(scenario)
    assert dot.startswith('digraph "forste-kontakt"') and dot.count(" -> ") == n_edges


def test_a_broken_scenario_can_still_be_drawn() -> None:
    sc = _tiny()
    sc["nodes"]["a"]["routes"][-1]["next"] = "finnes_ikke"
    svg = diagram.to_svg(sc)
    assert "finnes ikke" in svg and "finnes_ikke" in diagram.to_mermaid(sc)


def test_the_notebook_helper_shows_svg_and_mermaid_source() -> None:
    html = diagram.show("samtalen/forste-kontakt")._repr_html_()
    assert html.startswith('<figure class="ts-diagram"') and "<svg" in html and "<pre>flowchart TD" in html
    assert "<script" not in html


def test_cli_scenario_diagram_list_and_play(tmp_path) -> None:
    run = lambda *args, **kw: subprocess.run([sys.executable, "-m", "widgets.cli", "scenario", *args],
                                             capture_output=True, text=True, **kw)
    out = run("diagram", "samtalen/forste-kontakt", "--format", "mermaid")
    assert out.returncode == 0 and out.stdout.startswith("flowchart TD")
    target = tmp_path / "d.svg"
    assert run("diagram", "samtalen/forste-kontakt", "-o", str(target)).returncode == 0
    assert target.read_text(encoding="utf-8").startswith("<svg")
    bad = run("diagram", "samtalen")
    assert bad.returncode == 2 and "<tema>/<id>" in bad.stderr
    listing = run("list")
    assert "samtalen/forste-kontakt" in listing.stdout
    play = run("play", "samtalen/forste-kontakt", "--seed", "1", input="1\nEr du lei deg?\n1\n1\n1\n1\n1\n1\n1\n1\n")
    assert play.returncode == 0
    assert "Coachen merket: anerkjennelse, åpent spørsmål" in play.stdout
    assert "Et åpent spørsmål kunne vært" in play.stdout and "Oppsummering:" in play.stdout


def test_the_widget_downloads_the_transcript(session) -> None:
    from widgets.chat import ChatSimulation

    session.set_learner("TEST-0009")
    sc = load_course(REPO_ROOT).theme("samtalen").scenarios["forste-kontakt"]
    chat = ChatSimulation("samtalen", sc, seed=1, persona=False)
    chat._dispatch(chat, {"type": "send", "text": "Hva har skjedd? Mail meg på kari@example.no"}, [])
    assert chat.feedback_labels == ["åpent spørsmål"] and chat.meta["mode"] == "scripted"
    sent = []
    chat.send = lambda content, buffers=None: sent.append((content, buffers))
    chat._dispatch(chat, {"type": "download"}, [])
    (content, buffers), = sent
    assert content == {"type": "transcript", "filename": "samtale-forste-kontakt.md"}
    text = bytes(buffers[0]).decode("utf-8")
    assert "Hva har skjedd?" in text and "kari@example.no" not in text and "[e-post]" in text
    assert json.dumps(chat.summary) == "{}"  # not ended yet: no summary in the file


def test_the_example_in_the_trainers_guide_is_a_valid_scenario_that_runs() -> None:
    import re as re_

    import jsonschema
    import yaml

    from widgets.content import _Loader, schema

    guide = (REPO_ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    example = next(block for block in re_.findall(r"```yaml\n(.*?)```", guide, re_.DOTALL) if block.startswith("# Personen"))
    sc = yaml.load(example, Loader=_Loader)
    assert list(jsonschema.Draft202012Validator(schema("scenario")).iter_errors(sc)) == []
    assert graph_problems(sc) == [] and extension_problems(sc, referral.helplines()) == []
    engine = ScriptedEngine(sc, seed=1)
    engine.respond("Hei, så fint at du skriver. Hva har gjort at du tok kontakt i kveld?")
    turn = engine.respond("Du kan ringe Kors på halsen på 800 33 321.")  # Kim is 16, Friday 21:30: open, fits
    assert engine.end == "good_close" and any(f.startswith("Godt valg: Kors på halsen") for f in turn.feedback)
    # Every field the guide's tables name is in the schema.
    props = schema("scenario")["properties"]
    for field in re_.findall(r"^\| `(\w+)` \| (?:ja|nei) \|", guide, re_.MULTILINE):
        assert field in props, field


def test_hours_past_midnight_follow_the_shared_directory_rules() -> None:
    night = {"id": "natt", "name": "Nattlinja", "phone": "800 00 000", "hours_text": "Fredag kl. 20–02.",
             "hours": [{"channel": "phone", "days": ["fri"], "from": "20:00", "to": "02:00"}],
             "target": {"min_age": None, "max_age": None}, "needs": ["samtale"]}
    assert referral.judge(night, _tiny(day="sat", time="01:30")).open_now is True
    assert referral.judge(night, _tiny(day="sat", time="02:30")).open_now is False
    assert referral.judge(night, _tiny(day="fri", time="19:59")).open_now is False
