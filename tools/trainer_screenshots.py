"""Take the screenshots for docs/trainers.md: JupyterLab for trainers, the facilitator view with a live poll, a
participant's phone, the help-line finder and a course built for the example organisation.

    .venv/bin/python tools/trainer_screenshots.py [--out docs/screenshots]

Everything runs on this machine (Voilà, JupyterLab, headless Chromium) with throw-away databases and a throw-away
build, so taking screenshots leaves no trace in the real results.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from widgets import voila_config
from widgets.build import build_course
from widgets.trainer import trainer_command, trainer_env, write_locale_settings

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
RENDERED = """() => {
  const cells = document.getElementById("rendered_cells");
  if (!cells || getComputedStyle(cells).display === "none" || document.getElementById("loading")) return false;
  return [...document.querySelectorAll(".jp-OutputArea-output.lm-Panel")].every((el) => el.childElementCount > 0);
}"""


def start(command: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(command, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(20)


def voila(course: Path, db: Path) -> tuple[subprocess.Popen, str]:
    port = voila_config.find_free_port()
    process = start(voila_config.voila_command(course, port),
                    {**voila_config.voila_env(course), "TRYGGE_DB_URL": f"sqlite:///{db}"})
    base = f"http://127.0.0.1:{port}"
    voila_config.wait_until_ready(base, process=process)
    return process, base


def open_page(browser, url: str, **options):
    context = browser.new_context(locale="nb-NO", **options)
    page = context.new_page()
    page.goto(url)
    page.wait_for_function(RENDERED, timeout=90_000)
    page.wait_for_timeout(500)
    return context, page


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    saved = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        tmp_path = Path(tmp)

        # 1. JupyterLab for trainers, with a theme notebook and its trainer note open.
        course = ROOT  # what `trygge trainer` opens; its settings go to var/ (not in git)
        write_locale_settings(course)
        checkpoints = ROOT / "notebooks" / ".ipynb_checkpoints"
        had_checkpoints = checkpoints.exists()
        port = voila_config.find_free_port()
        lab = start(trainer_command(course, port, open_browser=False, extra=["--IdentityProvider.token=skjermbilde"]),
                    trainer_env(course))
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(240):
                try:
                    urllib.request.urlopen(f"{base}/api/status?token=skjermbilde", timeout=2)
                    break
                except (urllib.error.URLError, ConnectionError):
                    time.sleep(0.5)
            context = browser.new_context(locale="nb-NO", viewport={"width": 1400, "height": 900})
            page = context.new_page()
            page.goto(f"{base}/lab/tree/notebooks/01-samtalen.ipynb?token=skjermbilde")
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
            page.wait_for_timeout(3000)
            trainer_cell = page.locator(".jp-Cell").filter(has_text="For kursholdere").first
            trainer_cell.click()
            page.keyboard.press("Escape")
            page.wait_for_timeout(800)
            page.screenshot(path=str(out / "trener-jupyterlab.png"))
            saved.append("trener-jupyterlab.png")
            context.close()
        finally:
            stop(lab)
            if not had_checkpoints:  # JupyterLab keeps a checkpoint of every notebook it opens
                shutil.rmtree(checkpoints, ignore_errors=True)

        # 2–4. The facilitator view with a live poll, a participant's phone, and the help-line finder.
        server, base = voila(ROOT, tmp_path / "plenum.sqlite")
        try:
            context, page = open_page(browser, f"{base}/voila/render/notebooks/plenum.ipynb",
                                      viewport={"width": 1366, "height": 1100})
            page.get_by_label("Tema for samlingen").select_option("selvmord")
            page.get_by_role("button", name="Vis temaet").click()
            page.locator(".ts-plenum-all summary").click()
            page.get_by_role("button", name="Test deg selv").click()
            page.locator(".ts-plenum-all summary").click()
            page.get_by_role("button", name="Start en avstemning").click()
            page.wait_for_selector(".ts-poll-code")
            code = page.locator(".ts-poll-code").inner_text()
            page.locator(".ts-poll-suggestion-list button").nth(1).click()
            page.wait_for_selector(".ts-poll-bars")
            phones = []
            for answer in (0, 2, 2, 1, 2):
                phone_context, phone = open_page(browser, f"{base}/voila/render/notebooks/avstemning.ipynb?kode={code}",
                                                 viewport={"width": 390, "height": 760}, is_mobile=True)
                phone.wait_for_selector(".ts-pollvote input[type=radio]")
                phone.locator(".ts-pollvote input[type=radio]").nth(answer).check()
                phones.append((phone_context, phone))
            for _c, phone in phones:
                phone.get_by_role("button", name="Send svaret").click()
                phone.wait_for_selector("text=Svaret ditt er registrert")
            page.wait_for_function("() => /5 svar/.test(document.querySelector('.ts-poll-total').textContent)")
            page.locator(".ts-plenum-title").scroll_into_view_if_needed()
            page.screenshot(path=str(out / "plenum-kursholder.png"), full_page=True)
            phones[0][1].screenshot(path=str(out / "plenum-deltaker.png"))
            saved += ["plenum-kursholder.png", "plenum-deltaker.png"]
            for phone_context, _phone in phones:
                phone_context.close()
            context.close()

            context, page = open_page(browser, f"{base}/voila/render/notebooks/hjelpetjenester.ipynb",
                                      viewport={"width": 1100, "height": 1300})
            page.get_by_label("Hva gjelder det?").select_option("selvmord")
            page.get_by_label("Alder (valgfritt)").fill("16")
            page.get_by_label("Velg tidspunkt").check()
            page.get_by_label("Dato").fill("2026-12-25")
            page.get_by_label("Klokkeslett").fill("21:30")
            page.get_by_role("button", name="Vis tjenester").click()
            page.wait_for_function("() => /1\\. juledag/.test(document.querySelector('.ts-finder-summary').textContent)")
            page.locator(".ts-finder").screenshot(path=str(out / "hjelpetjenester.png"))
            saved.append("hjelpetjenester.png")
            context.close()
        finally:
            stop(server)

        # 5. A course built for the example organisation.
        built = tmp_path / "bygg" / "eksempel"
        build_course(ROOT / "data" / "profiles" / "eksempel.yaml", built, source=ROOT)
        server, base = voila(built, tmp_path / "org.sqlite")
        try:
            context, page = open_page(browser, f"{base}/voila/render/notebooks/00-start.ipynb",
                                      viewport={"width": 1100, "height": 1000})
            page.screenshot(path=str(out / "tilpasset-startside.png"))
            saved.append("tilpasset-startside.png")
            context.close()
        finally:
            stop(server)
        browser.close()
    for name in saved:
        print(f"Lagret {out / name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
