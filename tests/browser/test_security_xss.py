"""Markup injection: hostile text typed by learners or written into content never runs and is shown as text.

The payloads are in ``tests/fixtures/xss_payloads.txt`` (one a line). Each one, if a browser ever treated it as
markup or script, sets ``window.__xss`` or opens a dialog. The tests look for both (``window.__xss`` in every frame,
and ``page.on("dialog")``), and scan the rendered cells for what a payload would leave behind if it were parsed as
HTML (event-handler attributes, ``javascript:``/``data:`` addresses, script, iframe, object, embed, base, meta).

- Typed: every payload in the chat simulation's free text, all of them in a reflection answer (saved, then the page
  reloaded so the saved text comes back), and in a live poll: as the facilitator's own question and as a
  participant's free-text answers on the facilitator's screen.
- Content: a copy of the course whose «Den gode samtalen» carries payloads in the theme intro (Markdown), the quiz's
  stems (Markdown), options, feedback and explanation, a scenario's description, caller line and suggested replies,
  the reflection tasks' titles, prompts and steps, the sources' titles, publishers, notes and addresses, and the
  names, hours and notes of the help lines the theme refers to.

The first test is the control: the same payloads put into a page with ``innerHTML`` do run, and the detectors see it.
One page load per place keeps the file to a few minutes.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from conftest import REPO_ROOT, VoilaServer, new_context, start_voila, wait_for_widgets
from playwright.sync_api import Browser, Page, expect

from widgets.scrub import scrub, scrub_report

PAYLOAD_FILE = Path(__file__).resolve().parents[1] / "fixtures" / "xss_payloads.txt"
PAYLOADS = [line for line in PAYLOAD_FILE.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
THEME_PAGE = "voila/render/notebooks/01-samtalen.ipynb"
VOTE = "voila/render/notebooks/avstemning.ipynb"
SCENARIO_TITLE = "Første kontakt: Ida på chat"
SLOW_MS = 120_000
TURN_MS = 30_000

# What a payload leaves in the DOM if it was ever parsed as HTML (content and widgets never make any of it).
_SCAN = """(root) => {
  const problems = [];
  const scope = document.querySelector(root);
  if (!scope) return ["no " + root];
  const urlAttrs = ["href", "src", "action", "formaction", "data", "xlink:href", "content", "srcdoc", "background"];
  for (const el of scope.querySelectorAll("*")) {
    const tag = el.tagName.toLowerCase();
    if (["iframe", "object", "embed", "base", "meta", "frame", "frameset", "applet", "math", "marquee", "noscript"]
        .includes(tag)) problems.push("<" + tag + ">");
    // Voilà's own: cell-output JSON, and its progress calls between cells.
    const voila = /json/.test(el.type || "") || /^\\s*voila_process\\(\\d+, \\d+\\)\\s*$/.test(el.textContent);
    if (tag === "script" && !voila) problems.push("<script> " + el.textContent.slice(0, 60));
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      const value = attr.value.replace(/[\\u0000-\\u0020]/g, "").toLowerCase();
      if (name.startsWith("on")) problems.push(`${tag}[${name}]`);
      if (urlAttrs.includes(name) && /^(javascript|vbscript|data:text\\/html)/.test(value)) {
        problems.push(`${tag}[${name}=${attr.value.slice(0, 40)}]`);
      }
      if (name === "srcdoc") problems.push(`${tag}[srcdoc]`);
    }
  }
  return problems;
}"""


class Watch:
    """Records dialogs on a page and reads ``window.__xss`` in all its frames."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.dialogs: list[str] = []
        page.on("dialog", self._dialog)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def marks(self) -> list[str]:
        found = []
        for frame in self.page.frames:
            try:
                value = frame.evaluate("() => window.__xss")
            except Exception:  # noqa: BLE001, S112 - a detached or opaque frame has nothing to read
                continue
            if value is not None:
                found.append(f"{frame.url}: window.__xss={value!r}")
        return found

    def assert_clean(self, root: str = "#rendered_cells") -> None:
        self.page.wait_for_timeout(300)  # let an onerror/onload that was going to fire, fire
        executed = self.marks() + self.dialogs
        assert not executed, f"a payload ran: {executed}"
        problems = self.page.evaluate(_SCAN, root)
        assert not problems, f"markup from a payload reached the page: {problems}"


