"""How a question page is put together, for the views and for the pieces made at start-up."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import render_template

from selfcheck.answers import pages_in_all
from selfcheck.rules import Page, Question, Rules

#: A question as a page shows it: the answers chosen, and the message of what is wrong, or "".
Field = tuple[Question, list[str], str]


def question_page(
    page: Page,
    fields: Sequence[Field],
    carried: Sequence[tuple[str, str]] = (),
    step: int = 1,
    steps: int | None = None,
    pieces: Any = None,
) -> str:
    """A page of questions, each with the answers chosen and its error message (or ""), and
    the answers of the other pages carried in hidden fields; page ``step`` of ``steps``, or of
    a number not yet known (None);
    ``pieces``: the questions ready made in the page's language (pieces.py)."""
    return render_template(
        "page.html",
        pieces=pieces,
        page=page,
        fields=fields,
        carried=carried,
        step=step,
        steps=steps,
        # Each link of the list of problems leads to its question's first answer.
        errors=[(q.id, q.answers[0].value, error) for q, _, error in fields if error],
    )


def first_question_page(rules: Rules, pieces: Any) -> str:
    """The emergency check as every visitor first sees it, made with ``pieces`` (those of the
    page's language, see pieces.py)."""
    page = rules.pages[0]
    steps = pages_in_all(rules, {})
    fields: list[Field] = [(q, [], "") for q in page.questions]
    return question_page(page, fields, step=1, steps=steps, pieces=pieces)
