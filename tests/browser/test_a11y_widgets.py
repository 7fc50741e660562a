"""Universal design, widget by widget: keyboard only, screen readers and films, in headless Chromium.

Keyboard: every widget is walked with Tab and Shift+Tab (:func:`walk`): every stop shows a focus ring (a computed
outline or box-shadow on the focused element), focus is never trapped (Tab leaves the widget, Shift+Tab comes back
and leaves it at the top), the stops come in DOM order and DOM order is reading order (each stop is below the one
before, or to its right on the same line). Each widget is then used with Enter, Space and the arrow keys only.

Screen readers: controls are found by role and accessible name (``get_by_role``), confirmations are read from live
regions (``role="status"``), the conversation log only ever gets children appended (a MutationObserver counts removed
nodes and changed text across turns), and feedback goes into live regions that were on the page before it came.

Films: captions on by default, selectable and readable; the described version selectable and remembered after a
reload; a transcript for every film; nothing plays by itself.

The theme used is the first in course.yaml; its page is shared by the keyboard tests (each test uses its own widget).
"""

from __future__ import annotations

import itertools
import re
import urllib.request
from collections.abc import Iterator

import pytest
from conftest import VoilaServer, new_context, wait_for_widgets
from playwright.sync_api import Browser, Locator, Page, expect

from widgets.content import load_course

START = "notebooks/00-start.ipynb"
THEME = f"notebooks/{next(t for t in load_course().themes if t.ready).notebook}"


def open_page(page: Page, server: VoilaServer, path: str) -> Page:
    page.goto(server.url(f"voila/render/{path}"))
    wait_for_widgets(page)
    return page


@pytest.fixture(scope="module")
def theme_page(browser: Browser, voila_server: VoilaServer) -> Iterator[Page]:
    """One theme page for the keyboard tests; each test works in its own widget."""
    context = new_context(browser)
    yield open_page(context.new_page(), voila_server, THEME)
    context.close()


# ---- Walking a widget with the keyboard -----------------------------------------------------------------

#: A stable name for a tab stop: radio buttons are one stop per group (arrow keys move inside the group).
_KEY = """const key = (el) => {
  if (el.type === 'radio' && el.name) return 'radio:' + el.name;
  if (!el.dataset.a11yKey) { window.__a11yKeys = (window.__a11yKeys || 0) + 1; el.dataset.a11yKey = String(window.__a11yKeys); }
  const named = el.getAttribute('aria-labelledby');
  const label = (el.getAttribute('aria-label')
    || (named && named.split(' ').map((id) => (document.getElementById(id) || {}).textContent || '').join(' '))
    || (el.labels && el.labels.length && el.labels[0].textContent) || el.textContent || el.value || ''
  ).trim().replace(/\\s+/g, ' ').slice(0, 40);
  return `${el.tagName.toLowerCase()}#${el.dataset.a11yKey} «${label}»`;
};"""

#: The tab stops inside a widget, in DOM order, with where they are drawn.
_STOPS = """(root) => {
  KEY
  const candidates = root.querySelectorAll('a[href], button, input:not([type="hidden"]), select, textarea, summary, '
    + 'video[controls], audio[controls], iframe, [tabindex], [contenteditable="true"], [contenteditable=""]');
  const stops = []; const seen = new Set();
  for (const el of candidates) {
    const media = el.matches('video[controls], audio[controls]');
    if ((!media && el.tabIndex < 0) || el.disabled || el.closest('[inert]') || !el.checkVisibility()) continue;
    const k = key(el);
    if (seen.has(k)) continue;  // the other radios of a group
    seen.add(k);
    const box = el.getBoundingClientRect();
    stops.push({key: k, top: box.top + scrollY, bottom: box.bottom + scrollY, left: box.left, right: box.right});
  }
  return stops;
}""".replace("KEY", _KEY, 1)

#: The focused element: inside the widget? its key, and whether a focus ring is drawn on it.
_FOCUSED = """(root) => {
  KEY
  const el = document.activeElement;
  if (!el || el === document.body || !root.contains(el)) return {inside: false, key: el ? el.tagName : null};
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
  const shadow = style.boxShadow !== 'none' && style.boxShadow !== '';
  return {inside: true, key: key(el), ring: outline || shadow, outline: `${style.outlineStyle} ${style.outlineWidth}`};
}""".replace("KEY", _KEY, 1)

