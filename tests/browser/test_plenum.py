"""A plenary session in one Voilà server: the facilitator's projector page and three participants' phones.

The facilitator picks a theme, sees the trainer notes (never shown to learners), moves one step at a time, starts a
poll and puts a quiz item to the room; three participant pages join with the code, without names, and answer; the
facilitator's bar chart shows the answers as they arrive. Free text arrives scrubbed and as text, never as markup.

The facilitator page is opened with the server's facilitator key (``?nokkel=``); without it, or with a wrong one, the
page shows a calm message and nothing of the view. The key is never in the page, the widget traffic or the server log.
"""

from __future__ import annotations

import re

import pytest
from conftest import FACILITATOR_KEY, axe_violations, new_context, wait_for_widgets
from playwright.sync_api import Browser, expect

from widgets.store import Store

#: A page runs its cells before it has loaded; the first one on a busy 2-core machine may take a while.
SLOW_MS = 90_000


@pytest.fixture(autouse=True)
def _patient_expect():
    """Every step here waits for a kernel (and polls every second or so): give `expect` 20 s, not 5 s."""
    expect.set_options(timeout=20_000)
    yield
    expect.set_options(timeout=5_000)


PLENUM = "voila/render/notebooks/plenum.ipynb"
VOTE = "voila/render/notebooks/avstemning.ipynb"


