"""Clinical codes (SNOMED CT, ICD-10) on questions, answers, red flags and causes of rules.yaml."""

from __future__ import annotations

import pytest

from selfcheck import create_app
from selfcheck.rules import RED_FLAGS, Code, RulesError, load
from selfcheck.rules.codes import verhoeff_ok

from .testing.rules import SHIPPED

SNOMED = "http://snomed.info/sct"
ICD_10 = "http://hl7.org/fhir/sid/icd-10"


#: The source line of the stroke red flag, which the tests give codes to.
STROKE_SOURCE = next(
    line
    for line in SHIPPED.splitlines()
    if line.startswith('      source: "nhs-stroke: main symptoms')
)


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
            STROKE_SOURCE + "\n",
            STROKE_SOURCE + _codes(6, STROKE_ICD),
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


def test_rules_show_lists_each_code_next_to_its_item(runner):
    result = runner.invoke(args=["rules", "show"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert (
        "Source: clonus-faq: symptoms / muscle spasms Codes: - SNOMED CT 36649002 Clonus "
        "(checked in snomed-browser: 36649002; fpnotebook-clonus) [question-reflexes]"
    ) in text
    assert (
        'Codes of answers: - "Multiple sclerosis (MS)": SNOMED CT 24700007 Multiple sclerosis '
        "(checked in snomed-browser: 24700007; visualdx-ms)"
    ) in text
    assert (
        "Source: clonus-faq: causes / stroke Codes: - SNOMED CT 230690007 Cerebrovascular "
        "accident (checked in snomed-browser: 230690007) - ICD-10 I64 Stroke, not specified as "
        "haemorrhage or infarction (checked in who-icd-10: I64) [cause-cerebral_palsy]"
    ) in text
    assert "items with clinical codes." in text
    # An item without codes says nothing about codes.
    infection = text.split("[cause-infection]")[1].split("[cause-")[0]
    assert "Codes" not in infection


def test_the_review_page_lists_each_code_in_its_item(client):
    html = client.get("/rules").get_data(as_text=True)
    jerking = html.split('id="question-jerking"')[1].split('class="rule-item"')[0]
    assert "<dt>Codes</dt>" in jerking
    assert "SNOMED CT 36649002 Clonus (checked in snomed-browser: 36649002; fpnotebook-clonus)" in (
        jerking
    )
    cause = html.split('id="cause-pre_eclampsia"')[1].split('class="rule-item"')[0]
    assert "<li>SNOMED CT 398254007 Pre-eclampsia (checked in snomed-browser: 398254007)</li>" in (
        cause
    )
    assert (
        "<li>ICD-10 O14.9 Pre-eclampsia, unspecified (checked in who-icd-10: O14.9)</li>" in cause
    )
    red_flag = html.split('id="red-flag-stroke_signs"')[1].split('class="rule-item"')[0]
    assert "Codes" not in red_flag


def test_a_red_flag_code_is_shown_with_the_red_flag(edited_rules):
    path = edited_rules(
        (
            STROKE_SOURCE + "\n",
            STROKE_SOURCE + _codes(6, STROKE_ICD),
        )
    )
    app = create_app({"TESTING": True, "SECRET_KEY": "k", "RULES_FILE": str(path)})
    html = app.test_client().get("/rules").get_data(as_text=True)
    red_flag = html.split('id="red-flag-stroke_signs"')[1].split('class="rule-item"')[0]
    assert "<li>ICD-10 I64 Stroke, not specified (checked in brief)</li>" in red_flag
