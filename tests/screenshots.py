"""Write PNGs of every page and state at 375 and 1280 px into docs/screenshots/.

Run with `make screenshots`. The PDF summary is also drawn page by page (with pdftoppm), so a
person can look at everything the app shows without running it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, sync_playwright
from pypdf import PdfReader
from werkzeug.serving import make_server

from selfcheck import create_app

from .answers import ROUTINE, SOON, URGENT_MEDICINE
from .browser.conftest import CHROMIUM, CHROMIUM_ARGS
from .browser.test_journey_in_chromium import answer

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
WIDTHS = (375, 1280)


def to_outcome(answers: dict[str, object]) -> Callable[[Page], None]:
    def go(page: Page) -> None:
        page.goto("/check")
        page.get_by_label("None of these").check()
        page.get_by_role("button", name="Continue").click()
        answer(page, answers)
        page.get_by_role("button", name="Continue").click()
        answer(page, answers)
        page.get_by_role("button", name="Continue").click()
    return go


def emergency(page: Page) -> None:
    page.goto("/check")
    page.get_by_label("Signs of a stroke").check()
    page.get_by_role("button", name="Continue").click()


def with_errors(page: Page) -> None:
    page.goto("/check")
    page.get_by_label("None of these").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Yes").first.check()
    page.get_by_role("button", name="Continue").click()


STATES: dict[str, Callable[[Page], None]] = {
    "start": lambda page: page.goto("/") and None,
    "emergency-check": lambda page: page.goto("/check") and None,
    "emergency-outcome": emergency,
    "symptoms-with-errors": with_errors,
    "outcome-urgent": to_outcome(URGENT_MEDICINE),
    "outcome-soon": to_outcome(SOON),
    "outcome-routine": to_outcome(ROUTINE),
    "privacy": lambda page: page.goto("/privacy") and None,
    "not-found": lambda page: page.goto("/no-such-page") and None,
}


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    app = create_app({"SECRET_KEY": "screenshots"})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for width in WIDTHS:
            context = browser.new_context(base_url=base, viewport={"width": width, "height": 900})
            page = context.new_page()
            for name, go in STATES.items():
                go(page)
                page.screenshot(path=str(OUT / f"{name}-{width}.png"), full_page=True)
                print(f"wrote {name}-{width}.png")
            to_outcome(URGENT_MEDICINE)(page)
            page.emulate_media(media="print")
            page.screenshot(path=str(OUT / f"print-view-{width}.png"), full_page=True)
            # The rules review page is long: its top, and an item cited by its anchor.
            page.emulate_media(media="screen")
            page.goto("/rules")
            page.screenshot(path=str(OUT / f"rules-review-{width}.png"))
            page.goto("/rules#rule-not_checked_yet")
            page.screenshot(path=str(OUT / f"rules-review-item-{width}.png"))
            print(f"wrote rules-review-{width}.png, rules-review-item-{width}.png")
            context.close()
        page = browser.new_page(base_url=base, accept_downloads=True)
        to_outcome(URGENT_MEDICINE)(page)
        with page.expect_download() as download:
            page.get_by_role("button", name="Download the summary (PDF)").click()
        with tempfile.TemporaryDirectory() as tmp:
            pdf = Path(tmp) / "summary.pdf"
            download.value.save_as(pdf)
            if shutil.which("pdftoppm"):
                for old in OUT.glob("summary-pdf-*.png"):
                    old.unlink()
                subprocess.run(["pdftoppm", "-r", "70", "-png", str(pdf),
                                str(OUT / "summary-pdf")], check=True)
                print("wrote summary-pdf-*.png")
                # The rules review page as printed to sign: the first two pages and the last.
                page.goto("/rules")
                printed = Path(tmp) / "rules.pdf"
                page.pdf(path=str(printed), format="A4")
                for old in OUT.glob("rules-print-*.png"):
                    old.unlink()
                for first in ("1", "2"):
                    subprocess.run(["pdftoppm", "-r", "70", "-png", "-singlefile", "-f", first,
                                    "-l", first, str(printed), str(OUT / f"rules-print-{first}")],
                                   check=True)
                last = str(len(PdfReader(str(printed)).pages))
                subprocess.run(["pdftoppm", "-r", "70", "-png", "-singlefile", "-f", last, "-l",
                                last, str(printed), str(OUT / "rules-print-last")], check=True)
                print("wrote rules-print-*.png")
        browser.close()
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
