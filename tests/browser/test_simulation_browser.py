"""Every scenario of every theme in a real browser: free text and suggested replies, feedback on every turn, the end
summary with its chart, the transcript download; and the language-model persona against a local OpenAI-compatible
server (streamed reply, calm fallback). One page load per theme keeps it fast."""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from conftest import REPO_ROOT, axe_violations, new_context, start_voila, wait_for_widgets
from playwright.sync_api import Browser, Locator, Page, expect

from widgets.store import Store

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from test_llm import REPLY, FakeOpenAI

COURSE = yaml.safe_load((REPO_ROOT / "data" / "course.yaml").read_text(encoding="utf-8"))
NOTEBOOKS = {t["id"]: f"notebooks/{t['order']:02d}-{t['id']}.ipynb" for t in COURSE["themes"]}
SCENARIOS = [
    (path.parent.parent.name, yaml.safe_load(path.read_text(encoding="utf-8")))
    for path in sorted((REPO_ROOT / "data" / "themes").glob("*/scenarios/*.yaml"))
    if (REPO_ROOT / NOTEBOOKS.get(path.parent.parent.name, "-")).is_file()
]
OPEN_QUESTION = "Takk for at du tar kontakt. Hva er det som gjør at du skriver i kveld?"
TURN_TIMEOUT = 30_000


@pytest.fixture(scope="module")
def theme_pages(browser: Browser, voila_server) -> Iterator[dict[str, Page]]:
    """One loaded page per theme, shared by that theme's scenarios (each scenario uses its own widget)."""
    pages: dict[str, Page] = {}
    context = new_context(browser, accept_downloads=True)
    context.set_default_timeout(TURN_TIMEOUT)

    def get(theme: str) -> Page:
        if theme not in pages:
            page = context.new_page()
            page.goto(voila_server.url(f"voila/render/{NOTEBOOKS[theme]}"))
            wait_for_widgets(page, timeout=120_000)
            pages[theme] = page
        return pages[theme]

    yield get  # type: ignore[misc]
    context.close()


def chat_for(page: Page, title: str) -> Locator:
    chat = page.locator(".ts-chat").filter(has=page.get_by_role("heading", name=title, exact=True))
    expect(chat).to_have_count(1)
    return chat


def wait_for_messages(chat: Locator, count: int) -> None:
    expect(chat.locator(".ts-msg")).to_have_count(count, timeout=TURN_TIMEOUT)


