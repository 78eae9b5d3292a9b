"""The search behind the "can never apply" and "never reached" warnings is exact.

Its answers are checked against a brute-force list of every answer set a person can give, so a
warning is never a guess (a missed warning would hide a rule that cannot fire; a false one would
teach clinicians to ignore warnings).
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from selfcheck.outcome import evaluate
from selfcheck.rules import Answer, Condition, Question, Rules
from selfcheck.rules.reach import (
    all_of,
    answer_is,
    any_of,
    complete,
    negate,
    reach,
    satisfy,
)

QUESTIONS = {
    "started": Question(
        "started",
        "one",
        "When did it start?",
        None,
        tuple(Answer(v, v, w) for v, w in [("days", 3), ("weeks", 2), ("months", 1), ("years", 0)]),
        "Started",
        "Select",
        None,
    ),
    "where": Question(
        "where",
        "many",
        "Where?",
        None,
        tuple(Answer(v, v, 1) for v in ["ankles", "knees", "wrists", "nowhere"]),
        "Where",
        "Select",
        None,
        none_of_these="nowhere",
    ),
    "seen": Question(
        "seen",
        "one",
        "Seen?",
        None,
        tuple(Answer(v, v, 0) for v in ["yes", "no"]),
        "Seen",
        "Select",
        None,
    ),
}


def every_answer(question: Question) -> list[frozenset[str]]:
    """Every answer the form accepts for ``question``."""
    values = [a.value for a in question.answers]
    if question.kind == "one":
        return [frozenset([v]) for v in values]
    others = [v for v in values if v != question.none_of_these]
    found = [
        frozenset(c) for r in range(1, len(others) + 1) for c in itertools.combinations(others, r)
    ]
    return found + ([frozenset([question.none_of_these])] if question.none_of_these else [])


def every_answer_set() -> list[dict[str, frozenset[str]]]:
    names = list(QUESTIONS)
    return [
        dict(zip(names, combo, strict=True))
        for combo in itertools.product(*(every_answer(QUESTIONS[n]) for n in names))
    ]


ALL_ANSWER_SETS = every_answer_set()


def answer_tests(name: str) -> st.SearchStrategy[Condition]:
    values = [a.value for a in QUESTIONS[name].answers]
    return st.sets(st.sampled_from(values), min_size=1).map(lambda chosen: answer_is(name, chosen))


leaves = st.one_of(*(answer_tests(name) for name in QUESTIONS))
conditions = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=4).map(any_of),
        st.lists(inner, min_size=1, max_size=4).map(all_of),
        inner.map(negate),
    ),
    max_leaves=12,
)


@pytest.mark.no_cover  # measured by the tests beside it; coverage doubles its time
@settings(max_examples=600, deadline=None)
@given(condition=conditions)
def test_the_search_agrees_with_trying_every_answer_set(condition: Condition):
    found = satisfy(condition, QUESTIONS)
    possible = any(condition.holds(answers) for answers in ALL_ANSWER_SETS)
    assert (found is not None) == possible
    if found is not None:
        for name, chosen in found.items():
            assert chosen in every_answer(QUESTIONS[name]), "only answers the form accepts"
        # Any answers to the questions the search left open keep the condition true.
        for answers in ALL_ANSWER_SETS:
            if all(answers[name] == chosen for name, chosen in found.items()):
                assert condition.holds(answers)


def test_none_of_these_is_only_tried_on_its_own():
    # "nowhere" together with "ankles" is not an answer a person can give.
    condition = all_of([answer_is("where", ["nowhere"]), answer_is("where", ["ankles"])])
    assert satisfy(condition, QUESTIONS) is None
    assert satisfy(answer_is("where", ["nowhere"]), QUESTIONS) == {"where": frozenset(["nowhere"])}


def test_a_one_answer_question_cannot_have_two_answers():
    condition = all_of([answer_is("started", ["days"]), answer_is("started", ["weeks"])])
    assert satisfy(condition, QUESTIONS) is None


def test_the_search_stays_fast_on_wide_conditions():
    # Twenty questions with ten answers each: 10**20 answer sets, far too many to try one by one.
    many = {
        f"q{i}": Question(
            f"q{i}",
            "one",
            "?",
            None,
            tuple(Answer(f"a{j}", "a", 0) for j in range(10)),
            "s",
            "e",
            None,
        )
        for i in range(20)
    }
    # True only when q19 is both a0 and a1: impossible, and the search must prove it.
    condition = all_of(
        [
            *(answer_is(f"q{i}", ["a0"]) for i in range(19)),
            answer_is("q19", ["a0"]),
            negate(answer_is("q19", ["a0"])),
        ]
    )
    assert satisfy(condition, many) is None
    wide = any_of(answer_is(f"q{i}", ["a9"]) for i in range(20))
    found = satisfy(wide, many)
    assert found is not None and wide.holds(found)


# --------------------------------------------------------------------------------------------
# On the shipped rules: every example the search finds really leads where it says


def test_every_level_cause_and_rule_of_the_shipped_rules_is_reached(rules: Rules):
    found = reach(rules)
    for level in rules.levels:
        example = found.levels[level.id]
        assert example is not None, level.id
        assert evaluate(rules, complete(rules, example)).level is level
    for cause in rules.causes:
        example = found.causes[cause.id]
        assert example is not None, cause.id
        listed = [c.cause.id for c in evaluate(rules, complete(rules, example)).causes]
        assert cause.id in listed
    for rule in rules.urgency_rules:
        example = found.rules[rule.id]
        assert example is not None, rule.id
        assert rule.when.holds(complete(rules, example))


@pytest.mark.parametrize("level_id", ["emergency", "urgent", "soon", "routine"])
def test_an_example_answer_set_is_complete_and_valid(rules: Rules, level_id: str):
    example = complete(rules, reach(rules).levels[level_id] or {})
    assert set(example) == set(rules.questions)
    for question in rules.questions.values():
        chosen = example[question.id]
        assert chosen <= question.values
        if question.kind == "one":
            assert len(chosen) == 1
