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

BY_LEVEL: dict[str, Given] = {"soon": SOON, "routine": ROUTINE, "urgent": URGENT}


def on_page(answers: Mapping[str, Any], page: str, rules: Rules) -> dict[str, Any]:
    """The answers that belong on one page of the rules."""
    ids = {q.id for q in rules.page(page).questions}
    return {k: v for k, v in answers.items() if k in ids}


def as_sets(answers: Mapping[str, str | list[str]]) -> dict[str, frozenset[str]]:
    """Answers as the rules read them: each question id to the set of values chosen."""
    return {k: frozenset([v] if isinstance(v, str) else v) for k, v in answers.items()}
