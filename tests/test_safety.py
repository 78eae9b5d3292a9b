"""Safety invariants of the shipped rules and of every page a person can see.

These guard the hazards in docs/clinical-safety.md: a missed emergency, false reassurance,
wording that sounds like a diagnosis, text that is hard to read, and missing content.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import textstat
import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from selfcheck.outcome import evaluate, level_of
from selfcheck.rules import RED_FLAGS, Answers, Question, Rules, Urgency, load
from selfcheck.rules.reach import (
    all_of,
    answer_is,
    any_of,
    asked,
    effective,
    negate,
    no_red_flag,
    possible,
    satisfy,
    when_advised,
)

from .testing.answers import BY_LEVEL, NO_SYMPTOMS, SOON, URGENT_MEDICINE
from .testing.facts import FACTS_TOLD_LATER
from .testing.pages import as_sentences, blocks
from .testing.rules import RULES_FILE
from .testing.visitor import Journey, hours_later

# --------------------------------------------------------------------------------------------
# Answer sets


def one_answer(question: Question) -> st.SearchStrategy[frozenset[str]]:
    """Any answer a person can give to one question, as the form allows it."""
    values = [a.value for a in question.answers]
    if question.kind == "one":
        return st.sampled_from(values).map(lambda v: frozenset([v]))
    others = [v for v in values if v != question.none_of_these]
    some = st.sets(st.sampled_from(others), min_size=1).map(frozenset)
    if question.none_of_these is None:
        return some
    return st.one_of(st.just(frozenset([question.none_of_these])), some)


def answer_sets(rules: Rules) -> st.SearchStrategy[dict[str, frozenset[str]]]:
    return st.fixed_dictionaries({q.id: one_answer(q) for q in rules.questions.values()})


def more_worrying(question: Question, chosen: frozenset[str]) -> list[frozenset[str]]:
    """Every answer to ``question`` that is more worrying than ``chosen``."""
    worry = {a.value: a.worry for a in question.answers}
    if question.kind == "one":
        (current,) = chosen
        return [frozenset([v]) for v, w in worry.items() if w > worry[current]]
    found = []
    for answer in question.answers:
        if answer.value in chosen or answer.value == question.none_of_these:
            continue
        if worry[answer.value] < max(worry[v] for v in chosen):
            continue
        base = chosen - {question.none_of_these} if question.none_of_these else chosen
        found.append(frozenset(base | {answer.value}))
    return found


RULES = load(RULES_FILE)


def told(rules: Rules, answers: Answers) -> dict[str, frozenset[str]]:
    """The answers a person is asked for, worked out here on its own: page by page, a question
    whose ``ask_when`` does not hold on what is kept so far is not asked, so its answer is
    dropped."""
    kept: dict[str, frozenset[str]] = {}
    for page in rules.pages:
        for question in page.questions:
            if question.id in answers and (
                question.ask_when is None or question.ask_when.holds(kept)
            ):
                kept[question.id] = answers[question.id]
    return kept


def sendable(rules: Rules, answers: Answers) -> bool:
    """Whether the pages accept ``answers``: no contradiction of the rules holds."""
    return not any(c.when.holds(told(rules, answers)) for c in rules.contradictions)


def expected_level(rules: Rules, answers: Answers) -> Urgency:
    """The level the clinical brief asks for, worked out here on its own: the most urgent of
    every red flag ticked and every urgency rule that holds on the answers asked for, else the
    default level."""
    answers = told(rules, answers)
    ticked = answers.get(RED_FLAGS, frozenset())
    levels = [flag.leads_to for flag in rules.red_flags if flag.id in ticked]
    levels += [rule.level for rule in rules.urgency_rules if rule.when.holds(answers)]
    return min(levels, key=lambda level: level.rank, default=rules.default_level)


TRUE, FALSE = all_of([]), any_of([])


def at_most(rules: Rules, rank: int, change: Any = None) -> Any:
    """The condition "the advice is at least as urgent as the level of ``rank``" (the most
    urgent of every red flag ticked and every urgency rule that holds, else the default level),
    on the answers as they are or, with ``change``, on the answers as ``change`` rewrites each
    test of one question."""

    def on(condition: Any) -> Any:
        return condition if change is None else condition.with_tests(change)

    flags = [f.id for f in rules.red_flags if f.leads_to.rank <= rank]
    holds = {r.id: on(effective(r.when, rules)) for r in rules.urgency_rules}
    ways = [on(answer_is(RED_FLAGS, flags))] if flags else []
    ways += [holds[r.id] for r in rules.urgency_rules if r.level.rank <= rank]
    if rules.default_level.rank <= rank:
        ways.append(all_of([on(no_red_flag(rules)), negate(any_of(holds.values()))]))
    return any_of(ways)


def worse_answers(question: Question) -> list[tuple[str, str, Any, Any]]:
    """Each way to give ``question`` a more worrying answer, as the hypothesis test below
    makes them: (what changes, the answer given, the answers before, how a test of the
    question reads after).
    A "choose one" question goes from a less worrying answer to a more worrying one; a "tick
    all" question gains an answer at least as worrying as each one ticked ("None of these" is
    then unticked)."""
    worry = {a.value: a.worry for a in question.answers}
    none = question.none_of_these
    found = []
    for answer in question.answers:
        to = answer.value
        if question.kind == "one":
            calmer = [v for v, w in worry.items() if w < worry[to]]
            if not calmer:
                continue

            def one(test: Any, q: str = question.id, to: str = to) -> Any:
                return (TRUE if to in test.values else FALSE) if test.question == q else test

            found.append((f"{question.id}: to {to}", to, answer_is(question.id, calmer), one))
        elif to != none:
            higher = [v for v, w in worry.items() if w > worry[to]]
            before = all_of([negate(answer_is(question.id, [to, *higher]))])

            def many(test: Any, q: str = question.id, to: str = to) -> Any:
                if test.question != q:
                    return test
                if to in test.values:
                    return TRUE
                rest = test.values - {none}
                return answer_is(q, rest) if rest else FALSE

            found.append((f"{question.id}: adding {to}", to, before, many))
    return found


@pytest.mark.no_cover  # measured by the tests beside it; coverage doubles its time
def test_no_more_worrying_answer_lowers_the_advice_on_any_answers():
    """The property of the test below, proved for every answer set at once rather than tried
    on 500: for each question and each more worrying answer to it, a SAT search for answers a
    person can send, the question asked, whose advice is at least as urgent as a level before
    the change and less urgent after it, finds none. A search that finds some is checked by
    evaluating both answer sets, so its report is a real case."""
    rules = RULES
    can = possible(rules)
    levels = sorted({level.rank for level in rules.levels})[:-1]
    for question in rules.questions.values():
        shown = asked(rules, question)
        for what, to, before, after in worse_answers(question):
            can_after = can.with_tests(after)
            for rank in levels:
                search = all_of(
                    [
                        can,
                        can_after,
                        shown,
                        before,
                        at_most(rules, rank),
                        negate(at_most(rules, rank, after)),
                    ]
                )
                found = satisfy(search, rules.questions)
                if found is None:
                    continue
                answers = {name: frozenset(chosen) for name, chosen in found.items()}
                given = answers[question.id]
                changed = {
                    **answers,
                    question.id: frozenset([to])
                    if question.kind == "one"
                    else given - {question.none_of_these} | {to},
                }
                old, new = level_of(rules, answers), level_of(rules, changed)
                assert new.rank <= old.rank, f"{what} lowers {old.id} to {new.id}: {found}"
                pytest.fail(f"the search's case is not one: {what}, {found} (fix the test)")


@pytest.mark.no_cover  # measured by the tests beside it; coverage doubles its time
@settings(max_examples=500, deadline=None)
@given(answers=answer_sets(RULES))
def test_a_more_worrying_answer_never_lowers_the_urgency(answers):
    assume(sendable(RULES, answers))
    before = level_of(RULES, answers)  # evaluate's level, by the same function
    assert before is evaluate(RULES, answers).level
    for question in RULES.questions.values():
        for option in more_worrying(question, answers[question.id]):
            changed = {**answers, question.id: option}
            if not sendable(RULES, changed):
                continue  # the page asks the person to change one of the answers first
            after = level_of(RULES, changed)
            assert after.rank <= before.rank, (
                f"changing {question.id} to {sorted(option)} lowered the advice from "
                f"{before.id} to {after.id}"
            )


@settings(max_examples=300, deadline=None)
@given(answers=answer_sets(RULES))
def test_every_answer_set_ends_with_advice_to_be_seen(answers):
    outcome = evaluate(RULES, answers)
    assert outcome.level in RULES.levels
    assert outcome.level.advice
    assert outcome.level is expected_level(RULES, answers)
    # Every level says why: the red flags' reasons, or those of the rules that set the level.
    assert outcome.red_flags or outcome.explained, "every level says why"
    assert all(reason.level is outcome.level for reason in outcome.explained)
    shown = {c.cause.id for c in outcome.causes} | {c.id for c in outcome.other_causes}
    assert shown == {c.id for c in RULES.causes}, "every cause appears somewhere"
    # "No cause found" is listed only when a doctor examined the symptoms and found none.
    idiopathic = "idiopathic" in {c.cause.id for c in outcome.causes}
    assert idiopathic == (told(RULES, answers).get("checked") == frozenset({"no_cause"})) or (
        outcome.level is RULES.emergency and not outcome.causes
    )


# --------------------------------------------------------------------------------------------
# Safety does not hang on the emergency check: the facts of each red flag, told on the later
# pages after "None of these" (or "I'm not sure"), lead to the same advice as the red flag.
# FACTS_TOLD_LATER (tests/testing/facts.py) holds a clinician's reading of each red flag in the
# words of the later questions.


def test_every_red_flag_has_its_facts_told_later():
    assert set(FACTS_TOLD_LATER) == {flag.id for flag in RULES.red_flags}


@pytest.mark.parametrize("flag", sorted(FACTS_TOLD_LATER))
def test_the_facts_of_a_red_flag_told_later_never_give_lower_advice(flag):
    """An exact search over every answer set a person can send: none tells the facts of the red
    flag on the later pages and gets advice below the red flag's (see selfcheck.rules.reach)."""
    facts, level_id = FACTS_TOLD_LATER[flag]
    level = next(lvl for lvl in RULES.levels if lvl.id == level_id)
    told_later = all_of([no_red_flag(RULES), effective(facts, RULES), possible(RULES)])
    assert satisfy(told_later, RULES.questions) is not None, "the facts can be told"
    as_urgent = [lvl for lvl in RULES.levels if lvl.rank <= level.rank]
    lower = all_of([told_later, negate(any_of(when_advised(RULES, lvl) for lvl in as_urgent))])
    assert satisfy(lower, RULES.questions) is None, f"{flag}: {satisfy(lower, RULES.questions)}"


