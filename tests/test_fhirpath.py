"""The Questionnaire's conditions run by a real FHIRPath engine (fhirpathpy, with its FHIR R4
model) ask each question exactly when the app asks it.

Where FHIR's flat ``enableWhen`` cannot say an ``ask_when``, the exported Questionnaire carries
SDC's ``enableWhenExpression`` (selfcheck/fhir.py, :func:`enable_when_expression`). Every
question's ``ask_when`` is written so here, whether the shipped rules need it or not, and run on
QuestionnaireResponses of generated answer sets: every combination of the answers it depends
on (a fixed sample where they are too many), and the answer sets the SAT search of
selfcheck/rules/reach.py finds at the boundaries (each test of the condition made decisive,
true and false). Each verdict is compared with the app's own: the condition on the same
answers, and ``answers.asked`` on the whole answer set completed as a person could give it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

import pytest
from fhirpathpy import compile as compile_fhirpath
from fhirpathpy.models import models

from selfcheck import fhir
from selfcheck.answers import asked, is_asked
from selfcheck.rules import Condition, Op, Question, Rules, load
from selfcheck.rules.reach import all_of, any_of, complete, negate, satisfy
from selfcheck.rules.reach import asked as asked_when

from .testing.fhir import every_answer_set, valid
from .testing.rules import RULES_FILE

Answers = dict[str, frozenset[str]]

#: Above this many combinations of the answers a question depends on, a fixed sample of
#: SAMPLE is tried (each answer of each question too): the engine takes a few milliseconds
#: for each answer set.
MOST = 2_000
SAMPLE = 600
#: How many tests of a condition, summed over the answer sets it is tried on, at most.
BUDGET = 3_000
#: How many of the generated answer sets are also tried whole, with the answers to every other
#: question (the boundaries always are).
WHOLE = 30

#: True and false, as conditions: "all" of nothing, "any" of nothing.
TRUE, FALSE = all_of([]), any_of([])


@cache
def shipped() -> Rules:
    return load(RULES_FILE)


@cache
def engine(expression: str) -> Callable[..., Any]:
    """``expression`` compiled once by fhirpathpy, with the FHIR R4 model (``answer.value``
    is a choice of types: the model says that ``valueCoding`` is its Coding)."""
    return compile_fhirpath(expression, models["r4"])


def run(expression: str, response: dict[str, Any]) -> bool:
    """What a form filler that runs FHIRPath decides: the expression on the response, with
    ``%resource`` the response, as SDC says."""
    found = engine(expression)(response, {"resource": response})
    assert found in ([True], [False]), f"{expression} gave {found}: not one boolean"
    return bool(found[0])


def response_of(rules: Rules, answers: Answers) -> dict[str, Any]:
    """Every answer of ``answers``, asked or not, in a QuestionnaireResponse grouped by page:
    what a form filler holds while a person answers."""
    groups = []
    for page in rules.pages:
        items = [
            {
                "linkId": q.id,
                "answer": [
                    {
                        "valueCoding": {
                            "system": fhir.system(fhir.DEFAULT_BASE, f"answers-{q.id}"),
                            "code": value,
                        }
                    }
                    for value in sorted(answers[q.id])
                ],
            }
            for q in page.questions
            if answers.get(q.id)
        ]
        if items:
            groups.append({"linkId": fhir.group_id(page.id), "item": items})
    return {"resourceType": "QuestionnaireResponse", "status": "in-progress", "item": groups}


def terms_tested(condition: Condition) -> Iterator[Condition]:
    """Each test ("the answer to Q is one of V") of ``condition``."""
    if condition.op is Op.IS:
        yield condition
    for term in condition.terms:
        yield from terms_tested(term)


def fixed(condition: Condition, test: Condition, value: Condition) -> Condition:
    """``condition`` with ``test`` replaced by TRUE or FALSE (``value``)."""
    if condition == test:
        return value
    if condition.op is Op.IS:
        return condition
    return Condition(condition.op, terms=tuple(fixed(t, test, value) for t in condition.terms))


def boundaries(rules: Rules, condition: Condition) -> Iterator[Answers]:
    """Answers the SAT search finds at the edges of ``condition``: one that makes it true and
    one false; and for each of its tests, answers for which that test alone decides (the
    condition with it true differs from the condition with it false), with the test true and
    with it false."""
    wanted = [condition, negate(condition)]
    for test in dict.fromkeys(terms_tested(condition)):
        on, off = fixed(condition, test, TRUE), fixed(condition, test, FALSE)
        decides = any_of([all_of([on, negate(off)]), all_of([off, negate(on)])])
        wanted += [all_of([decides, test]), all_of([decides, negate(test)])]
    for goal in wanted:
        found = satisfy(goal, rules.questions)
        if found is not None:
            yield found


def compare(rules: Rules, question: Question, expression: str) -> int:
    """Run ``expression`` (the ``ask_when`` of ``question``) on every answer set tried, and
    compare with the app; returns how many answer sets were compared."""
    assert question.ask_when is not None
    depends = sorted(set(question.ask_when.questions()))
    # Each answer set once (a sample may draw one twice).
    generated = list(
        {
            tuple(sorted(a.items())): a for a in every_answer_set(rules, depends, MOST, SAMPLE)
        }.values()
    )
    # The engine's time grows with the number of tests in the condition: past a budget, an
    # evenly spread part of the generated sets (all of them for a condition of one test).
    tests = len(list(terms_tested(question.ask_when)))
    if len(generated) * tests > BUDGET:
        generated = generated[:: -(-len(generated) * tests // BUDGET)]
    at_edges = list(boundaries(rules, asked_when(rules, question)))
    assert at_edges, f"{question.id}: the search finds answers at the boundaries"
    seen = set()
    for answers in [*generated, *at_edges]:
        # The condition alone, on exactly these answers.
        verdict = run(expression, response_of(rules, answers))
        assert verdict == question.ask_when.holds(answers), (question.id, answers)
        seen.add(verdict)
    # The app's own, on whole answer sets (the boundaries, and every n-th generated set: the
    # engine takes several milliseconds on a whole response): the answers to questions not
    # asked left out by answers.asked, as the response a person's form sends holds them.
    for answers in [*at_edges, *generated[:: max(1, len(generated) // WHOLE)]]:
        whole = complete(rules, answers)
        shown = run(expression, fhir.response(rules, whole))
        assert shown == is_asked(question, asked(rules, whole)), (question.id, whole)
    assert seen == {True, False}, f"{question.id}: the answers tried ask it and do not"
    return len(generated) + len(at_edges)


@pytest.mark.no_cover  # measured by the tests beside it; coverage doubles its time
@pytest.mark.parametrize("question_id", [q.id for q in shipped().asked_sometimes])
def test_the_fhirpath_of_each_ask_when_asks_as_the_app_does(question_id: str):
    rules = shipped()
    question = rules.questions[question_id]
    assert question.ask_when is not None
    tried = compare(rules, question, fhir.enable_when_expression(question.ask_when))
    assert tried >= min(SAMPLE, 4)


def test_the_shipped_questionnaire_says_every_ask_when_one_way_or_the_other():
    """Each item with an ``ask_when`` has ``enableWhen`` or ``enableWhenExpression``, never
    both (SDC forbids it) and never neither."""
    rules = shipped()
    made = {i["linkId"]: i for g in fhir.questionnaire(rules)["item"] for i in g["item"]}
    for question in rules.questions.values():
        item = made[question.id]
        expression = any(e["url"] == fhir.ENABLE_WHEN_EXPRESSION for e in item.get("extension", ()))
        ways = int("enableWhen" in item) + int(expression)
        assert ways == (0 if question.ask_when is None else 1), question.id


#: Conditions flat enableWhen cannot say, put in place of shipped ones: a "not", "all" of
#: tests of several answers, and "any" and "all" nested with a "not" inside.
NOT_FLAT = (
    (
        "ask_when: {question: age, is: [teen, adult]}",
        "ask_when: {not: {question: age, is: [young_baby, baby, child, older]}}",
    ),
    (
        "ask_when: {question: age, is: [young_baby, baby, child]}",
        "ask_when: {all: [{question: age, is: [young_baby, baby, child]}, "
        "{question: for_whom, is: [other, self]}]}",
    ),
    (
        "ask_when: {question: nerve_symptoms, includes: [sight, speech, one_side]}",
        "ask_when: {any: [{all: [{question: nerve_symptoms, includes: [sight, speech]}, "
        "{not: {question: age, is: [older]}}]}, {question: nerve_symptoms, includes: one_side}]}",
    ),
)


def test_conditions_flat_enable_when_cannot_say_are_expressions_that_ask_as_the_app_does(
    edited_rules,
):
    rules = load(edited_rules(*NOT_FLAT))
    made = fhir.questionnaire(rules)
    valid(made)
    items = {i["linkId"]: i for g in made["item"] for i in g["item"]}
    expressed = []
    for question in rules.asked_sometimes:
        assert question.ask_when is not None
        item = items[question.id]
        if "enableWhen" in item:
            continue
        (expression,) = (
            e["valueExpression"]
            for e in item["extension"]
            if e["url"] == fhir.ENABLE_WHEN_EXPRESSION
        )
        assert expression["language"] == "text/fhirpath"
        compare(rules, question, expression["expression"])
        expressed.append(question.id)
    assert len(expressed) == len(NOT_FLAT), "each edited condition is an expression"


def test_the_comparison_would_find_an_expression_that_asks_otherwise():
    """The comparison can fail: an expression that forgets a test of the condition, or
    negates it, disagrees with the app on the answers tried."""
    rules = shipped()
    question = next(q for q in rules.asked_sometimes if q.ask_when and q.ask_when.op is Op.ANY)
    assert question.ask_when is not None
    short = Condition(Op.ANY, terms=question.ask_when.terms[1:])
    for wrong in (short, negate(question.ask_when)):
        with pytest.raises(AssertionError):
            compare(rules, question, fhir.enable_when_expression(wrong))
