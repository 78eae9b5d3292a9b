"""What changes for patients between two rule sets, in plain words, for the reviewer who
approves a change (``flask --app selfcheck rules diff [FILE] [--against OLD]``).

Three kinds of finding, from the most literal to the most telling:

1. items added, removed or reworded (questions and when they are asked, answers, red flags,
   levels, rules, contradictions, causes, treatments, sources), with the words before and
   after;
2. advice and conditions that change for *some* answers: an exact search (see
   :mod:`selfcheck.rules.reach`) looks for answers that got one urgency level before and
   another now, or that list a condition before and not now, and shows one such set of
   answers. "None found" is a proof, not a sample;
3. the clinicians' scenarios whose outcome changes.

Plain Python, no web framework. One module for each: changes/items.py, changes/advice.py and
changes/scenarios.py; changes/topics.py holds what they report.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from selfcheck.changes import advice, items
from selfcheck.changes import scenarios as scenario_outcomes
from selfcheck.changes.advice import lowered
from selfcheck.changes.topics import Change, Kind, Topic
from selfcheck.outline import fact_lines, wrap
from selfcheck.rules import Rules
from selfcheck.scenarios import Scenarios

__all__ = ["Change", "Comparison", "Kind", "Topic", "as_text", "compare", "lowered"]


# --------------------------------------------------------------------------------------------
# The whole comparison


@dataclass(frozen=True)
class Comparison:
    old: Rules
    new: Rules
    topics: tuple[Topic, ...]
    scenarios_file: str | None
    unchanged_scenarios: int | None

    @property
    def changed(self) -> bool:
        return any(topic.changes for topic in self.topics if topic.kind is not Kind.SCENARIOS)


def compare(
    old: Rules,
    new: Rules,
    scenarios: Scenarios | None = None,
    scenario_problems: Iterable[str] = (),
) -> Comparison:
    """Everything that changes for patients from ``old`` to ``new``.

    ``scenarios`` are read against ``new`` (or ``old``, if they fit only that one); None when
    they fit neither, and ``scenario_problems`` then says why.
    """
    scenario_changes, same = scenario_outcomes.outcomes(
        old, new, scenarios, list(scenario_problems)
    )
    topics = (
        Topic(Kind.RECORD, tuple(items.review_record(old, new))),
        Topic(Kind.RED_FLAGS, tuple(items.red_flags(old, new))),
        Topic(Kind.QUESTIONS, tuple(items.questions(old, new))),
        Topic(Kind.LEVELS, tuple(items.levels(old, new))),
        Topic(Kind.RULES, tuple(items.urgency_rules(old, new))),
        Topic(Kind.CONTRADICTIONS, tuple(items.contradictions(old, new))),
        Topic(Kind.CAUSES, tuple(items.causes(old, new))),
        Topic(Kind.TREATMENTS, tuple(items.treatments(old, new))),
        Topic(Kind.SOURCES, tuple(items.sources(old, new))),
        Topic(Kind.ADVICE, tuple(advice.found(old, new))),
        Topic(Kind.SCENARIOS, tuple(scenario_changes)),
    )
    return Comparison(
        old, new, topics, scenarios.path if scenarios else None, same if scenarios else None
    )


def as_text(found: Comparison) -> str:
    """The comparison as plain text, the most telling topics included even when empty."""
    lines = [
        "What changes for patients",
        f"  from: {found.old}",
        f"  to:   {found.new}",
    ]
    if not found.changed:
        lines += [
            "",
            "No changes for patients: both files ask the same questions, give the "
            "same advice and list the same conditions for every set of answers.",
        ]
    for topic in found.topics:
        searched = topic.kind is Kind.ADVICE
        if not topic.changes and not searched and topic.kind is not Kind.SCENARIOS:
            continue
        lines += ["", topic.title]
        if topic.kind is Kind.SCENARIOS:
            lines.append(f"  (from {found.scenarios_file or 'no scenarios file'})")
        for change in topic.changes:
            lines += wrap(change.says, "  - ", "    ")
            for label, value in change.facts:
                lines += fact_lines(label, value, indent=6)
        if searched and not topic.changes:
            lines.append(
                "  - None: every set of answers gets the same advice and the same "
                "conditions from both files (an exhaustive search)."
            )
        if topic.kind is Kind.SCENARIOS and found.unchanged_scenarios is not None:
            lines.append(f"  {found.unchanged_scenarios} other scenarios give the same outcome.")
    return "\n".join(lines) + "\n"
