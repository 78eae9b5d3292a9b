"""Complete answer sets a person could give, one per urgency level, for the tests."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from selfcheck.rules import Rules

#: Answers as a form sends them: one value, or a list for a "tick all that apply" question.
Given = dict[str, str | list[str]]

NO_RED_FLAG: Given = {"red_flags": "none"}

#: An adult answering for themselves.
ABOUT: Given = {"age": "adult", "for_whom": "self"}

SYMPTOMS: Given = {
    "jerking": "yes",
    "reflexes": "not_sure",
    "stiffness": "yes",
    "weakness": "no",
    "balance": "no",
    "pain": "yes",
    "daily_life": "yes",
    "where": ["ankles", "knees"],
    "started": "months",
    "worse": "no",
    "nerve_symptoms": "none",
    "unwell": "none",
    "recent_signs": "none",
    "injury": "no",
}

BACKGROUND: Given = {
    "checked": "no",
    "conditions": ["ms"],
    "medicines": "none",
    "medicine_change": "none",
    "pregnancy": "no",
}

#: Not yet checked by a doctor, started months ago, stable: "soon".
SOON: Given = {**NO_RED_FLAG, **ABOUT, **SYMPTOMS, **BACKGROUND}

#: Already checked and a cause found, started long ago, not worse, no other signs: "routine".
ROUTINE: Given = {**SOON, "checked": "cause_found", "started": "years"}

#: Started in the last few days: "urgent".
URGENT: Given = {**SOON, "started": "days"}

#: Jerking after a change of an antidepressant: "urgent", with the medicine cause listed.
URGENT_MEDICINE: Given = {**SOON, "medicines": ["antidepressant"], "medicine_change": ["raised"]}

#: None of the symptoms asked about (so not asked when they started): "routine".
NO_SYMPTOMS: Given = {
    **SOON,
    **{q: "no" for q in ("jerking", "reflexes", "stiffness", "weakness", "balance", "pain")},
    "daily_life": "no",
    "where": "nowhere",
}

#: A pregnant person is shown every page of questions for an adult.
PREGNANT: Given = {**SOON, "pregnancy": "pregnant", "pregnancy_signs": "none"}
#: A child's parent is asked how the child is.
CHILD: Given = {**SOON, "age": "child", "for_whom": "other", "child_signs": "none"}
#: Someone who had a fit some days ago is asked about it.
AFTER_A_FIT: Given = {
    **SOON,
    "recent_signs": ["seizure"],
    "fit_when": "days",
    "fit_known": "yes",
    "fit_details": "none",
}

#: The most a person can tick and still answer every page: the longest code (docs/fhir.md)
#: and the longest summary on paper (tests/browser/test_print.py),
#: found by adding, page by page, each answer that lengthens it and keeps the advice short of
#: an emergency (which would end the questions early).
LARGEST: Given = {
    "red_flags": "none",
    "age": "young_baby",
    "for_whom": "other",
    "child_signs": ["not_sure", "yellow"],
    "jerking": "yes",
    "reflexes": "no",
    "stiffness": "yes",
    "pain": "not_sure",
    "where": ["ankles", "elsewhere", "knees", "wrists"],
    "weakness": "not_sure",
    "balance": "no",
    "daily_life": "not_sure",
    "nerve_symptoms": [
        "not_sure",
        "numbness",
        "one_side",
        "sight",
        "speech",
        "swallowing",
        "tingling",
    ],
    "unwell": ["no_urine", "pulse_pressure", "vomiting"],
    "recent_signs": [
        "agitation",
        "back_pain",
        "headache",
        "not_sure",
        "others_ill",
        "stiff_neck",
        "sweating",
        "wound",
    ],
    "started": "months",
    "worse": "quickly",
    "nerve_started": "days",
    "nerve_now": "gone",
    "injury": "earlier",
    "checked": "cause_found",
    "conditions": [
        "brain_infection",
        "brain_injury",
        "cancer",
        "cerebral_palsy",
        "diabetes",
        "epilepsy",
        "kidney",
        "liver",
        "ms",
        "no_oxygen",
        "not_sure",
        "stroke",
    ],
    "medicines": [
        "alcohol",
        "baclofen",
        "blood_thinner",
        "epilepsy_medicine",
        "insulin",
        "lithium",
        "not_sure",
        "parkinsons",
        "sedative",
        "stomach_acid",
    ],
    "medicine_change": ["dialysis", "not_sure"],
}

BY_LEVEL: dict[str, Given] = {"soon": SOON, "routine": ROUTINE, "urgent": URGENT}


def on_page(answers: Mapping[str, Any], page: str, rules: Rules) -> dict[str, Any]:
    """The answers that belong on one page of the rules."""
    ids = {q.id for q in rules.page(page).questions}
    return {k: v for k, v in answers.items() if k in ids}


def as_sets(answers: Mapping[str, str | list[str]]) -> dict[str, frozenset[str]]:
    """Answers as the rules read them: each question id to the set of values chosen."""
    return {k: frozenset([v] if isinstance(v, str) else v) for k, v in answers.items()}
