"""The `trygge` Voilà template and the server settings, against the tiny course in fixtures/.

fixtures/notebooks/
  template-check.ipynb  metadata.title, a heading, a cell that prints, a code cell and a Markdown cell
                        tagged `trener` (both marked HEMMELIG-TRENERNOTAT, the code cell with a stored
                        output), a cell raising ValueError("INTERN-FEIL-123"), a cell after it (ETTER-FEILEN)
  heading-title.ipynb   no metadata.title: the first heading is the page title
  broken.ipynb          not JSON: a 400 page
  no-kernel.ipynb       asks for a kernel that does not exist: a 500 page
fixtures/data/media/    pixel.png and Plakat.PNG may be served; secret.txt and notes.py must not
"""

from __future__ import annotations

import http.client
import os
import re
from collections.abc import Iterator
from urllib.parse import quote, urlsplit

import pytest
from conftest import (
    FIXTURES,
    LOCAL_HOSTS,
    VoilaServer,
    axe_violations,
    new_context,
    serve_course,
    wait_for_widgets,
)
from playwright.sync_api import Browser, Page

pytestmark = serve_course(FIXTURES)

NOTEBOOK = "voila/render/notebooks/template-check.ipynb"
TITLE = "Malsjekk for Trygge samtaler"
TRAINER_MARKER = "HEMMELIG-TRENERNOTAT"
ERROR_LEAKS = ("INTERN-FEIL-123", "ValueError", "Traceback")
CALM_ERROR = (
    "Noe gikk galt med denne delen av siden. Resten av siden virker som før. Prøv å laste siden på nytt."
)
FOOTER = (
    "Treningsverktøy – ikke en hjelpetjeneste. Akutt fare: ring 113. "
    "Trenger du noen å snakke med: 116 123. Tilgjengelighetserklæring"
)


