"""The rules and a person's answers as FHIR R4 resources, for a clinic's record.

Plain Python, no web framework: dictionaries ready for ``json.dumps``. docs/fhir.md says what
each resource holds and why, with a worked example that the tests keep true.

- :func:`questionnaire`: the rules as a ``Questionnaire`` (``rules fhir``).
- :func:`bundle`: one person's answers and the advice they were given, as a ``Bundle`` of type
  collection holding a ``QuestionnaireResponse`` and an ``Observation`` (the download "for your
  clinician's record").
- :func:`qr_payload` and :func:`read_qr_payload`: the ``QuestionnaireResponse`` as the text of
  the QR code on the printed summary.

Nothing here names or identifies the person: no ``subject``, no name, no identifier; the ids in
a bundle are drawn from the answers alone. The conditions worth discussing are never
``Condition`` resources, which a record would read as diagnoses.
"""

from __future__ import annotations

import base64
import datetime
import json
import uuid
import zlib
from collections.abc import Callable
from typing import Any

from selfcheck.answers import asked
from selfcheck.outcome import Because, Outcome, evaluate
from selfcheck.outline import clause
from selfcheck.rules import Answer, Answers, Cause, Condition, Op, Page, Question, Rules
from selfcheck.rules.conditions import Clause

Resource = dict[str, Any]

#: Where the canonical addresses start when the settings give none (SELFCHECK_FHIR_BASE). A
#: copy of the app that sends records to a clinic should use an address its operator owns.
DEFAULT_BASE = "https://selfcheck.example/fhir"

#: The name of the questionnaire, in its canonical address and its code systems.
NAME = "clonus-selfcheck"

#: What the QR code's text starts with, before the base64url of the compressed JSON.
QR_PREFIX = "SELFCHECK:"

#: HL7's category of observations made with a questionnaire or an assessment tool.
SURVEY = {
    "system": "http://terminology.hl7.org/CodeSystem/observation-category",
    "code": "survey",
    "display": "Survey",
}

NOT_A_DIAGNOSIS = (
    "This is the advice of a self-check, made from the person's own answers. It is not a "
    "diagnosis. The health problems listed are worth discussing: the self-check cannot tell "
    "whether the person has any of them."
)


def _base(base: str) -> str:
    return base.rstrip("/")


def canonical(base: str = DEFAULT_BASE) -> str:
    """The canonical address of the questionnaire made from the rules."""
    return f"{_base(base)}/Questionnaire/{NAME}"


def system(base: str, name: str) -> str:
    """The address of one of the rules' code systems: ``levels``, ``causes``, ``advice``, or
    ``answers-QUESTION``, whose codes are the answer ids of that question."""
    return f"{_base(base)}/CodeSystem/{NAME}-{name}"


def group_id(page_id: str) -> str:
    """The linkId of a page's group: "page:" and its id, for a page may share its id with a
    question (the "pregnancy" page and question), and linkIds must differ."""
    return f"page:{page_id}"


def _coding(system_url: str, code: str, display: str) -> Resource:
    return {"system": system_url, "code": code, "display": display}


#: HL7's extension for codes of other systems that mean the same as a code.
ALTERNATE_CODES = "http://hl7.org/fhir/StructureDefinition/alternate-codes"


def _clinical(item: Question | Answer | Cause) -> list[Resource]:
    """The clinical codes (SNOMED CT, ICD-10) the rules give ``item``, where they give any."""
    return [
        {"system": code.system, "code": code.code, "display": code.display} for code in item.codes
    ]


def _answer_coding(question: Question, answer: Answer, base: str) -> Resource:
    """An answer as a Coding in the question's own code system, with the clinical codes the
    rules give it, where they give any, as alternate codes of the same meaning."""
    found = _coding(system(base, f"answers-{question.id}"), answer.value, answer.label)
    clinical = _clinical(answer)
    if clinical:
        found["_code"] = {
            "extension": [{"url": ALTERNATE_CODES, "valueCodeableConcept": {"coding": clinical}}]
        }
    return found


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat()


# --------------------------------------------------------------------------------------------
# The questionnaire


