"""Organisation profiles (widgets.profile): the example loads; every mistake a trainer can make is reported with the
file, the line and a hint, and colours that are hard to read are refused with a better one suggested."""

from __future__ import annotations

from pathlib import Path

import pytest

from widgets.content import REPO_ROOT, ContentError, load_course
from widgets.profile import check_profile, contrast, course_org, load_profile, suggest_colour

EXAMPLE = REPO_ROOT / "data" / "profiles" / "eksempel.yaml"


@pytest.fixture(scope="module")
def course():
    return load_course(REPO_ROOT)


def write_profile(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "org.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(tmp_path: Path, course, text: str) -> list:
    _profile, problems = check_profile(write_profile(tmp_path, text), course, tmp_path)
    return problems


def test_example_profile_is_valid_and_complete(course) -> None:
    profile = load_profile(EXAMPLE, course)
    assert profile.name == "Eksempel-linjen" and profile.id == "eksempel-linjen"
    assert profile.logo is not None and profile.logo.name == "logo.svg" and profile.logo.is_file()
    assert [t for t, _ in profile.themes] == ["samtalen", "selvmord", "ivaretakelse"]
    assert "interview_film" not in profile.sections_for(course.theme("selvmord"))
    assert profile.sections_for(course.theme("samtalen")) == course.theme("samtalen").sections
    assert profile.services[0]["id"] == "eksempel-linjen-vaktleder"
    assert profile.films[0]["theme"] == "samtalen" and profile.films[0]["kind"] == "interview_film"
    assert contrast(profile.colours["accent"], "#ffffff") >= 4.5
    assert profile.reword("En gratis opplæring for frivillige, ansatte og likepersoner").startswith("Eksempel-linjens")


def test_contrast_ratios_follow_wcag() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the classic lightest AA grey
    assert contrast("#777777", "#ffffff") < 4.5
    better = suggest_colour("#66b2ff", ("#ffffff", "#edf2f8"))
    assert contrast(better, "#ffffff") >= 4.5 and contrast(better, "#edf2f8") >= 4.5


def test_pale_accent_colour_is_refused_with_line_and_a_readable_suggestion(tmp_path: Path, course) -> None:
    problems = problems_of(tmp_path, course, "id: lys\nname: Lys linje\ncolours:\n  accent: '#66B2FF'\n")
    assert len(problems) == 1
    problem = problems[0]
    assert problem.file.endswith("org.yaml") and problem.line == 4
    assert "kontrast" in problem.message and "4.5:1" in problem.message and "#66b2ff" in problem.message
    suggested = problem.hint.split("for eksempel ")[1].split(" ")[0]
    assert contrast(suggested, "#ffffff") >= 4.5 and contrast(suggested, "#edf2f8") >= 4.5
    # A pale text colour is refused too.
    problems = problems_of(tmp_path, course, "id: lys\nname: Lys linje\ncolours:\n  text: '#999999'\n")
    assert [p.line for p in problems] == [4] and "colours/text" in problems[0].message


def test_unknown_theme_and_section_are_reported_where_they_are_written(tmp_path: Path, course) -> None:
    problems = problems_of(tmp_path, course, """id: org
name: Org
themes:
  - id: samtalen
    sections: [quiz, simulation]
  - id: ensomhet
  - id: selvmord
    sections: [quiz]
  - id: samtalen
""")
    by_line = {p.line: p for p in problems}
    assert "ensomhet" in by_line[6].message and "samtalen" in by_line[6].hint
    assert "to ganger" in by_line[9].message
    assert len(problems) == 2
    problems = problems_of(tmp_path, course, "id: org\nname: Org\nthemes:\n  - id: samtalen\n    sections: [quizz]\n")
    assert problems[0].line == 5 and "quizz" in problems[0].message and "Bruk en av" in problems[0].hint


def test_schema_errors_name_the_field(tmp_path: Path, course) -> None:
    problems = problems_of(tmp_path, course, "id: Org med mellomrom\nname: Org\nfarger: {accent: '#000000'}\n")
    messages = " ".join(p.message for p in problems)
    assert "farger" in messages and any(p.line == 3 for p in problems)
    assert any(p.line == 1 and "id" in p.message for p in problems)
    problems = problems_of(tmp_path, course, "id: org\nname: Org\nthemes:\n  - id: samtalen\n   sections: [quiz]\n")
    assert problems[0].line == 5 and "YAML" in problems[0].message and "innrykk" in problems[0].hint


def test_local_services_films_logo_and_wording_are_checked(tmp_path: Path, course) -> None:
    problems = problems_of(tmp_path, course, """id: org
name: Org
logo: mangler.png
services:
  - id: hjelpetelefonen
    name: Vår linje
    hours_text: Alltid
    hours: [{channel: phone, days: [mon, hol], from: "08:00", to: "16:00"}]
    target: {groups: [alle]}
    needs: [samtale]
    source: https://example.org
    checked: 2026-11-22
films:
  - theme: vold
    kind: expert_film
    title: T
    description: D
    sources: [{src: film/a.webm, type: video/webm}]
    captions: film/a.vtt
    described: {sources: [{src: film/b.webm, type: video/webm}], captions: film/b.vtt}
    transcript: film/a.txt
themes:
  - id: samtalen
wording:
  - replace: "Dette står ingen steder"
    with: "Noe annet"
""")
    by_line = {p.line: p for p in problems}
    assert "logoen «mangler.png» finnes ikke" in by_line[3].message
    assert "finnes allerede i helplines.yaml" in by_line[5].message and "egen id" in by_line[5].hint
    assert "«vold»" in by_line[14].message and "ikke er med i kurset" in by_line[14].message
    assert "finnes ikke i kursets titler" in by_line[25].message
    assert len(problems) == 4


def test_film_files_must_exist_and_captions_be_webvtt(tmp_path: Path, course) -> None:
    (tmp_path / "film").mkdir()
    for name in ("a.webm", "b.webm", "a.txt", "b.vtt"):
        (tmp_path / "film" / name).write_bytes(b"WEBVTT\n" if name.endswith(".vtt") else b"x")
    (tmp_path / "film" / "a.vtt").write_text("1\n00:00.000 --> 00:01.000\nHei\n", encoding="utf-8")
    problems = problems_of(tmp_path, course, """id: org
name: Org
films:
  - theme: samtalen
    kind: tool_film
    title: T
    description: D
    sources: [{src: film/a.webm, type: video/webm}]
    captions: film/a.vtt
    described: {sources: [{src: film/b.webm, type: video/webm}], captions: film/b.vtt}
    transcript: film/mangler.txt
""")
    assert {p.line: p.message for p in problems} == {
        9: "«film/a.vtt» er ikke en WebVTT-fil", 11: "filen «film/mangler.txt» finnes ikke"}


def test_load_profile_raises_with_every_problem(tmp_path: Path, course) -> None:
    path = write_profile(tmp_path, "id: org\nname: Org\ncolours: {accent: '#eeeeee', text: '#dddddd'}\n")
    with pytest.raises(ContentError) as info:
        load_profile(path, course)
    assert len(info.value.problems) == 2
    assert "Tips:" in str(info.value)


def test_course_org_reads_a_built_course_and_is_none_for_the_plain_one(tmp_path: Path) -> None:
    assert course_org(REPO_ROOT) is None
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "org.yaml").write_text(
        "id: org\nname: Org\nlogo: media/org/logo.svg\ncolours: {accent: '#0b5d4b', text: 'red; }'}\n", encoding="utf-8")
    org = course_org(tmp_path)
    assert org is not None and org.name == "Org" and org.logo == "media/org/logo.svg"
    assert org.colours == {"accent": "#0b5d4b", "text": "#1a1a1a"}  # anything but #rrggbb is ignored
