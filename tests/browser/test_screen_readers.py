"""What a screen reader announces, read from Chromium's accessibility tree: every question a
named group, hints and errors read with their questions, the result heard first."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from selfcheck.answers import asked
from selfcheck.rules import Rules

from ..testing.answers import SOON, as_sets
from .states import OUTCOMES, STATES, State

pytestmark = pytest.mark.browser

QUESTION_PAGES = [
    s
    for s in STATES
    if s.name.startswith(
        (
            "emergency-check",
            "about",
            "child",
            "symptoms",
            "strength",
            "how-you-are-now",
            "other-recent-signs",
            "fit",
            "onset",
            "background",
            "medicines",
            "pregnancy",
        )
    )
]
RESULTS = [s for s in STATES if s.name.removeprefix("outcome-") in OUTCOMES]


@pytest.mark.parametrize("state", QUESTION_PAGES, ids=[s.name for s in QUESTION_PAGES])
def test_every_question_is_a_named_group_with_its_hint_and_error(
    page: Page, rules: Rules, state: State
):
    state.open(page)
    page_id = page.locator("input[name=page]").get_attribute("value")
    questions = [q for p in rules.pages if p.id == page_id for q in p.questions]
    assert questions
    # A question asked only after some answers (ask_when) may be left out; the rest never is.
    shown = [
        q
        for q in questions
        if q.ask_when is None or page.get_by_role("group", name=q.text, exact=True).count()
    ]
    errors = {q.id: f"Error: {q.error}" for q in shown if state.name.endswith("-with-errors")}
    if state.name.endswith("-that-clash"):
        errors = {c.question: f"Error: {c.message}" for c in rules.contradictions}
    for question in shown:
        group = page.get_by_role("group", name=question.text, exact=True)
        expect(group).to_have_count(1)
        described = [question.hint or "", errors.get(question.id, "")]
        expected = " ".join(part for part in described if part)
        if expected:
            expect(group).to_have_accessible_description(expected)
        role = "radio" if question.kind == "one" else "checkbox"
        for answer in question.answers:
            control = group.get_by_role(role, name=answer.label, exact=True)  # type: ignore[arg-type]
            expect(control).to_have_count(1)
            if answer.hint:
                expect(control).to_have_accessible_description(answer.hint)


def test_the_red_flag_error_is_read_with_its_question(page: Page, rules: Rules):
    state = next(s for s in STATES if s.name == "emergency-check-with-errors")
    state.open(page)
    group = page.get_by_role("group", name=rules.pages[0].questions[0].text)
    expect(group).to_have_accessible_description(re.compile(r"Error: Select the signs"))


@pytest.mark.parametrize("state", RESULTS, ids=[s.name for s in RESULTS])
def test_the_result_is_the_first_heading(page: Page, rules: Rules, state: State):
    """After the page title, the first heading a screen reader reaches says how soon to get
    help, and it is the only first-level heading."""
    state.open(page)
    heading = OUTCOMES[state.name.removeprefix("outcome-")][0]
    level = next(lvl for lvl in rules.levels if lvl.heading.format(emergency_number=999) == heading)
    first = page.get_by_role("heading").first
    expect(first).to_have_text(level.heading.replace("{emergency_number}", "999"))
    assert first.evaluate("h => h.tagName") == "H1"
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    # Nothing but the caption comes before it in the main content, as a screen reader reads it
    # (the lines to write on are on paper only: hidden on screen).
    before = page.locator("main").evaluate(
        "main => { const h1 = main.querySelector('h1'); const out = [];"
        " const walk = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);"
        " while (walk.nextNode()) { const text = walk.currentNode;"
        "   if (!(h1.compareDocumentPosition(text) & Node.DOCUMENT_POSITION_PRECEDING)) break;"
        "   if (text.parentElement.checkVisibility() && text.data.trim())"
        "     out.push(text.data.trim()); }"
        " return out.join(' '); }"
    )
    assert before == "Your result: how soon to get a medical evaluation"


@pytest.mark.parametrize(
    "state",
    [s for s in STATES if s.media == "screen"],
    ids=[s.name for s in STATES if s.media == "screen"],
)
def test_landmarks_and_language(page: Page, state: State):
    state.open(page)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    for role in ("banner", "main", "contentinfo"):
        expect(page.get_by_role(role)).to_have_count(1)
    expect(page.get_by_role("link", name="Skip to main content")).to_have_attribute("href", "#main")


def test_each_change_button_says_which_answer(page: Page, rules: Rules):
    """One Change button for each question the person was asked, and none for the others
    (for example when other nerve symptoms started, after "none of these")."""
    next(s for s in STATES if s.name == "outcome-soon").open(page)
    page.locator("summary", has_text="Your answers").click()
    told = asked(rules, as_sets(SOON))
    assert "nerve_started" not in told
    for question in rules.questions.values():
        expect(
            page.get_by_role(
                "button",
                name=f"Change your answer to: {question.summary}",
                exact=True,
            )
        ).to_have_count(1 if question.id in told else 0)
