"""The facts of each red flag in the words of the later questions: a clinician's reading of
the emergency check, for the tests that prove the advice does not hang on that one page.

Each red flag maps to a condition on the later questions that tells the same facts, and to the
level those facts must reach at least.
"""

from __future__ import annotations

from selfcheck.rules import Condition
from selfcheck.rules.reach import all_of, answer_is, any_of

YES = ["yes", "not_sure"]
#: A change in a medicine, a drug or alcohol, as the later question words it.
CHANGED = ["started", "raised", "mixed", "stopped", "pump"]

FACTS_TOLD_LATER: dict[str, tuple[Condition, str]] = {
    # Chest pain, trouble breathing, or blue, grey or blotchy skin.
    "breathing_trouble": (answer_is("unwell", ["breathing", "colour", "chest_pain"]), "emergency"),
    # Passed out, hard to wake, suddenly confused, or floppy.
    "not_responding": (
        any_of(
            [
                answer_is("unwell", ["confusion"]),
                all_of(
                    [answer_is("recent_signs", ["seizure"]), answer_is("fit_details", ["not_back"])]
                ),
                answer_is("child_signs", ["floppy"]),
            ]
        ),
        "emergency",
    ),
    # A fit now, a first fit, or a fit of 5 minutes or more: today.
    "seizure": (
        all_of(
            [
                answer_is("recent_signs", ["seizure"]),
                answer_is("fit_when", ["today"]),
                answer_is("fit_details", ["first", "long", "repeated"]),
            ]
        ),
        "emergency",
    ),
    # A drooping face, a weak arm, slurred speech, or a sudden very bad headache, today.
    "stroke_signs": (
        any_of(
            [
                answer_is("recent_signs", ["sudden_headache"]),
                all_of(
                    [
                        answer_is("nerve_symptoms", ["speech", "one_side"]),
                        answer_is("nerve_started", ["hours"]),
                    ]
                ),
            ]
        ),
        "emergency",
    ),
    # A high temperature with a very bad headache or stiff neck, or a rash that does not fade.
    "brain_infection_signs": (
        any_of(
            [
                answer_is("recent_signs", ["rash"]),
                all_of(
                    [
                        answer_is("unwell", ["fever"]),
                        answer_is("recent_signs", ["headache", "stiff_neck"]),
                    ]
                ),
            ]
        ),
        "emergency",
    ),
    # Too much of a medicine taken; or, after a change in a medicine, a drug or alcohol, jerking
    # or stiff muscles with a high temperature, or stiff muscles with sweating or agitation.
    "medicine_reaction": (
        any_of(
            [
                answer_is("medicine_change", ["too_much"]),
                all_of(
                    [
                        answer_is("medicine_change", CHANGED),
                        any_of(
                            [
                                all_of(
                                    [
                                        answer_is("unwell", ["fever"]),
                                        any_of(
                                            [
                                                answer_is("jerking", YES),
                                                answer_is("stiffness", YES),
                                            ]
                                        ),
                                    ]
                                ),
                                all_of(
                                    [
                                        answer_is("stiffness", YES),
                                        answer_is("recent_signs", ["sweating", "agitation"]),
                                    ]
                                ),
                            ]
                        ),
                    ]
                ),
            ]
        ),
        "emergency",
    ),
    "spinal_cord_signs": (answer_is("nerve_symptoms", ["bladder", "legs"]), "emergency"),
    "recent_injury": (answer_is("injury", ["recent"]), "emergency"),
    # Pregnant or a recent birth, with a fit, a bad headache, blurred sight or sudden swelling.
    "pregnancy_signs": (
        all_of(
            [
                answer_is("pregnancy", ["pregnant", "birth"]),
                any_of(
                    [
                        answer_is("pregnancy_signs", ["headache", "sight", "rib_pain", "swelling"]),
                        answer_is("recent_signs", ["headache", "seizure"]),
                    ]
                ),
            ]
        ),
        "emergency",
    ),
}
