"""The facts of each red flag in the words of the later questions: a clinician's reading of
the emergency check, for the tests that prove the advice does not hang on that one page.

Each red flag maps to a condition on the later questions that tells the same facts, and to the
level those facts must reach at least.
"""

from __future__ import annotations

from selfcheck.rules import Condition
from selfcheck.rules.reach import all_of, answer_is, any_of

SEROTONIN_MEDICINES = ["antidepressant", "stimulant", "serotonin_other"]
BRAIN_INFECTION_WITH_FEVER = ["headache", "stiff_neck", "confusion", "seizure"]

FACTS_TOLD_LATER: dict[str, tuple[Condition, str]] = {
    "stroke_signs": (
        all_of(
            [
                answer_is("nerve_symptoms", ["speech", "sight", "one_side"]),
                answer_is("nerve_started", ["hours", "days"]),
            ]
        ),
        "emergency",
    ),
    "brain_infection_signs": (
        any_of(
            [
                answer_is("recent_signs", ["rash"]),
                all_of(
                    [
                        answer_is("recent_signs", ["fever"]),
                        answer_is(
                            "recent_signs", ["headache", "stiff_neck", "confusion", "seizure"]
                        ),
                    ]
                ),
            ]
        ),
        "emergency",
    ),
    "serotonin_signs": (
        all_of(
            [
                answer_is("medicines", SEROTONIN_MEDICINES),
                answer_is("jerking", ["yes", "not_sure"]),
                answer_is("recent_signs", ["fever", "sweating", "agitation", "confusion"]),
            ]
        ),
        "emergency",
    ),
    "spinal_cord_signs": (answer_is("recent_signs", ["bladder", "legs"]), "emergency"),
    "recent_injury": (answer_is("injury", ["recent"]), "emergency"),
    "pregnancy_signs": (
        all_of(
            [
                answer_is("pregnancy", ["pregnant", "birth"]),
                any_of(
                    [
                        answer_is("pregnancy_signs", ["headache", "sight", "rib_pain", "swelling"]),
                        answer_is("recent_signs", ["headache"]),
                    ]
                ),
            ]
        ),
        "emergency",
    ),
    # Trouble breathing, a collapse or a fit *now* can be told only on the emergency check. The
    # later question asks about a fit or collapse in the last 24 hours that has stopped, which
    # the brief (CLINICAL.md) and NHS guidance send to same-day care: never less than urgent.
    "breathing_collapse_seizure": (answer_is("recent_signs", ["seizure"]), "urgent"),
}
