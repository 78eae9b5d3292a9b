"""Each page of questions on a 375 by 667 px phone, with every question it can ask shown: the
emergency check fits in 3 screens, every other page in 4 (issue 20), in English, Spanish and
Arabic. Before the pages were split, the emergency check took about 3.6 screens, the symptoms
5.5 and the health background 6.3; before its texts were shortened, the Spanish emergency check
took 3.5 screens and its medicines page 4.4.

The heights are measured in Chromium, as a person scrolls them: the whole document, header
and footer included."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from playwright.sync_api import Page

from selfcheck.answers import is_asked
from selfcheck.rules import Rules

from ..testing.answers import as_sets
from ..testing.browser import ContextClient
from ..testing.languages import PREFIX
from ..testing.visitor import Visitor
from .states import LANGUAGES, asks_more, offered

pytestmark = pytest.mark.browser

SCREEN = 667
#: More steps than any journey has: a page asked again and again would stop the loop.
STEPS = range(15)
#: How many screens each page may take; the emergency check, which a person in danger reads
#: first, less than the others.
SCREENS = {"emergency_check": 3}
MOST_SCREENS = 4

#: An adult who ticks something on each page, and so is asked every question of the pages
#: she sees (when the nerve symptoms started and whether they are still there, pregnancy and
#: its signs), without an emergency that would end the questions early.
ADULT: dict[str, str | list[str]] = {
    "red_flags": "none",
    "age": "adult",
    "for_whom": "self",
    "jerking": "yes",
    "reflexes": "yes",
    "stiffness": "yes",
    "pain": "yes",
    "where": ["ankles"],
    "weakness": "yes",
    "balance": "yes",
    "daily_life": "yes",
    "nerve_symptoms": ["one_side"],
    "unwell": ["none"],
    "recent_signs": ["none"],
    "started": "years",
    "worse": "no",
    "nerve_started": "longer",
    "nerve_now": "gone",
    "injury": "no",
    "checked": "cause_found",
    "conditions": ["ms"],
    "pregnancy": "pregnant",
    "medicines": ["none"],
    "medicine_change": ["none"],
    "pregnancy_signs": ["none"],
}
#: The same adult, not pregnant, who had a fit some days ago: the questions about the fit.
AFTER_A_FIT = {
    **ADULT,
    "pregnancy": "no",
    "recent_signs": ["seizure"],
    "fit_when": "days",
    "fit_known": "yes",
    "fit_details": ["none"],
}
#: A child's parent: the questions about how the child is.
CHILD = {**ADULT, "age": "child", "for_whom": "other", "child_signs": ["none"]}


def heights(page: Page, address: str, answers: Mapping[str, object]) -> dict[str, int]:
    """Each page of questions that ``answers`` lead through from the check at ``address``
    (the language's own), by its id: its height in px.

    Each page is drawn in Chromium as it opens, before anything is ticked; its form is then
    sent as the page would send it, from the browser context's own HTTP client
    (states.answered: the same answers, in the same cookie). Answering in Chromium is tested
    in the journeys (test_journey_in_chromium.py, test_keyboard.py)."""
    found = {}
    page.context.clear_cookies()  # a new visitor: no answers ticked already
    visitor = Visitor(ContextClient(page.context.request))
    visitor.open(f"{address}/check")
    for _ in range(len(STEPS)):
        if not asks_more(visitor.html):
            break
        page.goto(visitor.client.url)
        shown = page.locator("input[name=page]").input_value()
        found[shown] = page.evaluate("document.documentElement.scrollHeight")
        form = visitor.form()
        visitor.submit("next", offered(form, answers), form=form)
    assert not asks_more(visitor.html), "the questions came to an end"
    return found


@pytest.mark.parametrize("code", ["en", *LANGUAGES])
def test_every_page_of_questions_fits_in_its_screens(
    page: Page, base_url: str, rules: Rules, code: str
):
    """Each language's own words, at its own address: a translation that runs longer than the
    English makes its pages taller."""
    page.set_viewport_size({"width": 375, "height": SCREEN})
    measured: dict[str, int] = {}
    for answers in (ADULT, AFTER_A_FIT, CHILD):
        given = as_sets(answers)
        for shown, height in heights(page, base_url + PREFIX[code], answers).items():
            # Only with every question of the page asked: the longest it can be.
            if all(is_asked(q, given) for q in rules.page(shown).questions):
                measured[shown] = max(height, measured.get(shown, 0))
    assert set(measured) == {p.id for p in rules.pages}, "each page seen with all its questions"
    too_long = {
        shown: f"{height / SCREEN:.1f} screens ({height} px)"
        for shown, height in measured.items()
        if height > SCREENS.get(shown, MOST_SCREENS) * SCREEN
    }
    assert not too_long, f"{code}: {too_long}"
