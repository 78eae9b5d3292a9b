"""FHIR resources as a receiving system checks them: valid R4 (the R4B models of
``fhir.resources``), and compared without the times they were made; and the answer sets a
form filler's conditions are tried on."""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterator
from typing import Any

from fhir.resources.R4B import get_fhir_model_class

from selfcheck.answers import only_red_flags
from selfcheck.paths import VIGNETTES
from selfcheck.rules import RED_FLAGS, Question, Rules
from selfcheck.scenarios import load_scenarios

from .rules import ROOT

#: The fields that hold the time the resources were made: all that differs from one day to
#: the next for the same answers.
TIMES = ("authored", "timestamp", "effectiveDateTime", "issued")


def valid(resource: dict[str, Any]) -> None:
    """``resource`` passes the R4B model of its type, and so does each resource in a Bundle."""
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    for entry in resource.get("entry", ()):
        valid(entry["resource"])


def without_times(resource: Any) -> Any:
    """``resource`` without :data:`TIMES`, at any depth."""
    if isinstance(resource, dict):
        return {k: without_times(v) for k, v in resource.items() if k not in TIMES}
    if isinstance(resource, list):
        return [without_times(v) for v in resource]
    return resource


#: Above this many combinations of answers, the answer sets tried are a sample (see below).
MOST_COMBINATIONS = 50_000
#: How many answer sets the sample draws, with a fixed seed: the same sets on every run.
SAMPLE = 20_000


def choices(question: Question) -> list[frozenset[str]]:
    """Every answer a person could give to ``question``: one value, or any set of them."""
    values = [a.value for a in question.answers]
    if question.kind == "one":
        return [frozenset([v]) for v in values]
    return [
        frozenset(c) for n in range(1, len(values) + 1) for c in itertools.combinations(values, n)
    ]


def every_answer_set(
    rules: Rules, questions: list[str], most: int = MOST_COMBINATIONS, sample: int = SAMPLE
) -> Iterator[dict[str, frozenset[str]]]:
    """Every answer a person could give to ``questions``, in every combination, while there are
    at most ``most``. Beyond that (a question asked after any of many answers to many
    questions), every answer of each question with the others at their least worrying answer,
    and then a fixed sample of ``sample`` combinations of all of them."""
    lists = [choices(rules.questions[q]) for q in questions]
    if math.prod(len(each) for each in lists) <= most:
        for combination in itertools.product(*lists):
            yield dict(zip(questions, combination, strict=True))
        return
    least: dict[str, frozenset[str]] = {}
    for q, each in zip(questions, lists, strict=True):
        worry = {a.value: a.worry for a in rules.questions[q].answers}
        least[q] = min(each, key=lambda c: (sum(worry[v] for v in c), len(c)))  # noqa: B023
    for q, each in zip(questions, lists, strict=True):
        for choice in each:
            yield {**least, q: choice}
    draw = random.Random(20261207)
    for _ in range(sample):
        yield {q: draw.choice(each) for q, each in zip(questions, lists, strict=True)}


def cases(rules: Rules) -> Iterator[tuple[str, dict[str, frozenset[str]]]]:
    """Every scenario and vignette (the team's and the blind ones), named "FILE:ID", with its
    answers as the pages take them: a red flag ticked with "I'm not sure" is the red flag
    alone."""
    for name in ("scenarios.yaml", *VIGNETTES):
        for scenario in load_scenarios(ROOT / name, rules).scenarios:
            answers = dict(scenario.answers)
            if RED_FLAGS in answers:
                answers[RED_FLAGS] = frozenset(only_red_flags(rules, sorted(answers[RED_FLAGS])))
            yield f"{name}:{scenario.id}", answers