def _words(found: Clause) -> str:
    """A condition in words on one line: "any of these is true: A; B"."""
    if not found.terms:
        return found.text
    return f"{found.text} {'; '.join(_words(term) for term in found.terms)}"


def enable_when(condition: Condition, base: str = DEFAULT_BASE) -> Resource | None:
    """``enableWhen`` and ``enableBehavior`` for an ``ask_when``, or None when FHIR's flat
    list of "question = answer" tests cannot say it (a "not", or "all" of tests with more than
    one answer each, or tests nested both ways): then :func:`enable_when_expression`."""
    found = condition.enable_when()
    if found is None:
        return None
    behaviour, tests = found
    made: Resource = {
        "enableWhen": [
            {
                "question": question,
                "operator": "=",
                "answerCoding": {"system": system(base, f"answers-{question}"), "code": value},
            }
            for question, value in tests
        ]
    }
    if len(tests) > 1:
        made["enableBehavior"] = behaviour.value
    return made


#: The SDC extension that says when an item is enabled with a FHIRPath expression, for the
#: conditions a flat ``enableWhen`` cannot say (SDC forbids the two together on one item).
ENABLE_WHEN_EXPRESSION = (
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-enableWhenExpression"
)


def enable_when_expression(condition: Condition, base: str = DEFAULT_BASE) -> str:
    """A FHIRPath expression, run on the ``QuestionnaireResponse`` (``%resource``), that is
    true exactly when ``condition`` holds on its answers: a test is true when an answer to its
    question (at any depth of groups) is a coding of the question's code system with one of its
    codes; ``any``, ``all`` and ``not`` are ``or``, ``and`` and ``not()``
    (selfcheck/rules/conditions.py). tests/test_fhirpath.py runs it with a FHIRPath engine
    against the app's own ``answers.asked``."""
    return condition.fhirpath(lambda question: system(base, f"answers-{question}"))


#: SDC's extension that says how to draw a question, and the two ways the self-check's pages
#: draw theirs: radio buttons for "choose one", check boxes for "tick all that apply".
ITEM_CONTROL = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"
ITEM_CONTROLS = "http://hl7.org/fhir/questionnaire-item-control"
CONTROLS = {
    "one": {"system": ITEM_CONTROLS, "code": "radio-button", "display": "Radio Button"},
    "many": {"system": ITEM_CONTROLS, "code": "check-box", "display": "Check-box"},
}


def _when(rules: Rules, condition: Condition, base: str) -> Resource:
    """The fields that enable an item only when ``condition`` holds: ``enableWhen`` (and
    ``enableBehavior``) where they can say it, else an ``extension`` list with SDC's
    ``enableWhenExpression`` and the condition in words."""
    found = enable_when(condition, base)
    if found is not None:
        return found
    return {
        "extension": [
            {
                "url": ENABLE_WHEN_EXPRESSION,
                "valueExpression": {
                    "language": "text/fhirpath",
                    "expression": enable_when_expression(condition, base),
                },
            },
            {
                "url": f"{_base(base)}/StructureDefinition/{NAME}-ask-when",
                "valueString": "Asked only when "
                + _words(clause(condition, rules))
                + ". FHIR's enableWhen cannot say this condition: the expression above "
                "(SDC enableWhenExpression, FHIRPath) says it.",
            },
        ]
    }


def page_condition(page: Page) -> Condition | None:
    """When a page is shown at all, where that depends on the answers: when each of its
    questions is asked only sometimes, the page shows when any of them is asked (their one
    condition when they share it). None for a page with a question always asked."""
    conditions = [question.ask_when for question in page.questions]
    if not conditions or any(condition is None for condition in conditions):
        return None
    different = list(dict.fromkeys(c for c in conditions if c is not None))
    return different[0] if len(different) == 1 else Condition(Op.ANY, terms=tuple(different))