#: Focus a place just before the widget (a sentinel that is not itself a tab stop), so the next Tab enters it.
_ENTER_BEFORE = """(root) => {
  document.querySelectorAll('[data-a11y-sentinel]').forEach((s) => s.remove());
  const sentinel = document.createElement('span');
  sentinel.tabIndex = -1; sentinel.dataset.a11ySentinel = '';
  root.before(sentinel); sentinel.focus();
}"""


def reading_order_errors(stops: list[dict]) -> list[str]:
    """Each stop must be below the one before it, or on the same line to its right (left-to-right, top-to-bottom)."""
    errors = []
    for before, after in itertools.pairwise(stops):
        same_line = after["top"] < before["bottom"] - 1 and before["top"] < after["bottom"] - 1
        if same_line and after["left"] < before["left"] - 1:
            errors.append(f"{after['key']} is left of {before['key']} on the same line, but comes after it")
        if not same_line and after["top"] < before["bottom"] - 1:
            errors.append(f"{after['key']} is above {before['key']}, but comes after it")
    return errors


def focused(root: Locator) -> dict:
    return root.evaluate(_FOCUSED)


def tab_into(page: Page, root: Locator, presses: int = 1) -> dict:
    """Put focus just before the widget and press Tab ``presses`` times; return what has focus."""
    root.evaluate(_ENTER_BEFORE)
    for _ in range(presses):
        page.keyboard.press("Tab")
    return focused(root)


def tab_to(page: Page, root: Locator, target: Locator, limit: int = 60) -> None:
    """Press Tab (keyboard only) until ``target`` has focus; it must be inside ``root``."""
    for _ in range(limit):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
        assert focused(root)["inside"], "Tab left the widget before reaching the control"
    raise AssertionError(f"Tab never reached {target}")


def walk(page: Page, root: Locator) -> list[str]:
    """Walk the widget with Tab and back with Shift+Tab; check focus rings, traps and order. Return the stops."""
    stops = root.evaluate(_STOPS)
    expected = [stop["key"] for stop in stops]
    order = reading_order_errors(stops)
    assert not order, "tab order is not reading order:\n" + "\n".join(order)
    limit = 2 * len(expected) + 20  # a film's own controls (play, time line, volume …) are extra stops in the player
    root.evaluate(_ENTER_BEFORE)
    forward: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(root)
        if not now["inside"]:
            break
        assert now["ring"], f"no visible focus on {now['key']} (outline {now['outline']})"
        if not forward or forward[-1] != now["key"]:
            forward.append(now["key"])
    else:
        raise AssertionError(f"focus is trapped: Tab never left the widget after {forward}")
    assert forward == expected, f"Tab order {forward} is not DOM order {expected}"
    backward: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab")
        now = focused(root)
        if not now["inside"]:
            break
        assert now["ring"], f"no visible focus on {now['key']} (outline {now['outline']})"
        if not backward or backward[-1] != now["key"]:
            backward.append(now["key"])
    else:
        raise AssertionError(f"focus is trapped: Shift+Tab never left the widget after {backward}")
    assert backward == expected[::-1], f"Shift+Tab order {backward} is not the reverse of {expected}"
    return expected


def is_focused(locator: Locator) -> bool:
    return locator.evaluate("el => el === document.activeElement")


# ---- Keyboard, widget by widget ----------------------------------------------------------------------------


