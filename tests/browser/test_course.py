"""The course end to end in a real browser: start page, theme `samtalen`, keyboard-only quiz, events in the database,
films with captions and the described version, the chat simulation, and axe-core on every page."""

from __future__ import annotations

import re
import time

import pytest
from conftest import axe_violations, new_context, wait_for_widgets
from playwright.sync_api import Browser, Page, expect

from widgets.store import Store

START = "notebooks/00-start.ipynb"
THEME = "notebooks/01-samtalen.ipynb"
CODE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")


def open_page(page: Page, voila_server, path: str) -> str:
    """Open a course page, wait until every widget is drawn, return the learner code it shows."""
    page.goto(voila_server.url(f"voila/render/{path}"))
    wait_for_widgets(page)
    code = page.locator(".ts-learner .ts-code").inner_text().strip()
    assert CODE.match(code), code
    return code


def events(voila_server, actor: str, verb: str | None = None, at_least: int = 1) -> list[dict]:
    """The stored events of a learner, waiting up to 5 s for ``at_least`` of them (the kernel writes them)."""
    store = Store(voila_server.db_url)
    try:
        for _ in range(50):
            rows = store.events(actor=actor, verb=verb)
            if len(rows) >= at_least:
                break
            time.sleep(0.1)
        return rows
    finally:
        store.dispose()


