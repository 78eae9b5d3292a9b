"""The clinicians' scenarios (scenarios.yaml) and vignettes (vignettes.yaml): answers in; the
advice and conditions out.

Each one runs twice: through the core, as `flask --app selfcheck rules test` runs it, and
through the pages a person uses, so the screen and the files can never disagree.
"""

from __future__ import annotations

import re

import pytest

from selfcheck.answers import asked
from selfcheck.outcome import evaluate
from selfcheck.rules import NOT_SURE, RED_FLAGS, Rules, load
from selfcheck.scenarios import Scenario, Scenarios, ScenariosError, load_scenarios, run

from .testing.facts import FACTS_TOLD_LATER
from .testing.languages import PREFIX, every_language, offering
from .testing.pages import headings
from .testing.rules import ROOT, RULES_FILE
from .testing.visitor import Journey

SCENARIOS_FILE = ROOT / "scenarios.yaml"
VIGNETTES_FILE = ROOT / "vignettes.yaml"
RULES = load(RULES_FILE)
SCENARIOS = load_scenarios(SCENARIOS_FILE, RULES).scenarios
VIGNETTES = load_scenarios(VIGNETTES_FILE, RULES)
EVERY = [*SCENARIOS, *VIGNETTES.scenarios]
#: Written blind, by someone who had not read the rules (docs/triage-accuracy.md).
BLIND = load_scenarios(ROOT / "vignettes-blind.yaml", RULES)


@pytest.mark.parametrize("scenario", EVERY, ids=lambda s: s.id)
def test_scenario(scenario: Scenario):
    (result,) = run(RULES, Scenarios(str(SCENARIOS_FILE), (scenario,)))
    assert result.outcome.level.id == scenario.urgency, scenario.name
    assert not result.missing, f"{scenario.name}: not listed: {result.missing}"
    assert not result.unwanted, f"{scenario.name}: listed: {result.unwanted}"


def as_form(scenario: Scenario, rules: Rules) -> dict[str, str | list[str]]:
    """The scenario's answers as a person ticks them on the pages."""
    form: dict[str, str | list[str]] = {}
    for question_id, chosen in scenario.answers.items():
        kind = rules.questions[question_id].kind
        form[question_id] = next(iter(chosen)) if kind == "one" else sorted(chosen)
    return form


@pytest.mark.no_cover  # measured by the tests beside it; coverage doubles its time
@pytest.mark.parametrize("scenario", EVERY, ids=lambda s: s.id)
def test_scenario_through_the_pages(journey: Journey, rules: Rules, scenario: Scenario):
    journey.complete(as_form(scenario, rules))
    level = next(lvl for lvl in rules.levels if lvl.id == scenario.urgency)
    assert headings(journey.html)[0] == level.heading.replace("{emergency_number}", "999")
    shown = re.findall(r'<div class="cause">\s*<h3>(.*?)</h3>', journey.html)
    expected = [item.cause.name for item in evaluate(rules, scenario.answers).listed]
    assert shown == expected
    names = {cause.id: cause.name for cause in rules.causes}
    assert {names[c] for c in scenario.must_list} <= set(shown)
    assert not {names[c] for c in scenario.must_not_list} & set(shown)


@pytest.mark.no_cover  # measured by the tests beside it; coverage doubles its time
@pytest.mark.parametrize("code", ["en", "es", "ar"])
def test_the_vignettes_through_the_pages_in_each_language(rules: Rules, code: str):
    """The answers of the team's vignettes and of the blind ones, through the pages in
    English, Spanish and Arabic, give the level the rules give them: the level of the outcome
    page, whatever its words. (The clinicians' scenarios run through the English pages above;
    the vignettes are the stories of real people, and suffice to show that no language
    changes the advice.)"""
    with offering(every_language(rules)) as app:
        for scenario in [*VIGNETTES.scenarios, *BLIND.scenarios]:
            journey = Journey(app.test_client(), rules, PREFIX[code])
            journey.complete(as_form(scenario, rules))
            assert f'<html lang="{code}"' in journey.html
            level = evaluate(rules, asked(rules, scenario.answers)).level.id
            assert f'class="urgency urgency-{level}"' in journey.html, scenario.id


