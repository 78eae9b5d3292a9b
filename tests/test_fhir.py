"""The rules and a person's answers as FHIR R4 resources (selfcheck/fhir.py), for a clinic's
record: the Questionnaire of ``rules fhir``, and the Bundle the result page offers as
"Download for your clinician's record". Every resource is checked against the R4B models of
``fhir.resources``, and read back as a receiving system would read it."""

from __future__ import annotations

import datetime
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.datastructures import MultiDict

from selfcheck import create_app, fhir
from selfcheck.answers import asked, is_asked
from selfcheck.outcome import evaluate
from selfcheck.rules import Condition, Op, load

from .testing.answers import NO_SYMPTOMS, SOON, URGENT_MEDICINE, Given, as_sets
from .testing.fhir import every_answer_set, valid, without_times
from .testing.pages import visible_text
from .testing.privacy import traces
from .testing.rules import APPROVED, ROOT
from .testing.visitor import Journey

GOLDEN = ROOT / "docs" / "fhir.md"


def items(resource: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every item of a Questionnaire or a QuestionnaireResponse, groups and questions."""
    for item in resource.get("item", ()):
        yield item
        yield from items(item)


def answered(response: dict[str, Any]) -> dict[str, frozenset[str]]:
    """The answers a QuestionnaireResponse holds, as the rules read them: codes by linkId."""
    return {
        item["linkId"]: frozenset(a["valueCoding"]["code"] for a in item["answer"])
        for item in items(response)
        if "answer" in item
    }


def entries(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["resource"]["resourceType"]: e for e in bundle["entry"]}


# --------------------------------------------------------------------------------------------
# The questionnaire


def test_the_questionnaire_is_valid_fhir_with_the_rules_questions_pages_and_answers(rules):
    made = fhir.questionnaire(rules, "https://clinic.test/fhir/")
    valid(made)
    assert made["url"] == "https://clinic.test/fhir/Questionnaire/clonus-selfcheck"
    assert (made["version"], made["status"]) == (rules.version, "draft")
    assert [g["linkId"] for g in made["item"]] == [f"page:{page.id}" for page in rules.pages]
    link_ids = [item["linkId"] for item in items(made)]
    assert len(link_ids) == len(set(link_ids)), "no two items share a linkId"
    for group, page in zip(made["item"], rules.pages, strict=True):
        assert group["type"] == "group" and group["text"] == page.title
        assert [i["linkId"] for i in group["item"]] == [q.id for q in page.questions]
        assert set(i["linkId"] for i in group["item"]) <= set(rules.questions)
        for item, question in zip(group["item"], page.questions, strict=True):
            assert item["type"] == "choice" and item["text"] == question.text
            assert item.get("repeats", False) == (question.kind == "many")
            codings = [option["valueCoding"] for option in item["answerOption"]]
            assert [(c["code"], c["display"]) for c in codings] == [
                (a.value, a.label) for a in question.answers
            ]
            assert {c["system"] for c in codings} == {
                f"https://clinic.test/fhir/CodeSystem/clonus-selfcheck-answers-{question.id}"
            }, "each question's answers in a code system of their own: 'sight' differs"


def test_approved_rules_make_an_active_questionnaire(edited_rules):
    made = fhir.questionnaire(load(edited_rules(*APPROVED)))
    valid(made)
    assert made["status"] == "active" and made["date"] == "2025-01-31"


def test_the_clinical_codes_of_the_rules_are_on_the_items_and_answers(rules):
    made = {i["linkId"]: i for i in items(fhir.questionnaire(rules))}
    assert {"system": "http://snomed.info/sct", "code": "36649002", "display": "Clonus"} in made[
        "jerking"
    ]["code"]
    ms = next(o for o in made["conditions"]["answerOption"] if o["valueCoding"]["code"] == "ms")
    (alternate,) = ms["valueCoding"]["_code"]["extension"]
    assert alternate["url"] == "http://hl7.org/fhir/StructureDefinition/alternate-codes"
    assert {(c["system"], c["code"]) for c in alternate["valueCodeableConcept"]["coding"]} == {
        ("http://snomed.info/sct", "24700007"),
        ("http://hl7.org/fhir/sid/icd-10", "G35"),
    }
    assert "code" not in made["age"], "no code where the rules give none"


def enabled(item: dict[str, Any], answers: dict[str, frozenset[str]]) -> bool:
    """What a FHIR form filler decides from ``enableWhen``: each test is true when an answer to
    its question has the code; ``enableBehavior`` all or any (one test: that test)."""
    tests = [
        test["answerCoding"]["code"] in answers.get(test["question"], frozenset())
        for test in item["enableWhen"]
    ]
    return all(tests) if item.get("enableBehavior") == "all" else any(tests)


def test_enable_when_asks_each_question_exactly_when_the_rules_ask_it(rules):
    """For every question asked only sometimes, a FHIR form filler following ``enableWhen``
    shows it for exactly the answers the app asks it for: tried on every combination of the
    answers it depends on (or, where those are too many, on each answer and a fixed sample)."""
    made = {i["linkId"]: i for i in items(fhir.questionnaire(rules))}
    assert rules.asked_sometimes
    for question in rules.asked_sometimes:
        assert question.ask_when is not None
        item = made[question.id]
        group = made[fhir.group_id(question.page_id)]
        for found in (item, group):
            assert fhir.ENABLE_WHEN_EXPRESSION not in [
                e["url"] for e in found.get("extension", ())
            ], f"{question.id}: the shipped rules are all expressible"
        depends = sorted(set(question.ask_when.questions()))
        seen = set()
        for answers in every_answer_set(rules, depends):
            # A question is enabled when it and its page's group both are.
            whole_page = "enableWhen" not in group or enabled(group, answers)
            shown = whole_page and enabled(item, answers)
            assert shown == is_asked(question, answers), (question.id, answers)
            seen.add(shown)
        assert seen == {True, False}, f"{question.id}: the answers tried show it and hide it"


def test_a_condition_enable_when_cannot_say_is_an_expression_instead(edited_rules):
    """FHIR's enableWhen is a flat list of tests: a "not" cannot be said. The item then has no
    enableWhen but SDC's enableWhenExpression, in FHIRPath (tests/test_fhirpath.py runs it),
    and an extension that says, in words, when it is asked."""
    path = edited_rules(
        (
            "ask_when: {question: age, is: [teen, adult]}",
            "ask_when: {not: {question: age, is: [baby, child, older]}}",
        )
    )
    rules = load(path)
    made = fhir.questionnaire(rules)
    valid(made)
    item = next(i for i in items(made) if i["linkId"] == "pregnancy")
    assert "enableWhen" not in item
    control, expression, note = item["extension"]
    assert control["url"] == fhir.ITEM_CONTROL
    condition = rules.questions["pregnancy"].ask_when
    assert expression["url"] == fhir.ENABLE_WHEN_EXPRESSION and condition is not None
    assert expression["valueExpression"] == {
        "language": "text/fhirpath",
        "expression": fhir.enable_when_expression(condition),
    }
    assert note["url"].endswith("/StructureDefinition/clonus-selfcheck-ask-when")
    assert note["valueString"].startswith("Asked only when ")
    assert "is none of" in note["valueString"] and "enableWhen cannot say" in note["valueString"]


@pytest.mark.parametrize(
    ("condition", "behaviour"),
    [
        (Condition(Op.IS, "age", frozenset({"teen"})), None),
        (Condition(Op.IS, "age", frozenset({"teen", "adult"})), "any"),
        (
            Condition(
                Op.ALL,
                terms=(
                    Condition(Op.IS, "age", frozenset({"adult"})),
                    Condition(Op.IS, "for_whom", frozenset({"self"})),
                ),
            ),
            "all",
        ),
        (Condition(Op.NOT, terms=(Condition(Op.IS, "age", frozenset({"adult"})),)), "none"),
        (
            Condition(
                Op.ALL,
                terms=(
                    Condition(Op.IS, "age", frozenset({"adult", "teen"})),
                    Condition(Op.IS, "for_whom", frozenset({"self"})),
                ),
            ),
            "none",
        ),
    ],
)
def test_enable_when_says_a_condition_only_where_it_means_the_same(condition, behaviour):
    found = fhir.enable_when(condition)
    if behaviour == "none":
        assert found is None
        return
    assert found is not None
    assert found.get("enableBehavior") == behaviour
    assert {(t["question"], t["answerCoding"]["code"]) for t in found["enableWhen"]} == {
        (condition.question, v) for v in condition.values
    } | {(t.question, v) for t in condition.terms for v in t.values}


# --------------------------------------------------------------------------------------------
# One person's bundle


@pytest.mark.parametrize(
    "given", [SOON, URGENT_MEDICINE, NO_SYMPTOMS, {"red_flags": "stroke_signs"}]
)
def test_the_bundle_holds_the_answers_and_the_advice_and_is_valid_fhir(rules, given: Given):
    answers = as_sets(given)
    before = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    made = fhir.bundle(rules, answers, base="https://clinic.test/fhir")
    valid(made)
    assert made["type"] == "collection"
    found = entries(made)
    assert set(found) == {"QuestionnaireResponse", "Observation"}
    response = found["QuestionnaireResponse"]["resource"]
    assert response["status"] == "completed"
    assert response["questionnaire"] == (
        f"https://clinic.test/fhir/Questionnaire/clonus-selfcheck|{rules.version}"
    )
    authored = datetime.datetime.fromisoformat(response["authored"])
    assert before <= authored <= datetime.datetime.now(datetime.UTC)
    assert answered(response) == asked(rules, answers), "every answer asked, and no other"
    outcome = evaluate(rules, answers)
    advice = found["Observation"]["resource"]
    assert advice["derivedFrom"] == [{"reference": found["QuestionnaireResponse"]["fullUrl"]}]
    (level,) = advice["valueCodeableConcept"]["coding"]
    assert level["code"] == outcome.level.id
    assert advice["valueCodeableConcept"]["text"] == outcome.level.heading
    notes = [note["text"] for note in advice["note"]]
    for reason in outcome.explained if not outcome.red_flags else ():
        assert any(note.startswith(f"Why: {reason.text}") for note in notes)
    for flag in outcome.red_flags:
        assert f"Why: {flag.reason}" in notes
    assert "It is not a diagnosis." in notes[-1]
    discussed = [
        c["valueCodeableConcept"]["coding"][0]["code"] for c in advice.get("component", [])
    ]
    assert discussed == [linked.cause.id for linked in outcome.listed]
    for component in advice.get("component", []):
        assert "(not a diagnosis)" in component["code"]["coding"][0]["display"]


def test_a_cause_to_discuss_carries_its_clinical_codes_and_is_never_a_condition(rules):
    made = fhir.bundle(rules, as_sets(SOON))
    (component,) = entries(made)["Observation"]["resource"]["component"]
    systems = {c["system"]: c["code"] for c in component["valueCodeableConcept"]["coding"]}
    assert systems["http://snomed.info/sct"] == "24700007"
    assert systems["http://hl7.org/fhir/sid/icd-10"] == "G35"
    text = json.dumps(made)
    assert '"Condition"' not in text and "diagnosis" in text


def test_nothing_in_the_bundle_identifies_the_person(rules):
    """No subject, patient, identifier, name or birth date; and the ids are drawn from the
    answers alone, so two people who answer alike get the same ids."""
    made = fhir.bundle(rules, as_sets(URGENT_MEDICINE))
    keys: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            keys.update(value)
            for inner in value.values():
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(made)
    assert not keys & {"subject", "patient", "identifier", "name", "birthDate", "performer"}
    assert "Patient" not in json.dumps(made)
    again = fhir.bundle(rules, as_sets(URGENT_MEDICINE))
    assert [e["fullUrl"] for e in again["entry"]] == [e["fullUrl"] for e in made["entry"]]
    other = fhir.bundle(rules, as_sets(SOON))
    assert other["entry"][0]["fullUrl"] != made["entry"][0]["fullUrl"]


def with_999(text: str) -> str:
    """Text as the app fills it in with its default emergency number."""
    return text.replace("{emergency_number}", "999")


def golden_example() -> dict[str, Any]:
    text = GOLDEN.read_text(encoding="utf-8")
    found = re.search(r"<!-- golden: bundle -->\n```json\n(.*?)\n```", text, re.S)
    assert found, "docs/fhir.md has lost its golden example"
    return dict(json.loads(found.group(1)))


def test_the_golden_example_in_the_docs_is_what_the_code_makes(rules):
    """docs/fhir.md shows the Bundle for the answers SOON of tests/testing/answers.py: it must
    stay what the code makes, but for the time it was made."""
    example = golden_example()
    valid(example)
    made = fhir.bundle(
        rules, as_sets(SOON), fill=lambda text: text.replace("{emergency_number}", "999")
    )
    assert without_times(example) == without_times(made)


# --------------------------------------------------------------------------------------------
# The download


def download(journey: Journey, given: Given) -> Any:
    journey.complete(given)
    return journey.submit("fhir")


def test_the_result_page_offers_the_download_for_a_clinicians_record(journey: Journey):
    journey.complete(SOON)
    buttons = {b.get("value"): b for b in journey.form().buttons}
    assert buttons["fhir"]["formaction"] == "/summary.fhir.json"
    assert "Download for your clinician's record" in visible_text(journey.html)


@pytest.mark.parametrize("given", [SOON, {"red_flags": "breathing_trouble"}])
def test_the_download_is_the_bundle_of_the_answers_sent(journey: Journey, rules, given):
    response = download(journey, given)
    assert response.status_code == 200
    assert response.mimetype == "application/fhir+json"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="clonus-')
    assert response.headers["Content-Disposition"].endswith('.fhir.json"')
    assert "no-store" in response.headers["Cache-Control"]
    made = json.loads(response.data)
    valid(made)
    answers = asked(rules, as_sets(given))
    assert answered(entries(made)["QuestionnaireResponse"]["resource"]) == answers
    advice = entries(made)["Observation"]["resource"]
    assert advice["valueCodeableConcept"]["coding"][0]["code"] == evaluate(rules, answers).level.id
    assert "{emergency_number}" not in response.get_data(as_text=True), "the number is filled in"


def test_the_download_follows_the_fhir_base_setting(rules):
    app = create_app({"TESTING": True, "SECRET_KEY": "k", "FHIR_BASE": "https://clinic.test/r4"})
    made = json.loads(download(Journey(app.test_client(), rules), SOON).data)
    assert entries(made)["QuestionnaireResponse"]["resource"]["questionnaire"].startswith(
        "https://clinic.test/r4/Questionnaire/clonus-selfcheck|"
    )


def test_the_download_of_unfinished_answers_leads_back_to_the_questions(journey: Journey):
    journey.complete(SOON)
    form = journey.form()
    data = [(k, v) for k, v in form.fields if k != "pregnancy"] + [("go", "fhir")]
    response = journey.client.post("/summary.fhir.json", data=MultiDict(data))
    assert response.status_code == 303
    assert response.mimetype != "application/fhir+json"


def test_the_download_logs_no_answer_and_puts_none_in_the_url(journey: Journey, rules, caplog):
    caplog.set_level(logging.DEBUG)
    response = download(journey, URGENT_MEDICINE)
    assert response.status_code == 200
    assert response.request.path == "/summary.fhir.json" and not response.request.query_string
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert not [t.pattern for t in traces(rules) if t.search(logged)]


# --------------------------------------------------------------------------------------------
# The command


def test_rules_fhir_prints_the_questionnaire_and_names_the_file_on_stderr(tmp_path: Path):
    import subprocess
    import sys

    flask = Path(sys.executable).parent / "flask"
    done = subprocess.run(
        [
            str(flask),
            "--app",
            "selfcheck",
            "rules",
            "fhir",
            "rules.yaml",
            "--base",
            "https://c.test",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    made = json.loads(done.stdout)
    valid(made)
    assert made == fhir.questionnaire(load(ROOT / "rules.yaml"), "https://c.test")
    rules = load(ROOT / "rules.yaml")
    assert done.stderr.splitlines()[0] == (
        f"Rules: {ROOT / 'rules.yaml'} (version {made['version']}, draft, "
        f"fingerprint {rules.short_fingerprint})"
    )
    assert rules.fingerprint in made["description"]


def test_rules_fhir_of_a_broken_file_says_why_on_stderr_and_exits_1(runner, edited_rules):
    path = edited_rules(
        ("when: {question: started, is: days}", "when: {question: startd, is: days}")
    )
    result = runner.invoke(args=["rules", "fhir", str(path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "refers to question" in result.stderr


def test_read_qr_payload_refuses_what_is_not_a_selfcheck_code():
    with pytest.raises(ValueError, match="SELFCHECK:"):
        fhir.read_qr_payload("https://example.org/")


def test_the_qr_payload_is_the_compressed_response_without_the_words(rules):
    text = fhir.qr_payload(fhir.response(rules, as_sets(SOON), words=False))
    assert text.startswith("SELFCHECK:") and "=" not in text
    assert re.fullmatch(r"SELFCHECK:[A-Za-z0-9_-]+", text)
    read = fhir.read_qr_payload(text)
    valid(read)
    assert answered(read) == asked(rules, as_sets(SOON))
    assert "display" not in json.dumps(read)


# --------------------------------------------------------------------------------------------
# The renderer's table (python -m tests.fhir_renderer)


def test_the_renderer_table_in_the_docs_is_of_these_rules_cases_and_lhc_forms(rules):
    """docs/fhir.md's table of every scenario and vignette through LHC-Forms and $evaluate
    (written by `python -m tests.fhir_renderer`, which `make test` runs only in part) is of
    today's rules, cases and pinned LHC-Forms, with every case equal: a change to any of them
    fails here until the script is run again."""
    from collections import Counter

    from .fhir_renderer import DOC, SOURCES, TABLE, version
    from .testing.fhir import cases

    found = TABLE.search(DOC.read_text(encoding="utf-8"))
    assert found, "docs/fhir.md has lost its renderer table"
    heading, *lines = found.group(1).strip().splitlines()
    assert heading == (
        f"LHC-Forms {version()}, rules version {rules.version} (fingerprint "
        f"{rules.short_fingerprint}): {sum(1 for _ in cases(rules))} cases."
    )
    counts = Counter(
        (name.partition(":")[0], evaluate(rules, given).level.id) for name, given in cases(rules)
    )
    rows = [line.strip("|").split("|") for line in lines if line.startswith("| ")][2:]
    said = {(f.strip(), level.strip()): (int(n), int(eq), int(ne)) for f, level, n, eq, ne in rows}
    total = said.pop(("all", ""))
    expected = {key: (n, n, 0) for key, n in counts.items()}
    assert said == expected
    assert {f for f, _ in said} == set(SOURCES)
    assert total == (sum(counts.values()), sum(counts.values()), 0)
