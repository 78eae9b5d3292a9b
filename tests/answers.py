"""Complete answer sets a person could give, one per urgency level, for the tests."""

from __future__ import annotations

NO_RED_FLAG = {"red_flags": "none"}

SYMPTOMS = {
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
}

BACKGROUND = {
    "checked": "no",
    "conditions": ["ms"],
    "oxygen": "no",
    "infection": "no",
    "kidney_liver": "none",
    "medicines": "none",
    "medicine_change": "no",
}

#: Not yet checked by a doctor, started months ago, stable: the default, "soon".
SOON = {**NO_RED_FLAG, **SYMPTOMS, **BACKGROUND}

#: Already checked, started long ago, not worse, no other nerve symptoms: "routine".
ROUTINE = {**SOON, "checked": "yes", "started": "years"}

#: Started in the last few days: "urgent".
URGENT = {**SOON, "started": "days"}

#: Jerking after a change of an antidepressant: "urgent", with the medicine cause listed.
URGENT_MEDICINE = {**SOON, "medicines": ["antidepressant"], "medicine_change": "yes"}

BY_LEVEL = {"soon": SOON, "routine": ROUTINE, "urgent": URGENT}


def on_page(answers: dict[str, object], page: str, rules: object) -> dict[str, object]:
    """The answers that belong on one page of the rules."""
    ids = {q.id for q in rules.page(page).questions}  # type: ignore[attr-defined]
    return {k: v for k, v in answers.items() if k in ids}
