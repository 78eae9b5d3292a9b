"""The journey a person takes, in a real browser, at a phone's width and a desktop's."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from ..answers import SOON

pytestmark = pytest.mark.browser

WIDTHS = {"phone": 375, "desktop": 1280}


def answer(page: Page, answers: dict[str, object]) -> None:
    """Tick every answer of ``answers`` that is on the page, by clicking its label."""
    for name, value in answers.items():
        for one in [value] if isinstance(value, str) else value:  # type: ignore[union-attr]
            box = page.locator(f"#q-{name}-{one}")
            if box.count():
                page.locator(f"label[for='q-{name}-{one}']").click()


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_a_red_flag_shows_emergency_advice_first(page: Page, width: int):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/")
    page.get_by_role("button", name="Start now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check for emergency signs")
    page.get_by_label("Signs of a stroke").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Call 999 now")
    expect(page).to_have_title("Your result: Emergency – Clonus self-check")


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_the_whole_questionnaire_to_an_outcome(page: Page, width: int):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/check")
    page.get_by_label("None of these").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your symptoms")
    answer(page, SOON)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your health background")
    answer(page, SOON)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Book an appointment with a doctor in the next few days")
    # No sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_none_of_these_unticks_the_other_boxes(page: Page):
    page.goto("/check")
    page.get_by_label("Signs of a stroke").check()
    page.get_by_label("None of these").check()
    expect(page.get_by_label("Signs of a stroke")).not_to_be_checked()


def test_the_pdf_downloads(page: Page):
    page.goto("/check")
    page.get_by_label("Signs of a stroke").check()
    page.get_by_role("button", name="Continue").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the summary (PDF)").click()
    assert download.value.suggested_filename.startswith("clonus-self-check-")
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
