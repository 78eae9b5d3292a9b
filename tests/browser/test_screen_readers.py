"""What a screen reader announces, read from Chromium's accessibility tree. Every question a
named group with its hint and error, the result heard first, and the landmarks and language of
every page are checked on each state in test_accessibility.py, which opens each state once for
all its checks; here, the checks that change the page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from selfcheck.answers import asked
from selfcheck.rules import Rules

from ..testing.answers import SOON, as_sets
from .states import STATES

pytestmark = pytest.mark.browser


def test_the_red_flag_error_is_read_with_its_question(page: Page, rules: Rules):
    state = next(s for s in STATES if s.name == "emergency-check-with-errors")
    state.open(page)
    group = page.get_by_role("group", name=rules.pages[0].questions[0].text)
    expect(group).to_have_accessible_description(re.compile(r"Error: Select the signs"))


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