def text_of(page_or_locator, selector: str = "#rendered_cells") -> str:
    return " ".join(page_or_locator.locator(selector).first.inner_text().split())


def norm(text: str) -> str:
    """Whitespace collapsed, as a browser renders (and ``inner_text`` reads) it."""
    return " ".join(text.split())


def opening_tags(payload: str) -> list[str]:
    """The start tags a payload contains, as a reader would see them when it is shown as text (``<img``…)."""
    return re.findall(r"<[a-zA-Z]+", payload)


# ---- The control: the detectors see payloads that do run ------------------------------------------------------------


def test_payloads_run_when_inserted_as_html_and_the_detectors_see_it(browser: Browser, xss_server: VoilaServer):
    """Each payload goes into a test-only element with innerHTML (the bug the widgets avoid). Many must run, both
    detectors must fire, and the DOM scan must flag the rest; otherwise the tests below could not fail."""
    assert len(PAYLOADS) >= 30
    context = new_context(browser)
    page = context.new_page()
    try:
        page.goto(xss_server.url("voila/render/notebooks/finnes-ikke.ipynb"))  # a page of this server, no kernel
        watch = Watch(page)
        ran: dict[str, list[str]] = {}
        flagged = 0
        for payload in PAYLOADS:
            page.evaluate("""(html) => { delete window.__xss; document.getElementById("ts-probe")?.remove();
              const box = document.createElement("div"); box.id = "ts-probe"; document.body.append(box);
              box.innerHTML = html; }""", payload)
            page.wait_for_timeout(150)
            seen = watch.marks() + watch.dialogs
            if seen:
                ran[payload] = seen
            watch.dialogs.clear()
            flagged += bool(page.evaluate(_SCAN, "#ts-probe"))
        page.evaluate("() => { delete window.__xss; }")
    finally:
        context.close()
    assert len(ran) >= 12, f"only these ran through innerHTML: {sorted(ran)}"
    assert any("window.__xss" in s for seen in ran.values() for s in seen), "window.__xss detector never fired"
    assert any(s.startswith("alert") for seen in ran.values() for s in seen), "dialog detector never fired"
    assert flagged >= 25, f"the DOM scan flagged only {flagged} payloads inserted as HTML"


# ---- A course with payloads in its content -------------------------------------------------------------------------


def _cycle(start: int = 0) -> Iterator[str]:
    i = start
    while True:
        yield PAYLOADS[i % len(PAYLOADS)]
        i += 1


def _edit(path: Path, change) -> None:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=10_000), encoding="utf-8")


def build_course(root: Path) -> dict[str, object]:
    """A copy of the course with payloads in «Den gode samtalen»; returns what was placed where."""
    shutil.copytree(REPO_ROOT / "data", root / "data", ignore=shutil.ignore_patterns("media"))
    (root / "data" / "media").symlink_to(REPO_ROOT / "data" / "media", target_is_directory=True)
    shutil.copytree(REPO_ROOT / "notebooks", root / "notebooks",
                    ignore=shutil.ignore_patterns("analyse", ".ipynb_checkpoints"))
    theme = root / "data" / "themes" / "samtalen"
    markdown = "\n\n".join(PAYLOADS)
    placed: dict[str, object] = {"options": [], "feedback": [], "titles": [], "steps": list(PAYLOADS),
                                 "source_text": [], "services": []}

    _edit(theme / "theme.yaml", lambda d: d.update(intro=markdown))

    def quiz(doc):
        options, feedback = _cycle(0), _cycle(7)
        for n, item in enumerate(doc["items"]):
            if n == 0:
                item["prompt"] = markdown
                item["explanation"] = markdown
            for option in item.get("options", []):
                option["text"] = next(options)
                option["feedback"] = next(feedback)
                placed["options"].append(option["text"])
                placed["feedback"].append(option["feedback"])
    _edit(theme / "quiz.yaml", quiz)

    def scenario(doc):
        doc["description"] = markdown
        first = doc["nodes"][doc["start"]]
        first["say"] = [" ".join(PAYLOADS)]
        for choice, payload in zip(first["choices"], _cycle(3), strict=False):
            choice["text"] = payload
        placed["choices"] = [c["text"] for c in first["choices"]]
    _edit(theme / "scenarios" / "forste-kontakt.yaml", scenario)

    def reflections(doc):
        for task, payload in zip(doc["tasks"], _cycle(11), strict=False):
            task["title"] = payload
            placed["titles"].append(payload)
        doc["tasks"][0]["prompt"] = markdown
        doc["tasks"][0]["steps"] = list(PAYLOADS)
    _edit(theme / "reflections.yaml", reflections)

    def sources(doc):
        text = _cycle(5)
        for source in doc["sources"]:
            for key in ("title", "publisher", "note"):
                source[key] = next(text)
                placed["source_text"].append(source[key])
        # Addresses must be http(s) without spaces (the schema), but may still try to break out of the attribute.
        doc["sources"][0]["url"] = 'https://example.no/"><script>window.__xss=1</script>'
        doc["sources"][1]["url"] = "https://example.no/'onmouseover='window.__xss=1"
    _edit(theme / "sources.yaml", sources)

    referrals = yaml.safe_load((theme / "theme.yaml").read_text(encoding="utf-8"))["referrals"]

    def helplines(doc):
        text = _cycle(20)
        for service in doc["services"]:
            if service["id"] in referrals:
                for key in ("name", "hours_text", "note", "source"):
                    service[key] = next(text)
                placed["services"].append({k: service[k] for k in ("name", "hours_text", "note", "source")})
    _edit(root / "data" / "helplines.yaml", helplines)
    return placed


