"""Exit this page in Chromium (issue 22): the button and Shift pressed three times replace the
page with a plain one, delete the answers, and leave the page out of the tab's Back history;
without JavaScript the link alone does all but the last. Its looks (axe, focus, target size,
320 px, Arabic) are checked in every state of STATES, where the plain page is a state too."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from ..testing.answers import SOON
from .states import SERVICE, answer, proceed

pytestmark = pytest.mark.browser


def context_page(browser: Browser, base_url: str, javascript: bool) -> Iterator[Page]:
    context = browser.new_context(
        base_url=base_url, java_script_enabled=javascript, viewport={"width": 375, "height": 667}
    )
    yield context.new_page()
    context.close()


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    yield from context_page(browser, base_url, javascript=True)


@pytest.fixture
def page_without_scripts(browser: Browser, base_url: str) -> Iterator[Page]:
    yield from context_page(browser, base_url, javascript=False)


def three_pages_answered(page: Page) -> None:
    """The emergency check, the page about the person and the symptoms, answered in the browser:
    the fourth page on screen, three of the check's own before it in the tab's history."""
    page.goto("/check")
    for _ in range(3):
        answer(page, SOON)
        proceed(page)
    expect(page).to_have_title(f"Step 4 – {SERVICE}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Strength, balance and feeling")


def history_length(page: Page) -> int:
    return int(page.evaluate("history.length"))


def cookie_names(page: Page) -> set[str]:
    return {cookie["name"] for cookie in page.context.cookies()}


def left_with_nothing_behind(page: Page) -> None:
    """The plain page shows, no cookie of the check is left, and Back from it shows no answer."""
    expect(page).to_have_title("Today")
    assert page.url.endswith("/leave")
    assert cookie_names(page) == set()
    page.go_back()
    expect(page).to_have_title(f"Step 1 – {SERVICE}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check for emergency signs")
    expect(page.locator("input:checked")).to_have_count(0)


def test_the_button_replaces_the_page_in_the_history(page: Page):
    three_pages_answered(page)
    before = history_length(page)
    assert {"selfcheck", "selfcheck-answers"} <= cookie_names(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Exit this page").first.click()
    assert history_length(page) == before, "the page left was replaced, not added to"
    left_with_nothing_behind(page)


def test_shift_three_times_leaves(page: Page):
    three_pages_answered(page)
    status = page.locator("[data-exit-status]")
    page.keyboard.press("Shift")
    expect(status).to_have_text("Press Shift 2 more times to exit this page.")
    page.keyboard.press("Shift")
    expect(status).to_have_text("Press Shift 1 more time to exit this page.")
    # Another key between the presses starts the count again.
    page.keyboard.press("Tab")
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    page.wait_for_timeout(300)
    assert page.url.endswith("/check/4"), "two presses since the other key: still here"
    with page.expect_navigation():
        page.keyboard.press("Shift")
    left_with_nothing_behind(page)


def test_shift_pressed_slowly_does_not_leave(page: Page):
    """Three presses more than 5 seconds apart are not the shortcut: a person who uses Shift
    to type capitals now and then is not sent away."""
    page.clock.install()
    three_pages_answered(page)
    for _ in range(3):
        page.keyboard.press("Shift")
        page.clock.run_for(5100)
    page.wait_for_timeout(300)
    assert page.url.endswith("/check/4")
    expect(page.locator("[data-exit-status]")).to_have_text("")


def test_the_keyboard_reaches_the_button_first(page: Page):
    three_pages_answered(page)
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to main content")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Exit this page")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    left_with_nothing_behind(page)


def test_in_arabic_the_button_sits_at_the_left(page: Page):
    """Right to left, the button is at the end of the line: on the left."""
    page.goto("/ar/check")
    box = page.locator(".exit-bar .exit").bounding_box()
    assert box and box["x"] < 375 / 2, box
    page.goto("/check")
    box = page.locator(".exit-bar .exit").bounding_box()
    assert box and box["x"] > 375 / 2, box


def test_without_javascript_the_link_still_leaves(page_without_scripts: Page):
    page = page_without_scripts
    three_pages_answered(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Exit this page").first.click()
    # The link adds the plain page to the history, as any link does; the page left is fetched
    # again by Back, and with the answers gone it is the empty first page.
    left_with_nothing_behind(page)
