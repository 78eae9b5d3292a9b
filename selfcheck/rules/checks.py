"""Warnings about a rule set that loads: things worth a reviewer's look, though not errors.

- a question that no urgency rule or cause uses (its answer only appears on the summary),
  unless it says so with ``summary_only: true``;
- a question that is never asked, and a page that is never shown (all its questions are never
  asked);
- an urgency rule, cause or urgency level that no answers can reach. The search is exact (see
  :mod:`selfcheck.rules.reach`), so each of these warnings is proved, never guessed.

Plain Python, no web framework.
"""

from __future__ import annotations

from selfcheck.rules.document import Document, KeyPath, Problem
from selfcheck.rules.model import RED_FLAGS, Rules, Urgency
from selfcheck.rules.reach import Reach, reach


def warnings(rules: Rules, doc: Document) -> list[Problem]:
    """Every warning about ``rules``, a rule set without errors read from ``doc``."""
    return [*_unused_questions(rules, doc), *_unreachable(rules, doc)]


def _unused_questions(rules: Rules, doc: Document) -> list[Problem]:
    used = {RED_FLAGS}
    for rule in rules.urgency_rules:
        used.update(rule.when.questions())
    for cause in rules.causes:
        if cause.when is not None:
            used.update(cause.when.questions())
    found = []
    for i, page in enumerate(doc.data["pages"]):
        for j, item in enumerate(page["questions"]):
            if item["id"] not in used and not item.get("summary_only"):
                found.append(
                    doc.problem(
                        ("pages", i, "questions", j),
                        f'question "{item["id"]}" is not used by any urgency rule or cause; its '
                        "answer only appears on the summary",
                        severity="warning",
                    )
                )
    return found


def _unreachable(rules: Rules, doc: Document) -> list[Problem]:
    """Each urgency rule, cause and urgency level that no answers can reach."""
    found = reach(rules)
    problems = []

    def warn(path: KeyPath, message: str) -> None:
        problems.append(doc.problem(path, message, severity="warning"))

    never_asked = {q for q, example in found.questions.items() if example is None}
    for i, page in enumerate(rules.pages[1:]):
        for j, question in enumerate(page.questions):
            if question.id in never_asked:
                warn(
                    ("pages", i, "questions", j, "ask_when"),
                    f'question "{question.id}" is never asked: no answers to the earlier pages '
                    'make its "ask_when" true',
                )
        if all(q.id in never_asked for q in page.questions):
            warn(
                ("pages", i),
                f'page "{page.id}" is never shown: none of its questions is ever asked',
            )
    for i, rule in enumerate(rules.urgency_rules):
        if found.rules[rule.id] is None:
            warn(
                ("urgency_rules", i, "when"),
                f'urgency rule "{rule.id}" can never apply: no answers a person can give make '
                "it true",
            )
    for i, cause in enumerate(rules.causes):
        if found.causes[cause.id] is not None:
            continue
        why = (
            "every set of answers lists another cause"
            if cause.when is None
            else "no answers a person can give make it true"
        )
        warn(("causes", i, "when"), f'cause "{cause.id}" can never be listed: {why}')
    for rank, level in enumerate(rules.levels):
        if found.levels[level.id] is None:
            why = _never_reached(rules, level, found)
            warn(("urgency_levels", rank), f'urgency level "{level.id}" is never reached: {why}')
    return problems


def _never_reached(rules: Rules, level: Urgency, found: Reach) -> str:
    """Why no answers lead to ``level``."""
    own = [r for r in rules.urgency_rules if r.level is level]
    possible = [r for r in own if found.rules[r.id] is not None]
    if own and not possible:
        ways = "none of its urgency rules can ever apply"
    else:
        ways = "whenever one of its rules applies, a more urgent rule applies too"
    if level is rules.default_level:
        why = "an urgency rule applies to every set of answers"
        return f"{why}, and {ways}" if own else why
    if own:
        return ways
    return "no urgency rule leads to it, and it is not the default level"