def test_the_blind_vignettes_are_never_under_triaged():
    """The stories written blind (vignettes-blind.yaml): none gets less urgent advice than its
    source asks for, every emergency gets the emergency advice, and no story that needs only
    a routine or a soon appointment is sent to the emergency department. (More urgent advice
    than a story needs is over-triage: counted in docs/triage-accuracy.md, not a failure.)"""
    assert BLIND.blind and len(BLIND.scenarios) >= 60
    rank = {level.id: level.rank for level in RULES.levels}
    results = run(RULES, BLIND)
    for result in results:
        given, expected = result.outcome.level.id, result.scenario.urgency
        assert rank[given] <= rank[expected], f"{result.scenario.id}: {given}, not {expected}"
        if expected in ("soon", "routine"):
            assert given != "emergency", result.scenario.id
    emergencies = [r for r in results if r.scenario.urgency == "emergency"]
    assert len(emergencies) >= 15
    assert all(r.outcome.level.id == "emergency" for r in emergencies)


def test_the_vignettes_cover_every_story_the_brief_names(rules: Rules):
    vignettes = VIGNETTES.scenarios
    assert VIGNETTES.kind == "vignette" and len(vignettes) >= 60
    for vignette in vignettes:
        assert vignette.story and len(vignette.story.split()) >= 12, vignette.id
        assert vignette.source, vignette.id
    ticked = [v.answers.get(RED_FLAGS, frozenset()) for v in vignettes]
    flags = {f.id for f in rules.red_flags}
    # Each red flag ticked on its own on the emergency check...
    assert flags <= {next(iter(t)) for t in ticked if len(t) == 1}
    # ...and its facts told on the later pages by someone who ticked none.
    later = [v for v, t in zip(vignettes, ticked, strict=True) if not t & flags]
    for flag, (facts, _) in FACTS_TOLD_LATER.items():
        assert any(facts.holds(asked(rules, v.answers)) for v in later), flag
    assert {c.id for c in rules.causes} <= {c for v in vignettes for c in v.must_list}
    assert {lvl.id for lvl in rules.levels} <= {v.urgency for v in vignettes}
    ages = {a for v in vignettes for a in v.answers.get("age", ())}
    assert ages == {a.value for a in rules.questions["age"].answers}, "babies to older people"
    assert {"pregnant", "birth", "not_sure"} <= {
        a for v in vignettes for a in v.answers.get("pregnancy", ())
    }
    no_symptoms = [
        v
        for v in vignettes
        if any(
            r.text.startswith("You told us that none") for r in evaluate(rules, v.answers).reasons
        )
    ]
    assert no_symptoms, "a person with none of the symptoms"
    assert any(NOT_SURE in t for t in ticked), "unsure on the emergency check"
    unsure = [v for v in vignettes if sum(NOT_SURE in a for a in v.answers.values()) >= 8]
    assert unsure, "unsure of nearly everything"
    assert {"self", "other"} <= {a for v in vignettes for a in v.answers.get("for_whom", ())}


def test_the_scenarios_cover_every_red_flag_cause_level_and_rule(rules: Rules):
    assert len(SCENARIOS) >= 30
    alone = {
        next(iter(s.answers[RED_FLAGS]))
        for s in SCENARIOS
        if len(s.answers.get(RED_FLAGS, ())) == 1 and s.urgency == "emergency"
    }
    assert {flag.id for flag in rules.red_flags} <= alone, "each red flag on its own"
    assert {c.id for c in rules.causes} <= {c for s in SCENARIOS for c in s.must_list}
    assert {lvl.id for lvl in rules.levels} <= {s.urgency for s in SCENARIOS}
    # Every urgency rule decides the advice in at least one scenario.
    deciding = set()
    for scenario in SCENARIOS:
        if scenario.answers.get(RED_FLAGS, frozenset()) & {f.id for f in rules.red_flags}:
            continue
        level = evaluate(rules, scenario.answers).level
        deciding |= {
            r.id for r in rules.urgency_rules if r.level is level and r.when.holds(scenario.answers)
        }
    assert deciding == {r.id for r in rules.urgency_rules}


