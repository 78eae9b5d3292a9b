"""The kinds of change `rules diff` reports, and one change as a reviewer reads it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from selfcheck.outline import Value


@dataclass(frozen=True)
class Change:
    """One thing that changed: a line that says it, and the facts under it."""

    says: str
    facts: tuple[tuple[str, Value], ...] = ()


class Kind(Enum):
    """The kinds of change, in the order a reviewer reads them; each value is its heading."""

    RECORD = "Review record"
    RED_FLAGS = "Emergency check (red flags)"
    QUESTIONS = "Questions and answers"
    LEVELS = "Urgency levels"
    RULES = "Urgency rules"
    CONTRADICTIONS = "Answers that cannot all be true"
    CAUSES = "Conditions worth discussing (causes)"
    TREATMENTS = "Treatments and other text"
    SOURCES = "Sources"
    #: Found by an exhaustive search over every set of answers, so that none is worth saying.
    ADVICE = "Advice and conditions that change for some answers"
    #: Not a change of the rules themselves: the clinicians' scenarios read against them.
    SCENARIOS = "Scenarios whose outcome changes"


@dataclass(frozen=True)
class Topic:
    """Changes of one kind, under a heading."""

    kind: Kind
    changes: tuple[Change, ...]

    @property
    def title(self) -> str:
        return self.kind.value