@pytest.fixture(scope="module")
def xss_course(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("xss-course")
    return root, build_course(root)


@pytest.fixture(scope="module")
def xss_server(xss_course, tmp_path_factory: pytest.TempPathFactory) -> Iterator[VoilaServer]:
    server = start_voila(xss_course[0], tmp_path_factory.mktemp("voila-xss"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def theme_page(browser: Browser, xss_server: VoilaServer) -> Iterator[tuple[Page, Watch]]:
    """The payload theme, loaded once and shared by the content and chat tests (in file order)."""
    context = new_context(browser)
    context.set_default_timeout(TURN_MS)
    page = context.new_page()
    watch = Watch(page)
    page.goto(xss_server.url(THEME_PAGE), timeout=SLOW_MS)
    wait_for_widgets(page, SLOW_MS)
    yield page, watch
    context.close()


def test_content_payloads_are_shown_as_text(theme_page, xss_course) -> None:
    page, watch = theme_page
    _, placed = xss_course
    watch.assert_clean()
    # Markdown (theme intro, quiz stem and explanation, scenario description, reflection prompt): raw HTML escaped,
    # so a reader sees the tags; javascript: links dropped.
    intro = text_of(page, ".ts-intro")
    for payload in PAYLOADS:
        for tag in opening_tags(payload):
            assert tag in intro, (tag, payload)
    for selector in (".ts-intro a", ".ts-quiz a", ".ts-chat .ts-description a", ".ts-reflection .ts-prompt a"):
        for href in page.locator(selector).evaluate_all("els => els.map((a) => a.getAttribute('href'))"):
            assert not re.match(r"\s*(javascript|vbscript|data):", href or "", re.IGNORECASE), (selector, href)
    assert page.locator(".ts-intro a").count() >= 3, "the Markdown links are kept, without their addresses"
    quiz = page.locator(".ts-quiz")
    stem = text_of(quiz, ".ts-legend")
    assert all(tag in stem for p in PAYLOADS for tag in opening_tags(p))
    description = text_of(page.locator(".ts-chat").first, ".ts-description")
    assert "<script>window.__xss=1</script>" in description
    prompt = text_of(page.locator(".ts-reflection"), ".ts-prompt")
    assert "<img src=x onerror=window.__xss=1>" in prompt
    # Plain text fields: exactly as written.
    labels = [norm(x) for x in quiz.locator(".ts-option label").all_inner_texts()]
    for option in placed["options"]:
        assert norm(option) in labels, option
    tasks = page.locator(".ts-reflection")
    for title in placed["titles"]:
        expect(tasks.get_by_role("heading", name=norm(title), exact=True)).to_have_count(1)
    assert [norm(x) for x in tasks.locator(".ts-steps").first.locator("li").all_inner_texts()] == \
        [norm(x) for x in PAYLOADS]
    learn_more = page.locator(".ts-learnmore")
    shown = norm(learn_more.inner_text())
    for text in placed["source_text"]:
        assert norm(text) in shown, text
    for service in placed["services"]:
        expect(learn_more.locator(".ts-services strong").filter(has_text=norm(service["name"]))).to_have_count(1)
        for key in ("hours_text", "note", "source"):
            assert norm(service[key]) in shown, (key, service[key])
    hrefs = learn_more.locator(".ts-sources a").evaluate_all("els => els.map((a) => a.getAttribute('href'))")
    assert hrefs[:2] == ['https://example.no/"><script>window.__xss=1</script>',
                         "https://example.no/'onmouseover='window.__xss=1"]
    chat = page.locator(".ts-chat").filter(has=page.get_by_role("heading", name=SCENARIO_TITLE, exact=True))
    expect(chat.locator(".ts-msg-caller").first).to_have_text(f"Ida: {' '.join(PAYLOADS)}")
    assert [norm(x) for x in chat.locator(".ts-choice").all_inner_texts()] == [norm(x) for x in placed["choices"]]
    watch.assert_clean()


def test_quiz_feedback_payloads_are_shown_as_text(theme_page, xss_course) -> None:
    page, watch = theme_page
    _, placed = xss_course
    quiz = page.locator(".ts-quiz")
    items = quiz.locator("fieldset.ts-quiz-item")
    for n in range(items.count()):
        item = items.nth(n)
        options = item.locator("input")
        if options.count() == 0:
            continue
        item.scroll_into_view_if_needed()
        options.first.check()
        item.get_by_role("button", name="Sjekk svaret").click()
        expect(item.locator(".ts-verdict")).to_be_visible()
    explanation = text_of(quiz, ".ts-explanation")
    assert all(tag in explanation for p in PAYLOADS for tag in opening_tags(p))
    # Each line of feedback is «option»: feedback, both exactly as written.
    pairs = {norm(f"«{option}»: {feedback}")
             for option, feedback in zip(placed["options"], placed["feedback"], strict=True)}
    shown = [norm(li) for li in quiz.locator(".ts-option-feedback li").all_inner_texts()
             if not li.startswith(("«Sant»", "«Usant»"))]  # true/false items keep their own feedback
    assert len(shown) >= 10, "feedback is shown after answering"
    assert set(shown) <= pairs, set(shown) - pairs
    watch.assert_clean()


def test_chat_free_text_payloads_are_shown_as_text(theme_page) -> None:
    page, watch = theme_page
    chat = page.locator(".ts-chat").filter(has=page.get_by_role("heading", name=SCENARIO_TITLE, exact=True))
    chat.scroll_into_view_if_needed()
    box = chat.get_by_label("Ditt svar")
    unchanged = 0
    for payload in PAYLOADS:
        if chat.locator(".ts-chat-form").is_hidden():  # the conversation ended: start again
            chat.get_by_role("button", name="Start samtalen på nytt").click()
            expect(chat.locator(".ts-msg")).to_have_count(1)
        before = chat.locator(".ts-msg").count()
        box.fill(payload)
        box.press("Enter")
        expect(chat.locator(".ts-msg")).to_have_count(before + 2, timeout=TURN_MS)
        expected = scrub(payload, keep=["Ida"])
        unchanged += expected == payload
        expect(chat.locator(".ts-msg-learner").last).to_have_text(f"Du: {expected}")
        watch.assert_clean()
    assert unchanged >= 30, "the scrubber changed too many payloads for this test to mean much"
    assert "<script>" in chat.locator(".ts-chat-list").inner_text()


def test_reflection_payloads_are_saved_and_shown_as_text(browser: Browser, theme_page, xss_server) -> None:
    page, watch = theme_page
    text = "\n".join(PAYLOADS)
    expected = scrub_report(text)[0]
    assert expected.count("<") >= 40
    task = page.locator(".ts-reflection .ts-task").first
    task.scroll_into_view_if_needed()
    area = task.locator("textarea")
    area.fill(text)
    task.get_by_role("button", name="Lagre").click()
    expect(task.locator(".ts-status")).not_to_be_empty(timeout=TURN_MS)
    watch.assert_clean()
    # The saved answer comes back on the next visit (same browser, same learner code).
    again = page.context.new_page()
    watch_again = Watch(again)
    try:
        again.goto(xss_server.url(THEME_PAGE), timeout=SLOW_MS)
        wait_for_widgets(again, SLOW_MS)
        expect(again.locator(".ts-reflection .ts-task").first.locator("textarea")).to_have_value(expected)
        watch_again.assert_clean()
    finally:
        again.close()


# ---- A live poll -----------------------------------------------------------------------------------------------------


def _batches(limit: int = 200) -> list[str]:
    """The payloads packed into answers of at most ``limit`` characters (a poll answer's maximum)."""
    batches, current = [], ""
    for payload in PAYLOADS:
        joined = f"{current} {payload}" if current else payload
        if len(joined) > limit:
            batches.append(current)
            joined = payload
        current = joined
    return [*batches, current]


def test_poll_question_and_answers_are_shown_as_text(browser: Browser, xss_server: VoilaServer) -> None:
    expect.set_options(timeout=20_000)
    facilitator = new_context(browser, viewport={"width": 1366, "height": 900})
    phone = new_context(browser, viewport={"width": 390, "height": 844})
    try:
        host = facilitator.new_page()
        host_watch = Watch(host)
        host.goto(xss_server.facilitator_url(), timeout=SLOW_MS)
        wait_for_widgets(host, SLOW_MS)
        host.get_by_label("Tema for samlingen").select_option("samtalen")
        host.get_by_role("button", name="Vis temaet").click()
        host.get_by_role("button", name="Start en avstemning").click()
        code_box = host.locator(".ts-poll-code")
        expect(code_box).to_have_text(re.compile(r"^[0-9A-Z]{4}$"))
        code = code_box.inner_text()
        host_watch.assert_clean()

        voter = phone.new_page()
        voter_watch = Watch(voter)
        voter.goto(xss_server.url(f"{VOTE}?kode={code}"), timeout=SLOW_MS)
        wait_for_widgets(voter, SLOW_MS)

        # The facilitator's own multiple-choice question: question and options are payloads.
        host.locator(".ts-poll-own summary").click()
        host.get_by_label("Flervalg").check()
        question = PAYLOADS[2]
        options = PAYLOADS[3:9]
        host.get_by_label("Spørsmålet", exact=True).fill(question)
        host.get_by_label("Svaralternativer (ett per linje)").fill("\n".join(options))
        host.get_by_role("button", name="Still spørsmålet").click()
        expect(host.locator(".ts-poll-board .ts-poll-qtext")).to_have_text(norm(question))
        expect(voter.locator(".ts-pollvote .ts-poll-qtext")).to_have_text(norm(question), timeout=30_000)
        assert [norm(x) for x in voter.locator(".ts-poll-form label").all_inner_texts()] == [norm(x) for x in options]
        voter.locator(".ts-pollvote input[type=radio]").first.check()
        voter.get_by_role("button", name="Send svaret").click()
        expect(host.locator(".ts-poll-total")).to_contain_text("1 svar")
        assert norm(options[0]) in norm(host.locator(".ts-poll-chart").inner_text())
        host_watch.assert_clean()
        voter_watch.assert_clean()

        # A free-text question; the participant's answer is changed batch by batch, each drawn on the big screen.
        host.get_by_label("Fritekst (noen få ord)").check()
        question = PAYLOADS[0]
        host.get_by_label("Spørsmålet", exact=True).fill(question)
        host.get_by_role("button", name="Still spørsmålet").click()
        expect(voter.locator(".ts-pollvote .ts-poll-qtext")).to_have_text(norm(question), timeout=30_000)
        field = voter.locator(".ts-poll-form input[type=text]")
        expect(field).to_be_visible()
        answers = host.locator(".ts-poll-textlist li")
        for batch in _batches():
            field.fill(batch)
            voter.get_by_role("button", name="Send svaret").click()
            expected = scrub(" ".join(batch.split()))
            expect(answers.filter(has_text=expected)).to_have_count(1, timeout=30_000)
            expect(answers).to_have_count(1)
            assert answers.first.inner_text() == expected
            host_watch.assert_clean()
            voter_watch.assert_clean()
    finally:
        expect.set_options(timeout=5_000)
        phone.close()
        facilitator.close()