def test_a_boundary_between_each_pair_of_neighbouring_levels(rules: Rules):
    """For each pair of neighbouring levels, two scenarios that differ in one answer only."""
    pairs = set()
    for a in SCENARIOS:
        for b in SCENARIOS:
            differ = {q for q in rules.questions if a.answers.get(q) != b.answers.get(q)}
            if len(differ) == 1 and a.urgency != b.urgency:
                pairs.add(frozenset([a.urgency, b.urgency]))
    ids = [lvl.id for lvl in rules.levels]
    for higher, lower in zip(ids, ids[1:], strict=False):
        assert frozenset([higher, lower]) in pairs, (higher, lower)


# --------------------------------------------------------------------------------------------
# A scenarios file with a mistake names its line

SHIPPED = SCENARIOS_FILE.read_text()

BROKEN = [
    (
        "unknown question",
        "answers: {started: days}",
        "answers: {startd: days}",
        'scenario "urgent_started_in_days" refers to question "startd", which does not exist '
        '(did you mean "started"?)',
    ),
    (
        "unknown answer",
        "answers: {started: days}",
        "answers: {started: dayz}",
        'scenario "urgent_started_in_days" refers to answer "dayz" of question "started", which '
        'does not exist (did you mean "days"?)',
    ),
    (
        "two answers to a one question",
        "answers: {started: days}",
        "answers: {started: [days, weeks]}",
        'scenario "urgent_started_in_days" gives question "started" 2 answers, but a person can '
        "choose only one",
    ),
    (
        "none of these with another answer",
        "answers: {conditions: ms}",
        "answers: {conditions: [ms, none]}",
        'scenario "cause_multiple_sclerosis" ticks "none" for question "conditions" together with '
        "other answers",
    ),
    (
        "unknown level",
        "    answers: {started: days}\n    expect: {urgency: urgent}",
        "    answers: {started: days}\n    expect: {urgency: urgnt}",
        'refers to urgency level "urgnt", which does not exist (did you mean "urgent"?)',
        "urgnt",
    ),
    (
        "unknown cause",
        "must_list: [spinal_cord_injury]",
        "must_list: [spinal_injury]",
        'scenario "cause_spinal_cord_injury" refers to cause "spinal_injury", which does not exist '
        '(did you mean "spinal_cord_injury"?)',
    ),
    (
        "unknown starting point",
        "start_from: checked_and_stable\n    answers: {worse: quickly}",
        "start_from: checked_stable\n    answers: {worse: quickly}",
        'refers to starting point "checked_stable", which does not exist (did you mean '
        '"checked_and_stable"?)',
    ),
    (
        "incomplete starting point",
        "    medicine_change: none\n    pregnancy: no\n\n  # A person over 65",
        "    pregnancy: no\n\n  # A person over 65",
        'starting point "not_yet_checked" does not answer "medicine_change"; with no red flag '
        "ticked, a person answers every question before seeing the outcome",
        "  not_yet_checked:",
    ),
    (
        "incomplete scenario",
        "    name: Cerebral palsy is listed as worth discussing\n    start_from: not_yet_checked\n",
        "    name: Cerebral palsy is listed as worth discussing\n",
        'scenario "cause_cerebral_palsy" does not answer "red_flags", "age", "for_whom", "jerking"',
        "id: cause_cerebral_palsy",
    ),
    (
        "answer to a question not asked",
        "    answers: {age: baby, for_whom: other, child_signs: none}\n",
        "    answers: {age: baby, for_whom: other, child_signs: none, pregnancy: no}\n",
        'scenario "urgent_jerking_in_a_baby" answers question "pregnancy", which a person who '
        "gives its other answers is not asked",
        "pregnancy: no}",
    ),
    (
        "answers that cannot all be true",
        "    start_from: no_symptoms\n    expect: {urgency: routine, must_not_list: [idiopathic]}",
        "    start_from: no_symptoms\n    answers: {jerking: yes, started: years, worse: no,"
        " injury: no}\n    expect: {urgency: routine}",
        'scenario "routine_when_no_symptoms" gives answers that cannot all be true '
        '(contradiction "no_symptoms_but_symptoms" in the rules)',
        "  - id: routine_when_no_symptoms",
    ),
    (
        "duplicate id",
        "  - id: cause_stroke\n",
        "  - id: cause_brain_injury\n",
        'scenario id "cause_brain_injury" is used twice (first on line',
        "cause_brain_injury\n    name: A brain injury",
    ),
    (
        "a cause listed with emergency advice",
        "    expect: {urgency: emergency, must_not_list: [idiopathic, stroke]}",
        "    expect: {urgency: emergency, must_list: [stroke]}",
        'scenario "red_flag_stroke_signs" expects "emergency" advice, which lists no causes',
    ),
    (
        "unknown key",
        "    expect: {urgency: soon, must_list: [stroke]",
        "    expect: {urgency: soon, must_lst: [stroke]",
        'unknown key "must_lst" in scenario "cause_stroke", "expect" (did you mean "must_list"?)',
    ),
    (
        "yaml",
        "  - id: cause_stroke\n",
        "  - id: cause_stroke\n  nope: [\n",
        "this is not valid YAML",
        "  nope: [",
    ),
]


