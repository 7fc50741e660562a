"""Content loading and `trygge validate`: good content passes, broken content is reported with file, line and hint."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from widgets.content import REPO_ROOT, check, load_course, validate


def test_repository_content_is_valid() -> None:
    assert validate(REPO_ROOT) == []


def test_course_lists_six_themes_in_order_with_samtalen_complete() -> None:
    course = load_course(REPO_ROOT)
    assert [t.id for t in course.themes] == ["samtalen", "selvmord", "vold", "traumer", "rus", "ivaretakelse"]
    samtalen = course.theme("samtalen")
    assert samtalen.ready
    assert {f["kind"] for f in samtalen.films} == {"expert_film", "interview_film", "tool_film"}
    assert len(samtalen.quiz) >= 8 and all(i["explanation"] for i in samtalen.quiz)
    assert len(samtalen.sources) >= 4 and len(samtalen.tasks) >= 3 and samtalen.scenarios


def _edit(path: Path, fn) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    fn(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _problems(root: Path) -> list[str]:
    return [p.format() for p in validate(root)]


def test_missing_explanation_is_reported_with_file_line_and_hint(course_copy: Path) -> None:
    quiz = course_copy / "data/themes/samtalen/quiz.yaml"
    _edit(quiz, lambda d: d["items"][1].pop("explanation"))
    problems = _problems(course_copy)
    assert len(problems) == 1
    assert re.match(r"data/themes/samtalen/quiz.yaml:\d+: items/1: mangler feltet «explanation»", problems[0])
    assert "Tips: Legg til feltet «explanation»" in problems[0]


def test_single_choice_item_with_two_correct_options_is_an_error(course_copy: Path) -> None:
    quiz = course_copy / "data/themes/samtalen/quiz.yaml"
    def two_right(d):
        item = next(i for i in d["items"] if i["type"] == "single")
        for option in item["options"][:2]:
            option["correct"] = True
    _edit(quiz, two_right)
    assert any("har 2 riktige svar" in p and "type: multiple" in p for p in _problems(course_copy))


def test_film_without_captions_file_is_reported(course_copy: Path) -> None:
    films = course_copy / "data/themes/samtalen/films.yaml"
    ref = yaml.safe_load(films.read_text(encoding="utf-8"))["films"][0]["captions"]
    (course_copy / "data" / ref).unlink()
    problems = _problems(course_copy)
    assert any(f"filen «{ref}» finnes ikke" in p and p.startswith("data/themes/samtalen/films.yaml:") for p in problems)


def test_missing_film_kind_for_a_section_is_reported(course_copy: Path) -> None:
    films = course_copy / "data/themes/samtalen/films.yaml"
    _edit(films, lambda d: d.update(films=[f for f in d["films"] if f["kind"] != "tool_film"]))
    assert any("Verktøyfilm (tool_film)" in p for p in _problems(course_copy))


def test_scenario_dead_end_and_unknown_target_are_reported(course_copy: Path) -> None:
    path = course_copy / "data/themes/samtalen/scenarios/forste-kontakt.yaml"
    def break_graph(d):
        start = d["nodes"][d["start"]]
        start["routes"][-1]["next"] = "finnes_ikke"
        d["nodes"]["blindvei"] = {"say": ["..."]}
        start["choices"][0]["next"] = "blindvei"
    _edit(path, break_graph)
    problems = _problems(course_copy)
    assert any("«finnes_ikke»" in p and "finnes ikke" in p for p in problems)
    assert any("«blindvei» er en blindvei" in p for p in problems)


def test_yaml_syntax_error_names_the_line(course_copy: Path) -> None:
    theme = course_copy / "data/themes/samtalen/theme.yaml"
    text = theme.read_text(encoding="utf-8")
    theme.write_text(text + "\nfeil: [ikke lukket\n", encoding="utf-8")
    problems = _problems(course_copy)
    assert problems and problems[0].startswith("data/themes/samtalen/theme.yaml:") and "YAML-feil" in problems[0]


def test_clock_times_and_dates_stay_text(course_copy: Path) -> None:
    course, problems = check(course_copy)
    assert problems == []
    scenario = next(iter(course.theme("samtalen").scenarios.values()))
    assert isinstance(scenario["time"], str) and re.match(r"^\d\d:\d\d$", scenario["time"])
    assert all(isinstance(s["checked"], str) for s in course.helplines)


def test_cli_validate_exit_status(course_copy: Path) -> None:
    ok = subprocess.run([sys.executable, "-m", "widgets.cli", "validate", "--course-dir", str(course_copy)],
                        capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    _edit(course_copy / "data/course.yaml", lambda d: d["themes"][0].update(order=2))
    bad = subprocess.run([sys.executable, "-m", "widgets.cli", "validate", "--course-dir", str(course_copy)],
                         capture_output=True, text=True)
    assert bad.returncode == 1
    assert "rekkefølgen 2 er brukt to ganger" in bad.stdout


def test_planned_theme_is_listed_but_cannot_be_opened(course_copy: Path) -> None:
    from widgets.lesson import ThemePage

    _edit(course_copy / "data/course.yaml", lambda d: d["themes"][1].update(status="planned"))
    course, problems = check(course_copy)
    assert problems == [] and not course.theme("selvmord").ready
    with pytest.raises(LookupError, match="ikke klart"):
        ThemePage("selvmord", course)


def test_suicide_scenario_must_not_reach_a_good_end_without_asking_directly(course_copy: Path) -> None:
    path = course_copy / "data/themes/samtalen/scenarios/forste-kontakt.yaml"
    _edit(path, lambda d: d.update(risks=["suicide"]))
    problems = _problems(course_copy)
    assert problems, "a scenario whose good ends need no suicide question must be refused once it has suicide risk"
    assert all("spørre direkte om selvmord" in p and "risks: [suicide]" in p for p in problems)


def test_unknown_referral_service_is_reported(course_copy: Path) -> None:
    _edit(course_copy / "data/themes/samtalen/theme.yaml", lambda d: d.update(referrals=["hjelpetelefonen", "finnes-ikke"]))
    [problem] = _problems(course_copy)
    assert "«finnes-ikke» finnes ikke i helplines.yaml" in problem


def test_validate_report_counts_and_readability() -> None:
    out = subprocess.run([sys.executable, "-m", "widgets.cli", "validate", "--report"], capture_output=True, text=True)
    assert out.returncode == 0
    assert re.search(r"quiz: \d+ \(\d+ ett svar, \d+ flere svar, \d+ sant/usant; \d+ situasjoner\)", out.stdout)
    assert re.search(r"LIX: intro og mål \d+", out.stdout)


def test_lix_of_known_texts() -> None:
    from widgets.report import lix

    assert lix(["Jeg er her. Du er trygg."]) == pytest.approx(3.0)
    hard = lix(["Organisasjonsutviklingsprosesser karakteriseres hovedsakelig gjennom institusjonaliserte beslutningsstrukturer."])
    assert hard > 60
    assert lix([""]) is None
