"""The browser's own Back button, with and without JavaScript: from every step it shows the step
before with its answers, never "Confirm Form Resubmission" (ERR_CACHE_MISS), and Forward and
Reload work too."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from ..testing.answers import PREGNANT, SOON
from .states import SERVICE, answer, proceed

pytestmark = pytest.mark.browser


@pytest.fixture(params=[True, False], ids=["javascript", "no-javascript"])
def page(request: pytest.FixtureRequest, browser: Browser, base_url: str) -> Iterator[Page]:
    context = browser.new_context(
        base_url=base_url,
        java_script_enabled=request.param,
        viewport={"width": 375, "height": 667},
    )
    yield context.new_page()
    context.close()


def shown(page: Page) -> str:
    """What the browser shows: the page's title, or the error Chromium shows instead."""
    assert not page.url.startswith("chrome-error:"), f"an error page instead of {page.url}"
    return page.title()


def without_total(title: str) -> str:
    """A page's title without the number of steps: "Step 3 of 10 – Self-check" becomes
    "Step 3 – Self-check". A page gives the number only once the answers decide it, so a
    page seen again after Back may give it where it gave none before (never another one)."""
    return re.sub(r" of \d+ – ", " – ", title)


def total(title: str) -> int | None:
    """The number of steps a title gives, or None."""
    found = re.search(r" of (\d+) – ", title)
    return int(found[1]) if found else None


def ticked(page: Page) -> list[str]:
    return page.locator("input:checked").evaluate_all("boxes => boxes.map(box => box.id)")


def test_back_from_every_step_shows_the_step_before_with_its_answers(page: Page):
    """Every page a pregnant person is asked, then the result: Back from each, then Forward."""
    page.goto("/check")
    seen: list[tuple[str, list[str]]] = []
    while page.get_by_role("button", name="Continue").count():
        answer(page, PREGNANT)
        seen.append((shown(page), ticked(page)))
        proceed(page)
    result = shown(page)
    assert result == f"Contact a doctor or urgent care today – {SERVICE}"
    assert len(seen) == 11
    for title, answers in reversed(seen):
        page.go_back()
        assert without_total(shown(page)) == without_total(title)
        assert ticked(page) == answers, f"the answers of {title}"
        # Every page seen again knows how many steps there are: as many as were shown.
        assert total(shown(page)) == len(seen), shown(page)
        assert total(title) in (None, len(seen)), title
    for title, _ in seen[1:]:
        page.go_forward()
        assert without_total(shown(page)) == without_total(title)
    page.go_forward()
    assert shown(page) == result
    page.reload()
    assert shown(page) == result


def test_back_after_a_page_with_errors_and_after_a_change(page: Page):
    page.goto("/check")
    answer(page, SOON)
    proceed(page)
    proceed(page)  # nothing answered on the second page
    expect(page).to_have_title(f"Error: Step 2 – {SERVICE}")
    answer(page, SOON)
    proceed(page)
    expect(page).to_have_title(f"Step 3 – {SERVICE}")
    page.go_back()
    # Step 2 as last sent: well answered now, so without the errors (the number of steps is
    # not known yet: whether the page about a fit comes depends on a later answer).
    assert shown(page) == f"Step 2 – {SERVICE}"
    assert ticked(page)
    page.go_forward()
    assert shown(page) == f"Step 3 – {SERVICE}"
    # The in-page Back button, then the browser's own.
    proceed(page, "Back to the last step")
    assert shown(page) == f"Step 2 – {SERVICE}"
    page.go_back()
    assert shown(page) == f"Step 3 – {SERVICE}"