@pytest.mark.parametrize("case", BROKEN, ids=[c[0] for c in BROKEN])
def test_a_broken_scenarios_file_names_the_line(tmp_path, case):
    _, old, new, message, *mark = case
    assert SHIPPED.count(old) >= 1, old
    text = SHIPPED.replace(old, new, 1)
    line = text[: text.index(mark[0] if mark else new)].count("\n") + 1
    path = tmp_path / "scenarios.yaml"
    path.write_text(text)
    with pytest.raises(ScenariosError) as caught:
        load_scenarios(path, RULES)
    found = [p for p in caught.value.problems if message in p.message]
    assert found, [str(p) for p in caught.value.problems]
    assert str(found[0]).startswith(f"{path}:{line}:"), str(found[0])


VIGNETTES_SHIPPED = VIGNETTES_FILE.read_text()


@pytest.mark.parametrize(
    "old,new,message",
    [
        (
            "    story: >-\n      A 72-year-old woman notices in the mirror that one side of her"
            " face droops and her words\n      come out slurred. She ticks the stroke signs.\n",
            "",
            'vignette "flag_stroke" is missing "story"',
        ),
        (
            'source: "nhs-stroke: call 999 for face, arm or speech signs"',
            'source: "nhs-strok: call 999 for face, arm or speech signs"',
            'vignette "flag_stroke" refers to source "nhs-strok", which does not exist (did you '
            'mean "nhs-stroke"?)',
        ),
    ],
    ids=["no story", "unknown source"],
)
def test_a_broken_vignette_names_the_line(tmp_path, old, new, message):
    assert old in VIGNETTES_SHIPPED
    path = tmp_path / "vignettes.yaml"
    path.write_text(VIGNETTES_SHIPPED.replace(old, new, 1))
    with pytest.raises(ScenariosError) as caught:
        load_scenarios(path, RULES)
    assert [p.message for p in caught.value.problems if message in p.message], [
        str(p) for p in caught.value.problems
    ]
