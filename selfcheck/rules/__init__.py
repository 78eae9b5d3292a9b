"""The rule set: rules.yaml read, checked and turned into immutable records.

Plain Python, no web framework, so the app, the command line and the tests share one loader. A
file is checked in passes, and nothing ever sees a partly valid rule set:

1. YAML syntax, with the line and column of every value kept (:mod:`.document`);
2. the shape, against the schema declared as data (:mod:`.shape`);
3. what a schema cannot say: ids used twice, references to things that do not exist, red flags
   that do not lead to the most urgent level (:mod:`.build`, into the records of :mod:`.model`);
4. warnings, proved by an exact search over the answers (:mod:`.checks`, :mod:`.reach`).

Any error raises :class:`RulesError`, whose problems each name the file, line and column.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from pathlib import Path

from selfcheck.rules import checks, shape
from selfcheck.rules.approval import approved_copy
from selfcheck.rules.build import build
from selfcheck.rules.conditions import Answers, Condition, Op
from selfcheck.rules.document import Problem, RulesError, has_errors, parse, read_text
from selfcheck.rules.model import (
    EMERGENCY_CHECK,
    NONE_OF_THESE,
    NOT_SURE,
    RED_FLAGS,
    Answer,
    Approval,
    Cause,
    Code,
    Contradiction,
    Filming,
    GoesAway,
    Page,
    Question,
    RedFlag,
    Rules,
    Treatment,
    Urgency,
    UrgencyRule,
    most_urgent,
)

__all__ = [
    "EMERGENCY_CHECK",
    "NONE_OF_THESE",
    "NOT_SURE",
    "RED_FLAGS",
    "Answer",
    "Op",
    "Approval",
    "Answers",
    "Cause",
    "Code",
    "Condition",
    "Contradiction",
    "Filming",
    "GoesAway",
    "Missing",
    "NoApprovedContent",
    "Page",
    "Problem",
    "Question",
    "RedFlag",
    "Rules",
    "RulesError",
    "Treatment",
    "Urgency",
    "UrgencyRule",
    "approved_content",
    "load",
    "most_urgent",
]


def load(path: str | Path, text: str | None = None) -> Rules:
    """Read, check and build the rules at ``path`` (or in ``text``, named ``path``).

    Raises :class:`RulesError` on any error; the warnings of a usable file are in
    ``Rules.warnings``.
    """
    file = str(path)
    if text is None:
        text = read_text(path, "there is no rules file here")
    doc = parse(text, file)
    problems = shape.problems(doc, shape.RULES)
    if problems:
        raise RulesError(problems)
    rules, problems = build(doc)
    if not has_errors(problems):
        # Only in a file without errors: a broken reference would look like an unused question.
        problems += checks.warnings(rules, doc)
    found = sorted(problems, key=lambda p: (p.line, p.column))
    if has_errors(found):
        raise RulesError(found)
    return replace(rules, warnings=tuple(found), file_text=text)


class Missing(enum.Enum):
    """Why the content approved last cannot be compared with."""

    NO_APPROVAL = "no approval"
    NO_COPY = "no copy"
    OTHER_CONTENT = "other content"


@dataclass(frozen=True)
class NoApprovedContent(Exception):
    """The content approved last cannot be read: ``why``, with the copy's place (``copy``) and,
    when it holds other content, that content's short fingerprint (``found``). The command
    line and the review page each say it in their own words."""

    why: Missing
    copy: Path
    found: str = ""


def approved_content(rules: Rules) -> Rules:
    """The content ``rules`` were approved for last: the copy that ``rules approve`` keeps
    beside their file (:func:`.approval.approved_copy`), loaded, and checked to be that very
    content by its fingerprint. The one place where the copy is read and checked.

    Raises :class:`NoApprovedContent` (no approval yet, no copy, or a copy of other content),
    or :class:`RulesError` if the copy has errors.
    """
    copy = approved_copy(rules.path)
    last = rules.last_approval
    if last is None:
        raise NoApprovedContent(Missing.NO_APPROVAL, copy)
    if not copy.exists():
        raise NoApprovedContent(Missing.NO_COPY, copy)
    before = load(copy)
    if before.fingerprint != last.fingerprint:
        raise NoApprovedContent(Missing.OTHER_CONTENT, copy, before.short_fingerprint)
    return before
