"""Which answers make a condition true: an exact search, so a warning that something can never
happen is proved, never guessed.

A condition of rules.yaml is a formula over question tests ("the answer to Q is one of V").
:func:`satisfy` finds answers a person could really give (one answer to a "one" question; one or
more to a "many" question, its "None of these" answer only on its own) that make a condition
true, or proves that there are none.

It is a small backtracking search. Each question is tried only with the answers that make a
difference to the condition (answers the condition cannot tell apart are tried once), and a
branch is dropped as soon as the answers chosen so far decide the condition. The search is
exhaustive, so "None" is a proof; it is fast on rule sets of the size clinicians write.

Plain Python, no web framework. It stands with the rules because the loader proves its warnings
with it (:mod:`selfcheck.rules.checks`); :mod:`selfcheck.changes` uses it to find answers whose
advice changes between two rule sets.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from selfcheck.rules.model import NONE_OF_THESE, RED_FLAGS, Condition, Question, Rules, Urgency

Choice = frozenset[str]


def answer_is(question: str, values: Iterable[str]) -> Condition:
    """The condition "the answer to ``question`` is (or includes) one of ``values``"."""
    return Condition("is", question=question, values=frozenset(values))


def any_of(terms: Iterable[Condition]) -> Condition:
    return Condition("any", terms=tuple(terms))


def all_of(terms: Iterable[Condition]) -> Condition:
    return Condition("all", terms=tuple(terms))


def negate(term: Condition) -> Condition:
    return Condition("not", terms=(term,))


# --------------------------------------------------------------------------------------------
# The answers worth trying for one question


def _tests(condition: Condition) -> dict[str, list[frozenset[str]]]:
    """Every distinct set of values that ``condition`` tests, by question."""
    found: dict[str, list[frozenset[str]]] = {}
    stack = [condition]
    while stack:
        node = stack.pop()
        if node.op == "is":
            tested = found.setdefault(node.question, [])
            if node.values not in tested:
                tested.append(node.values)
        stack.extend(node.terms)
    return found


def choices(question: Question, tested: list[frozenset[str]]) -> list[Choice]:
    """The answers to ``question`` a person can give, one for each different way they can
    meet the tests in ``tested``. Answers that meet the same tests are tried only once."""
    signature = {a.value: tuple(a.value in values for values in tested) for a in question.answers}
    if question.kind == "one":
        one: dict[tuple[bool, ...], Choice] = {}
        for value, meets in signature.items():
            one.setdefault(meets, frozenset([value]))
        return list(one.values())
    none = question.none_of_these
    # Ticking several boxes meets every test that one of them meets: grow the combinations
    # from single boxes until no new way of meeting the tests appears.
    many: dict[tuple[bool, ...], Choice] = {}
    singles: dict[tuple[bool, ...], str] = {}
    for value, meets in signature.items():
        if value != none:
            singles.setdefault(meets, value)
    frontier = [(meets, frozenset([value])) for meets, value in singles.items()]
    while frontier:
        meets, chosen = frontier.pop()
        if meets in many:
            continue
        many[meets] = chosen
        for other, value in singles.items():
            joined = tuple(a or b for a, b in zip(meets, other, strict=True))
            if joined not in many:
                frontier.append((joined, chosen | {value}))
    found = list(many.values())
    if none is not None and signature[none] not in many:
        found.append(frozenset([none]))
    return found


# --------------------------------------------------------------------------------------------
# The search


def _value(condition: Condition, chosen: Mapping[str, Choice]) -> bool | None:
    """True or False once ``chosen`` decides ``condition``, None while it does not yet."""
    if condition.op == "is":
        answer = chosen.get(condition.question)
        return None if answer is None else not condition.values.isdisjoint(answer)
    if condition.op == "not":
        inner = _value(condition.terms[0], chosen)
        return None if inner is None else not inner
    undecided = False
    for term in condition.terms:
        value = _value(term, chosen)
        if value is None:
            undecided = True
        elif value is (condition.op == "any"):
            return value
    return None if undecided else condition.op == "all"


def _undecided(condition: Condition, chosen: Mapping[str, Choice]) -> str | None:
    """A question that the condition still needs, from the first term not yet decided."""
    if condition.op == "is":
        return condition.question if condition.question not in chosen else None
    for term in condition.terms:
        if _value(term, chosen) is None:
            return _undecided(term, chosen)
    return None


def satisfy(condition: Condition, questions: Mapping[str, Question]) -> dict[str, Choice] | None:
    """Answers a person could give that make ``condition`` true, or None if there are none.

    The answers cover the questions the condition decides on; any answer to the others will do.
    Every question the condition names must be in ``questions``.
    """
    options = {name: choices(questions[name], tested) for name, tested in _tests(condition).items()}
    chosen: dict[str, Choice] = {}

    def search() -> bool:
        value = _value(condition, chosen)
        if value is not None:
            return value
        name = _undecided(condition, chosen)
        assert name is not None  # an undecided condition always needs another question
        for choice in options[name]:
            chosen[name] = choice
            if search():
                return True
        del chosen[name]
        return False

    return dict(chosen) if search() else None


def exactly(question: Question, chosen: Choice) -> Condition:
    """The condition "the answer to ``question`` is ``chosen``, no more and no less"."""
    if question.kind == "one":
        return answer_is(question.id, chosen)
    terms = [answer_is(question.id, [value]) for value in sorted(chosen)]
    others = question.values - chosen
    if others:
        terms.append(negate(answer_is(question.id, others)))
    return all_of(terms)


def essential(
    condition: Condition, questions: Mapping[str, Question], example: Mapping[str, Choice]
) -> dict[str, Choice]:
    """``example`` cut down to the answers that matter: ``condition`` still holds whatever a
    person answers to the questions left out (each cut is proved by the search)."""
    kept = dict(example)
    for name in list(example):
        trial = {k: v for k, v in kept.items() if k != name}
        fixed = all_of(exactly(questions[k], v) for k, v in trial.items())
        if satisfy(all_of([fixed, negate(condition)]), questions) is None:
            kept = trial
    return kept


# --------------------------------------------------------------------------------------------
# What the rules can lead to


def no_red_flag() -> Condition:
    """The person ticked "None of these" on the emergency check."""
    return answer_is(RED_FLAGS, [NONE_OF_THESE])


def when_listed(rules: Rules, cause_id: str) -> Condition:
    """When a cause is listed as worth discussing (causes are not listed after a red flag)."""
    cause = next(c for c in rules.causes if c.id == cause_id)
    if cause.when is not None:
        return all_of([no_red_flag(), cause.when])
    others = [c.when for c in rules.causes if c.when is not None]
    return all_of([no_red_flag(), negate(any_of(others))])


def when_advised(rules: Rules, level: Urgency) -> Condition:
    """When the advice is ``level``: the most urgent level among the red flags ticked and the
    urgency rules that apply, or the default level when none applies."""
    flags = [f.id for f in rules.red_flags if f.leads_to.rank == level.rank]
    more_urgent = [r.when for r in rules.urgency_rules if r.level.rank < level.rank]
    ways = [
        all_of([no_red_flag(), rule.when, negate(any_of(more_urgent))])
        for rule in rules.urgency_rules
        if rule.level.rank == level.rank
    ]
    if level.rank == rules.default_level.rank:
        ways.append(all_of([no_red_flag(), negate(any_of(r.when for r in rules.urgency_rules))]))
    if flags:
        ways.append(answer_is(RED_FLAGS, flags))
    return any_of(ways)


@dataclass(frozen=True)
class Reach:
    """What a rule set can lead to, each with answers that lead there (None: nothing does)."""

    levels: Mapping[str, dict[str, Choice] | None]
    causes: Mapping[str, dict[str, Choice] | None]
    rules: Mapping[str, dict[str, Choice] | None]


def reach(rules: Rules) -> Reach:
    """Search for answers that reach every urgency level, list every cause, and make every
    urgency rule apply."""
    questions = rules.questions
    return Reach(
        levels={level.id: satisfy(when_advised(rules, level), questions) for level in rules.levels},
        causes={
            cause.id: satisfy(when_listed(rules, cause.id), questions) for cause in rules.causes
        },
        rules={rule.id: satisfy(rule.when, questions) for rule in rules.urgency_rules},
    )


def complete(rules: Rules, partial: Mapping[str, Choice]) -> dict[str, Choice]:
    """``partial`` with every other question given its least worrying answer."""
    answers = dict(partial)
    for question in rules.questions.values():
        if question.id not in answers:
            calmest = min(question.answers, key=lambda a: a.worry)
            answers[question.id] = frozenset([question.none_of_these or calmest.value])
    return answers