def test_learner_badge_with_keyboard(theme_page: Page) -> None:
    page = theme_page
    badge = page.locator(".ts-learner").first
    assert len(walk(page, badge)) == 1  # only «Har du en kode fra før?» while it is closed
    summary = badge.locator("summary")
    assert tab_into(page, badge)["key"].startswith("summary")
    page.keyboard.press("Enter")
    assert badge.locator("details").evaluate("d => d.open")
    code_box = badge.get_by_role("textbox", name="Skriv inn koden din")
    page.keyboard.press("Tab")
    assert is_focused(code_box)
    page.keyboard.type("feil")
    page.keyboard.press("Enter")
    expect(badge.get_by_role("status")).to_contain_text("Det ser ikke ut som en kode")
    page.keyboard.press("Tab")
    assert is_focused(badge.get_by_role("button", name="Bruk koden"))
    page.keyboard.press("Space")
    expect(badge.get_by_role("status")).to_contain_text("Det ser ikke ut som en kode")
    assert len(walk(page, badge)) == 3  # summary, code, button
    summary.focus()
    page.keyboard.press("Space")
    assert not badge.locator("details").evaluate("d => d.open")


def test_theme_progress_is_passed_over_by_the_keyboard(theme_page: Page) -> None:
    page = theme_page
    progress = page.locator(".ts-progress").first
    assert walk(page, progress) == []  # nothing to operate: Tab goes straight past it
    expect(progress.get_by_role("progressbar")).to_have_accessible_name(re.compile(r"\d+ av \d+ deler fullført"))


def test_confidence_check_with_keyboard(theme_page: Page) -> None:
    page = theme_page
    check = page.locator(".ts-confidence").first
    statements = check.locator("fieldset").count()
    assert len(walk(page, check)) == statements + 1  # one stop per scale, then «Lagre svarene»
    tab_into(page, check)
    for index in range(statements):
        group = check.locator("fieldset").nth(index)
        assert is_focused(group.get_by_role("radio", name="1 (ikke trygg)"))
        for _ in range(4):
            page.keyboard.press("ArrowRight")
        expect(group.get_by_role("radio", name="5", exact=True)).to_be_checked()
        page.keyboard.press("ArrowLeft")
        expect(group.get_by_role("radio", name="4", exact=True)).to_be_checked()
        page.keyboard.press("Tab")
    save = check.get_by_role("button", name="Lagre svarene")
    assert is_focused(save)
    page.keyboard.press("Enter")
    expect(check.get_by_role("status")).to_contain_text("Svarene er lagret")


def test_video_player_with_keyboard(theme_page: Page) -> None:
    page = theme_page
    film = page.locator(".ts-video").first
    video = film.locator("video")
    page.wait_for_function("el => el.readyState >= 1", arg=video.element_handle())
    walk(page, film)
    assert tab_into(page, film)["key"].startswith("video")
    video.evaluate("v => { v.muted = true; }")
    page.keyboard.press("Space")
    page.wait_for_function("el => !el.paused", arg=video.element_handle())
    page.keyboard.press("Space")
    page.wait_for_function("el => el.paused", arg=video.element_handle())
    before = video.evaluate("v => v.currentTime")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("([el, t]) => el.currentTime >= t + 4", arg=[video.element_handle(), before])
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("([el, t]) => el.currentTime <= t + 1", arg=[video.element_handle(), before])
    captions = film.get_by_role("button", name=re.compile("^Teksting"))
    page.keyboard.press("c")
    expect(captions).to_have_attribute("aria-pressed", "false")
    page.keyboard.press("c")
    expect(captions).to_have_attribute("aria-pressed", "true")
    tab_to(page, film, captions)
    page.keyboard.press("Enter")
    expect(captions).to_have_attribute("aria-pressed", "false")
    page.keyboard.press("Space")
    expect(captions).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("Tab")
    described = film.get_by_role("button", name=re.compile("^Synstolket versjon"))
    assert is_focused(described)
    page.keyboard.press("Enter")
    expect(described).to_have_attribute("aria-pressed", "true")
    expect(film.get_by_role("status").first).to_contain_text("synstolkede versjonen")
    page.keyboard.press("Tab")
    transcript = film.get_by_role("button", name="Vis tekstversjon")
    assert is_focused(transcript)
    page.keyboard.press("Enter")
    expect(film.get_by_role("button", name="Skjul tekstversjon")).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Tab")
    text = film.get_by_role("document", name="Tekstversjon")
    assert is_focused(text), "the transcript can be reached (and scrolled) with the keyboard"
    assert walk(page, film)[-1].startswith("div")  # the transcript is the last stop
    described.focus()
    page.keyboard.press("Enter")  # back to the standard version for the other tests
    expect(described).to_have_attribute("aria-pressed", "false")