@settings(max_examples=200, deadline=None)
@given(answers=answer_sets(RULES), flag=st.sampled_from(sorted(FACTS_TOLD_LATER)))
def test_the_facts_of_a_red_flag_told_later_with_any_other_answers(answers, flag):
    """The same through the evaluation itself: the facts laid over any other answers."""
    facts, level_id = FACTS_TOLD_LATER[flag]
    example = satisfy(all_of([no_red_flag(RULES), effective(facts, RULES)]), RULES.questions)
    assert example is not None
    answers = {**answers, RED_FLAGS: frozenset(["none"]), **example}
    assume(sendable(RULES, answers))
    level = next(lvl for lvl in RULES.levels if lvl.id == level_id)
    assert evaluate(RULES, answers).level.rank <= level.rank


# --------------------------------------------------------------------------------------------
# Red flags and levels


def test_every_red_flag_leads_to_the_most_urgent_level(rules: Rules):
    assert rules.emergency.id == "emergency"
    for flag in rules.red_flags:
        assert flag.leads_to is rules.emergency
        for base in BY_LEVEL.values():
            answers = {k: frozenset([v] if isinstance(v, str) else v) for k, v in base.items()}
            answers[RED_FLAGS] = frozenset([flag.id])
            assert evaluate(rules, answers).level is rules.emergency, flag.id


