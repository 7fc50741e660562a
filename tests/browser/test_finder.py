"""The help-line finder in the browser: filter by need, age, channel and a chosen time (a public holiday included),
with contact, hours, source and date checked shown for every service, and nothing axe objects to."""

from __future__ import annotations

import pytest
from conftest import axe_violations, wait_for_widgets
from playwright.sync_api import Page, expect

#: A page runs its cells before it has loaded; the first one on a busy 2-core machine may take a while.
SLOW_MS = 90_000


@pytest.fixture(autouse=True)
def _patient_expect():
    """Every step here waits for a kernel (and polls every second or so): give `expect` 20 s, not 5 s."""
    expect.set_options(timeout=20_000)
    yield
    expect.set_options(timeout=5_000)


FINDER = "voila/render/notebooks/hjelpetjenester.ipynb"


def test_finder_filters_by_need_age_channel_and_time(page: Page, voila_server) -> None:
    page.goto(voila_server.url(FINDER), timeout=SLOW_MS)
    wait_for_widgets(page, SLOW_MS)
    items = page.locator(".ts-finder-item")
    assert items.count() >= 13
    first = items.first
    expect(first.locator(".ts-finder-status")).to_be_visible()
    expect(first).to_contain_text("Kilde:")
    expect(first).to_contain_text("sjekket 2026-11-22")

    page.get_by_label("Hva gjelder det?").select_option("vold")
    page.get_by_label("Alder (valgfritt)").fill("12")
    page.get_by_label("Kanal").select_option("chat")
    page.get_by_label("Velg tidspunkt").check()
    page.get_by_label("Dato").fill("2026-12-25")  # 1. juledag
    page.get_by_label("Klokkeslett").fill("20:00")
    page.get_by_role("button", name="Vis tjenester").click()
    summary = page.locator(".ts-finder-summary")
    expect(summary).to_contain_text("fredag 25. desember 2026 kl. 20:00 (1. juledag)")
    expect(items).to_have_count(1)
    expect(items.first.locator("h3")).to_have_text("Alarmtelefonen for barn og unge")
    expect(items.first.locator(".ts-finder-status")).to_contain_text("Åpen (chat)")
    expect(items.first.get_by_role("link", name="Chat")).to_have_attribute("href", "https://www.116111.no")

    page.get_by_label("Klokkeslett").fill("23:30")
    page.get_by_role("button", name="Vis tjenester").click()
    expect(items.first.locator(".ts-finder-status")).to_contain_text("Stengt – åpner i morgen kl. 16:15")
    page.get_by_label("Vis bare tjenester som er åpne da").check()
    expect(page.locator(".ts-finder-list")).to_contain_text("Ingen tjenester passer")

    page.get_by_label("Alder (valgfritt)").fill("130")
    page.get_by_role("button", name="Vis tjenester").click()
    expect(page.locator(".ts-finder .ts-error")).to_contain_text("helt tall")
    violations = axe_violations(page)
    assert not violations, violations