def test_quiz_with_keyboard(theme_page: Page) -> None:
    page = theme_page
    quiz = page.locator(".ts-quiz").first
    walk(page, quiz)
    item = quiz.locator(".ts-quiz-item").first
    options = item.locator("input")
    tab_into(page, quiz)
    assert is_focused(options.first)
    page.keyboard.press("ArrowDown")  # a radio group: the arrow key moves the choice
    expect(options.nth(1)).to_be_checked()
    page.keyboard.press("ArrowUp")
    expect(options.first).to_be_checked()
    page.keyboard.press("Tab")
    check = item.get_by_role("button", name="Sjekk svaret")
    assert is_focused(check)
    page.keyboard.press("Enter")
    expect(item.locator(".ts-verdict")).to_be_visible()
    retry = item.get_by_role("button", name="Prøv igjen")
    expect(retry).to_be_focused()  # the answered button is gone: focus moves to the one in its place
    page.keyboard.press("Enter")
    expect(options.first).to_be_focused()
    expect(options.first).to_be_enabled()
    multiple = quiz.locator(".ts-quiz-item").filter(has=page.locator("input[type=checkbox]")).first
    boxes = multiple.locator("input[type=checkbox]")
    boxes.first.focus()
    page.keyboard.press("Space")
    expect(boxes.first).to_be_checked()
    page.keyboard.press("Tab")
    assert is_focused(boxes.nth(1)), "each checkbox is its own stop"
    page.keyboard.press("Space")
    expect(boxes.nth(1)).to_be_checked()
    tab_to(page, quiz, multiple.get_by_role("button", name="Sjekk svaret"))
    page.keyboard.press("Space")
    expect(multiple.locator(".ts-verdict")).to_be_visible()
    expect(multiple.get_by_role("button", name="Prøv igjen")).to_be_focused()
    walk(page, quiz)


def test_chat_simulation_with_keyboard(theme_page: Page) -> None:
    page = theme_page
    chat = page.locator(".ts-chat").first
    walk(page, chat)
    log = chat.get_by_role("log", name="Samtalen")
    tab_into(page, chat)
    tab_to(page, chat, log)  # the log is a stop, so it can be scrolled with the arrow keys
    box = chat.get_by_role("textbox", name="Ditt svar")
    tab_to(page, chat, box)
    messages = chat.locator(".ts-msg").count()
    page.keyboard.type("Takk for at du skriver.")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("Hva tenker du på nå?")
    assert box.input_value() == "Takk for at du skriver.\nHva tenker du på nå?", "Shift+Enter is a new line"
    page.keyboard.press("Enter")
    expect(chat.locator(".ts-msg")).to_have_count(messages + 2)
    assert is_focused(box), "focus stays in the box after sending"
    expect(box).to_have_value("")
    page.keyboard.press("Shift+Tab")
    choice = chat.locator(".ts-choice").last
    assert is_focused(choice), "Shift+Tab from the box reaches the suggested replies"
    walk(page, chat)


def test_chat_suggested_reply_keeps_focus_in_the_conversation(theme_page: Page) -> None:
    page = theme_page
    chat = page.locator(".ts-chat").nth(1)
    tab_into(page, chat)
    tab_to(page, chat, chat.locator(".ts-choice").first)
    messages = chat.locator(".ts-msg").count()
    page.keyboard.press("Enter")
    expect(chat.locator(".ts-msg")).not_to_have_count(messages)
    page.wait_for_timeout(300)
    assert focused(chat)["inside"], "focus fell out of the conversation after choosing a suggested reply"


def test_learn_more_with_keyboard(theme_page: Page) -> None:
    page = theme_page
    learn_more = page.locator(".ts-learnmore").first
    stops = walk(page, learn_more)
    assert stops[0].startswith("a#"), "the sources come first"
    done = learn_more.get_by_role("button", name="Merk «Lær mer» som sett")
    tab_into(page, learn_more)
    tab_to(page, learn_more, done, limit=len(stops) + 2)
    page.keyboard.press("Enter")
    expect(learn_more.get_by_role("status").first).to_have_text("Merket som sett.")
    for link in learn_more.locator("a[target=_blank]").all():
        assert link.get_attribute("rel") == "noopener noreferrer"


