"""The clinicians' scenarios whose outcome changes between two rule sets."""

from __future__ import annotations

from collections.abc import Mapping

from selfcheck.answers import Fault, asked, fault, unanswered
from selfcheck.changes.topics import Change
from selfcheck.outcome import evaluate
from selfcheck.outline import Value
from selfcheck.rules import Rules
from selfcheck.rules.conditions import quoted
from selfcheck.rules.reach import (
    Choice,
)
from selfcheck.scenarios import Scenarios


def outcomes(
    old: Rules, new: Rules, scenarios: Scenarios | None, problems: list[str]
) -> tuple[list[Change], int]:
    """Each scenario's answers run through both rule sets. An answer to a question one file
    does not ask is not read by that file, as on its pages."""
    found = [Change(problem) for problem in problems]
    if scenarios is None:
        return found, 0
    same = 0
    for scenario in scenarios.scenarios:
        unfit = [
            (name, why)
            for name, rules in (("old", old), ("new", new))
            if (why := _unfit(rules, scenario.answers))
        ]
        if unfit:
            name, why = unfit[0]
            found.append(
                Change(
                    f'Scenario "{scenario.id}" cannot be compared: with the {name} rules {why}',
                    (("Scenario", scenario.name),),
                )
            )
            continue
        was = evaluate(old, scenario.answers)
        now = evaluate(new, scenario.answers)
        names = {c.cause.id: c.cause.name for c in (*was.listed, *now.listed)}
        was_listed = [c.cause.id for c in was.listed]
        now_listed = [c.cause.id for c in now.listed]
        facts: list[tuple[str, Value]] = []
        if was.level.id != now.level.id:
            facts.append(
                ("Advice", f"{quoted(was.level.name)} before, {quoted(now.level.name)} now")
            )
        added = [quoted(names[c]) for c in now_listed if c not in was_listed]
        gone = [quoted(names[c]) for c in was_listed if c not in now_listed]
        if added:
            facts.append(("Now also listed", ", ".join(added)))
        if gone:
            facts.append(("No longer listed", ", ".join(gone)))
        if facts:
            passes = "passes" if scenario.met_by(now) else "now FAILS its expectations"
            found.append(
                Change(f'Scenario "{scenario.id}" ({passes}): {scenario.name}', tuple(facts))
            )
        else:
            same += 1
    return found, same


def _unfit(rules: Rules, answers: Mapping[str, Choice]) -> str | None:
    """Why a person could not give ``answers`` on the pages of ``rules``, or None if they could.
    Answers to questions the rules do not ask are never read, so they do not matter."""
    for ident, chosen in answers.items():
        question = rules.questions.get(ident)
        wrong = None if question is None else fault(question, sorted(chosen))
        if wrong is Fault.NOT_OFFERED:
            assert question is not None
            extra = ", ".join(f'"{v}"' for v in sorted(chosen - question.values))
            return f'question "{ident}" has no answer {extra}'
        if wrong is Fault.SEVERAL:
            return f'question "{ident}" takes one answer only'
        if wrong is Fault.NONE_WITH_OTHERS:
            assert question is not None
            return f'question "{ident}" takes "{question.none_of_these}" only on its own'
    missing = [question.id for question in unanswered(rules, answers)]
    if missing:
        return f"a person must also answer {', '.join(map(quoted, missing))}"
    clash = next((c for c in rules.contradictions if c.when.holds(asked(rules, answers))), None)
    if clash is not None:
        return f'the answers cannot all be true (contradiction "{clash.id}")'
    return None
