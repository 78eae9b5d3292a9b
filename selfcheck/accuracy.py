"""Triage accuracy on the clinical vignettes: the advice each vignette expects against the advice
the rules give, as a confusion matrix, with the share sent to less urgent care than they need
(under-triage) and to more urgent care (over-triage), and every miss.

``rules test`` prints the figures after each file of vignettes; ``python -m selfcheck.accuracy``
(run by ``make triage-accuracy``) writes them into docs/triage-accuracy.md, one block for each
file of :data:`FILES` between markers that name it, which a test checks are current.

Plain Python, no web framework.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from selfcheck.answers import asked
from selfcheck.paths import VIGNETTES
from selfcheck.rules import RED_FLAGS, Rules, load
from selfcheck.scenarios import Result, Scenarios, load_scenarios, run

#: The files of vignettes beside rules.yaml (docs/triage-accuracy.md has a block for each).
FILES = VIGNETTES


def begin(vignettes_file: str) -> str:
    """The marker before the block of figures of ``vignettes_file``."""
    return f"<!-- begin: {vignettes_file}, made by `make triage-accuracy`; do not edit by hand -->"


def end(vignettes_file: str) -> str:
    return f"<!-- end: {vignettes_file}, made by `make triage-accuracy` -->"


@dataclass(frozen=True)
class Accuracy:
    """What the rules gave each vignette, against what it expects."""

    rules: Rules
    results: tuple[Result, ...]

    def _rank(self, level_id: str) -> int:
        return next(level.rank for level in self.rules.levels if level.id == level_id)

    def count(self, expected: str, given: str) -> int:
        return sum(
            1
            for r in self.results
            if r.scenario.urgency == expected and r.outcome.level.id == given
        )

    @property
    def under(self) -> list[Result]:
        """Vignettes given less urgent advice than they expect."""
        return [r for r in self.results if r.outcome.level.rank > self._rank(r.scenario.urgency)]

    @property
    def over(self) -> list[Result]:
        """Vignettes given more urgent advice than they expect."""
        return [r for r in self.results if r.outcome.level.rank < self._rank(r.scenario.urgency)]

    @property
    def conditions_missed(self) -> list[Result]:
        """Vignettes whose conditions to list (or not to list) are not as expected."""
        return [r for r in self.results if r.missing or r.unwanted]

    @property
    def misses(self) -> list[Result]:
        return [r for r in self.results if not r.passed]


def measure(rules: Rules, vignettes: Scenarios) -> Accuracy:
    return Accuracy(rules, tuple(run(rules, vignettes)))


def _share(part: int, whole: int) -> str:
    return f"{part} of {whole} ({100 * part / whole:.0f} %)" if whole else "none"


def summary_lines(found: Accuracy) -> list[str]:
    """The figures in a few lines of plain text."""
    total = len(found.results)
    emergency = found.rules.emergency.id
    expected_emergency = [r for r in found.results if r.scenario.urgency == emergency]
    caught = [r for r in expected_emergency if r.outcome.level.id == emergency]
    return [
        f"Under-triaged (less urgent advice than expected): {_share(len(found.under), total)}",
        f"Over-triaged (more urgent advice than expected): {_share(len(found.over), total)}",
        "Emergency vignettes given the emergency advice: "
        + _share(len(caught), len(expected_emergency)),
        "Conditions listed not as expected: " + _share(len(found.conditions_missed), total),
    ]


def _given_by(rules: Rules, result: Result) -> str:
    """What set the advice a vignette was given: the red flags ticked and the rules of that
    level that applied, by id, or the default level."""
    answers = asked(rules, result.scenario.answers)
    level = result.outcome.level
    why = [f"red flag `{flag.id}`" for flag in result.outcome.red_flags]
    why += [
        f"rule `{rule.id}`"
        for rule in rules.urgency_rules
        if rule.level == level and rule.when.holds(answers)
    ]
    return ", ".join(why) or "the default level"


#: Answers left out when a miss is told: those that say a sign is absent.
_ABSENT = frozenset({"no", "none", "nowhere"})


def told(rules: Rules, result: Result) -> str:
    """The answers of a vignette that say something is there (or may be), in the order asked:
    ``red_flags: none; age: adult; jerking: yes; medicines: antidepressant``."""
    answers = asked(rules, result.scenario.answers)
    said = [
        f"{question}: {', '.join(sorted(answers[question]))}"
        for question in rules.questions
        if question in answers and (question == RED_FLAGS or not answers[question] <= _ABSENT)
    ]
    return "; ".join(said)


def _listed(found: Accuracy, results: list[Result]) -> list[str]:
    """Each result as a list item: what it expected and was given, why, and its answers."""
    lines = []
    for result in results:
        vignette = result.scenario
        said = [
            f"expected {vignette.urgency}, given {result.outcome.level.id}"
            if result.outcome.level.id != vignette.urgency
            else f"advice as expected ({vignette.urgency})"
        ]
        said += [f"not listed: {', '.join(result.missing)}"] if result.missing else []
        said += [f"listed: {', '.join(result.unwanted)}"] if result.unwanted else []
        said.append(f"by {_given_by(found.rules, result)}")
        lines.append(f"- `{vignette.id}` ({vignette.name}): {'; '.join(said)}.")
        lines.append(f"  Answers: {told(found.rules, result)}")
    return lines


def as_markdown(found: Accuracy, vignettes_file: str) -> str:
    """The figures as the generated part of docs/triage-accuracy.md."""
    levels = found.rules.levels
    lines = [
        begin(vignettes_file),
        "",
        f"Rules: version {found.rules.version} ({found.rules.status_words}). Vignettes: "
        f"`{vignettes_file}`, {len(found.results)} of them.",
        "",
        "Expected advice (rows) against the advice the rules give (columns):",
        "",
        "| expected \\ given | " + " | ".join(level.name for level in levels) + " | total |",
        "| --- | " + " | ".join("---:" for _ in levels) + " | ---: |",
    ]
    for row in levels:
        cells = [found.count(row.id, column.id) for column in levels]
        lines.append(f"| **{row.name}** | " + " | ".join(map(str, cells)) + f" | {sum(cells)} |")
    lines += ["", *(f"- {line}" for line in summary_lines(found)), ""]
    if found.misses:
        lines += ["Misses:", "", *_listed(found, found.misses)]
    else:
        lines.append("Misses: none. Every vignette gets the advice and the conditions it expects.")
    # In a blind file, more urgent advice than expected passes: listed apart, as a cost.
    over = [r for r in found.over if r.passed]
    if over:
        lines += ["", "More urgent than expected (over-triage, not a failure here):", ""]
        lines += _listed(found, over)
    lines += ["", end(vignettes_file)]
    return "\n".join(lines) + "\n"


def rewrite(document: str, block: str, vignettes_file: str) -> str:
    """``document`` with the text between the markers of ``vignettes_file`` replaced by
    ``block``."""
    last = end(vignettes_file)
    start, stop = document.index(begin(vignettes_file)), document.index(last) + len(last) + 1
    return document[:start] + block + document[stop:]


def main() -> None:  # pragma: no cover - run by make triage-accuracy, its output tested
    root = Path(__file__).resolve().parent.parent
    rules = load(root / "rules.yaml")
    doc = root / "docs" / "triage-accuracy.md"
    text = doc.read_text()
    for name in FILES:
        found = measure(rules, load_scenarios(root / name, rules))
        text = rewrite(text, as_markdown(found, name), name)
        sys.stdout.write("\n".join([f"{name}:", *summary_lines(found)]) + "\n")
    doc.write_text(text)


if __name__ == "__main__":  # pragma: no cover
    main()