def _question_item(rules: Rules, question: Question, base: str) -> Resource:
    item: Resource = {"linkId": question.id, "text": question.text}
    clinical = _clinical(question)
    if clinical:
        item["code"] = clinical
    item["type"] = "choice"
    if question.kind == "many":
        item["repeats"] = True
    control = {"url": ITEM_CONTROL, "valueCodeableConcept": {"coding": [CONTROLS[question.kind]]}}
    item["extension"] = [control]
    if question.ask_when is not None:
        when = _when(rules, question.ask_when, base)
        item["extension"] += when.pop("extension", [])
        item.update(when)
    item["answerOption"] = [
        {"valueCoding": _answer_coding(question, answer, base)} for answer in question.answers
    ]
    return item


def _group(rules: Rules, page: Page, base: str) -> Resource:
    """A page as an item of type group: its title, and its questions. A page shown only
    sometimes carries its condition too, so that a form filler hides its heading with its
    questions; each question keeps its own."""
    group: Resource = {"linkId": group_id(page.id), "text": page.title, "type": "group"}
    condition = page_condition(page)
    if condition is not None:
        group.update(_when(rules, condition, base))
    group["item"] = [_question_item(rules, question, base) for question in page.questions]
    return group


def questionnaire(rules: Rules, base: str = DEFAULT_BASE) -> Resource:
    """The rules as a FHIR R4 ``Questionnaire``: one group a page, one "choice" item a
    question (its linkId the question's id), each answer coded in the question's own code
    system, and ``enableWhen`` from ``ask_when`` where FHIR can say it (else an extension
    with the condition in words). Version and status are the rules': a draft stays "draft",
    approved rules are "active"."""
    found: Resource = {
        "resourceType": "Questionnaire",
        "url": canonical(base),
        "version": rules.version,
        "name": "ClonusSelfCheck",
        "title": "Clonus self-check",
        "status": "active" if rules.approved else "draft",
    }
    if rules.approval is not None:
        found["date"] = rules.approval.date
    found["description"] = (
        "Questions about symptoms of clonus, asked to say how soon to get a medical "
        f"evaluation. Rules version {rules.version} (fingerprint {rules.fingerprint}), "
        f"{rules.status_words}. It never gives a "
        "diagnosis."
    )
    found["item"] = [_group(rules, page, base) for page in rules.pages]
    return found


# --------------------------------------------------------------------------------------------
# One person's answers


def response(
    rules: Rules,
    answers: Answers,
    authored: str | None = None,
    base: str = DEFAULT_BASE,
    words: bool = True,
) -> Resource:
    """The answers to the questions asked of this person, as a completed
    ``QuestionnaireResponse`` of the rules' questionnaire and version. Answers left over from
    questions not asked are left out, as the outcome leaves them out. Without ``words``, each
    answer is its code alone, without its display: the QR code's form, which must stay small
    (a reader finds the words in the questionnaire)."""
    given = asked(rules, answers)
    groups = []
    for page in rules.pages:
        items = []
        for question in page.questions:
            chosen = given.get(question.id)
            if not chosen:
                continue
            codes = system(base, f"answers-{question.id}")
            items.append(
                {
                    "linkId": question.id,
                    "answer": [
                        {
                            "valueCoding": _answer_coding(question, answer, base)
                            if words
                            else {"system": codes, "code": answer.value}
                        }
                        for answer in question.answers
                        if answer.value in chosen
                    ],
                }
            )
        if items:
            groups.append({"linkId": group_id(page.id), "item": items})
    return {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": f"{canonical(base)}|{rules.version}",
        "status": "completed",
        "authored": authored or _now(),
        "item": groups,
    }


def _said(because: tuple[Because, ...]) -> str:
    return "; ".join(f"{item.question.summary}: {item.said}" for item in because)


def _notes(outcome: Outcome, fill: Callable[[str], str]) -> list[Resource]:
    notes = [{"text": f"Why: {fill(flag.reason)}"} for flag in outcome.red_flags]
    if not outcome.red_flags:
        for reason in outcome.explained:
            text = f"Why: {fill(reason.text)}"
            if reason.because:
                text += f" Because they said: {_said(reason.because)}."
            notes.append({"text": text})
    for linked in outcome.listed:
        text = f"Worth discussing (not a diagnosis): {linked.cause.name}."
        if linked.because:
            text += f" Because they said: {_said(linked.because)}."
        notes.append({"text": text})
    notes.append({"text": NOT_A_DIAGNOSIS})
    return notes