EVALUATION_WORDS = re.compile(r"\b(doctor|clinician|care team|urgent care|call)\b", re.I)
FALSE_REASSURANCE = re.compile(
    r"no need to (see|contact)|do(n't| not) need (to see )?(a|any) (doctor|clinician)|"
    r"nothing to worry|you are fine|you('re| are) healthy|safe to ignore",
    re.I,
)


def test_chest_pain_can_be_told_on_page_one():
    """NHS "When to call 999" and "Heart attack" send chest pain, even mild, to 999: a person
    who has it finds it among the red flags that come first, not only on a later page, and
    that red flag's facts told later include it (tests/testing/facts.py)."""
    named = [flag for flag in RULES.red_flags if "chest pain" in flag.label.lower()]
    assert named, "no red flag of page 1 names chest pain"
    for flag in named:
        facts, level_id = FACTS_TOLD_LATER[flag.id]
        assert level_id == "emergency"
        told = {RED_FLAGS: frozenset(["none"]), "unwell": frozenset(["chest_pain"])}
        assert facts.decided(told) is True, (
            f"{flag.id}: chest pain is not among its facts told later"
        )


def test_a_poison_swallowed_breathed_in_or_touched_can_be_told_after_page_one():
    """NHS "Poisoning" sends anyone who may have swallowed, breathed in or touched something
    harmful to 999 or A&E. A person who missed page 1, or who does not call a garden or cleaning
    chemical a "medicine", can still say so on a later page, and gets the emergency advice."""
    told = [
        (question, answer)
        for question in RULES.questions.values()
        if question.id != RED_FLAGS
        for answer in question.answers
        if "poison" in answer.label.lower() and "breathed in" in answer.label.lower()
    ]
    assert told, "no later question lets a person say that a poison was swallowed or breathed in"
    for question, answer in told:
        answers = {RED_FLAGS: frozenset(["none"]), question.id: frozenset([answer.value])}
        assert evaluate(RULES, answers).level.rank == 0, (question.id, answer.value)