@pytest.mark.parametrize("theme,scenario", SCENARIOS, ids=[f"{t}/{s['id']}" for t, s in SCENARIOS])
def test_scenario_with_free_text_and_choices_to_the_summary(theme_pages, voila_server, theme: str,
                                                            scenario: dict) -> None:
    page = theme_pages(theme)
    chat = chat_for(page, scenario["title"])
    chat.scroll_into_view_if_needed()
    expect(chat.locator(".ts-training-banner")).to_contain_text("113")
    before = chat.locator(".ts-msg").count()
    if before > 1:  # a run left over from an earlier try: start again
        chat.get_by_role("button", name="Start samtalen på nytt").click()
        wait_for_messages(chat, 1)
        before = 1
    # 1. Free text: the coach labels it, the feedback names the skill, the caller answers.
    box = chat.get_by_label("Ditt svar")
    box.fill(OPEN_QUESTION)
    box.press("Enter")
    wait_for_messages(chat, before + 2)
    expect(chat.locator(".ts-msg-learner").last).to_have_text(f"Du: {OPEN_QUESTION}")
    expect(chat.locator(".ts-chat-labels")).to_contain_text("åpent spørsmål")
    expect(chat.locator(".ts-chat-feedback li").first).to_be_visible()
    # 2. Suggested replies until the end; feedback after every turn.
    for _ in range(30):
        choices = chat.locator(".ts-choice")
        if chat.locator(".ts-chat-summary").is_visible() or choices.count() == 0:
            break
        n = chat.locator(".ts-msg").count()
        choices.first.click()
        wait_for_messages(chat, n + 2)
        expect(chat.locator(".ts-chat-feedback li").first).to_be_visible()
    summary = chat.locator(".ts-chat-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("MITI")
    expect(summary.locator("table.ts-bars").first.locator("tbody tr")).to_have_count(10)
    expect(summary.locator(".ts-meters tbody tr")).to_have_count(2)
    assert chat.locator(".ts-chat-form").is_hidden()
    # 3. The learner's own transcript, made in the kernel.
    with page.expect_download(timeout=TURN_TIMEOUT) as info:
        chat.get_by_role("button", name="Last ned samtalen").click()
    download = info.value
    assert download.suggested_filename == f"samtale-{scenario['id']}.md"
    text = Path(download.path()).read_text(encoding="utf-8")
    assert text.startswith(f"# Øvingssamtale: {scenario['title']}") and "## Oppsummering" in text
    assert OPEN_QUESTION in text
    expect(chat.locator(".ts-status")).to_contain_text("lastet ned")
    violations = axe_violations(page, context=".ts-chat")
    assert not violations, violations
    # 4. Events: labels and outcomes, never the learner's words.
    code = page.locator(".ts-code").first.inner_text().strip()
    store = Store(voila_server.db_url)
    try:
        for _ in range(50):
            rows = [e for e in store.events(actor=code) if e["object_id"] == f"{theme}/scenario/{scenario['id']}"]
            if any(e["verb"] == "completed" for e in rows):
                break
            time.sleep(0.1)
    finally:
        store.dispose()
    verbs = [e["verb"] for e in rows]
    assert verbs[0] == "launched" and "responded" in verbs and verbs[-1] == "completed"
    assert OPEN_QUESTION not in str(rows)


# -- the language-model persona, against a local OpenAI-compatible server ---------------------------------------------


@pytest.fixture(scope="module")
def llm_voila(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    """A second Voilà whose kernels talk to a fake OpenAI-compatible server on 127.0.0.1."""
    fake = FakeOpenAI()
    env = {"TRYGGE_LLM_MODEL": "normal", "OPENAI_BASE_URL": fake.base_url, "OPENAI_API_KEY": "sk-test-NEVER-SHOWN",
           "TRYGGE_LLM_TIMEOUT": "10"}
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        server = start_voila(REPO_ROOT, tmp_path_factory.mktemp("voila-llm"))
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    yield server, fake
    server.stop()
    fake.close()


def test_llm_persona_streams_its_reply_and_falls_back_calmly(page: Page, llm_voila) -> None:
    server, fake = llm_voila
    page.set_default_timeout(TURN_TIMEOUT)
    page.goto(server.url(f"voila/render/{NOTEBOOKS['samtalen']}"))
    wait_for_widgets(page, timeout=120_000)
    chat = page.locator(".ts-chat").first
    expect(chat.locator(".ts-mode-note")).to_contain_text("språkmodell")
    fake.force = "slowstream"  # one word at a time, so the draft can be seen while it streams
    fake.delay = 0.25
    box = chat.get_by_label("Ditt svar")
    box.fill("Hei Ida, jeg er her. Hva har gjort at du tok kontakt i kveld?")
    box.press("Enter")
    draft = chat.locator(".ts-chat-draft")
    expect(draft).to_be_visible()
    assert draft.get_attribute("aria-hidden") == "true"  # the live log announces the finished reply once
    expect(chat.locator(".ts-msg-caller").last).to_have_text(f"Ida: {REPLY}", timeout=TURN_TIMEOUT)
    expect(draft).to_be_hidden()
    expect(chat.locator(".ts-chat-feedback")).to_contain_text("åpent spørsmål")
    sent = fake.requests[-1]["body"]["messages"]
    assert sent[-1]["content"].startswith("Hei Ida") and sent[0]["role"] == "system"
    # The server fails: the scripted line is shown, and the learner is told calmly.
    fake.force = "500"
    chat.locator(".ts-choice").first.click()
    expect(chat.locator(".ts-chat-notice")).to_contain_text("svarer fra manus")
    expect(chat.locator(".ts-msg")).to_have_count(5)
    last = chat.locator(".ts-msg-caller").last.inner_text()
    scripted = [re.sub(r"\s+", " ", line) for node in yaml.safe_load(
        (REPO_ROOT / "data/themes/samtalen/scenarios/forste-kontakt.yaml").read_text(encoding="utf-8"))["nodes"].values()
        for line in node["say"]]
    assert last.removeprefix("Ida: ") in scripted
    assert "sk-test-NEVER-SHOWN" not in page.content() and "sk-test-NEVER-SHOWN" not in server.log()
