"""Shared fixtures: a fresh results store and session per test, and a scratch copy of the course."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from widgets import session as session_mod
from widgets.store import Store

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(f"sqlite:///{tmp_path / 'results.sqlite'}")
    yield s
    s.dispose()


@pytest.fixture
def session(store: Store) -> session_mod.Session:
    """A learner session on a temporary store, installed as the kernel's current session."""
    s = session_mod.Session(store, context={"course": "trygge-samtaler", "version": "test"})
    session_mod.reset(s)
    yield s
    session_mod.reset(None)


@pytest.fixture
def course_copy(tmp_path: Path) -> Path:
    """A writable copy of the course (data + notebooks) to break on purpose."""
    root = tmp_path / "kurs"
    shutil.copytree(REPO / "data", root / "data", ignore=shutil.ignore_patterns("media"))
    shutil.copytree(REPO / "data" / "media", root / "data" / "media")
    shutil.copytree(REPO / "notebooks", root / "notebooks")
    return root