def open_facilitator(browser: Browser, voila_server, address: str | None = None, frames: list[str] | None = None) -> tuple:
    """The facilitator page, by default at the address with the key; ``frames`` collects its websocket traffic."""
    context = new_context(browser, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    if frames is not None:
        def watch(ws) -> None:
            for event in ("framesent", "framereceived"):
                ws.on(event, lambda payload: frames.append(payload if isinstance(payload, str)
                                                           else payload.decode("utf-8", "replace")))
        page.on("websocket", watch)
    page.goto(address or voila_server.facilitator_url(), timeout=SLOW_MS)
    wait_for_widgets(page, SLOW_MS)
    return context, page


def open_participant(browser: Browser, voila_server, code: str | None = None) -> tuple:
    context = new_context(browser, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(voila_server.url(VOTE + (f"?kode={code}" if code else "")), timeout=SLOW_MS)
    wait_for_widgets(page, SLOW_MS)
    return context, page


def test_facilitator_view_shows_trainer_notes_one_step_at_a_time(browser: Browser, voila_server) -> None:
    frames: list[str] = []
    context, page = open_facilitator(browser, voila_server, frames=frames)
    try:
        assert voila_server.facilitator_key == FACILITATOR_KEY and FACILITATOR_KEY in page.url
        expect(page.locator(".ts-plenum-refused")).to_have_count(0)
        assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 24  # projector type
        page.get_by_label("Tema for samlingen").select_option("samtalen")
        page.get_by_role("button", name="Vis temaet").click()
        expect(page.locator(".ts-plenum-title")).to_have_text("Den gode samtalen")
        expect(page.locator(".ts-plenum-counter")).to_contain_text("steg 1 av")
        notes = page.locator(".ts-plenum-notes")
        expect(notes).to_contain_text("For kursholderen (vises ikke for deltakerne)")
        expect(notes).to_contain_text("For kursholdere")  # the theme notebook's cell tagged «trener»
        page.get_by_role("button", name="Neste →").click()
        expect(page.locator(".ts-plenum-title")).to_have_text("Hvor trygg er du nå?")
        expect(page.locator(".ts-poll-suggestions")).to_be_hidden()  # no session started yet
        page.keyboard.press("PageDown")  # a presentation remote
        expect(page.locator(".ts-plenum-title")).to_have_text("Fagfilm")
        expect(page.locator(".ts-plenum-stage video")).to_have_count(1)
        expect(page.locator(".ts-plenum-stage .ts-video")).to_be_visible()
        violations = axe_violations(page)
        assert not violations, violations
        # The key is in the address the facilitator used, and nowhere else: not in the page, not in the widget traffic.
        assert frames, "the page's widget traffic was watched"
        assert FACILITATOR_KEY not in page.content()
        assert not [frame for frame in frames if FACILITATOR_KEY in frame]
        assert page.locator('meta[name="referrer"]').get_attribute("content") == "no-referrer"  # nor sent as Referer
    finally:
        context.close()
    assert FACILITATOR_KEY not in voila_server.log()


@pytest.mark.parametrize("query", ["", "?tema=samtalen", "?nokkel=gjettet-nokkel-1234567890&tema=samtalen",
                                   f"?nokkel={FACILITATOR_KEY[:-1]}"], ids=["uten", "tema", "feil", "nesten"])
def test_facilitator_page_without_the_key_is_refused_calmly(browser: Browser, voila_server, query: str) -> None:
    context, page = open_facilitator(browser, voila_server, voila_server.url(PLENUM + query))
    try:
        refused = page.locator(".ts-plenum-refused")
        expect(refused).to_contain_text("Denne siden er for kursholderen. Bruk lenken med nøkkel som ble skrevet ut "
                                        "da kurset ble startet.")
        if "nokkel=" in query:
            expect(refused).to_contain_text("Nøkkelen i adressen stemmer ikke.")
        start = refused.get_by_role("link", name="startsiden for kurset")
        assert start.evaluate("a => a.href") == voila_server.url("voila/render/notebooks/00-start.ipynb")
        # Nothing of the view: no theme picker, no steps, no trainer notes, no poll controls, no traceback.
        for selector in (".ts-plenum", ".ts-plenum-nav", ".ts-plenum-notes", ".ts-pollhost", ".ts-poll-code",
                         ".ts-widget", "select", ".jp-OutputArea-output[data-mime-type*=error]"):
            expect(page.locator(selector)).to_have_count(0)
        for button in ("Vis temaet", "Neste →", "Start en avstemning"):
            expect(page.get_by_role("button", name=button)).to_have_count(0)
        expect(page.get_by_label("Tema for samlingen")).to_have_count(0)
        body = page.locator("body").inner_text()
        for absent in ("For kursholderen (vises ikke for deltakerne)", "Traceback", FACILITATOR_KEY):
            assert absent not in body
        assert FACILITATOR_KEY not in page.content()
        violations = axe_violations(page)
        assert not violations, violations
    finally:
        context.close()


def test_plenary_poll_with_three_participants_shows_live_results(browser: Browser, voila_server) -> None:
    facilitator, page = open_facilitator(browser, voila_server)
    participants = []
    try:
        page.get_by_label("Tema for samlingen").select_option("samtalen")
        page.get_by_role("button", name="Vis temaet").click()
        page.locator(".ts-plenum-all summary").click()
        page.get_by_role("button", name="Test deg selv").click()
        expect(page.locator(".ts-plenum-title")).to_have_text("Test deg selv")

        page.get_by_role("button", name="Start en avstemning").click()
        code_box = page.locator(".ts-poll-code")
        expect(code_box).to_have_text(re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}$"), timeout=20_000)
        code = code_box.inner_text()
        expect(page.locator(".ts-poll-howto a")).to_have_attribute("href", re.compile(rf"avstemning\.ipynb\?kode={code}$"))
        first = page.locator(".ts-poll-suggestion-list button").first
        question = first.inner_text().split(": ", 1)[1]
        first.click()
        expect(page.locator(".ts-poll-board .ts-poll-qtext")).to_have_text(question)
        expect(page.locator(".ts-poll-total")).to_contain_text("0 svar")

        # Two phones join from the link, one types the code by hand.
        for join in (code, code, None):
            context, phone = open_participant(browser, voila_server, join)
            participants.append((context, phone))
        typed = participants[2][1]
        typed.get_by_label("Koden på skjermen").fill(code.lower())
        typed.get_by_role("button", name="Bli med").click()
        for _context, phone in participants:
            expect(phone.locator(".ts-pollvote .ts-poll-qtext")).to_have_text(question, timeout=20_000)
            assert phone.get_by_text("navn", exact=False).count() >= 1  # it says no name is asked for
            assert phone.locator("input[type=text]:not(.ts-poll-codeinput)").count() == 0
        for (_context, phone), option in zip(participants, (1, 1, 0), strict=True):
            phone.locator(".ts-pollvote input[type=radio]").nth(option).check()
            phone.get_by_role("button", name="Send svaret").click()
            expect(phone.locator(".ts-pollvote .ts-status")).to_contain_text("Svaret ditt er registrert", timeout=20_000)

        expect(page.locator(".ts-poll-total")).to_contain_text("3 svar", timeout=20_000)
        rows = page.locator(".ts-poll-bars tbody tr")
        expect(rows.nth(0).locator(".ts-poll-count")).to_have_text("1 (33 %)")
        expect(rows.nth(1).locator(".ts-poll-count")).to_have_text("2 (67 %)")
        page.get_by_role("button", name="Vis riktig svar").click()
        expect(page.locator(".ts-poll-board .ts-explanation")).to_contain_text("Forklaring")
        expect(page.locator(".ts-poll-right")).to_have_count(1)

        # A question of the facilitator's own, in free text: scrubbed, and shown as text.
        page.locator(".ts-poll-own summary").click()
        page.get_by_label("Fritekst (noen få ord)").check()
        page.get_by_label("Spørsmålet", exact=True).fill("Ett ord om kvelden?")
        page.get_by_role("button", name="Still spørsmålet").click()
        expect(page.locator(".ts-poll-board .ts-poll-qtext")).to_have_text("Ett ord om kvelden?")
        words = ("Trygghet", "trygghet", "<b>Ring</b> meg på 987 65 432")
        for (_context, phone), word in zip(participants, words, strict=True):
            field = phone.get_by_label("Ett ord om kvelden?")
            expect(field).to_be_visible(timeout=20_000)
            field.fill(word)
            phone.get_by_role("button", name="Send svaret").click()
            expect(phone.locator(".ts-pollvote .ts-status")).to_contain_text("Svaret ditt er registrert", timeout=20_000)
        answers = page.locator(".ts-poll-textlist li")
        expect(answers).to_have_count(2, timeout=20_000)
        expect(answers.nth(0)).to_have_text("Trygghet × 2")
        expect(answers.nth(1)).to_have_text("<b>Ring</b> meg på [telefon]")
        assert page.locator(".ts-poll-textlist b").count() == 0

        page.get_by_role("button", name="Avslutt avstemningen").click()
        for _context, phone in participants:
            expect(phone.locator(".ts-poll-waiting")).to_contain_text("er avsluttet", timeout=20_000)
        for _context, phone in participants[:1]:
            violations = axe_violations(phone)
            assert not violations, violations
        violations = axe_violations(page)
        assert not violations, violations

        store = Store(voila_server.db_url)
        try:
            events = store.events(actor=f"PLENUM-{code}")
        finally:
            store.dispose()
        assert [e["verb"] for e in events].count("answered") == 3
        shared = [e["result"]["response"] for e in events if e["verb"] == "shared"]
        assert sorted(shared) == sorted(["Trygghet", "trygghet", "<b>Ring</b> meg på [telefon]"])
        assert all(e["object_id"].startswith(f"plenum/poll/{code.lower()}/") for e in events[1:])
    finally:
        for context, _phone in participants:
            context.close()
        facilitator.close()