def fetch(server: VoilaServer, path: str) -> tuple[int, str]:
    """GET ``path`` exactly as written (no normalising of ``..`` or ``%2f``); return status and body."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", errors="replace")
    finally:
        connection.close()


@pytest.fixture(scope="module")
def served_html(voila_server: VoilaServer) -> str:
    """The notebook page exactly as the server sends it (before any JavaScript runs)."""
    status, body = fetch(voila_server, "/" + NOTEBOOK)
    assert status == 200
    return body


@pytest.fixture(scope="module")
def learner(browser: Browser, voila_server: VoilaServer) -> Iterator[tuple[Page, list[str]]]:
    """One rendered notebook page shared by the read-only checks, and every URL the page requested."""
    context = new_context(browser)
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(voila_server.url(NOTEBOOK))
    wait_for_widgets(page)
    yield page, requested
    context.close()


# ---- Page shell -----------------------------------------------------------------------------------------


def test_page_is_norwegian_with_title_from_metadata(learner):
    page, _ = learner
    assert page.get_attribute("html", "lang") == "nb"
    assert page.title() == TITLE


def test_title_falls_back_to_first_heading(voila_server):
    status, body = fetch(voila_server, "/voila/render/notebooks/heading-title.ipynb")
    assert status == 200
    assert "<title>Overskriften blir tittelen</title>" in body


def test_landmarks(learner):
    page, _ = learner
    assert page.locator('header[role="banner"]').inner_text().strip() == "Trygge samtaler"
    main = page.locator("main#hovedinnhold")
    assert main.count() == 1
    assert main.locator("#rendered_cells").is_visible()
    assert main.get_by_role("heading", level=1).inner_text() == "Malsjekk"
    assert " ".join(page.locator("body > footer").inner_text().split()) == FOOTER


def test_skip_link_is_first_stop_and_moves_focus_to_main(page, voila_server):
    page.goto(voila_server.url(NOTEBOOK))
    wait_for_widgets(page)
    skip_link = page.locator(".ts-skip-link")
    assert skip_link.bounding_box()["y"] < 0, "the skip link is out of sight until focused"
    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.textContent, document.activeElement.hash]")
    assert focused == ["Hopp til innholdet", "#hovedinnhold"]
    assert skip_link.bounding_box()["y"] >= 0, "the focused skip link is on screen"
    outline = skip_link.evaluate("el => getComputedStyle(el).outlineWidth")
    assert outline == "3px"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "hovedinnhold"


def test_readable_typography(learner):
    page, _ = learner
    style = page.locator("#rendered_cells p").first.evaluate(
        """el => {
          const s = getComputedStyle(el);
          return {size: parseFloat(s.fontSize), line: parseFloat(s.lineHeight), color: s.color,
                  family: s.fontFamily, width: el.getBoundingClientRect().width};
        }"""
    )
    assert 17 <= style["size"] <= 18, style
    assert style["line"] / style["size"] >= 1.5, style
    assert style["color"] == "rgb(26, 26, 26)", style
    assert "sans-serif" in style["family"], style
    assert style["width"] <= 72 * style["size"] * 0.6, "lines must stay near 70 characters"


# ---- What learners never see ----------------------------------------------------------------------------


def test_no_code_is_visible(learner, served_html):
    page, _ = learner
    code = (".jp-InputArea-editor", ".jp-InputPrompt", ".jp-OutputPrompt", ".jp-CodeCell .jp-InputArea")
    for selector in code:
        assert page.locator(selector).filter(visible=True).count() == 0, selector
    assert "print(" not in served_html
    assert "print(" not in page.content()


def test_trainer_cells_never_reach_the_html(learner, served_html):
    page, _ = learner
    assert "Vanlig utskrift fra en kodecelle." in served_html
    assert TRAINER_MARKER not in served_html
    assert TRAINER_MARKER not in page.content()


def test_template_cannot_be_switched_from_the_address(voila_server):
    status, body = fetch(voila_server, "/" + NOTEBOOK + "?template=lab&theme=dark")
    assert status == 200
    assert TRAINER_MARKER not in body
    assert 'class="ts-skip-link"' in body


def test_contents_api_never_returns_notebook_content(voila_server):
    for path in ("notebooks", "notebooks/template-check.ipynb?content=1"):
        _, body = fetch(voila_server, "/voila/api/contents/" + path)
        assert TRAINER_MARKER not in body, path


def test_failing_cell_shows_calm_message_and_page_continues(learner, served_html):
    page, _ = learner
    notice = page.locator(".ts-notice--error")
    assert notice.count() == 1
    assert notice.inner_text().strip() == CALM_ERROR
    assert page.get_by_text("ETTER-FEILEN: siden fortsetter.").is_visible()
    for leak in ERROR_LEAKS:
        assert leak not in served_html, leak
        assert leak not in page.content(), leak


@pytest.mark.parametrize(
    ("path", "status", "heading"),
    [
        ("/voila/render/notebooks/finnes-ikke.ipynb", 404, "Vi finner ikke denne siden"),
        ("/voila/render/notebooks/broken.ipynb", 400, "Noe gikk galt"),
        ("/voila/render/notebooks/no-kernel.ipynb", 500, "Noe gikk galt"),
    ],
    ids=["missing", "unreadable", "server-error"],
)
def test_error_pages_are_calm_and_norwegian(voila_server, path, status, heading):
    got, body = fetch(voila_server, path)
    assert got == status
    assert '<html lang="nb">' in body
    assert f"<h1>{heading}</h1>" in body
    assert 'id="hovedinnhold"' in body and 'class="ts-skip-link"' in body
    for leak in ("Traceback", "Error", "Exception", "klingon", "does not exist", "Voilà requires"):
        assert leak not in body, leak


# ---- Files and network ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["data/media/pixel.png", "data/media/Plakat.PNG"])
def test_media_is_served(voila_server, path):
    status, _ = fetch(voila_server, "/voila/files/" + path)
    assert status == 200


@pytest.mark.parametrize(
    "path",
    [
        "data/media/secret.txt",
        "data/media/notes.py",
        "notebooks/template-check.ipynb",
        "data/media/..%2f..%2fnotebooks%2ftemplate-check.ipynb",
        "data/media/%2e%2e/%2e%2e/notebooks/template-check.ipynb",
        "data/media/....//....//notebooks/template-check.ipynb",
        "data/media/....//secret.txt",
        "/etc/passwd",
        "%2Fetc%2Fpasswd",
    ],
)
def test_other_files_are_refused(voila_server, path):
    status, _ = fetch(voila_server, "/voila/files/" + path)
    assert status in (403, 404)


def test_allowed_file_types_outside_the_course_are_refused(voila_server, tmp_path):
    outside = tmp_path / "utenfor.png"
    outside.write_bytes((FIXTURES / "data/media/pixel.png").read_bytes())
    relative = os.path.relpath(outside, voila_server.course_dir)
    attempts = [
        quote(str(outside)),  # absolute
        quote(relative, safe=""),  # ..%2F..%2F…
        relative.replace("..", "%2e%2e"),
        "data/media/" + "..%2f" * 2 + quote(relative, safe=""),
    ]
    for attempt in attempts:
        status, _ = fetch(voila_server, "/voila/files/" + attempt)
        assert status in (403, 404), attempt


def test_no_request_leaves_the_machine(learner, voila_server, served_html):
    _, requested = learner
    assert requested
    hosts = {urlsplit(url).hostname for url in requested if not url.startswith(("data:", "blob:"))}
    assert hosts <= set(LOCAL_HOSTS), hosts
    for path in ("/", "/voila/render/notebooks/finnes-ikke.ipynb"):
        _, body = fetch(voila_server, path)
        assert not re.findall(r'(?:src|href)="(?:https?:)?//', body), path
    assert not re.findall(r'(?:src|href)="(?:https?:)?//', served_html)


# ---- Accessibility and small screens --------------------------------------------------------------------


def test_axe_finds_no_violations(learner):
    page, _ = learner
    violations = axe_violations(page)
    assert not violations, violations


def test_error_page_is_accessible(page, voila_server):
    response = page.goto(voila_server.url("voila/render/notebooks/finnes-ikke.ipynb"))
    assert response is not None and response.status == 404
    violations = axe_violations(page)
    assert not violations, violations


def test_small_screen_has_no_horizontal_scroll_and_nothing_moves(browser, voila_server):
    context = new_context(browser, viewport={"width": 320, "height": 640}, reduced_motion="reduce")
    try:
        page = context.new_page()
        page.goto(voila_server.url(NOTEBOOK))
        assert page.evaluate("document.getAnimations().length") == 0, "the loading message must not animate"
        wait_for_widgets(page)
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 321
        assert page.evaluate("document.getAnimations().length") == 0
    finally:
        context.close()
