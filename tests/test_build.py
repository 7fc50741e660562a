"""`trygge build`: a tailored course directory for the example organisation, and the notebook helpers behind it."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
import yaml

from widgets.build import PLACEHOLDER, build_course, section_blocks, theme_notebook
from widgets.cli import main
from widgets.content import REPO_ROOT, SECTION_TITLES, ContentError, load_course, validate

EXAMPLE = REPO_ROOT / "data" / "profiles" / "eksempel.yaml"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bygg") / "eksempel"
    result = build_course(EXAMPLE, out, source=REPO_ROOT)
    assert result.out == out.resolve() and result.themes == ["samtalen", "selvmord", "ivaretakelse"]
    return out


def read(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_built_course_is_valid_and_has_only_the_organisations_themes_in_its_order(built: Path) -> None:
    assert validate(built) == []
    course = load_course(built)
    assert [(t.order, t.id) for t in course.themes] == [(1, "samtalen"), (2, "selvmord"), (3, "ivaretakelse")]
    assert "interview_film" not in course.theme("selvmord").sections
    assert course.theme("samtalen").sections == load_course(REPO_ROOT).theme("samtalen").sections
    assert not (built / "data" / "themes" / "vold").exists() and not (built / "data" / "media" / "vold").exists()
    notebooks = sorted(p.name for p in (built / "notebooks").glob("*.ipynb"))
    assert {"00-start.ipynb", "01-samtalen.ipynb", "02-selvmord.ipynb", "03-ivaretakelse.ipynb", "plenum.ipynb",
            "avstemning.ipynb", "hjelpetjenester.ipynb"} <= set(notebooks)
    assert not any(n.endswith(("-vold.ipynb", "-rus.ipynb", "-traumer.ipynb")) for n in notebooks)
    assert not (built / "notebooks" / "analyse").exists()


def test_renumbered_notebook_drops_the_unused_section_and_keeps_trainer_notes(built: Path) -> None:
    nb = nbformat.read(built / "notebooks" / "03-ivaretakelse.ipynb", as_version=4)
    assert 'ts.theme("ivaretakelse")' in nb.cells[1].source
    selvmord = nbformat.read(built / "notebooks" / "02-selvmord.ipynb", as_version=4)
    text = "\n".join(c.source for c in selvmord.cells)
    assert f"## {SECTION_TITLES['interview_film']}" not in text and 'tema.film("interview_film")' not in text
    for section in ("expert_film", "tool_film", "quiz", "simulation", "confidence_after"):
        assert f"## {SECTION_TITLES[section]}" in text
    assert selvmord.cells[-1].source.strip() == "tema.real_help()"
    assert any("trener" in c.metadata.get("tags", []) for c in selvmord.cells)  # trainers still see their notes


def test_every_notebook_names_the_organisation_for_the_template(built: Path) -> None:
    for path in (built / "notebooks").glob("*.ipynb"):
        org = nbformat.read(path, as_version=4).metadata["trygge_org"]
        assert org == {"id": "eksempel-linjen", "name": "Eksempel-linjen", "logo": "media/org/eksempel/logo.svg",
                       "colours": {"accent": "#0b5d4b", "text": "#1a1a1a"}}, path.name
    assert (built / "data" / "media" / "org" / "eksempel" / "logo.svg").is_file()
    org = read(built / "data" / "org.yaml")
    assert org["name"] == "Eksempel-linjen" and org["profile"] == "eksempel.yaml"


def test_wording_changes_reach_the_start_page(built: Path) -> None:
    start = nbformat.read(built / "notebooks" / "00-start.ipynb", as_version=4)
    text = "\n".join(c.source for c in start.cells)
    assert "Eksempel-linjens opplæring for frivillige" in text and "En gratis opplæring" not in text


def test_own_film_replaces_the_demo_film(built: Path) -> None:
    films = read(built / "data" / "themes" / "samtalen" / "films.yaml")["films"]
    interview = next(f for f in films if f["kind"] == "interview_film")
    assert interview["title"] == "Slik jobber vi i Eksempel-linjen" and "demo" not in interview and "script" not in interview
    assert interview["sources"] == [{"src": "media/org/eksempel/film/intervju.webm", "type": "video/webm"}]
    assert (built / "data" / interview["described"]["captions"]).read_text(encoding="utf-8").startswith("WEBVTT")
    assert next(f for f in films if f["kind"] == "expert_film").get("demo") is True  # the others stay


def test_local_services_join_the_directory_and_media_are_linked_not_rewritten(built: Path) -> None:
    ids = [s["id"] for s in read(built / "data" / "helplines.yaml")["services"]]
    assert ids[-1] == "eksempel-linjen-vaktleder" and "hjelpetelefonen" in ids
    source = REPO_ROOT / "data" / "media" / "samtalen" / "fagfilm.webm"
    copy = built / "data" / "media" / "samtalen" / "fagfilm.webm"
    assert copy.read_bytes() == source.read_bytes()
    if os.stat(source).st_dev == os.stat(copy).st_dev:
        assert os.path.samefile(source, copy)  # hard link on the same file system


def test_voila_env_sets_the_organisation_for_events(built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from widgets.voila_config import voila_env

    monkeypatch.delenv("TRYGGE_ORG", raising=False)
    assert voila_env(built)["TRYGGE_ORG"] == "eksempel-linjen"
    assert "TRYGGE_ORG" not in voila_env(REPO_ROOT)
    monkeypatch.setenv("TRYGGE_ORG", "satt-av-drift")
    assert "TRYGGE_ORG" not in voila_env(built)  # an explicit setting wins (it is already in the environment)


def test_cli_builds_rebuilds_and_refuses_a_folder_that_is_not_a_build(tmp_path: Path, capsys) -> None:
    out = tmp_path / "kurs"
    assert main(["build", "--org", str(EXAMPLE), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Bygde kurset for eksempel-linjen" in printed and f"trygge serve --course-dir {out}" in printed
    (out / "notebooks" / "gammel.ipynb").write_text("{}", encoding="utf-8")
    assert main(["build", "--org", str(EXAMPLE), "--out", str(out)]) == 0  # an earlier build is replaced whole
    assert not (out / "notebooks" / "gammel.ipynb").exists()
    other = tmp_path / "annet"
    other.mkdir()
    (other / "viktig.txt").write_text("ikke slett meg", encoding="utf-8")
    assert main(["build", "--org", str(EXAMPLE), "--out", str(other)]) == 1
    assert "ikke et bygd kurs" in capsys.readouterr().err and (other / "viktig.txt").is_file()
    assert main(["build", "--org", str(EXAMPLE), "--out", str(REPO_ROOT / "data")]) == 1
    assert "en del av den" in capsys.readouterr().err


def test_cli_reports_profile_problems_with_file_line_and_hint(tmp_path: Path, capsys) -> None:
    profile = tmp_path / "profil.yaml"
    profile.write_text("id: org\nname: Org\ncolours:\n  accent: '#aaaaaa'\n", encoding="utf-8")
    assert main(["build", "--org", str(profile), "--out", str(tmp_path / "ut")]) == 1
    err = capsys.readouterr().err
    assert f"{profile}:4: colours/accent" in err and "Tips: Bruk en mørkere farge" in err
    assert "Kurset ble ikke bygd" in err and not (tmp_path / "ut").exists()


def test_a_theme_with_template_text_is_not_built(course_copy: Path, tmp_path: Path) -> None:
    from widgets.trainer import new_theme

    new_theme(course_copy, "ensomhet", "Ensomhet")
    assert validate(course_copy) == []  # the template is valid content …
    profile = tmp_path / "p.yaml"
    profile.write_text("id: org\nname: Org\nthemes:\n  - id: samtalen\n  - id: ensomhet\n", encoding="utf-8")
    with pytest.raises(ContentError) as info:
        build_course(profile, tmp_path / "ut", source=course_copy)
    problems = info.value.problems  # … but not ready for learners
    assert problems and all(PLACEHOLDER in p.message for p in problems)
    assert {Path(p.file).name for p in problems} >= {"theme.yaml", "quiz.yaml", "reflections.yaml", "forste-samtale.yaml"}
    assert all(p.line for p in problems) and not (tmp_path / "ut").exists()


@pytest.mark.parametrize("theme_id", [t.id for t in load_course(REPO_ROOT).themes if t.ready])
def test_section_blocks_split_every_theme_notebook_without_losing_a_cell(theme_id: str) -> None:
    theme = load_course(REPO_ROOT).theme(theme_id)
    nb = nbformat.read(REPO_ROOT / "notebooks" / theme.notebook, as_version=4)
    head, blocks, tail = section_blocks(nb)
    assert list(blocks) == [s for s in theme.sections]
    assert head + [c for s in blocks for c in blocks[s]] + tail == nb.cells
    assert all(c.source.startswith(f"## {SECTION_TITLES[s]}") for s, cells in blocks.items() for c in cells[:1])


def test_theme_notebook_has_the_standard_shape() -> None:
    course = load_course(REPO_ROOT)
    nb = theme_notebook(course, "rus")
    assert nb.cells[0].source.startswith("# ") and nb.metadata["title"].endswith("Trygge samtaler")
    assert sum("trener" in c.metadata.get("tags", []) for c in nb.cells) == 1
    assert sum('tema.simulation("' in c.source for c in nb.cells) == len(course.theme("rus").scenarios)


def test_only_the_facilitator_page_names_a_voila_template() -> None:
    """Voilà takes a template from a notebook's metadata; a learner page must never pick one (trainer notes)."""
    for path in sorted((REPO_ROOT / "notebooks").rglob("*.ipynb")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        template = nbformat.read(path, as_version=4).metadata.get("voila", {}).get("template")
        assert template == ("trygge-plenum" if path.name == "plenum.ipynb" else None), path.name


def test_a_notebook_that_picks_another_template_is_not_built(course_copy: Path, tmp_path: Path) -> None:
    path = course_copy / "notebooks" / "01-samtalen.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.metadata["voila"] = {"template": "lab"}
    nbformat.write(nb, path)
    with pytest.raises(ContentError) as info:
        build_course(EXAMPLE, tmp_path / "ut", source=course_copy)
    [problem] = info.value.problems
    assert problem.file == "notebooks/01-samtalen.ipynb" and "«lab»" in problem.message and "trener" in problem.hint
