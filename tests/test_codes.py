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


CLONUS = '{system: snomed, code: "39575007", display: "Clonus", source: brief}'
STROKE_ICD = '{system: icd-10, code: "I64", display: "Stroke, not specified", source: brief}'
YES = '{value: yes, label: "Yes", worry: 2}'


def test_codes_load_on_questions_answers_red_flags_and_causes(edited_rules):
    path = edited_rules(
        (
            '        source: "clonus-faq: symptoms / muscle spasms"\n',
            '        source: "clonus-faq: symptoms / muscle spasms"' + _codes(8, CLONUS),
        ),
        (
            YES,
            '{value: yes, label: "Yes", worry: 2, codes: [{system: snomed, code: "373066001", '
            'display: "Yes", source: brief}]}',
        ),
        (
            '      source: "nhs-stroke: main symptoms (FAST)"\n',
            '      source: "nhs-stroke: main symptoms (FAST)"' + _codes(6, STROKE_ICD),
        ),
        (
            '    source: "clonus-faq: causes / stroke"\n',
            '    source: "clonus-faq: causes / stroke"' + _codes(4, STROKE_ICD),
        ),
    )
    rules = load(path)
    clonus = Code(SNOMED, "39575007", "Clonus", "brief")
    stroke = Code(ICD_10, "I64", "Stroke, not specified", "brief")
    assert rules.questions["jerking"].codes == (clonus,)
    # A shared answer list gives its codes to every question that uses it.
    yes = next(a for a in rules.questions["jerking"].answers if a.value == "yes")
    assert yes.codes == (Code(SNOMED, "373066001", "Yes", "brief"),)
    assert rules.red_flag("stroke_signs").codes == (stroke,)
    # The red flag is an answer of the emergency question, with the same codes.
    flag = next(a for a in rules.questions[RED_FLAGS].answers if a.value == "stroke_signs")
    assert flag.codes == (stroke,)
    assert next(c for c in rules.causes if c.id == "stroke").codes == (stroke,)
    assert str(clonus) == "SNOMED CT 39575007 Clonus"
    # Items without codes have none.
    assert rules.questions["reflexes"].codes == ()


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
        ("39575007", True),
        ("39575070", False),  # two digits swapped: the check is made to catch this
        ("24700007", True),
    ],
)
def test_the_verhoeff_check_catches_typing_mistakes(number, valid):
    assert verhoeff_ok(number) is valid
