"""Advice and conditions that change for *some* answers: an exact search (see
:mod:`selfcheck.rules.reach`) for answers that got one urgency level before and another now, or
that list a condition before and not now, with one such set of answers. "None found" is a
proof, not a sample."""

from __future__ import annotations

from collections.abc import Mapping

from selfcheck.changes.items import by_id
from selfcheck.changes.topics import Change
from selfcheck.rules import RED_FLAGS, Rules
from selfcheck.rules.conditions import quoted
from selfcheck.rules.reach import (
    Choice,
    all_of,
    essential,
    negate,
    possible,
    satisfy,
    when_advised,
    when_listed,
)


def _same_answers(old: Rules, new: Rules) -> list[str]:
    """Questions asked by both files whose answers differ (an answer set means something else
    in each file then, so the search cannot compare them)."""
    differ = []
    for ident, b in new.questions.items():
        a = old.questions.get(ident)
        # Red flags added or removed are safe to search over: an answer that ticks a red flag
        # one file does not have meets no level of that file, so it is never reported.
        if (
            ident != RED_FLAGS
            and a is not None
            and (a.kind, a.values, a.none_of_these) != (b.kind, b.values, b.none_of_these)
        ):
            differ.append(ident)
    return differ


def _example(rules: Rules, answers: Mapping[str, Choice]) -> tuple[str, ...]:
    lines = []
    for ident, chosen in answers.items():
        question = rules.questions[ident]
        lines.append(f"{quoted(question.text)}: {', '.join(map(quoted, question.labels(chosen)))}")
    return tuple(lines) + ("(any answers to the other questions)",)


LESS_URGENT, NOT_SEARCHED = "LESS URGENT", "Not searched"  # how lowered advice is said


def lowered(old: Rules, new: Rules) -> list[Change]:
    """Answer sets given less urgent advice by ``new`` than by ``old`` (or why not searched)."""
    return [c for c in found(old, new) if c.says.startswith((LESS_URGENT, NOT_SEARCHED))]


def found(old: Rules, new: Rules) -> list[Change]:
    differ = _same_answers(old, new)
    if differ:
        names = ", ".join(f'"{q}"' for q in differ)
        return [
            Change(
                f"{NOT_SEARCHED}: the answers of {names} differ between the files, so the "
                "same answers cannot be compared; see the scenarios below"
            )
        ]
    questions = {**old.questions, **new.questions}
    rank = {lvl.id: lvl.rank for lvl in new.levels}
    # Only answers that the pages of both files accept: one a contradiction refuses has no
    # outcome there (the contradictions themselves are compared above).
    sendable = all_of([possible(old), possible(new)])
    found = []
    for a in old.levels:
        for b in new.levels:
            if a.id == b.id:
                continue
            both = all_of([when_advised(old, a), when_advised(new, b)])
            example = satisfy(all_of([both, sendable]), questions)
            if example is None:
                continue
            example = essential(both, questions, example, within=sendable)
            direction = (
                LESS_URGENT
                if a.id in rank and rank[a.id] < b.rank
                else "more urgent"
                if a.id in rank
                else "different"
            )
            found.append(
                (
                    a.id not in rank or rank[a.id] >= b.rank,
                    Change(
                        f'{direction}: some answers that got "{a.name}" now get "{b.name}"',
                        (("For example", _example(new, example)),),
                    ),
                )
            )
    before, after = by_id(old.causes), by_id(new.causes)
    for ident in (i for i in after if i in before):
        name = after[ident].name
        for was, now, words in ((old, new, "no longer listed"), (new, old, "now listed")):
            differs = all_of([when_listed(was, ident), negate(when_listed(now, ident))])
            example = satisfy(all_of([differs, sendable]), questions)
            if example is not None:
                example = essential(differs, questions, example, within=sendable)
                found.append(
                    (
                        True,
                        Change(
                            f'Cause "{ident}" ({name}) is {words} for some answers',
                            (("For example", _example(new, example)),),
                        ),
                    )
                )
    return [change for _, change in sorted(found, key=lambda pair: pair[0])]