def observation(
    rules: Rules,
    outcome: Outcome,
    authored: str,
    derived_from: str,
    base: str = DEFAULT_BASE,
    fill: Callable[[str], str] = lambda text: text,
) -> Resource:
    """The advice as an ``Observation`` a record keeps: how soon to get a medical evaluation
    (its value), why (notes), and the health problems worth discussing (components whose code
    says "not a diagnosis"), derived from the ``QuestionnaireResponse`` at ``derived_from``."""
    advice = system(base, "advice")
    level = outcome.level
    found: Resource = {
        "resourceType": "Observation",
        "status": "final",
        "category": [{"coding": [SURVEY]}],
        "code": {
            "coding": [
                _coding(advice, "urgency", "How soon to get a medical evaluation (self-check)")
            ],
            "text": "Clonus self-check: how soon to get a medical evaluation",
        },
        "effectiveDateTime": authored,
        "issued": authored,
        "valueCodeableConcept": {
            "coding": [_coding(system(base, "levels"), level.id, level.name)],
            "text": fill(level.heading),
        },
        "note": _notes(outcome, fill),
        "method": {
            "text": f"Clonus self-check, rules version {rules.version} (fingerprint "
            f"{rules.fingerprint}), {rules.status_words}"
        },
        "derivedFrom": [{"reference": derived_from}],
    }
    components = [
        {
            "code": {
                "coding": [
                    _coding(
                        advice,
                        "to-discuss",
                        "Health problem worth discussing with a clinician (not a diagnosis)",
                    )
                ]
            },
            "valueCodeableConcept": {
                "coding": [
                    _coding(system(base, "causes"), linked.cause.id, linked.cause.name),
                    *_clinical(linked.cause),
                ],
                "text": linked.cause.name,
            },
        }
        for linked in outcome.listed
    ]
    if components:
        found["component"] = components
    return found


def full_url(kind: str, made_from: Resource) -> str:
    """A ``urn:uuid:`` for an entry, drawn from what it was made from (never the person):
    the same answers give the same ids, so an example stays the same."""
    content = json.dumps({k: v for k, v in made_from.items() if k != "authored"}, sort_keys=True)
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{NAME}/{kind}/{content}')}"


def bundle(
    rules: Rules,
    answers: Answers,
    authored: str | None = None,
    base: str = DEFAULT_BASE,
    fill: Callable[[str], str] = lambda text: text,
) -> Resource:
    """A ``Bundle`` of type collection: the ``QuestionnaireResponse`` of ``answers`` and the
    ``Observation`` of the advice they lead to. Nothing in it identifies the person."""
    authored = authored or _now()
    answered = response(rules, answers, authored, base)
    answered_at = full_url("QuestionnaireResponse", answered)
    advice = observation(rules, evaluate(rules, answers), authored, answered_at, base, fill)
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": authored,
        "entry": [
            {"fullUrl": answered_at, "resource": answered},
            {"fullUrl": full_url("Observation", answered), "resource": advice},
        ],
    }


# --------------------------------------------------------------------------------------------
# The QR code's text


def qr_payload(answered: Resource) -> str:
    """A ``QuestionnaireResponse`` as the QR code's text: ``SELFCHECK:`` and the base64url,
    without padding, of its JSON compressed with zlib."""
    text = json.dumps(answered, ensure_ascii=False, separators=(",", ":")).encode()
    packed = base64.urlsafe_b64encode(zlib.compress(text, 9)).rstrip(b"=")
    return QR_PREFIX + packed.decode("ascii")


def read_qr_payload(text: str) -> Resource:
    """The ``QuestionnaireResponse`` a QR code's text holds (see :func:`qr_payload`)."""
    if not text.startswith(QR_PREFIX):
        raise ValueError(f"not a self-check code: it does not start with {QR_PREFIX}")
    packed = text.removeprefix(QR_PREFIX)
    found = json.loads(zlib.decompress(base64.urlsafe_b64decode(packed + "=" * (-len(packed) % 4))))
    if not isinstance(found, dict):
        raise ValueError("not a self-check code: it holds no resource")
    return found
