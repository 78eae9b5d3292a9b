"""What a person may answer to a question, which questions they are asked, and when they have
answered enough to see the outcome.

One home for these rules, asked by the pages (:mod:`selfcheck.web.forms`), the evaluation
(:mod:`selfcheck.outcome`), the clinicians' scenarios (:mod:`selfcheck.scenarios`) and the
comparison of two rule sets (:mod:`selfcheck.changes`), so they can never disagree. Each says
what is wrong in its own words: a person reads "Select only one answer", a clinician reads which
scenario and line.

Plain Python, no web framework.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence

from selfcheck.rules import RED_FLAGS, Answers, Contradiction, Page, Question, Rules

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


def is_asked(question: Question, answers: Answers) -> bool:
    """Whether ``question`` is asked of a person who gave ``answers`` on the earlier pages."""
    return question.ask_when is None or question.ask_when.holds(answers)


def asked(rules: Rules, answers: Answers) -> dict[str, frozenset[str]]:
    """``answers`` without the answers to questions that are not asked: a question whose
    ``ask_when`` does not hold on the answers of the earlier pages has no answer, whatever the
    form carried (a person who goes back and changes an earlier answer may leave one behind)."""
    kept = dict(answers)
    # In the order they are asked: a question depends only on earlier pages, whose answers
    # are settled by then.
    for question in rules.asked_sometimes:
        if question.id in kept and not is_asked(question, kept):
            del kept[question.id]
    return kept


def not_asked(rules: Rules, answers: Answers) -> set[str]:
    """The questions that a person who gave ``answers`` will not be asked, whatever they answer
    next: those whose ``ask_when`` the answers so far already make false."""
    known: dict[str, frozenset[str]] = asked(rules, answers)
    found = set()
    for question in rules.asked_sometimes:
        assert question.ask_when is not None
        if question.id not in known and question.ask_when.decided(known) is False:
            # For the questions after it, a question not asked has an empty answer.
            known[question.id] = frozenset()
            found.add(question.id)
    return found


def shown_pages(rules: Rules, answers: Answers) -> list[Page]:
    """The pages a person who gave ``answers`` is shown, or may yet be: all but those none of
    whose questions will be asked."""
    skipped = not_asked(rules, answers)
    return [page for page in rules.pages if any(q.id not in skipped for q in page.questions)]


def pages_in_all(rules: Rules, answers: Answers) -> int | None:
    """How many pages of questions a person who gave ``answers`` is shown, or None while a
    page may or may not be: one with no question sure to be asked and one whose ``ask_when``
    the answers so far leave open. The count of the pages that may be shown would fall as the
    answers rule pages out (and so, after Back, on a page seen before), and a count of those
    sure to be shown would rise: neither is the number a person can rely on. Advice to get
    help at once can still end the check sooner (:func:`emergency_due`)."""
    known = dict(asked(rules, answers))
    known.update((skipped, frozenset()) for skipped in not_asked(rules, answers))
    count = 0
    for page in rules.pages:
        fates = {
            True if question.ask_when is None else question.ask_when.decided(known)
            for question in page.questions
        }
        if True in fates:
            count += 1
        elif None in fates:
            return None
    return count


def clashes(rules: Rules, page: Page, answers: Answers) -> list[Contradiction]:
    """The contradictions of ``page`` that ``answers`` make true."""
    mine = {q.id for q in page.questions}
    return [c for c in rules.contradictions if c.question in mine and c.when.holds(answers)]


def red_flag_ticked(rules: Rules, answers: Answers) -> bool:
    """Whether a red flag of ``rules`` is among the answers to the emergency check."""
    ticked = answers.get(RED_FLAGS, frozenset())
    return any(flag.id in ticked for flag in rules.red_flags)


def only_red_flags(rules: Rules, values: Sequence[str]) -> list[str]:
    """``values`` sent for the emergency check, with "None of these" and "I'm not sure" left
    out when a red flag is among them: shaking hands may tick both, and the sign wins."""
    flags = [value for value in values if any(flag.id == value for flag in rules.red_flags)]
    return flags or list(values)


def emergency_due(rules: Rules, answers: Answers) -> bool:
    """Whether ``answers`` already lead to the most urgent advice, whatever is still to come:
    a red flag, or a rule of the most urgent level that the answers so far decide, whatever
    the questions still to come are answered (a question that will not be asked counts as
    unanswered, with no answer). The person then sees the advice at once."""
    if red_flag_ticked(rules, answers):
        return True
    known = dict(asked(rules, answers))
    known.update((skipped, frozenset()) for skipped in not_asked(rules, answers))
    return any(
        rule.level is rules.emergency and rule.when.decided(known) is True
        for rule in rules.urgency_rules
    )


def unanswered(rules: Rules, answers: Answers) -> list[Question]:
    """The questions still to answer before the outcome, in the order they are asked: those
    asked of a person who gave ``answers`` that have none.

    None once the most urgent advice is due (see :func:`emergency_due`): the person then sees
    the emergency advice at once."""
    if emergency_due(rules, answers):
        return []
    given = asked(rules, answers)
    return [q for q in rules.questions.values() if q.id not in given and is_asked(q, given)]


def finished(rules: Rules, answers: Answers) -> bool:
    """Whether ``answers`` lead to the outcome: a red flag ticked, or every question answered."""
    return not unanswered(rules, answers)
