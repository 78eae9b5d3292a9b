"""How a question page is put together, for the views and for the pieces made at start-up."""

from __future__ import annotations

from collections.abc import Sequence

from flask import render_template

from selfcheck.answers import shown_pages
from selfcheck.rules import Page, Question, Rules

#: A question as a page shows it: the answers chosen, and the message of what is wrong, or "".
Field = tuple[Question, list[str], str]


def question_page(
    page: Page,
    fields: Sequence[Field],
    carried: Sequence[tuple[str, str]] = (),
    step: int = 1,
    steps: int = 1,
) -> str:
    """A page of questions, each with the answers chosen and its error message (or ""), and
    the answers of the other pages carried in hidden fields; page ``step`` of ``steps``."""
    return render_template(
        "page.html",
        page=page,
        fields=fields,
        carried=carried,
        step=step,
        steps=steps,
        errors=[(question.id, error) for question, _, error in fields if error],
    )


def first_question_page(rules: Rules) -> str:
    """The emergency check as every visitor first sees it."""
    page = rules.pages[0]
    steps = len(shown_pages(rules, {}))
    return question_page(page, [(q, [], "") for q in page.questions], step=1, steps=steps)
