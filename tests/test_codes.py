"""Clinical codes (SNOMED CT, ICD-10) on questions, answers, red flags and causes of rules.yaml."""

from __future__ import annotations

import pytest

from selfcheck.rules import RED_FLAGS, Code, RulesError, load
from selfcheck.rules.codes import verhoeff_ok

SNOMED = "http://snomed.info/sct"
ICD_10 = "http://hl7.org/fhir/sid/icd-10"


def _codes(indent: int, *codes: str) -> str:
    pad = " " * indent
    return f"\n{pad}codes:\n" + "".join(f"{pad}  - {code}\n" for code in codes)


STROKE_ICD = '{system: icd-10, code: "I64", display: "Stroke, not specified", source: brief}'
YES = '{value: yes, label: "Yes", worry: 2}'


def test_the_shipped_rules_code_clonus_and_the_causes_with_their_sources(rules):
    clonus = Code(SNOMED, "36649002", "Clonus", "snomed-browser: 36649002; fpnotebook-clonus")
    assert rules.questions["jerking"].codes == (clonus,)
    ms = next(c for c in rules.causes if c.id == "multiple_sclerosis")
    assert [(c.system, c.code) for c in ms.codes] == [(SNOMED, "24700007"), (ICD_10, "G35")]
    # The answer "Multiple sclerosis" carries the same codes as the cause.
    answer = next(a for a in rules.questions["conditions"].answers if a.value == "ms")
    assert answer.codes == ms.codes
    # Every code names where it was checked, and that source is listed.
    coded = [*rules.questions.values(), *rules.causes]
    for item in coded:
        for code in item.codes:
            assert code.source.split(":")[0] in rules.sources
    # Causes that are a group of conditions have no single code: none is guessed.
    assert next(c for c in rules.causes if c.id == "infection").codes == ()


def test_codes_load_on_red_flags_and_shared_answer_lists(edited_rules):
    path = edited_rules(
        (
            YES,
            '{value: yes, label: "Yes", worry: 2, codes: [{system: snomed, code: "373066001", '
            'display: "Yes", source: brief}]}',
        ),
        (
            '      source: "nhs-stroke: main symptoms (FAST)"\n',
            '      source: "nhs-stroke: main symptoms (FAST)"' + _codes(6, STROKE_ICD),
        ),
    )
    rules = load(path)
    stroke = Code(ICD_10, "I64", "Stroke, not specified", "brief")
    # A shared answer list gives its codes to every question that uses it.
    for question in ("jerking", "reflexes"):
        yes = next(a for a in rules.questions[question].answers if a.value == "yes")
        assert yes.codes == (Code(SNOMED, "373066001", "Yes", "brief"),)
    assert rules.red_flag("stroke_signs").codes == (stroke,)
    # The red flag is an answer of the emergency question, with the same codes.
    flag = next(a for a in rules.questions[RED_FLAGS].answers if a.value == "stroke_signs")
    assert flag.codes == (stroke,)
    assert str(stroke) == "ICD-10 I64 Stroke, not specified"
    assert rules.red_flag("recent_injury").codes == ()


def test_a_wrong_code_in_a_shared_answer_list_is_said_once(edited_rules):
    path = edited_rules(
        (
            YES,
            '{value: yes, label: "Yes", worry: 2, codes: [{system: snomed, code: "373066002", '
            'display: "Yes", source: brief}]}',
        )
    )
    with pytest.raises(RulesError) as caught:
        load(path)
    messages = [str(p) for p in caught.value.errors]
    assert len(messages) == 1, messages
    said = 'answer list "yes_no_not_sure", answer "yes": SNOMED CT code "373066002" has a wrong'
    assert said in messages[0]


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("2363", True),  # the usual worked example of the Verhoeff check
        ("2364", False),
        ("36649002", True),
        ("36694002", False),  # two digits swapped: the check is made to catch this
        ("24700007", True),
    ],
)
def test_the_verhoeff_check_catches_typing_mistakes(number, valid):
    assert verhoeff_ok(number) is valid
