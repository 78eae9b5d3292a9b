"""Write PNGs of every page and state at 375 and 1280 px into docs/screenshots/.

Run with `make screenshots`. The states are the table the browser tests check
(tests/browser/states.py), in English and again in Spanish and Arabic (es-…, ar-…), so a page
added there is drawn here too. The printed summary is drawn
page by page (with pdftoppm) on A4 and US Letter as Chromium prints it, and as the PDF download,
so a person can look at everything the app shows without running it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page, sync_playwright

from .browser.states import LANGUAGES, STATES, TRANSLATED, State, text_zoom
from .testing.browser import CHROMIUM, CHROMIUM_ARGS, browser_app
from .testing.servers import in_thread

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
WIDTHS = (375, 1280)
#: Shown larger too: at 320 px wide, and with text at twice its size on a phone.
ZOOMED = ("symptoms-with-errors", "outcome-urgent")
#: The outcome whose printed summary is drawn page by page.
PRINTED = "print-urgent"
#: States not drawn whole: the review page with every part open is the whole rule set, some
#: 170,000 px tall; its parts closed (rules-*.png), an item (rules-review-item-1280.png) and
#: its printed pages (rules-print-*.png) show it.
NOT_DRAWN = {"rules-every-part-open"}


def save(page: Page, name: str) -> None:
    """A full-page screenshot, kept small: 256 colours are plenty for these pages."""
    path = OUT / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    small(path)
    print(f"wrote {path.name}")


def small(path: Path) -> None:
    with Image.open(path) as image:
        reduced = image.convert("RGB").quantize(colors=256, dither=Image.Dither.NONE)
    reduced.save(path, optimize=True)


def pdf_pages(pdf: bytes, name: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "page.pdf"
        path.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", "90", "-png", str(path), str(OUT / name)], check=True)
    for png in sorted(OUT.glob(f"{name}-*.png")):
        small(png)
        print(f"wrote {png.name}")


def main() -> int:
    if not shutil.which("pdftoppm"):
        print("pdftoppm is missing: run `make screenshots`, which installs poppler-utils")
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.png"):
        old.unlink()
    by_name = {state.name: state for state in [*STATES, *TRANSLATED]}
    with in_thread(browser_app(), quiet=True) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for width in WIDTHS:
            context = browser.new_context(base_url=base, viewport={"width": width, "height": 900})
            page = context.new_page()
            for state in [*STATES, *TRANSLATED]:
                if state.name in NOT_DRAWN:
                    continue
                state.open(page)
                save(page, f"{state.name}-{width}")
            context.close()
        page = browser.new_page(base_url=base, viewport={"width": 320, "height": 900})
        for name in ZOOMED:
            by_name[name].open(page)
            save(page, f"{name}-320")
        page.set_viewport_size({"width": 375, "height": 900})
        for name in ZOOMED:
            by_name[name].open(page)
            with text_zoom(page, 2):
                save(page, f"{name}-375-text-200")
        printed: State = by_name[PRINTED]
        printed.open(page)
        for paper in ("A4", "Letter"):
            pdf_pages(page.pdf(format=paper), f"{PRINTED}-{paper.lower()}")
        printed.open(page)
        page.emulate_media(media="screen")
        with page.expect_download() as download:
            page.get_by_role("button", name="Download the summary (PDF)").click()
        pdf_pages(Path(download.value.path()).read_bytes(), "summary-pdf")
        # The printed summary and the PDF in each language, Arabic set right to left.
        for code in LANGUAGES:
            printed = by_name[f"{code}-{PRINTED}"]
            printed.open(page)
            pdf_pages(page.pdf(format="A4"), f"{code}-{PRINTED}-a4")
            printed.open(page)
            page.emulate_media(media="screen")
            with page.expect_download() as download:
                page.locator("button[value=pdf]").click()
            pdf_pages(Path(download.value.path()).read_bytes(), f"{code}-summary-pdf")
        # The review page as docs/rules.md shows it: an item opened by its anchor, and the first
        # two printed pages (a clinician prints and signs the whole document).
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto("/rules#rule-not_checked_yet")
        path = OUT / "rules-review-item-1280.png"
        page.screenshot(path=str(path))
        small(path)
        print(f"wrote {path.name}")
        page.emulate_media(media="print")
        pdf_pages(page.pdf(format="A4", page_ranges="1-2"), "rules-print")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
