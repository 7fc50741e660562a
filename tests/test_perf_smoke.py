"""Performance plumbing: the validated-content cache, one stylesheet per kernel, the kernel pool options, and the page and
load benchmarks run end to end (one load, two learners) against a real server.

The benchmark runs are marked ``browser`` (real Voilà, kernels and, for the pages, Chromium); the rest is fast.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from widgets import content, voila_config
from widgets.content import REPO_ROOT


def test_validate_writes_a_cache_that_load_course_reads_until_the_content_changes(course_copy: Path) -> None:
    """``course_copy`` (tests/conftest.py) is a writable copy of the course."""
    assert content.validate(course_copy) == []
    cache = content.cache_path(course_copy)
    assert cache.is_file()
    cached = content.read_cache(course_copy)
    assert cached is not None and cached.root == course_copy.resolve()
    repo = content.load_course(REPO_ROOT)
    assert [t.id for t in cached.themes] == [t.id for t in repo.themes]
    for mine, theirs in zip(cached.themes, repo.themes):
        assert (mine.quiz, mine.scenarios, mine.films, mine.confidence) == (theirs.quiz, theirs.scenarios,
                                                                            theirs.films, theirs.confidence)
        assert mine.root == course_copy.resolve() / "data" / "themes" / mine.id

    course_yaml = course_copy / "data" / "course.yaml"
    time.sleep(0.01)
    course_yaml.write_text(course_yaml.read_text(encoding="utf-8") + "\n# endret\n", encoding="utf-8")
    assert content.read_cache(course_copy) is None  # any change to a content file: validate again


def test_a_broken_course_is_never_cached(course_copy: Path) -> None:
    (course_copy / "data" / "course.yaml").write_text("id: [uavsluttet\n", encoding="utf-8")
    assert content.validate(course_copy)
    assert not content.cache_path(course_copy).exists()
    with pytest.raises(content.ContentError):
        content._load_cached.__wrapped__(str(course_copy.resolve()))


def test_the_cache_can_be_turned_off(course_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    course = content.load_course(REPO_ROOT)
    monkeypatch.setenv("TRYGGE_CONTENT_CACHE", "0")
    assert content.write_cache(course_copy, course) is None
    assert not content.cache_path(course_copy).exists()
    monkeypatch.setenv("TRYGGE_CONTENT_CACHE", "1")
    assert content.write_cache(course_copy, course) == content.cache_path(course_copy)
    monkeypatch.setenv("TRYGGE_CONTENT_CACHE", "0")
    assert content.read_cache(course_copy) is None


def test_widgets_share_one_stylesheet_per_kernel() -> None:
    from widgets import _base
    from widgets.learner import LearnerBadge
    from widgets.progress import ThemeProgress

    theme = content.load_course(REPO_ROOT).theme("samtalen")
    badge, progress = LearnerBadge(), ThemeProgress(theme)
    styles = _base.shared_styles()
    assert styles._css == _base.stylesheet() and len(styles._css) > 1000
    for widget in (badge, progress):
        assert not getattr(widget, "_css", None)  # no copy of the stylesheet in each widget's state
        assert "function h(" in widget._esm  # the shared helpers are still there
    styles.close()
    assert _base.shared_styles() is not styles  # made again if it was closed


def test_kernel_options_pool_the_learner_pages_only_and_cull_idle_kernels() -> None:
    options = voila_config.kernel_options(REPO_ROOT, pool_size=2, pools={"notebooks/01-samtalen.ipynb": 30})
    config = json.loads(next(o for o in options if "kernel_pools_config" in o).split("=", 1)[1])
    assert config["default"] == {"pool_size": 0}  # analysts' and facilitators' notebooks are not preheated
    assert config["notebooks/00-start.ipynb"] == {"pool_size": 2}
    assert config["notebooks/01-samtalen.ipynb"] == {"pool_size": 30}
    assert not any("analyse" in page for page in config)
    assert "--VoilaConfiguration.preheat_kernel=True" in options
    assert "--MappingKernelManager.cull_connected=False" in options  # an open page is never culled
    assert f"--MappingKernelManager.cull_idle_timeout={voila_config.CULL_IDLE_TIMEOUT}" in options
    assert not any("preheat" in o for o in voila_config.kernel_options(REPO_ROOT))  # off unless asked
    assert voila_config.TryggeKernelManager.__name__ == "TryggeKernelManager"


@pytest.mark.browser
def test_page_benchmark_runs_once_against_a_real_server(tmp_path: Path) -> None:
    out = tmp_path / "pages.json"
    run = subprocess.run(
        [sys.executable, str(REPO_ROOT / "benchmarks" / "pages.py"), "--loads", "1", "--pages", "samtalen",
         "--pool-size", "1", "--no-coach", "--no-record", "--json", str(out)],
        capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    raw = json.loads(out.read_text(encoding="utf-8"))["summary"]
    # Labels carry the browser-cache mode (" (warm cache)" / " (cold cache)"); compare the pages measured.
    summary = {re.sub(r" \((warm|cold) cache\)$", "", label): figures for label, figures in raw.items()}
    assert set(summary) == {"plain Voilà: baseline", "trygge serve: baseline", "theme samtalen"}
    for label, figures in summary.items():
        assert figures["errors"] == 0, label
        assert figures["tti"]["p50"] > 0 and figures["click"]["p50"] > 0, label
    assert summary["theme samtalen"]["chat_text"]["p50"] > 0
    assert summary["theme samtalen"]["uss"] > 0
    # The split of TTI: the kernel websocket opens after the HTML has arrived and before the widgets are drawn.
    for figures in summary.values():
        assert figures["response_end"]["p50"] < figures["kernel_socket"]["p50"] < figures["rendered"]["p50"]
    assert "TTI p50 / baseline" in run.stdout and "load average" in run.stdout
    assert "Where the time goes" in run.stdout and "front-end start" in run.stdout


@pytest.mark.browser
def test_load_benchmark_runs_two_learners_against_a_real_server(tmp_path: Path) -> None:
    out = tmp_path / "load.json"
    run = subprocess.run(
        [sys.executable, str(REPO_ROOT / "benchmarks" / "load.py"), "--learners", "2", "--ramp", "1", "--hold", "4",
         "--think", "1", "--pool-size", "0", "--timeout", "60", "--baseline-ms", "2000", "--browser-probes", "1",
         "--no-record", "--json", str(out)],
        capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    (level,) = json.loads(out.read_text(encoding="utf-8"))["results"]
    assert level["learners"] == 2 and level["errors"] == 0
    assert level["tti_p95"] > 0 and level["interactions"] >= 2
    assert level["probes"] == 1 and level["probe_errors"] == 0 and level["probe_tti_p50"] > 0


def test_migration_head_is_alembics_head_without_importing_alembic() -> None:
    from alembic.script import ScriptDirectory

    from widgets import migrations

    assert [migrations.head()] == ScriptDirectory.from_config(migrations._config()).get_heads()


def test_a_kernel_opening_an_up_to_date_store_does_not_load_alembic(tmp_path: Path) -> None:
    """Each learner kernel opens the store; Alembic and Mako would cost it ~10 MB when there is nothing to migrate."""
    url = f"sqlite:///{tmp_path / 'r.db'}"
    probe = (
        "import sys; from widgets.store import Store; s = Store(sys.argv[1]); s.dispose(); "
        "print(sorted(m for m in ('alembic', 'mako') if m in sys.modules))"
    )
    first = subprocess.run([sys.executable, "-c", probe, url], capture_output=True, text=True, check=True)
    again = subprocess.run([sys.executable, "-c", probe, url], capture_output=True, text=True, check=True)
    assert first.stdout.strip() == "['alembic', 'mako']"  # a new database is migrated, with Alembic
    assert again.stdout.strip() == "[]"
