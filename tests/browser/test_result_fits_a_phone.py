"""The result on a 375 by 667 px phone: the first screen says what to do and how to keep it,
and the whole page is short enough to read, with the long sections folded."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from .states import OUTCOMES, SERVICE, STATES, TRANSLATED, State

pytestmark = pytest.mark.browser

PHONE = ViewportSize(width=375, height=667)

#: The urgent result at 375 px before the sections folded (issue 12): 8,740 px.
LENGTH_BEFORE = 8740

RESULTS = [s for s in STATES if s.name.removeprefix("outcome-") in OUTCOMES]
#: The same results in Spanish and Arabic: longer words, and a header that names the other
#: languages.
TRANSLATED_RESULTS = [s for s in TRANSLATED if s.name.split("-", 1)[1] in {r.name for r in RESULTS}]


def in_first_screen(page: Page, selector: str) -> bool:
    return bool(
        page.locator(selector).first.evaluate(
            "e => e.checkVisibility() && e.getBoundingClientRect().bottom <= innerHeight"
        )
    )


@pytest.mark.parametrize(
    "state", [*RESULTS, *TRANSLATED_RESULTS], ids=[s.name for s in [*RESULTS, *TRANSLATED_RESULTS]]
)
def test_the_first_screen_holds_the_advice_and_the_ways_to_keep_it(page: Page, state: State):
    page.set_viewport_size(PHONE)
    state.open(page)
    expect(page).to_have_title(state.title)
    if not state.prefix:
        heading = OUTCOMES[state.name.removeprefix("outcome-")][0]
        expect(page).to_have_title(f"{heading} – {SERVICE}")
    assert in_first_screen(page, "h1")
    assert in_first_screen(page, ".advice-first"), "the first line of advice"
    assert in_first_screen(page, "button[value=pdf]"), "Download the summary (PDF)"
    if not state.name.endswith("outcome-emergency"):
        # With emergency advice, all of the advice comes before them.
        assert in_first_screen(page, ".js-print"), "Print this page"


@pytest.mark.parametrize("state", RESULTS, ids=[s.name for s in RESULTS])
def test_the_whole_result_is_at_most_half_as_long_as_before(page: Page, state: State):
    page.set_viewport_size(PHONE)
    state.open(page)
    assert page.locator("details[open]").count() == 0, "every long section folded"
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= LENGTH_BEFORE / 2, f"{height} px"
