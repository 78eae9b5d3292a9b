"""Loading and checking rules.yaml: the core, without the web."""

from __future__ import annotations

import dataclasses

import pytest

from selfcheck import create_app
from selfcheck.rules import RulesError, load

from .testing.rules import RULES_FILE, line_of


def test_the_shipped_rules_load(rules):
    assert [page.id for page in rules.pages] == [
        "emergency_check",
        "about",
        "child",
        "symptoms",
        "strength",
        "other_signs",
        "recent",
        "fit",
        "onset",
        "background",
        "medicines",
        "medicine_changes",
        "pregnancy",
    ]
    assert [level.id for level in rules.levels] == ["emergency", "urgent", "soon", "routine"]
    assert len(rules.red_flags) == 9
    assert len(rules.causes) == 11
    assert len(rules.treatments) == 8
    assert rules.status == "draft"


def test_records_cannot_be_changed_after_loading(rules):
    with pytest.raises(dataclasses.FrozenInstanceError):
        rules.levels[0].heading = "Relax"
    with pytest.raises(dataclasses.FrozenInstanceError):
        rules.version = "9"


CASES = [
    (
        "yaml syntax",
        "  title: Check for emergency signs\n",
        "  title: Check for emergency: signs\n",
        "this is not valid YAML",
    ),
    (
        "unknown key with a suggestion",
        "    heading: Call {emergency_number} now",
        "    headng: Call {emergency_number} now",
        'unknown key "headng" in urgency level "emergency" (did you mean "heading"?)',
    ),
    (
        "unknown question",
        "when: {question: started, is: days}",
        "when: {question: startd, is: days}",
        'urgency rule "started_in_days" refers to question "startd", which does not exist '
        '(did you mean "started"?)',
    ),
    (
        "unknown answer",
        "when: {question: worse, is: quickly}",
        "when: {question: worse, is: quick}",
        'refers to answer "quick" of question "worse", which does not exist (did you mean '
        '"quickly"?)',
    ),
    (
        "red flag not leading to emergency",
        '      leads_to: emergency\n      source: "nhs-stroke',
        '      leads_to: urgent\n      source: "nhs-stroke',
        'red flag "stroke_signs" leads to "urgent", but every red flag must lead to the most '
        'urgent level, "emergency"',
    ),
    (
        "duplicate id",
        "  - id: stroke\n    name: Stroke",
        "  - id: cerebral_palsy\n    name: Stroke",
        'cause id "cerebral_palsy" is used twice (first on line',
        "  - id: cerebral_palsy\n    name: Cerebral palsy",
    ),
    (
        "missing patient text",
        "    name: Routine\n    heading: Talk to a doctor at a routine appointment\n",
        "    name: Routine\n",
        'urgency level "routine" is missing "heading"',
        "  - id: routine",
    ),
    ("wrong type", 'version: "0.1.0"', "version: [1, 2]", '"version" should be text, not a list'),
    (
        "unknown urgency level",
        "    level: urgent\n    when: {question: worse",
        "    level: urgnt\n    when: {question: worse",
        'refers to urgency level "urgnt", which does not exist (did you mean "urgent"?)',
    ),
    (
        "wrong test for a many question",
        "{question: conditions, includes: ms}",
        "{question: conditions, is: ms}",
        'question "conditions" is a "many" question, so test it with "includes:", not "is:"',
    ),
    (
        "a status written by hand",
        "approvals: []\n",
        "status: approved\napprovals: []\n",
        '"status" is no longer written by hand: the approvals record who approved which content',
        "status: approved",
    ),
    (
        "duplicate key",
        "  - id: surgery\n    name: Surgery\n",
        "  - id: surgery\n    name: Surgery\n    name: Operation\n",
        '"name" is given twice in the same place',
        "    name: Operation",
    ),
    (
        "a source key with _",
        '  nhs-stroke: "NHS',
        '  nhs_stroke: "NHS',
        "must be a short key in lower case letters, digits and -, starting with a letter "
        '(found "nhs_stroke")',
    ),
    (
        "an answer id with -",
        '{value: not_sure, label: "I\'m not sure", worry: 1}\n\n',
        '{value: not-sure, label: "I\'m not sure", worry: 1}\n\n',
        "must be a short id in lower case letters, digits and _, starting with a letter "
        '(found "not-sure")',
    ),
    (
        "a worry out of bounds",
        '{value: no, label: "No", worry: 0}',
        '{value: no, label: "No", worry: 12}',
        "must be a whole number from 0 to 9 (found 12)",
    ),
    (
        "unknown placeholder",
        "heading: Call {emergency_number} now",
        "heading: Call {emergency_phone} now",
        "uses {emergency_phone}, which the app cannot fill in",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_a_broken_file_names_the_line_and_the_problem(edited_rules, case):
    _, old, new, message, *mark = case
    path = edited_rules((old, new))
    line = line_of(path.read_text(), mark[0] if mark else new)
    with pytest.raises(RulesError) as caught:
        load(path)
    found = [p for p in caught.value.errors if message in p.message]
    assert found, [str(p) for p in caught.value.errors]
    assert found[0].line == line, str(found[0])
    assert str(found[0]).startswith(f"{path}:{line}:")


def test_an_empty_file_is_refused(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text("# only a comment\n")
    with pytest.raises(RulesError, match=r"rules.yaml:1:1: the file is empty"):
        load(path)


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(RulesError, match="there is no rules file here"):
        load(tmp_path / "nothing.yaml")


def test_yes_and_no_stay_words_not_booleans(tmp_path):
    # YAML 1.1 would read an unquoted yes as true; clinicians mean the answer "yes".
    rules = load(RULES_FILE)
    assert rules.questions["jerking"].values == {"yes", "no", "not_sure"}


def test_an_invalid_rules_file_stops_the_app_from_starting(edited_rules):
    path = edited_rules(
        ("when: {question: started, is: days}", "when: {question: startd, is: days}")
    )
    line = line_of(path.read_text(), "startd")
    with pytest.raises(RulesError) as caught:
        create_app({"TESTING": True, "SECRET_KEY": "k", "RULES_FILE": str(path)})
    assert f"{path}:{line}:" in str(caught.value)
    assert 'refers to question "startd"' in str(caught.value)


def test_a_question_asked_only_for_the_summary_says_so_to_silence_the_warning(edited_rules):
    """for_whom is asked for the clinician who reads the summary; no rule uses it. Without
    summary_only, the check warns that no rule uses it."""
    path = edited_rules(
        ("        summary_only: true    # for the clinician", "        # for the clinician")
    )
    messages = [w.message for w in load(path).warnings]
    assert (
        'question "for_whom" is not used by any urgency rule or cause; its answer only appears '
        "on the summary"
    ) in messages
    assert not [m for m in (w.message for w in load(RULES_FILE).warnings) if "for_whom" in m]