@pytest.mark.parametrize("level", RULES.levels, ids=lambda lvl: lvl.id)
def test_every_level_tells_the_person_to_get_an_evaluation(level):
    words = " ".join((level.heading, *level.advice))
    assert EVALUATION_WORDS.search(level.heading), level.heading
    assert not FALSE_REASSURANCE.search(words)


# --------------------------------------------------------------------------------------------
# Wording

DIAGNOSIS = re.compile(
    r"\byou have\b|suffering from|your diagnosis|you are diagnosed|we think you|"
    r"this means you|you definitely|you probably have",
    re.I,
)


def statements(texts: list[str]) -> list[str]:
    """Sentences that state something (questions may ask "Do you have …?")."""
    found = []
    for text in texts:
        for sentence in re.split(r"(?<=[.!?])\s+", text):
            if sentence and not sentence.rstrip().endswith("?"):
                found.append(sentence)
    return found


def all_strings(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for value in node.values() for s in all_strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in all_strings(value)]
    return []


def test_no_diagnostic_wording_in_the_rules():
    data = yaml.safe_load(Path(RULES_FILE).read_text())
    del data["sources"]
    for sentence in statements(all_strings(data)):
        assert not DIAGNOSIS.search(sentence), sentence
        assert not FALSE_REASSURANCE.search(sentence), sentence


def rendered_pages(journey: Journey) -> dict[str, str]:
    """Every page and state a person can reach, as HTML: each question page, empty and with
    its errors, a contradiction, every outcome, and the pages of a refused form."""
    client = journey.client
    pages = {
        "start": client.get("/").get_data(as_text=True),
        "privacy": client.get("/privacy").get_data(as_text=True),
        "not found": client.get("/no-such-page").get_data(as_text=True),
    }
    # Each page of the questions, as a pregnant adult sees them, then the pages she is not
    # asked, as a child who had a fit some days ago sees them.
    pregnant = {**SOON, "pregnancy": "pregnant", "pregnancy_signs": "none"}
    child = {
        **SOON,
        "age": "child",
        "for_whom": "other",
        "child_signs": "none",
        "recent_signs": ["seizure"],
        "fit_when": "days",
        "fit_known": "yes",
        "fit_details": "none",
    }
    for answers in (pregnant, child):
        journey.start_again()
        while "Your result" not in journey.html:
            page = dict(journey.form().fields)["page"]
            if page not in pages:
                pages[page] = journey.html
                journey.submit("next")
                pages[f"{page} with errors"] = journey.html
            journey.answer_page(answers)
    assert {p.id for p in journey.rules.pages} <= set(pages), "every page was seen"
    journey.submit("change:symptoms")
    journey.submit("next", {"where": "nowhere"})
    pages["symptoms with answers that clash"] = journey.html
    journey.open("/check")
    journey.submit("next", {"red_flags": [f.id for f in journey.rules.red_flags]})
    pages["emergency outcome"] = journey.html
    outcomes = {
        **BY_LEVEL,
        "urgent medicine": URGENT_MEDICINE,
        "not sure of the emergency signs": {**SOON, "red_flags": "not_sure"},
        "no symptoms": NO_SYMPTOMS,
        "a baby": {**SOON, "age": "baby", "for_whom": "other"},
        "pregnancy": pregnant,
        "emergency told later": {**SOON, "recent_signs": ["fever", "stiff_neck"]},
    }
    for name, answers in outcomes.items():
        journey.complete(answers)
        pages[f"outcome {name}"] = journey.html
    # A form refused for its token: with answers kept, and sent from another site.
    journey.open("/check")
    with hours_later(12):
        journey.submit("next", {"red_flags": "none"})
    pages["expired, answers kept"] = journey.html
    pages["expired, from another site"] = client.post(
        "/check", data={"page": "red_flags", "red_flags": "none", "action": "next"}
    ).get_data(as_text=True)
    return pages


