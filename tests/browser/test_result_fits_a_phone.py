"""The result on a 375 by 667 px phone: the first screen says what to do (the whole advice) and
holds the one way to keep it (the PDF to bring); the whole page is short enough to read, with
the long sections folded, and the clinic's record is lower down, in a part of its own."""

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
EVERY_RESULT = [*RESULTS, *TRANSLATED_RESULTS]


def bottom(page: Page, selector: str) -> float:
    """Where the bottom edge of the first element ``selector`` finds is drawn, from the top of
    the page as opened (nothing scrolled); it must be drawn at all."""
    found = page.locator(selector).first
    assert found.evaluate("e => e.checkVisibility()"), f"{selector} is not drawn"
    return float(found.evaluate("e => e.getBoundingClientRect().bottom"))


@pytest.mark.parametrize("state", EVERY_RESULT, ids=[s.name for s in EVERY_RESULT])
def test_the_first_screen_holds_the_whole_advice_and_the_pdf_to_bring(page: Page, state: State):
    page.set_viewport_size(PHONE)
    state.open(page)
    expect(page).to_have_title(state.title)
    if not state.prefix:
        heading = OUTCOMES[state.name.removeprefix("outcome-")][0]
        expect(page).to_have_title(f"{heading} – {SERVICE}")
    screen = PHONE["height"]
    # The box of the advice holds the heading and every line of advice: all of it in view.
    advice = page.locator(".urgency")
    expect(advice.locator("h1")).to_have_count(1)
    expect(advice.locator(".advice-first")).to_have_count(1)
    lines = page.evaluate("[...document.querySelectorAll('.urgency li')].length")
    assert bottom(page, ".urgency li:last-child" if lines else ".advice-first") <= screen
    assert bottom(page, ".urgency") <= screen, f"the advice ends at {bottom(page, '.urgency')} px"
    pdf = page.locator("button[value=pdf]")
    assert bottom(page, "button[value=pdf]") <= screen, "Download the summary (PDF)"
    # Nothing splits the advice: the buttons come after all of it.
    assert page.locator(".urgency button[value=pdf], .urgency .js-print").count() == 0
    emergency = state.name.endswith("outcome-emergency")
    classes = (pdf.get_attribute("class") or "").split()
    # One primary button, green like Continue; with emergency advice, the call is the one.
    assert ("button-secondary" in classes) == emergency, classes
    if emergency:
        assert "button-warning" in (page.locator("a[href^='tel:']").get_attribute("class") or "")
    # Print is the secondary action, right after the PDF.
    keep = page.locator(".actions-keep button:visible")
    expect(keep).to_have_count(2)
    expect(keep.nth(0)).to_have_attribute("value", "pdf")
    expect(keep.nth(1)).to_have_class("button button-secondary js-print")


@pytest.mark.parametrize("state", EVERY_RESULT, ids=[s.name for s in EVERY_RESULT])
def test_the_clinics_record_is_lower_down_in_a_part_of_its_own(page: Page, state: State):
    page.set_viewport_size(PHONE)
    state.open(page)
    record = page.locator("button[value=fhir]")
    expect(record).to_have_count(1)
    # Not among the person's own buttons, and below all of the advice and the answers.
    assert page.locator(".actions-keep button[value=fhir]").count() == 0
    part = page.locator(".for-clinician")
    expect(part.locator("h2")).to_have_count(1)
    expect(part.locator("button[value=fhir]")).to_have_count(1)
    assert bottom(page, ".for-clinician h2") > PHONE["height"]
    assert bottom(page, ".for-clinician") > bottom(page, "#your-answers")
    # It says what the QR code on the PDF holds: two paragraphs of plain words before the button.
    expect(part.locator("p")).to_have_count(2)
    # Then, last, the rules' version and status in small print.
    foot = page.locator(".rules-foot")
    assert bottom(page, ".rules-foot") > bottom(page, ".for-clinician")
    expect(foot).to_contain_text("0.1.0")
    size = foot.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    body = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert size < body, "small print"


@pytest.mark.parametrize("state", RESULTS, ids=[s.name for s in RESULTS])
def test_the_whole_result_is_at_most_half_as_long_as_before(page: Page, state: State):
    page.set_viewport_size(PHONE)
    state.open(page)
    assert page.locator("details[open]").count() == 0, "every long section folded"
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= LENGTH_BEFORE / 2, f"{height} px"
