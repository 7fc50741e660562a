"""The analyst notebooks on events a learner made in a real browser.

A learner in Chromium rates trygghet before and after, answers quiz items and takes a turn in the chat on the theme
page `samtalen`. Then every notebook in ``notebooks/analyse/`` runs (nbclient, a real kernel) against the same
server's results database: no errors, the learner's events are counted, and every group smaller than k is held back
with a Norwegian message rather than a number, a figure or a traceback.

The server is shared with the other browser tests, so the database may hold their learners too. What the notebooks
must show is therefore worked out here from the raw events (the JSON records, read without ``widgets.analytics``).
"""

from __future__ import annotations

import collections
import re
import time
from pathlib import Path

import nbformat
import pytest
from conftest import REPO_ROOT, new_context, wait_for_widgets
from nbclient import NotebookClient
from playwright.sync_api import Browser, expect

from widgets import analytics
from widgets.store import Store

THEME = "notebooks/01-samtalen.ipynb"
ANALYSE = sorted((REPO_ROOT / "notebooks" / "analyse").glob("*.ipynb"))
K = analytics.DEFAULT_K
KERNEL = 30_000


def stored(db_url: str) -> list[dict]:
    store = Store(db_url)
    try:
        return store.events()
    finally:
        store.dispose()


def wait_for(db_url: str, actor: str, want: dict[str, int], timeout: float = 10.0) -> list[dict]:
    """The learner's events once there are at least ``want[verb]`` of each verb (the kernel writes them)."""
    deadline = time.monotonic() + timeout
    while True:
        mine = [e for e in stored(db_url) if e["actor"] == actor]
        have = collections.Counter(e["verb"] for e in mine)
        if all(have[verb] >= n for verb, n in want.items()) or time.monotonic() > deadline:
            return mine
        time.sleep(0.2)


def rate(check, column: int) -> None:
    for fieldset in check.locator("fieldset").all():
        fieldset.locator("input").nth(column).check()
    check.get_by_role("button", name="Lagre svarene").click()
    expect(check.get_by_role("status")).to_contain_text("lagret", timeout=KERNEL)