def tab_until(page: Page, selector: str, limit: int = 250) -> None:
    """Press Tab (keyboard only) until the focused element matches ``selector``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(sel) => document.activeElement && document.activeElement.matches(sel)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_start_page_shows_code_themes_and_real_help(page: Page, voila_server) -> None:
    code = open_page(page, voila_server, START)
    assert page.evaluate("document.documentElement.lang") == "nb"
    cards = page.locator(".ts-theme-card")
    expect(cards).to_have_count(6)
    expect(cards.first.get_by_role("link", name=re.compile("Den gode samtalen"))).to_be_visible()
    expect(page.locator(".ts-theme-card a")).to_have_count(6)  # every theme is ready
    expect(page.locator(".ts-planned")).to_have_count(0)
    help_box = page.locator(".ts-helpbox")
    expect(help_box).to_contain_text("113")
    expect(help_box).to_contain_text("116 123")
    expect(page.get_by_text("bare for trening", exact=False).first).to_be_visible()
    assert page.get_by_text("For kursholdere").count() == 0  # trainer cells are removed
    violations = axe_violations(page)
    assert not violations, violations
    assert [e["verb"] for e in events(voila_server, code)] == ["launched"]


def test_theme_quiz_with_keyboard_only_gives_feedback_and_stores_the_event(page: Page, voila_server) -> None:
    code = open_page(page, voila_server, THEME)
    first = page.locator(".ts-quiz-item").first
    tab_until(page, ".ts-quiz-item input")
    page.keyboard.press("ArrowDown")  # radio group: the arrow key moves the choice
    page.keyboard.press("Space")
    tab_until(page, ".ts-quiz-item button", limit=10)
    assert page.evaluate("document.activeElement.textContent") == "Sjekk svaret"
    page.keyboard.press("Enter")
    verdict = first.locator(".ts-verdict")
    expect(verdict).to_be_visible()
    expect(first.locator(".ts-explanation")).to_contain_text("Forklaring")
    expect(first.locator(".ts-option-feedback li")).to_have_count(1)
    violations = axe_violations(page)
    assert not violations, violations
    answered = events(voila_server, code, "answered")
    assert len(answered) == 1
    assert answered[0]["object_id"].startswith("samtalen/quiz/")
    assert answered[0]["result"]["success"] == ("Riktig" in verdict.inner_text())


def test_film_has_captions_on_a_described_version_and_a_transcript(page: Page, voila_server) -> None:
    open_page(page, voila_server, THEME)
    film = page.locator(".ts-video").first
    video = film.locator("video")
    expect(film.locator(".ts-demo-label")).to_contain_text("Demofilm")
    page.wait_for_function("() => document.querySelector('.ts-video video').readyState >= 1")
    assert video.evaluate("v => v.textTracks.length === 1 && v.textTracks[0].mode === 'showing'")
    assert video.evaluate("v => v.autoplay") is False
    standard = video.evaluate("v => v.currentSrc")
    described = film.get_by_role("button", name=re.compile("Synstolket versjon"))
    described.click()
    expect(described).to_have_attribute("aria-pressed", "true")
    page.wait_for_function("(old) => { const v = document.querySelector('.ts-video video');"
                           " return v.currentSrc && v.currentSrc !== old && v.readyState >= 1; }", arg=standard)
    assert "synstolket" in video.evaluate("v => v.currentSrc")
    captions = film.get_by_role("button", name=re.compile("Teksting"))
    captions.click()
    expect(captions).to_have_attribute("aria-pressed", "false")
    assert video.evaluate("v => v.textTracks[0].mode") == "hidden"
    toggle = film.get_by_role("button", name="Vis tekstversjon")
    toggle.click()
    expect(film.locator(".ts-transcript")).to_be_visible()
    expect(film.locator(".ts-transcript")).to_contain_text("Demofilm")
    page.wait_for_timeout(300)
    violations = axe_violations(page)
    assert not violations, violations


def test_film_plays_in_chromium(page: Page, voila_server) -> None:
    open_page(page, voila_server, THEME)
    played = page.evaluate("""async () => {
        const v = document.querySelector('.ts-video video');
        v.muted = true;
        await v.play();
        await new Promise((r) => setTimeout(r, 1200));
        v.pause();
        return {time: v.currentTime, error: v.error && v.error.code};
    }""")
    assert played["error"] is None and played["time"] > 0.5


def test_chat_free_text_gets_feedback_and_a_caller_reply(page: Page, voila_server) -> None:
    code = open_page(page, voila_server, THEME)
    chat = page.locator(".ts-chat").first  # one chat per scenario: practise on the first
    expect(chat.locator(".ts-training-banner")).to_contain_text("113")
    box = chat.get_by_label("Ditt svar")
    box.fill("<b>Hei</b>, takk for at du skriver. Hva har gjort at du tok kontakt i kveld?")
    box.press("Enter")
    expect(chat.locator(".ts-msg")).to_have_count(3)
    expect(chat.locator(".ts-msg-learner")).to_contain_text("<b>Hei</b>")  # markup stays text
    assert chat.locator(".ts-msg-learner b").count() == 0
    expect(chat.locator(".ts-chat-feedback li").first).to_be_visible()
    expect(chat.locator(".ts-chat-feedback")).to_contain_text("åpent spørsmål")
    for _ in range(40):
        choices = chat.locator(".ts-choice")
        if choices.count() == 0:
            break
        choices.first.click()
        page.wait_for_timeout(150)
    expect(chat.locator(".ts-chat-summary")).to_be_visible()
    expect(chat.locator(".ts-chat-summary")).to_contain_text("MITI")
    violations = axe_violations(page)
    assert not violations, violations
    completed = [e for e in events(voila_server, code, "completed") if "/scenario/" in e["object_id"]]
    assert len(completed) == 1


def test_progress_and_code_carry_over_to_the_start_page(browser: Browser, voila_server) -> None:
    context = new_context(browser)
    try:
        page = context.new_page()
        code = open_page(page, voila_server, THEME)
        conf = page.locator(".ts-confidence").first
        for fieldset in conf.locator("fieldset").all():
            fieldset.locator("input").nth(4).check()
        conf.get_by_role("button", name="Lagre svarene").click()
        expect(conf.locator(".ts-status")).to_contain_text("lagret")
        expect(page.locator(".ts-progress-count").first).to_contain_text("1 av 10")
        assert open_page(page, voila_server, START) == code  # same browser: same code
        expect(page.locator(".ts-theme-card").first).to_contain_text("1 av 10 deler fullført")
        other = new_context(browser)
        try:  # another device: type the code to resume
            page2 = other.new_page()
            assert open_page(page2, voila_server, START) != code
            page2.get_by_text("Har du en kode fra før?").click()
            page2.get_by_label("Skriv inn koden din").fill(code.lower())
            page2.get_by_role("button", name="Bruk koden").click()
            expect(page2.locator(".ts-theme-card").first).to_contain_text("1 av 10 deler fullført")
            expect(page2.locator(".ts-learner .ts-code")).to_have_text(code)
        finally:
            other.close()
    finally:
        context.close()


@pytest.mark.parametrize("path", [START, THEME])
def test_no_traceback_or_python_visible(page: Page, voila_server, path: str) -> None:
    open_page(page, voila_server, path)
    text = page.inner_text("body")
    for needle in ("Traceback", "import widgets", "ts.theme(", "Error"):
        assert needle not in text


def test_directory_page_sends_learners_to_the_start_page(page: Page, voila_server) -> None:
    page.goto(voila_server.url(""))
    page.wait_for_url(re.compile(r"/voila/render/notebooks/00-start\.ipynb$"))
    wait_for_widgets(page)
    assert page.locator(".ts-theme-card").count() == 6


THEME_PAGES = [f"notebooks/{t.notebook}" for t in __import__("widgets.content", fromlist=["x"]).load_course().themes]


@pytest.mark.parametrize("path", THEME_PAGES, ids=[p.split("/")[-1] for p in THEME_PAGES])
def test_every_theme_page_renders_every_section_accessibly(page: Page, voila_server, path: str) -> None:
    """A learner can take any theme: every section's widget is there, nothing failed, axe finds nothing."""
    open_page(page, voila_server, path)
    expect(page.locator(".ts-confidence")).to_have_count(2)
    expect(page.locator(".ts-video")).to_have_count(3)
    assert page.locator(".ts-quiz-item").count() >= 8
    assert page.locator(".ts-chat").count() >= 2
    expect(page.locator(".ts-learnmore")).to_have_count(1)
    assert page.locator(".ts-sources li").count() >= 4
    assert page.locator(".ts-services li").count() >= 1
    assert page.locator(".ts-task").count() >= 5
    expect(page.locator(".ts-worksheet")).to_have_count(1)
    for error in page.locator(".ts-error").all():
        assert not error.is_visible(), error.inner_text()
    assert "Noe gikk galt" not in page.inner_text("body")
    violations = axe_violations(page)
    assert not violations, violations
