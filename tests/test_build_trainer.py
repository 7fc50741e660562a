"""Trainer tools (widgets.trainer): `trygge new theme|scenario` from templates that validate, and `trygge trainer`,
which opens JupyterLab in Norwegian on the course's notebooks."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest

from widgets.cli import main
from widgets.content import SECTION_TITLES, load_course, validate
from widgets.trainer import (
    LOCALE,
    TrainerError,
    new_scenario,
    new_theme,
    trainer_command,
    trainer_env,
    write_locale_settings,
)
from widgets.voila_config import find_free_port


def test_new_theme_is_valid_at_once_and_keeps_course_yaml_comments(course_copy: Path) -> None:
    head = (course_copy / "data" / "course.yaml").read_text(encoding="utf-8").splitlines()[0]
    written = new_theme(course_copy, "ensomhet", "Ensomhet og tilhørighet", "Når ensomheten tar over.")
    assert validate(course_copy) == []
    assert (course_copy / "data" / "course.yaml").read_text(encoding="utf-8").splitlines()[0] == head
    course = load_course(course_copy)
    theme = course.theme("ensomhet")
    assert theme.order == 7 and theme.title == "Ensomhet og tilhørighet" and theme.summary == "Når ensomheten tar over."
    assert theme.ready and len(theme.quiz) == 2 and len(theme.tasks) == 3 and list(theme.scenarios) == ["forste-samtale"]
    notebook = course_copy / "notebooks" / "07-ensomhet.ipynb"
    assert notebook in written
    nb = nbformat.read(notebook, as_version=4)
    text = "\n".join(c.source for c in nb.cells)
    assert 'ts.theme("ensomhet")' in text and all(f"## {SECTION_TITLES[s]}" in text for s in theme.sections)
    assert "FYLL INN" in (course_copy / "data" / "themes" / "ensomhet" / "theme.yaml").read_text(encoding="utf-8")


def test_new_theme_refuses_a_taken_or_malformed_id(course_copy: Path) -> None:
    with pytest.raises(TrainerError, match="finnes allerede"):
        new_theme(course_copy, "samtalen", "Igjen")
    with pytest.raises(TrainerError, match="små bokstaver"):
        new_theme(course_copy, "Ny Tema", "Nytt")
    with pytest.raises(TrainerError, match="tittel"):
        new_theme(course_copy, "nytt", "  ")


def test_new_scenario_validates_and_gets_its_place_in_the_notebook(course_copy: Path) -> None:
    written = new_scenario(course_copy, "samtalen", "sen-kveld", "Sen kveld: Mona ringer")
    assert validate(course_copy) == []
    assert "sen-kveld" in load_course(course_copy).theme("samtalen").scenarios
    nb = nbformat.read(course_copy / "notebooks" / "01-samtalen.ipynb", as_version=4)
    sources = [c.source for c in nb.cells]
    at = sources.index('tema.simulation("sen-kveld")')
    assert sources[at - 1] == "### Sen kveld: Mona ringer"
    assert sources[at - 2] == 'tema.simulation("telefon-stillhet")'  # after the theme's other scenarios
    assert len(written) == 2
    with pytest.raises(TrainerError, match="finnes allerede"):
        new_scenario(course_copy, "samtalen", "sen-kveld")
    with pytest.raises(TrainerError, match="Fant ikke temaet"):
        new_scenario(course_copy, "ukjent", "x")


def test_cli_new_prints_what_to_do_next(course_copy: Path, capsys) -> None:
    assert main(["new", "scenario", "rus/pa-fest", "--course-dir", str(course_copy)]) == 0
    out = capsys.readouterr().out
    assert "data/themes/rus/scenarios/pa-fest.yaml" in out and "FYLL INN" in out and "trygge validate" in out
    assert main(["new", "scenario", "rus", "--course-dir", str(course_copy)]) == 1
    assert "<tema>/<id>" in capsys.readouterr().err
    assert main(["new", "theme", "ny", "--course-dir", str(course_copy)]) == 1
    assert "tittel" in capsys.readouterr().err


def test_trainer_command_and_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRYGGE_DB_URL", raising=False)
    command = trainer_command(tmp_path, 9999, open_browser=False)
    assert command[1:3] == ["-m", "jupyterlab"] and f"--ServerApp.root_dir={tmp_path.resolve()}" in command
    assert "--LabApp.default_url=/lab/tree/notebooks" in command and "--ServerApp.open_browser=False" in command
    env = trainer_env(tmp_path)
    assert env["TRYGGE_COURSE_DIR"] == str(tmp_path.resolve())
    assert env["TRYGGE_DB_URL"].endswith("var/trener.sqlite")  # trying widgets out never touches learners' results
    path = write_locale_settings(tmp_path)
    assert json.loads(path.read_text(encoding="utf-8")) == {"locale": LOCALE}
    path.write_text(json.dumps({"locale": "en"}), encoding="utf-8")
    write_locale_settings(tmp_path)
    assert json.loads(path.read_text(encoding="utf-8")) == {"locale": "en"}  # a trainer's own choice is kept


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def test_jupyterlab_for_trainers_starts_in_norwegian(course_copy: Path) -> None:
    write_locale_settings(course_copy)
    port = find_free_port()
    token = "trenertest"
    log = (course_copy / "lab.log").open("wb")
    process = subprocess.Popen(
        trainer_command(course_copy, port, open_browser=False, extra=[f"--IdentityProvider.token={token}"]),
        env={**os.environ, **trainer_env(course_copy)}, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                settings = _get(f"{base}/lab/api/settings/@jupyterlab/translation-extension:plugin?token={token}")
                break
            except (urllib.error.URLError, ConnectionError):
                assert process.poll() is None, (course_copy / "lab.log").read_text(errors="replace")
                assert time.monotonic() < deadline, "JupyterLab did not start"
                time.sleep(0.5)
        assert settings["settings"]["locale"] == "no_NO"
        assert "no_NO" in _get(f"{base}/lab/api/translations/?token={token}")["data"]
        norwegian = _get(f"{base}/lab/api/translations/no_NO?token={token}")["data"]["jupyterlab"]
        # The PyPI pack (jupyterlab-language-pack-no-NO) translates only part of JupyterLab so far.
        assert norwegian["Edit"] == ["Endre"] and norwegian["Command Palette"] == ["Kommandopalette"]
        contents = _get(f"{base}/api/contents/notebooks?token={token}")
        assert "01-samtalen.ipynb" in {item["name"] for item in contents["content"]}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
        log.close()
