"""Take the README's screenshots: start the course in Voilà, open pages in headless Chromium, save PNGs.

    .venv/bin/python tools/screenshots.py [--out docs/screenshots]

Uses a throw-away results database, so taking screenshots leaves no trace in the real one.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from widgets import voila_config  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    port = voila_config.find_free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, **voila_config.voila_env(ROOT), "TRYGGE_DB_URL": f"sqlite:///{tmp}/shots.sqlite"}
        server = subprocess.Popen(voila_config.voila_command(ROOT, port), env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            voila_config.wait_until_ready(base, process=server)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1100, "height": 1400})
                for name, path, action in [
                    ("startside", voila_config.START_PAGE, None),
                    ("tema-samtalen", "notebooks/01-samtalen.ipynb", None),
                    ("tema-samtalen-quiz", "notebooks/01-samtalen.ipynb", "quiz"),
                    ("tema-samtalen-simulering", "notebooks/01-samtalen.ipynb", "chat"),
                ]:
                    page.goto(f"{base}/voila/render/{path}")
                    page.wait_for_selector(".ts-widget", timeout=60_000)
                    page.wait_for_timeout(1500)
                    target = page
                    if action == "quiz":
                        quiz = page.locator(".ts-quiz-item").first
                        quiz.locator("input").nth(1).check()
                        quiz.get_by_role("button", name="Sjekk svaret").click()
                        page.wait_for_selector(".ts-verdict")
                        target = quiz
                    elif action == "chat":
                        chat = page.locator(".ts-chat")
                        chat.locator(".ts-choice").first.click()
                        page.wait_for_selector(".ts-chat-feedback li")
                        chat.locator("textarea").fill("Det høres ut som kveldene er lange. Hvordan er de for deg?")
                        chat.locator("textarea").press("Enter")
                        page.wait_for_timeout(800)
                        target = chat
                    target.screenshot(path=str(out / f"{name}.png"))
                    print(f"Lagret {out / f'{name}.png'}")
                browser.close()
        finally:
            server.terminate()
            server.wait(10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
