"""Every course notebook runs top to bottom in a real kernel, without errors or warnings, and stays thin."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from widgets.content import REPO_ROOT, load_course

NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))
#: The analysts' notebooks: their own folder, not the learners' pages.
ANALYSE = sorted((REPO_ROOT / "notebooks" / "analyse").glob("*.ipynb"))


@pytest.mark.notebooks
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_executes_cleanly(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRYGGE_DB_URL", f"sqlite:///{tmp_path / 'results.sqlite'}")
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            assert output.output_type != "error", f"{path.name} celle {index}: {output.get('ename')}: {output.get('evalue')}"
            assert not (output.output_type == "stream" and output.name == "stderr"), f"{path.name} celle {index}: {output.text}"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    from widgets import demo_data
    from widgets.store import Store

    url = f"sqlite:///{tmp_path_factory.mktemp('analyse') / 'demo.sqlite'}"
    store = Store(url)
    demo_data.generate(store, learners=150, orgs=6, seed=5)
    store.dispose()
    return url


@pytest.mark.notebooks
@pytest.mark.parametrize("path", ANALYSE, ids=[p.name for p in ANALYSE])
def test_analyst_notebook_runs_on_demo_data_and_draws_its_figures(path: Path, demo_db: str,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRYGGE_DB_URL", demo_db)
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    figures = 0
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            assert output.output_type != "error", f"{path.name} celle {index}: {output.get('ename')}: {output.get('evalue')}"
            assert not (output.output_type == "stream" and output.name == "stderr"), f"{path.name} celle {index}: {output.text}"
            figures += "image/png" in output.get("data", {})
    assert figures >= 1, f"{path.name} viser ingen figur"
    assert "Syntetiske demodata" in str(nb.cells[1].outputs), "the notebook says the data is synthetic"


def test_analyst_notebooks_exist_beside_not_among_the_learners_pages() -> None:
    names = {p.stem.split("-", 1)[1] for p in ANALYSE}
    assert {"fullforing", "quiz", "trygghet", "simulator", "organisasjoner"} <= names
    assert not any("analytics" in c.source for p in NOTEBOOKS for c in nbformat.read(p, as_version=4).cells)


@pytest.mark.parametrize("path", NOTEBOOKS + ANALYSE, ids=[p.name for p in NOTEBOOKS + ANALYSE])
def test_notebook_reads_like_a_lesson(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata.get("title"), "the page title comes from metadata.title"
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert len([l for l in cell.source.splitlines() if l.strip()]) <= 3, f"code belongs in widgets/, not in cells: {cell.source!r}"
            assert not cell.get("outputs"), "notebooks are committed without outputs"


def test_every_ready_theme_has_its_notebook_with_every_section() -> None:
    from widgets.content import SECTION_TITLES

    for theme in load_course(REPO_ROOT).themes:
        if not theme.ready:
            continue
        nb = nbformat.read(REPO_ROOT / "notebooks" / theme.notebook, as_version=4)
        text = "\n".join(c.source for c in nb.cells)
        assert f'ts.theme("{theme.id}")' in text
        for section in theme.sections:
            assert f"## {SECTION_TITLES[section]}" in text, f"{theme.notebook} mangler delen {section}"