def test_reflection_with_keyboard(theme_page: Page) -> None:
    page = theme_page
    reflection = page.locator(".ts-reflection").first
    stops = walk(page, reflection)
    assert stops[-1].endswith("«Skriv ut oppgavene»")
    task = reflection.locator(".ts-task").first
    tab_into(page, reflection)
    assert is_focused(task.get_by_role("textbox"))
    page.keyboard.type("Det hjalp at noen lyttet.")
    page.keyboard.press("Tab")
    share = task.get_by_role("checkbox", name="Del teksten anonymt med kursansvarlige")
    assert is_focused(share)
    page.keyboard.press("Space")
    expect(share).to_be_checked()
    page.keyboard.press("Space")
    expect(share).not_to_be_checked()
    page.keyboard.press("Tab")
    assert is_focused(task.get_by_role("button", name="Lagre"))
    page.keyboard.press("Enter")
    expect(task.get_by_role("status")).to_contain_text("Lagret")


def test_worksheet_with_keyboard(theme_page: Page) -> None:
    page = theme_page
    worksheet = page.locator(".ts-worksheet").first
    assert len(walk(page, worksheet)) == 1
    tab_into(page, worksheet)
    button = worksheet.get_by_role("button", name=re.compile(r"^Last ned arbeidsark for «.+» \(PDF\)$"))
    assert is_focused(button)
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename.endswith(".pdf")
    expect(worksheet.get_by_role("status")).to_contain_text("Arbeidsarket er lastet ned")


def test_course_overview_with_keyboard(page: Page, voila_server: VoilaServer) -> None:
    open_page(page, voila_server, START)
    overview = page.locator(".ts-overview").first
    stops = walk(page, overview)
    ready = [t for t in load_course().themes if t.ready]
    assert len(stops) == len(ready), "one link per ready theme, nothing else to stop at"
    tab_into(page, overview)
    expect(overview.get_by_role("link", name=f"1. {ready[0].title}")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(ready[0].notebook) + "$"))


def test_my_data_with_keyboard(page: Page, voila_server: VoilaServer) -> None:
    open_page(page, voila_server, START)
    mydata = page.locator(".ts-mydata")
    if mydata.count() == 0:
        pytest.skip("MyData finnes ikke på startsiden")
    expect(mydata.locator(".ts-code")).to_have_text(re.compile(r"^\w{4}-\w{4}$"))
    walk(page, mydata)
    remove = mydata.get_by_role("button", name="Slett alt om meg")
    tab_into(page, mydata)
    tab_to(page, mydata, remove)
    expect(remove).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    dialog = mydata.get_by_role("alertdialog", name="Er du sikker?")
    expect(dialog).to_be_visible()
    expect(remove).to_have_attribute("aria-expanded", "true")
    expect(dialog.get_by_role("button", name="Avbryt")).to_be_focused()
    walk(page, mydata)  # the open confirmation is not a trap either
    dialog.get_by_role("button", name="Avbryt").focus()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(remove).to_be_focused()
    page.keyboard.press("Space")
    expect(dialog).to_be_visible()
    page.keyboard.press("Enter")  # «Avbryt» has focus: Enter closes without deleting
    expect(dialog).to_be_hidden()
    expect(remove).to_be_focused()
    refresh = mydata.get_by_role("button", name="Oppdater")
    page.keyboard.press("Shift+Tab")
    expect(refresh).to_be_focused()
    page.keyboard.press("Enter")
    expect(mydata.get_by_role("status").first).not_to_be_empty()


# ---- Screen readers: live regions -----------------------------------------------------------------------

_WATCH = """(region) => {
  const seen = {added: 0, removed: 0, text: 0, attributes: 0};
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === 'childList') { seen.added += r.addedNodes.length; seen.removed += r.removedNodes.length; }
      else if (r.type === 'characterData') seen.text += 1;
    }
  }).observe(region, {childList: true, subtree: true, characterData: true});
  window.__a11yWatched = seen;
}"""