def run_notebook(path: Path) -> tuple[str, int]:
    """Execute an analyst notebook; return all it showed as text, and how many figures it drew as pictures."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    texts, pictures = [], 0
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            assert output.output_type != "error", (
                f"{path.name} celle {index}: {output.get('ename')}: {output.get('evalue')}"
            )
            assert not (output.output_type == "stream" and output.name == "stderr"), (
                f"{path.name}: {output.text}"
            )
            data = output.get("data", {})
            pictures += "image/png" in data
            texts += [str(data.get(kind, "")) for kind in ("text/markdown", "text/html")]
            texts.append(output.get("text", ""))
    return " ".join(" ".join(texts).split()), pictures


def expected_from_raw(events: list[dict]) -> dict:
    """What the analyses should find, counted straight from the stored JSON records."""
    first_answers = collections.Counter()
    per_item = collections.defaultdict(set)
    ratings = {}  # (actor, theme, statement, phase) -> latest score
    all_ratings = collections.Counter()
    learners, started, orgs = set(), collections.defaultdict(set), collections.defaultdict(set)
    conversations = collections.defaultdict(int)
    for e in events:
        verb, obj, result = e["verb"], e["object_id"], e["result"]
        parts = obj.split("/")
        if verb == "launched" and e["object_type"] == "theme":
            started[obj].add(e["actor"])
        # Quiz answers and trygghet ratings only: a live poll's answers use the same verbs (answered/rated) with
        # their own object type, and the analyses leave them out (other browser tests run polls on this server).
        elif verb == "answered" and e["object_type"] == "quiz-item" and result.get("first_attempt") is not False:
            first_answers[
                (parts[0], parts[2], result.get("success") is True, ",".join(result.get("response", [])))
            ] += 1
            per_item[obj].add(e["actor"])
        elif verb == "rated" and e["object_type"] == "confidence-statement":
            ratings[(e["actor"], parts[0], parts[2], result["phase"])] = result["score"]["raw"]
            all_ratings[(parts[0], parts[2], result["phase"], float(result["score"]["raw"]))] += 1
        elif verb == "completed" and e["object_type"] == "scenario":
            conversations[(e["actor"], parts[0])] += 1
        elif not (verb == "progressed" and obj.endswith("/section/confidence-after")):
            continue
        learners.add(e["actor"])
        orgs[e["org"]].add(e["actor"])
    phases = collections.defaultdict(set)
    for actor, theme, _statement, phase in ratings:
        phases[(actor, theme)].add(phase)
    paired = collections.Counter(theme for (actor, theme), p in phases.items() if p == {"before", "after"})
    attempts = collections.defaultdict(set)  # attempt (4 = 4th and later) -> learners
    for (actor, _theme), n in conversations.items():
        for attempt in range(1, min(n, 4) + 1):
            attempts[attempt].add(actor)
    sizes = [len(a) for a in orgs.values()]
    return {
        "learners": len(learners),
        "first_answers": first_answers,
        "ratings": all_ratings,
        "item_learners": max((len(a) for a in per_item.values()), default=0),
        "started": max((len(a) for a in started.values()), default=0),
        "paired": paired,
        "attempt_learners": max((len(a) for a in attempts.values()), default=0),
        # organisations under k are merged, and shown together if they reach k (there is one on the test server)
        "orgs_shown": any(n >= K for n in sizes) or sum(n for n in sizes if n < K) >= K,
    }


def test_analyst_notebooks_count_a_browser_learner_and_hold_back_groups_under_k(
    browser: Browser, voila_server, monkeypatch: pytest.MonkeyPatch
) -> None:
    context = new_context(browser)
    try:
        page = context.new_page()
        page.goto(voila_server.url(f"voila/render/{THEME}"))
        wait_for_widgets(page)
        code = page.locator(".ts-learner .ts-code").inner_text().strip()
        checks = page.locator(".ts-confidence")
        statements = checks.first.locator("fieldset").count()
        rate(checks.first, 2)  # 3 of 7 before
        items = page.locator(".ts-quiz-item")
        for item in items.all()[:3]:
            item.locator("input").first.check()
            item.get_by_role("button", name="Sjekk svaret").click()
        expect(page.locator(".ts-quiz-item .ts-verdict")).to_have_count(3, timeout=KERNEL)
        chat = page.locator(".ts-chat").first
        before = chat.locator(".ts-msg").count()
        box = chat.get_by_label("Ditt svar")
        box.fill("Takk for at du skriver. Hva har gjort at du tok kontakt i kveld?")
        box.press("Enter")
        expect(chat.locator(".ts-msg")).not_to_have_count(before, timeout=KERNEL)
        rate(checks.last, 5)  # 6 of 7 after
        mine = wait_for(voila_server.db_url, code, {"answered": 3, "rated": 2 * statements, "responded": 1})
    finally:
        context.close()

    verbs = collections.Counter(e["verb"] for e in mine)
    assert verbs["answered"] == 3 and verbs["rated"] == 2 * statements and verbs["responded"] >= 1, verbs
    raw = stored(voila_server.db_url)
    expected = expected_from_raw(raw)
    my_answers = collections.Counter(
        (
            e["theme"],
            e["object_id"].split("/")[2],
            e["result"]["success"] is True,
            ",".join(e["result"]["response"]),
        )
        for e in mine
        if e["verb"] == "answered"
    )

    # The analyses read what the browser produced: the same answers and ratings as the JSON records say.
    data = analytics.load(voila_server.db_url)
    assert data.n_learners == expected["learners"] and data.n_events >= len(raw)
    seen = collections.Counter(
        zip(
            data.answers["theme"],
            data.answers["item"],
            data.answers["success"],
            data.answers["response"],
            strict=True,
        )
    )
    assert seen == expected["first_answers"] and not my_answers - seen
    seen_ratings = collections.Counter(
        zip(
            data.ratings["theme"],
            data.ratings["statement"],
            data.ratings["phase"],
            data.ratings["score"],
            strict=True,
        )
    )
    assert seen_ratings == expected["ratings"] and expected["paired"]["samtalen"] >= 1
    paired = analytics.confidence_change(data).set_index("theme")
    if expected["paired"]["samtalen"] < K:  # the learner's own before/after: a group of one, never shown
        assert paired.loc["samtalen", ["n", "change", "d_z"]].isna().all()

    # Every analyst notebook runs on that database and says, in Norwegian, what it holds back.
    monkeypatch.setenv("TRYGGE_DB_URL", voila_server.db_url)
    for name in ("VOILA_KERNEL_ID", "VOILA_SERVER_URL", "VOILA_PREHEAT", "VOILA_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    shown = {path.stem.split("-", 1)[1]: run_notebook(path) for path in ANALYSE}
    assert set(shown) >= {"fullforing", "quiz", "trygghet", "simulator", "organisasjoner"}
    learners = expected_from_raw(stored(voila_server.db_url))["learners"]
    for name, (text, _pictures) in shown.items():
        assert "Data fra kurset" in text and "Syntetiske demodata" not in text, name
        found = re.search(r"(\d+) deltakere?, (\d+) hendelser?", text)
        assert found and int(found[1]) == learners and int(found[2]) >= len(raw), (name, text[:300])
        assert "Traceback" not in text, name
        if learners < K:
            assert "For få deltakere til å vise tall ennå" in text, name

    def held_back(name: str, message: str, small: bool) -> None:
        text, pictures = shown[name]
        if small:
            assert message in text, (name, text[-600:])
        else:
            assert message not in text and pictures >= 1, name

    held_back("fullforing", "For få deltakere til å vise fullføring", expected["started"] < K)
    held_back("quiz", "For få svar til å vise quizspørsmålene", expected["item_learners"] < K)
    held_back(
        "trygghet", "For få deltakere har svart både før og etter", max(expected["paired"].values()) < K
    )
    held_back("simulator", "For få samtaler i simulatoren", expected["attempt_learners"] < K)
    held_back("organisasjoner", f"Ingen organisasjon har minst {K} deltakere", not expected["orgs_shown"])
    # The learner's own before/after change is a group of one: whatever else the database holds, it is not shown.
    assert (
        "For få deltakere har svart både før og etter" in shown["trygghet"][0]
        or expected["paired"]["samtalen"] >= K
    )
