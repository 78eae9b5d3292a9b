"""Evaluate a person's answers against the rules: how soon to be seen, and what to discuss.

Plain Python, no web framework. The result never says what a person has: it says how soon to get
a medical evaluation, and which conditions are *known to be linked* to what they said, with the
answers that led to each.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

from selfcheck.answers import asked
from selfcheck.rules import (
    RED_FLAGS,
    Answers,
    Cause,
    Question,
    RedFlag,
    Rules,
    Urgency,
    UrgencyRule,
    most_urgent,
)


class Because(NamedTuple):
    """One question and the answers the person gave to it."""

    question: Question
    labels: tuple[str, ...]

    @property
    def said(self) -> str:
        """The answers in words, as a person reads them back: "Numbness, Tingling"."""
        return ", ".join(self.labels)


class Reason(NamedTuple):
    """Why the urgency is what it is: a rule's plain reason and the answers behind it."""

    level: Urgency
    text: str
    because: tuple[Because, ...]


class LinkedCause(NamedTuple):
    """A condition worth discussing, and the answers that led to it (empty for "no cause")."""

    cause: Cause
    because: tuple[Because, ...]


@dataclass(frozen=True, slots=True)
class Outcome:
    """Everything the outcome page and the printed summary show."""

    level: Urgency
    red_flags: tuple[RedFlag, ...]
    reasons: tuple[Reason, ...]
    causes: tuple[LinkedCause, ...]
    other_causes: tuple[Cause, ...]
    answers: tuple[Because, ...]
    #: The words that answer "does clonus go away?" for this person; none: the section is not
    #: shown (see :meth:`selfcheck.rules.GoesAway.text_for`).
    goes_away: tuple[str, ...] = ()
    #: The guidance on filming an episode for the clinician, when the rules' condition holds;
    #: never with emergency advice, where the one thing to do is to call.
    filming: tuple[str, ...] = ()

    @property
    def emergency(self) -> bool:
        """Whether the advice is the most urgent level, however it was reached (a red flag
        on the first page, or a rule on a later one). The page then shows the emergency advice
        and why, and nothing that could hold the person up (see templates/_summary.html)."""
        return self.level.is_most_urgent

    @property
    def explained(self) -> tuple[Reason, ...]:
        """The reasons shown under "Why we say this": those of the rules that set the level.
        A rule of a lower level would say, for example, "checked today" under "Call 999 now"."""
        return tuple(reason for reason in self.reasons if reason.level == self.level)

    @property
    def listed(self) -> tuple[LinkedCause, ...]:
        """The causes the person is shown as worth discussing: none with emergency advice."""
        return () if self.emergency else self.causes


_NOTHING: frozenset[str] = frozenset()


def _because(rules: Rules, said: Mapping[str, frozenset[str]]) -> tuple[Because, ...]:
    questions = rules.questions
    found = []
    for question_id, chosen in said.items():
        question = questions[question_id]
        if len(chosen) == 1:  # most answers: their words are ready made
            for value in chosen:
                found.append(Because(question, question.words.get(value, ())))
        else:
            found.append(Because(question, question.labels(chosen)))
    return tuple(found)


def _advice(
    rules: Rules, answers: Answers
) -> tuple[tuple[RedFlag, ...], list[UrgencyRule], Urgency]:
    """The red flags ticked, the urgency rules that apply and the level they give, for answers
    already cut to the questions asked."""
    ticked = answers.get(RED_FLAGS, frozenset())
    flags = tuple(flag for flag in rules.red_flags if flag.id in ticked)
    applied = [rule for rule in rules.urgency_rules if rule.when.holds(answers)]
    level = most_urgent(
        [r.level for r in applied] + [f.leads_to for f in flags], rules.default_level
    )
    return flags, applied, level


def level_of(rules: Rules, answers: Answers) -> Urgency:
    """The level :func:`evaluate` gives ``answers``, worked out the same way (one function
    decides it for both), without the reasons, causes and words: for the safety proofs, which
    try tens of thousands of answer sets."""
    return _advice(rules, asked(rules, answers))[2]


def evaluate(rules: Rules, answers: Answers) -> Outcome:
    """The outcome of a complete set of answers.

    The level is the most urgent of every red flag ticked and every urgency rule that applies;
    the default level only when none applies, so a rule may also set a level below the default
    (for example "already checked and stable"). Answers to questions that are not asked are
    left out first (see :func:`selfcheck.answers.asked`).
    """
    answers = asked(rules, answers)
    flags, applied, level = _advice(rules, answers)
    reasons = tuple(
        Reason(rule.level, rule.reason, _because(rules, rule.when.because(answers)))
        for rule in sorted(applied, key=lambda r: r.level.rank)
    )
    if not reasons and not flags:
        # Every level says why, the default too.
        reasons = (Reason(level, rules.default_reason, ()),)
    linked = []
    for cause in rules.causes:
        if cause.when is not None and cause.when.holds(answers):
            linked.append(LinkedCause(cause, _because(rules, cause.when.because(answers))))
    if not linked:
        linked = [LinkedCause(c, ()) for c in rules.causes if c.when is None]
    shown = {item.cause.id for item in linked}
    return Outcome(
        level=level,
        red_flags=flags,
        reasons=reasons,
        causes=tuple(linked),
        other_causes=tuple(c for c in rules.causes if c.id not in shown),
        answers=_because(rules, {q: answers[q] for q in rules.questions if q in answers}),
        goes_away=rules.goes_away.text_for(answers),
        filming=()
        if rules.filming is None or level.is_most_urgent
        else rules.filming.text_for(answers),
    )
