"""The whole check with the keyboard only: Tab, Shift+Tab, Space and Enter (and the arrow keys,
which move between the answers of one radio question), as a person who cannot use a mouse."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from playwright.sync_api import Locator, Page, ViewportSize, expect

from ..testing.answers import SOON
from .states import ADULT_PAGES, LANGUAGES, STATES, TRANSLATED, State, text_zoom

pytestmark = pytest.mark.browser

#: The pages with errors, in English, Spanish and Arabic: the error summary takes the focus in
#: each (the Spanish and Arabic pages' other keyboard checks: the whole check below, per
#: language; every state's focus rings are checked in test_accessibility.py).
WITH_ERRORS = [state for state in [*STATES, *TRANSLATED] if state.name.endswith("-with-errors")]
#: A phone and a desktop window.
WINDOWS: dict[str, ViewportSize] = {
    "phone": {"width": 375, "height": 667},
    "desktop": {"width": 1280, "height": 900},
}

#: Whether the focused element is drawn inside the window, where the person can see it.
FOCUS_IN_VIEW = """() => {
  const focused = document.activeElement;
  if (!focused || focused === document.body) return true;
  const box = focused.getBoundingClientRect();
  return box.bottom > 0 && box.top < innerHeight && box.right > 0 && box.left < innerWidth;
}"""


def focused(control: Locator) -> bool:
    return bool(control.evaluate("element => element === document.activeElement"))


def press(page: Page, key: str) -> None:
    page.keyboard.press(key)
    assert page.evaluate(FOCUS_IN_VIEW), f"after {key}, the focus is out of sight"


def tab_to(page: Page, control: Locator, key: str = "Tab", limit: int = 80) -> None:
    """Press Tab (or Shift+Tab) until ``control`` has the focus, as a person would."""
    for _ in range(limit):
        if focused(control):
            return
        press(page, key)
    raise AssertionError(f"{key} never reached {control}")


def choose(page: Page, question: str, value: str) -> None:
    """Tick a checkbox with Space, or move to a radio answer with the arrow keys."""
    box = page.locator(f"#q-{question}-{value}")
    if box.get_attribute("type") == "checkbox":
        tab_to(page, box)
        press(page, "Space")
    else:
        # Tab stops once on a radio question; the arrow keys move between its answers.
        for _ in range(80):
            if page.evaluate("document.activeElement.name") == question:
                break
            press(page, "Tab")
        for _ in range(10):
            if focused(box):
                break
            press(page, "ArrowDown")
        press(page, "Space")
    expect(box).to_be_checked()


def answer_page(page: Page, answers: Mapping[str, object]) -> None:
    """Answer the questions on the page in their order, then press Enter on Continue."""
    for question in page.locator("fieldset input").evaluate_all(
        "inputs => [...new Set(inputs.map(input => input.name))]"
    ):
        values = answers[question]
        for value in [values] if isinstance(values, str) else values:  # type: ignore[attr-defined]
            choose(page, question, value)
    enter(page, page.locator("button[value=next]"))


def enter(page: Page, control: Locator, key: str = "Tab") -> None:
    """Tab to a button or link and press Enter, and wait for the page it opens."""
    tab_to(page, control, key)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_the_whole_check_by_keyboard(page: Page):
    page.set_viewport_size(WINDOWS["phone"])
    page.goto("/")
    # The first Tab shows the skip link; Enter on it jumps over the header to the content.
    press(page, "Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert focused(skip)
    expect(skip).to_be_in_viewport()
    press(page, "Enter")
    expect(page.locator("main")).to_be_focused()
    # First the link of the sentence that says what the check covers, then "Start now",
    # which looks like a button, so it answers to Space as a button does.
    press(page, "Tab")
    assert focused(page.locator(".scope a"))
    press(page, "Tab")
    start = page.get_by_role("button", name="Start now")
    assert focused(start)
    with page.expect_navigation():
        page.keyboard.press("Space")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check for emergency signs")

    # Continue with nothing ticked: the focus goes to the list of problems.
    enter(page, page.get_by_role("button", name="Continue"))
    expect(page.locator(".error-summary")).to_be_focused()
    press(page, "Tab")
    press(page, "Enter")
    expect(page.locator("#q-red_flags-breathing_trouble")).to_be_focused()
    choose(page, "red_flags", "none")
    enter(page, page.get_by_role("button", name="Continue"))

    for title in ADULT_PAGES:
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        answer_page(page, SOON)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Book an appointment with a doctor in the next few days or weeks"
    )
    expect(page.locator(".cause h3")).to_have_text(["Multiple sclerosis (MS)"])

    # Change an answer: open the folded answers with Enter, then on to the right Change button.
    tab_to(page, page.get_by_role("button", name="Download the summary (PDF)"))
    tab_to(page, page.locator("summary", has_text="Your answers"))
    press(page, "Enter")
    expect(page.locator("#your-answers")).to_have_attribute("open", "")
    enter(page, page.get_by_role("button", name="Change your answer to: When they started"))
    expect(page.get_by_role("heading", level=1)).to_have_text("When it started")
    choose(page, "started", "days")
    enter(page, page.get_by_role("button", name="Continue"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Contact a doctor or urgent care today"
    )
    expect(page.get_by_text("Your symptoms started in the last few days.")).to_be_visible()

    # Open the answers again, change one, and Shift+Tab back up to a checkbox ticked before,
    # to untick it with Space.
    tab_to(page, page.locator("summary", has_text="Your answers"))
    press(page, "Enter")
    enter(page, page.get_by_role("button", name="Change your answer to: Where you notice them"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your symptoms")
    knees = page.locator("#q-where-knees")
    tab_to(page, knees, key="Shift+Tab")
    press(page, "Space")
    expect(knees).not_to_be_checked()
    enter(page, page.get_by_role("button", name="Continue"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Contact a doctor or urgent care today"
    )
    expect(page.locator(".answer").filter(has_text="Where you notice them")).to_contain_text(
        "Ankles or feet"
    )
    expect(page.locator(".answer").filter(has_text="Where you notice them")).not_to_contain_text(
        "Knees"
    )

    # The summary downloads with Enter on its button.
    tab_to(page, page.get_by_role("button", name="Download the summary (PDF)"))
    with page.expect_download() as download:
        press(page, "Enter")
    assert download.value.suggested_filename.endswith(".pdf")


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_whole_check_by_keyboard_in_each_language(page: Page, code: str):
    """In Spanish and in Arabic (right to left), on a phone: the skip link, Start now with
    Space, the list of problems, every page answered with Tab, the arrow keys and Space, to the
    same result as in English, then the PDF with Enter; the focus always in sight."""
    page.set_viewport_size(WINDOWS["phone"])
    page.goto(f"/{code}/")
    press(page, "Tab")
    skip = page.locator(".skip-link")
    assert focused(skip)
    expect(skip).to_be_in_viewport()
    press(page, "Enter")
    expect(page.locator("main")).to_be_focused()
    press(page, "Tab")
    assert focused(page.locator(".scope a"))
    press(page, "Tab")
    start = page.locator("a.button-start")
    assert focused(start)
    with page.expect_navigation():
        page.keyboard.press("Space")
    assert page.url.endswith(f"/{code}/check")
    enter(page, page.locator("button[value=next]"))
    expect(page.locator(".error-summary")).to_be_focused()
    press(page, "Tab")
    press(page, "Enter")
    expect(page.locator("#q-red_flags-breathing_trouble")).to_be_focused()
    choose(page, "red_flags", "none")
    enter(page, page.locator("button[value=next]"))
    for _ in ADULT_PAGES:
        assert f"/{code}/check/" in page.url
        answer_page(page, SOON)
    expect(page.locator("section.urgency-soon")).to_be_visible()
    assert page.url.endswith(f"/{code}/result")
    tab_to(page, page.locator("button[value=pdf]"))
    with page.expect_download() as download:
        press(page, "Enter")
    assert download.value.suggested_filename.endswith(".pdf")


@pytest.mark.parametrize("state", WITH_ERRORS, ids=[s.name for s in WITH_ERRORS])
def test_the_focus_moves_to_the_list_of_problems(page: Page, state: State):
    """The list of problems takes the focus when the page opens (autofocus on a tabindex=-1
    element), so a screen reader reads it first and the next Tab goes to its first link."""
    state.open(page)
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_be_in_viewport()
    press(page, "Tab")
    expect(summary.get_by_role("link").first).to_be_focused()


#: Where a question's first answer and its question text are, after following a link.
SHOWN = """id => {
  const input = document.getElementById(id);
  const legend = input.closest('fieldset').querySelector('legend').getBoundingClientRect();
  const box = input.getBoundingClientRect();
  return {focused: document.activeElement === input, questionTop: legend.top,
          answerTop: box.top, answerBottom: box.bottom, height: innerHeight};
}"""


@pytest.mark.parametrize("scripts", [True, False], ids=["with-javascript", "without-javascript"])
@pytest.mark.parametrize("window", WINDOWS.values(), ids=WINDOWS.keys())
@pytest.mark.parametrize("zoom", [1, 2], ids=["text-100", "text-200"])
def test_each_problem_link_leads_to_its_question(browser, base_url, scripts, window, zoom):
    """Enter on a link in the list of problems puts the focus on the question's first answer,
    in view, with the question itself in view above it; or, when the two do not fit in the
    window together (large text on a phone), with the question filling the window above it.

    Without scripts, CSS alone places the answer mid-window: the whole question shows at the
    usual text size; with text at 200% on a phone the top of a long question can be above the
    window, but the question still fills the upper half."""
    context = browser.new_context(base_url=base_url, viewport=window, java_script_enabled=scripts)
    try:
        page = context.new_page()
        state = next(s for s in WITH_ERRORS if s.name == "symptoms-with-errors")
        state.open(page)
        links = page.locator(".error-summary a")
        assert links.count() >= 5  # one for each question of the page
        with text_zoom(page, zoom):
            for i in range(links.count()):
                page.evaluate("scrollTo(0, 0)")
                link = links.nth(i)
                link.focus()
                press(page, "Enter")
                target = str(link.get_attribute("href")).removeprefix("#")
                shown = page.evaluate(SHOWN, target)
                assert shown["focused"], target
                assert 0 <= shown["answerTop"] and shown["answerBottom"] <= shown["height"], (
                    target,
                    shown,
                )
                fits = shown["answerBottom"] - shown["questionTop"] <= shown["height"]
                if fits and (scripts or zoom == 1):
                    assert shown["questionTop"] >= 0, (target, shown)
                else:  # the question fills at least the top 40% of the window
                    assert shown["answerTop"] >= 0.4 * shown["height"], (target, shown)
    finally:
        context.close()
