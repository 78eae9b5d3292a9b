"""The whole check in a browser with JavaScript switched off: scripts only ever help."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from ..testing.answers import SOON
from .states import ADULT_PAGES, RED_FLAG, answer, proceed

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    """A phone-sized page in a browser context where no script runs."""
    context = browser.new_context(
        base_url=base_url,
        java_script_enabled=False,
        viewport={"width": 375, "height": 667},
        accept_downloads=True,
    )
    yield context.new_page()
    context.close()


def heading(page: Page) -> str:
    return page.get_by_role("heading", level=1).inner_text()


def test_scripts_are_really_off(page: Page):
    page.goto("/check")
    page.get_by_label(RED_FLAG).check()
    page.get_by_label("None of these").check()
    # With scripts, ticking "None of these" unticks the other boxes; here nothing does.
    expect(page.get_by_label(RED_FLAG)).to_be_checked()


def test_the_whole_check_without_javascript(page: Page):
    page.goto("/")
    with page.expect_navigation():
        page.get_by_role("button", name="Start now").click()
    assert heading(page) == "Check for emergency signs"

    # The server, not a script, keeps "None of these" apart from "I'm not sure".
    page.get_by_label("I'm not sure if there is one of these signs").check()
    page.get_by_label("None of these").check()
    proceed(page)
    expect(page).to_have_title("Error: Step 1 – Self-check")
    expect(page.locator(".error-summary")).to_contain_text(
        'Select "None of these" on its own, or untick it'
    )
    page.get_by_label("I'm not sure if there is one of these signs").uncheck()
    proceed(page)

    for title in ADULT_PAGES:
        assert heading(page) == title
        answer(page, SOON)
        proceed(page)
    assert heading(page) == "Book an appointment with a doctor in the next few days or weeks"
    # The Print button needs a script, so it stays hidden; the words say how to print.
    expect(page.get_by_role("button", name="Print this page")).to_be_hidden()
    expect(page.get_by_text("use your browser's Print option")).to_be_visible()

    page.locator("summary", has_text="Your answers").click()
    proceed(page, "Change your answer to: When they started")
    assert heading(page) == "When it started"
    expect(page.get_by_label("In the last few months", exact=True)).to_be_checked()
    page.get_by_label("In the last few days", exact=True).check()
    proceed(page)
    assert heading(page) == "Contact a doctor or urgent care today"
    expect(page.get_by_text("Your symptoms started in the last few days.")).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("button", name="Download the summary (PDF)").click()
    with open(download.value.path(), "rb") as pdf:
        reader = PdfReader(io.BytesIO(pdf.read()))
    assert "Contact a doctor or urgent care today" in reader.pages[0].extract_text()


def test_a_red_flag_without_javascript(page: Page):
    page.goto("/check")
    page.get_by_label(RED_FLAG).check()
    # Ticked with "None of these" too (nothing unticks it without a script): the sign wins.
    page.get_by_label("None of these").check()
    proceed(page)
    assert heading(page) == "Call 999 now"
    expect(page.get_by_role("link", name="Call 999")).to_have_attribute("href", "tel:999")