def test_no_diagnostic_wording_on_any_page(journey: Journey):
    for name, html in rendered_pages(journey).items():
        said = statements(blocks(html, root=None))
        assert len(said) >= 3, f"{name}: no sentences found to check"
        for sentence in said:
            assert not DIAGNOSIS.search(sentence), f"{name}: {sentence}"
            assert not FALSE_REASSURANCE.search(sentence), f"{name}: {sentence}"


def test_every_page_reads_at_grade_8_or_lower(journey: Journey):
    grades = {}
    for name, html in rendered_pages(journey).items():
        grades[name] = textstat.flesch_kincaid_grade(as_sentences(html))
    too_hard = {name: grade for name, grade in grades.items() if grade > 8}
    assert not too_hard, f"Flesch-Kincaid grade above 8: {too_hard}"


# --------------------------------------------------------------------------------------------
# Everything the source covers appears (CLINICAL.md: "all of it must appear")

SYMPTOMS = {
    "rhythmic jerking / muscle spasms": ["muscle spasms", "rhythm"],
    "exaggerated reflexes": ["hyperreflexia"],
    "stiff or tight muscles": ["stiff or tight", "hypertonia"],
    "muscle weakness": ["muscle weakness"],
    "poor coordination or balance": ["poor coordination", "balance"],
    "pain or discomfort": ["pain or discomfort"],
    "impact on daily activities": ["walking", "standing", "fine motor tasks"],
    "usual places": ["Ankles", "Knees", "Wrists"],
}
CAUSES = {
    "spinal cord injury": ["Spinal cord injury"],
    "multiple sclerosis": ["Multiple sclerosis (MS)"],
    "stroke": ["Stroke"],
    "cerebral palsy": ["Cerebral palsy"],
    "brain injury": ["Brain injury", "traumatic brain injury"],
    "anoxic brain injury": ["anoxic brain injury", "cardiac arrest", "drowned", "asthma attack"],
    "infections": ["meningitis", "encephalitis"],
    "metabolic disorders": ["metabolic disorders", "uremia", "hepatic encephalopathy"],
    "medication side effects": ["antidepressants", "stimulants"],
    "idiopathic": ["idiopathic"],
}
TREATMENTS = {
    "medicines": ["baclofen", "diazepam", "sleepy"],
    "physical therapy": ["Physical therapy"],
    "orthotics": ["orthosis", "orthotics"],
    "electrical stimulation": ["TENS"],
    "surgery": ["Surgery", "only an option when other treatments have not worked"],
    "botulinum toxin": ["Botulinum toxin"],
    "occupational therapy": ["Occupational therapy"],
    "counselling and support": ["Counselling", "support group"],
}
GOES_AWAY = ["does not usually go away fully", "less often and less strongly", "care team"]


@pytest.mark.parametrize(
    "topic,words",
    [*SYMPTOMS.items(), *CAUSES.items(), *TREATMENTS.items(), ("goes away", GOES_AWAY)],
)
def test_the_source_is_covered_in_the_rules_and_on_the_outcome_page(journey: Journey, topic, words):
    journey.complete(SOON)
    outcome = " ".join(blocks(journey.html))
    journey.submit("change:symptoms")
    symptoms = " ".join(blocks(journey.html))
    journey.complete(SOON)
    journey.submit("change:strength")
    symptoms += " " + " ".join(blocks(journey.html))
    journey.complete(SOON)
    journey.submit("change:background")
    background = " ".join(blocks(journey.html))
    shown = " ".join((outcome, symptoms, background)).lower()
    rules_text = RULES_FILE.read_text().lower()
    for word in words:
        assert word.lower() in rules_text, f"{topic}: {word!r} not in rules.yaml"
        assert word.lower() in shown, f"{topic}: {word!r} not shown to a person"


def test_every_item_has_a_known_source(rules: Rules):
    assert [w.message for w in rules.warnings] == [
        "no clinician has approved these rules yet: the app shows patients that they are a draft"
    ]
    items: list[Any] = [
        *rules.levels,
        *rules.red_flags,
        *rules.urgency_rules,
        *rules.causes,
        *rules.treatments,
        *rules.questions.values(),
        rules.goes_away,
    ]
    for item in items:
        assert item.source, item
        for part in item.source.split(";"):
            assert part.split(":")[0].strip() in rules.sources, part