def test_chat_log_only_appends_so_each_turn_is_announced_once(page: Page, voila_server: VoilaServer) -> None:
    open_page(page, voila_server, THEME)
    chat = page.locator(".ts-chat").first
    log = chat.get_by_role("log", name="Samtalen")
    assert log.get_attribute("aria-live") in (None, "polite")  # role=log is polite by itself
    assert log.get_attribute("aria-relevant") in (None, "additions", "additions text")
    feedback = chat.locator(".ts-chat-feedback")
    expect(feedback).to_have_role("status")
    feedback.evaluate("el => { el.dataset.a11yOriginal = '1'; }")
    log.evaluate(_WATCH)
    messages = chat.locator(".ts-msg")
    box = chat.get_by_role("textbox", name="Ditt svar")
    turns = 0
    for text in ("Takk for at du skriver. Hva har skjedd i kveld?", None, "Det høres tungt ut. Fortell mer om det."):
        count = messages.count()
        if text is None:
            chat.locator(".ts-choice").first.click()
        else:
            box.fill(text)
            box.press("Enter")
        expect(messages).not_to_have_count(count)
        expect(feedback).not_to_contain_text("Her får du tilbakemelding")
        turns += 1
    page.wait_for_timeout(300)
    seen = page.evaluate("window.__a11yWatched")
    assert seen["removed"] == 0 and seen["text"] == 0, f"the log re-drew old messages: {seen}"
    assert seen["added"] >= 2 * turns, seen
    assert log.evaluate("el => el.isConnected"), "the log itself was replaced"
    assert feedback.get_attribute("data-a11y-original") == "1", "the feedback region was there before the feedback"
    expect(feedback.locator("li").first).to_be_visible()


def test_quiz_feedback_is_announced_from_a_live_region(page: Page, voila_server: VoilaServer) -> None:
    open_page(page, voila_server, THEME)
    item = page.locator(".ts-quiz-item").first
    region = item.locator(".ts-feedback")
    assert region.get_attribute("aria-live") == "polite"
    region.evaluate("el => { el.dataset.a11yOriginal = '1'; }")
    expect(region).to_be_empty()
    item.locator("input").first.check()
    item.get_by_role("button", name="Sjekk svaret").click()
    expect(region.locator(".ts-verdict")).to_be_visible()
    assert region.get_attribute("data-a11y-original") == "1", "the live region was on the page before the feedback"
    verdict = region.locator(".ts-verdict").inner_text()
    assert re.search(r"Riktig|Ikke riktig|Ikke helt", verdict), verdict
    assert region.locator(".ts-verdict [aria-hidden=true]").count() == 1, "the ✓/✗ sign is not read out"
    expect(page.locator(".ts-quiz-score")).to_have_role("status")
    expect(page.locator(".ts-quiz-score")).to_contain_text("Du har svart på 1 av")


# ---- Films ------------------------------------------------------------------------------------------------

_CUE_STYLE = """() => {
  for (const sheet of document.styleSheets) {
    let rules; try { rules = sheet.cssRules; } catch (e) { continue; }
    for (const rule of rules) {
      if (rule.selectorText && rule.selectorText.includes('::cue'))
        return {color: rule.style.color, background: rule.style.backgroundColor, size: rule.style.fontSize};
    }
  }
  return null;
}"""


def _rgba(css: str) -> tuple[float, float, float, float]:
    parts = [float(p) for p in re.findall(r"[\d.]+", css)]
    return (*parts[:3], parts[3] if len(parts) > 3 else 1.0)  # type: ignore[return-value]


