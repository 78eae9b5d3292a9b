"""Triage accuracy on the clinical vignettes: the advice each vignette expects against the advice
the rules give, as a confusion matrix, with the share sent to less urgent care than they need
(under-triage) and to more urgent care (over-triage), and every miss.

``rules test`` prints the figures after the vignettes; ``python -m selfcheck.accuracy`` (run
by ``make triage-accuracy``) writes them into docs/triage-accuracy.md, between the markers that
a test checks are current.

Plain Python, no web framework.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from selfcheck.rules import Rules, load
from selfcheck.scenarios import Result, Scenarios, load_scenarios, run

BEGIN = "<!-- begin: made by `make triage-accuracy`; do not edit by hand -->"
END = "<!-- end: made by `make triage-accuracy` -->"


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


def as_markdown(found: Accuracy, vignettes_file: str) -> str:
    """The figures as the generated part of docs/triage-accuracy.md."""
    levels = found.rules.levels
    lines = [
        BEGIN,
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
        lines += ["Misses:", ""]
        for result in found.misses:
            vignette = result.scenario
            said = [
                f"expected {vignette.urgency}, given {result.outcome.level.id}"
                if result.outcome.level.id != vignette.urgency
                else f"advice as expected ({vignette.urgency})"
            ]
            said += [f"not listed: {', '.join(result.missing)}"] if result.missing else []
            said += [f"listed: {', '.join(result.unwanted)}"] if result.unwanted else []
            lines.append(f"- `{vignette.id}` ({vignette.name}): {'; '.join(said)}")
    else:
        lines.append("Misses: none. Every vignette gets the advice and the conditions it expects.")
    lines += ["", END]
    return "\n".join(lines) + "\n"


def rewrite(document: str, block: str) -> str:
    """``document`` with the text between its markers replaced by ``block``."""
    start, end = document.index(BEGIN), document.index(END) + len(END) + 1
    return document[:start] + block + document[end:]


def main() -> None:  # pragma: no cover - run by make triage-accuracy, its output tested
    root = Path(__file__).resolve().parent.parent
    rules = load(root / "rules.yaml")
    found = measure(rules, load_scenarios(root / "vignettes.yaml", rules))
    doc = root / "docs" / "triage-accuracy.md"
    doc.write_text(rewrite(doc.read_text(), as_markdown(found, "vignettes.yaml")))
    sys.stdout.write("\n".join(summary_lines(found)) + "\n")


if __name__ == "__main__":  # pragma: no cover
    main()
