"""What a person may answer to a question, and when they have answered enough to see the outcome.

One home for both rules, asked by the pages (:mod:`selfcheck.web.forms`), the clinicians'
scenarios (:mod:`selfcheck.scenarios`) and the comparison of two rule sets
(:mod:`selfcheck.changes`), so the three can never disagree. Each says what is wrong in its own
words: a person reads "Select only one answer", a clinician reads which scenario and line.

Plain Python, no web framework.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence

from selfcheck.rules import RED_FLAGS, Answers, Question, Rules

#: Longest value accepted for any answer; every real answer id is far shorter.
MAX_VALUE_LENGTH = 64


class Fault(enum.Enum):
    """What is wrong with the answers given to one question."""

    #: Nothing was chosen.
    UNANSWERED = enum.auto()
    #: A value the question does not offer (a changed or forged form, or a typing mistake).
    NOT_OFFERED = enum.auto()
    #: More than one answer to a question that takes one.
    SEVERAL = enum.auto()
    #: "None of these" together with another answer.
    NONE_WITH_OTHERS = enum.auto()


def fault(question: Question, values: Sequence[str]) -> Fault | None:
    """What is wrong with ``values`` as the answer to ``question``, or None if a person could
    give exactly these answers: at least one; each one the question offers; one only for a
    "choose one" question; "None of these" only on its own."""
    if not any(value.strip() for value in values):
        return Fault.UNANSWERED
    if any(len(v) > MAX_VALUE_LENGTH or v not in question.values for v in values):
        return Fault.NOT_OFFERED
    chosen = set(values)
    if question.kind == "one" and len(chosen) > 1:
        return Fault.SEVERAL
    none = question.none_of_these
    if none is not None and none in chosen and len(chosen) > 1:
        return Fault.NONE_WITH_OTHERS
    return None


def offered(question: Question, sent: Iterable[str]) -> list[str]:
    """The values of ``sent`` that ``question`` offers, each once, in the order sent: only the
    first of them for a "choose one" question. What is carried from page to page."""
    values = [v for v in dict.fromkeys(sent) if v in question.values]
    return values[:1] if question.kind == "one" else values


def red_flag_ticked(rules: Rules, answers: Answers) -> bool:
    """Whether a red flag of ``rules`` is among the answers to the emergency check."""
    ticked = answers.get(RED_FLAGS, frozenset())
    return any(flag.id in ticked for flag in rules.red_flags)


def unanswered(rules: Rules, answers: Answers) -> list[Question]:
    """The questions still to answer before the outcome, in the order they are asked.

    None once a red flag is ticked: the person then sees the emergency advice at once."""
    if red_flag_ticked(rules, answers):
        return []
    return [question for question in rules.questions.values() if question.id not in answers]


def finished(rules: Rules, answers: Answers) -> bool:
    """Whether ``answers`` lead to the outcome: a red flag ticked, or every question answered."""
    return not unanswered(rules, answers)