def _luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_captions_are_on_selectable_and_readable(page: Page, voila_server: VoilaServer) -> None:
    open_page(page, voila_server, THEME)
    films = page.locator(".ts-video")
    for film in films.all():
        video = film.locator("video")
        page.wait_for_function("el => el.textTracks.length > 0", arg=video.element_handle())
        track = film.locator("track")
        assert track.get_attribute("kind") == "captions" and track.get_attribute("srclang") == "nb"
        assert track.get_attribute("label") == "Norsk"
        assert video.evaluate("v => v.textTracks[0].mode") == "showing", "captions are on from the start"
        with urllib.request.urlopen(track.evaluate("t => t.src"), timeout=30) as response:
            assert response.read(6) == b"WEBVTT"
    film = films.first
    captions = film.get_by_role("button", name=re.compile("^Teksting"))
    captions.click()
    expect(captions).to_have_attribute("aria-pressed", "false")
    assert film.locator("video").evaluate("v => v.textTracks[0].mode") == "hidden"
    captions.click()
    expect(captions).to_have_attribute("aria-pressed", "true")
    assert film.locator("video").evaluate("v => v.textTracks[0].mode") == "showing"
    cue = page.evaluate(_CUE_STYLE)
    assert cue and cue["size"] and cue["color"] and cue["background"], cue
    assert float(re.sub(r"[a-z%]+$", "", cue["size"])) >= 1, f"captions are at least the player's text size: {cue}"
    text = _rgba(cue["color"])
    r, g, b, alpha = _rgba(cue["background"])
    # The box is drawn over the film: check against the worst frame behind it, pure white.
    behind = tuple(alpha * c + (1 - alpha) * 255 for c in (r, g, b))
    lighter, darker = sorted((_luminance(text[:3]), _luminance(behind)), reverse=True)  # type: ignore[arg-type]
    assert (lighter + 0.05) / (darker + 0.05) >= 4.5, cue


def test_described_version_is_selectable_and_remembered(browser: Browser, voila_server: VoilaServer) -> None:
    context = new_context(browser)
    try:
        page = open_page(context.new_page(), voila_server, THEME)
        film = page.locator(".ts-video").first
        video = film.locator("video")
        page.wait_for_function("el => el.readyState >= 1", arg=video.element_handle())
        assert "synstolket" not in video.evaluate("v => v.currentSrc")
        described = film.get_by_role("button", name=re.compile("^Synstolket versjon"))
        described.click()
        expect(described).to_have_attribute("aria-pressed", "true")
        page.wait_for_function("el => el.currentSrc.includes('synstolket') && el.readyState >= 1",
                               arg=video.element_handle())
        assert "synstolket" in film.locator("track").evaluate("t => t.src"), "the described version has its captions"
        film.get_by_role("button", name=re.compile("^Teksting")).click()
        expect(film.get_by_role("button", name=re.compile("^Teksting"))).to_have_attribute("aria-pressed", "false")
        page.wait_for_timeout(500)  # the kernel stores the preference
        page.reload()
        wait_for_widgets(page)
        film = page.locator(".ts-video").first
        for other in page.locator(".ts-video").all():  # one choice for every film
            expect(other.get_by_role("button", name=re.compile("^Synstolket versjon"))).to_have_attribute(
                "aria-pressed", "true")
        expect(film.get_by_role("button", name=re.compile("^Teksting"))).to_have_attribute("aria-pressed", "false")
        page.wait_for_function("el => el.currentSrc.includes('synstolket')", arg=film.locator("video").element_handle())
        assert film.locator("video").evaluate("v => v.paused && !v.autoplay"), "remembering never starts the film"
    finally:
        context.close()


def test_every_film_has_a_transcript(page: Page, voila_server: VoilaServer) -> None:
    open_page(page, voila_server, THEME)
    for film in page.locator(".ts-video").all():
        toggle = film.get_by_role("button", name="Vis tekstversjon")
        expect(toggle).to_have_attribute("aria-expanded", "false")
        panel = film.locator("#" + toggle.get_attribute("aria-controls"))
        expect(panel).to_be_hidden()
        toggle.click()
        expect(panel).to_be_visible()
        expect(film.get_by_role("button", name="Skjul tekstversjon")).to_have_attribute("aria-expanded", "true")
        expect(panel.get_by_role("heading", name="Tekstversjon av filmen")).to_be_visible()
        text = panel.get_by_role("document", name="Tekstversjon")
        assert len(text.inner_text()) > 200, "the transcript has the whole film: speech and what is shown"
