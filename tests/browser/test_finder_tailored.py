"""A course built for the example organisation (`trygge build --org data/profiles/eksempel.yaml`) and served by Voilà:
its name, logo and colours on every page, only its themes and sections, its own film, its own service in the
help-line finder, and its id on the events."""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from conftest import REPO_ROOT, axe_violations, serve_course, wait_for_widgets
from playwright.sync_api import Page, expect

from widgets.build import build_course
from widgets.store import Store

#: A page runs its cells before it has loaded; the first one on a busy 2-core machine may take a while.
SLOW_MS = 90_000


@pytest.fixture(autouse=True)
def _patient_expect():
    """Every step here waits for a kernel (and polls every second or so): give `expect` 20 s, not 5 s."""
    expect.set_options(timeout=20_000)
    yield
    expect.set_options(timeout=5_000)


BUILT = Path(tempfile.gettempdir()) / "trygge-test-bygg" / "eksempel"
pytestmark = serve_course(BUILT)


@pytest.fixture(scope="session", autouse=True)
def _built_course() -> None:
    """Build before the server for it starts (session-scoped autouse fixtures come first)."""
    build_course(REPO_ROOT / "data" / "profiles" / "eksempel.yaml", BUILT, source=REPO_ROOT, force=True)
    yield
    shutil.rmtree(BUILT.parent, ignore_errors=True)


def test_start_page_carries_the_organisations_name_logo_colours_and_themes(page: Page, voila_server) -> None:
    page.goto(voila_server.url("voila/render/notebooks/00-start.ipynb"), timeout=SLOW_MS)
    wait_for_widgets(page, SLOW_MS)
    banner = page.locator("header[role=banner]")
    expect(banner).to_have_text("Trygge samtaler – Eksempel-linjen")
    logo = banner.locator("img.ts-header__logo")
    expect(logo).to_have_attribute("src", "/voila/files/data/media/org/eksempel/logo.svg")
    page.wait_for_function("() => document.querySelector('img.ts-header__logo').naturalWidth > 0")
    assert banner.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(11, 93, 75)"  # #0b5d4b
    cards = page.locator(".ts-theme-card h3")
    expect(cards).to_have_count(3)
    assert [re.sub(r"^\d+\.\s*", "", t).strip() for t in cards.all_inner_texts()] == [
        "Den gode samtalen", "Når noen tenker på å ta livet sitt", "Å ta vare på seg selv og samtalen"]
    expect(page.get_by_text("Eksempel-linjens opplæring for frivillige", exact=False)).to_be_visible()
    violations = axe_violations(page)
    assert not violations, violations

    store = Store(voila_server.db_url)
    try:
        for _ in range(50):
            launched = store.events(verb="launched")
            if launched:
                break
            time.sleep(0.1)
    finally:
        store.dispose()
    assert launched and all(e["context"]["org"] == "eksempel-linjen" for e in launched)


def test_own_film_replaces_the_demo_film_and_is_served(page: Page, voila_server) -> None:
    page.goto(voila_server.url("voila/render/notebooks/01-samtalen.ipynb"), timeout=SLOW_MS)
    wait_for_widgets(page, SLOW_MS)
    video = page.locator(".ts-video").filter(has_text="Slik jobber vi i Eksempel-linjen")
    expect(video).to_have_count(1)
    source = video.locator("video source").first.get_attribute("src")
    assert source.endswith("/voila/files/data/media/org/eksempel/film/intervju.webm")
    response = page.request.get(voila_server.url(source))
    assert response.status == 200 and response.headers["content-type"].startswith("video/webm")
    assert page.get_by_text("For kursholdere").count() == 0  # trainer notes stay out of the learner page


def test_dropped_section_is_gone_and_the_local_service_is_in_the_finder(page: Page, voila_server) -> None:
    page.goto(voila_server.url("voila/render/notebooks/hjelpetjenester.ipynb"), timeout=SLOW_MS)
    wait_for_widgets(page, SLOW_MS)
    page.get_by_label("Hva gjelder det?").select_option("debrief")
    page.get_by_label("Velg tidspunkt").check()
    page.get_by_label("Dato").fill("2026-04-03")  # Langfredag: holiday hours 18–22
    page.get_by_label("Klokkeslett").fill("19:00")
    page.get_by_role("button", name="Vis tjenester").click()
    item = page.locator(".ts-finder-item")
    expect(item).to_have_count(1)
    expect(item.locator("h3")).to_have_text("Eksempel-linjen – vaktleder for frivillige")
    expect(item.locator(".ts-finder-status")).to_have_text("● Åpen (telefon)")
    status = page.request.get(voila_server.url("voila/render/notebooks/02-selvmord.ipynb"))
    assert status.status == 200 and "## Intervjufilm" not in status.text() and ">Intervjufilm<" not in status.text()
    assert page.request.get(voila_server.url("voila/render/notebooks/03-vold.ipynb")).status == 404
