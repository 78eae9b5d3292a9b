"""Which items of the rules read which questions, worked out from the loaded rules' conditions:
the links between the items of the review page (:mod:`selfcheck.outline`).

A question's "Used by" names every urgency rule, cause, contradiction, question asked only
sometimes, and text shown only for some answers that reads it (:func:`used_by`), and each of
those lists the questions it reads with the answers it looks for (:func:`reads`). Each is a
:class:`Line`: its words, and the anchor of the item it links to.

Plain Python, no web framework.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from selfcheck.rules import Condition, Question, Rules

#: A question that nothing reads, in its "Used by".
NOT_USED = "nothing: the answer only appears on the summary"


@dataclass(frozen=True)
class Line:
    """A line of a list that is also a place to go to (``anchor``: an answer, which the items
    that read it link to) or a link to another item (``link``: a rule that uses a question).
    Its words are ``text``, on the page and in ``rules show`` alike."""

    text: str
    anchor: str = ""
    link: str = ""

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Read:
    """A question that an item reads, linked to it, with the answers it looks for, each linked
    to where that answer is listed (when it is listed: "Not sure" of the emergency check is not
    an item of its own)."""

    question: Line
    answers: tuple[Line, ...]


def question_anchor(rules: Rules, question_id: str) -> str:
    """Where a question is on the page: the emergency check has an item of its own."""
    if question_id == _emergency_question(rules).id:
        return "emergency-check"
    return f"question-{question_id}"


def answer_anchor(rules: Rules, question_id: str, value: str) -> str:
    """Where an answer is on the page: a red flag is an item of its own, any other answer a line
    of its question's answers. "" for an answer listed nowhere on its own (the emergency
    check's "None of these" and "Not sure", which its item names)."""
    if question_id == _emergency_question(rules).id:
        return f"red-flag-{value}" if any(f.id == value for f in rules.red_flags) else ""
    return f"answer-{question_id}-{value}"


def _emergency_question(rules: Rules) -> Question:
    return rules.pages[0].questions[0]


@dataclass(frozen=True)
class User:
    """An item whose conditions read answers: its ``anchor``, its ``name`` in a question's
    "Used by", and its conditions."""

    anchor: str
    name: str
    conditions: tuple[Condition, ...]


def users(rules: Rules) -> tuple[User, ...]:
    """Every item whose conditions read answers, in the order "Used by" lists them: the urgency
    rules, the causes, the questions asked only sometimes, the contradictions, then the texts
    shown only for some answers."""
    found = [User(f"rule-{r.id}", f'urgency rule "{r.id}"', (r.when,)) for r in rules.urgency_rules]
    found += [
        User(f"cause-{c.id}", f'cause "{c.id}"', (c.when,))
        for c in rules.causes
        if c.when is not None
    ]
    found += [
        User(f"question-{q.id}", f'question "{q.id}" (when it is asked)', (q.ask_when,))
        for q in rules.asked_sometimes
        if q.ask_when is not None
    ]
    found += [
        User(f"contradiction-{c.id}", f'contradiction "{c.id}"', (c.when,))
        for c in rules.contradictions
    ]
    away = rules.goes_away
    shown = ([away.when] if away.when is not None else []) + [when for when, _ in away.variants]
    if shown:
        found.append(User("goes-away", f'the text "{away.heading}"', tuple(shown)))
    if rules.filming is not None:
        film = rules.filming
        found.append(User("filming-guidance", f'the text "{film.heading}"', (film.when,)))
    return tuple(found)


def _looked_for(condition: Condition, found: dict[str, set[str]]) -> None:
    """Each question ``condition`` tests, in the order it first appears, with the answers it
    looks for."""
    for test in condition.tests():
        found.setdefault(test.question, set()).update(test.values)


def reads(rules: Rules, conditions: Sequence[Condition]) -> tuple[Read, ...]:
    """The questions ``conditions`` read, each linked to its item, with the answers they look
    for in the order the question lists them."""
    found: dict[str, set[str]] = {}
    for condition in conditions:
        _looked_for(condition, found)
    result = []
    for question_id, values in found.items():
        question = rules.questions[question_id]
        answers = tuple(
            Line(f'"{answer.label}"', link=answer_anchor(rules, question_id, answer.value))
            for answer in question.answers
            if answer.value in values
        )
        link = question_anchor(rules, question_id)
        result.append(Read(Line(f'question "{question_id}"', link=link), answers))
    return tuple(result)


def used_by(rules: Rules) -> dict[str, tuple[Line, ...]]:
    """For each question id, the items that read its answers, each a line that links to it.
    A question no item reads is left out: its answer only appears on the summary."""
    found: dict[str, list[Line]] = {}
    for user in users(rules):
        for question_id in {q for condition in user.conditions for q in condition.questions()}:
            found.setdefault(question_id, []).append(Line(user.name, link=user.anchor))
    return {question_id: tuple(lines) for question_id, lines in found.items()}
