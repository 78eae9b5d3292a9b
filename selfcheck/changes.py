"""What changes for patients between two rule sets, in plain words, for the reviewer who
approves a change (``flask --app selfcheck rules diff OLD NEW``).

Three kinds of finding, from the most literal to the most telling:

1. items added, removed or reworded (questions, answers, red flags, levels, rules, causes,
   treatments, sources), with the words before and after;
2. advice and conditions that change for *some* answers: an exact search (see
   :mod:`selfcheck.reach`) looks for answers that got one urgency level before and another now,
   or that list a condition before and not now, and shows one such set of answers. "None found"
   is a proof, not a sample;
3. the clinicians' scenarios whose outcome changes.

Plain Python, no web framework.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from selfcheck.outcome import evaluate
from selfcheck.outline import Value, clause, fact_lines, quoted, wrap
from selfcheck.reach import Choice, advised, all_of, essential, listed, negate, satisfy
from selfcheck.rules import RED_FLAGS, Question, Rules
from selfcheck.scenarios import Scenarios


@dataclass(frozen=True)
class Change:
    """One thing that changed: a line that says it, and the facts under it."""

    says: str
    facts: tuple[tuple[str, Value], ...] = ()


@dataclass(frozen=True)
class Part:
    """Changes of one kind, under a heading."""

    title: str
    changes: tuple[Change, ...]


def _words(value: Any) -> Value:
    if isinstance(value, tuple):
        return tuple(str(v) for v in value)
    return str(value) if value is not None else "(none)"


def _fields(says: str, pairs: Iterable[tuple[str, Any, Any]]) -> list[Change]:
    """One change per field that differs, with the words before and after."""
    found = []
    for label, before, after in pairs:
        if before != after:
            found.append(
                Change(
                    f"{says}: {label} changed",
                    (("Before", _words(before)), ("After", _words(after))),
                )
            )
    return found


def _by_id(items: Iterable[Any]) -> dict[str, Any]:
    return {item.id: item for item in items}


def _added_removed(
    kind: str,
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    describe: Callable[[Any], tuple[tuple[str, Value], ...]],
) -> list[Change]:
    found = [
        Change(f'{kind} "{ident}" added', describe(new[ident])) for ident in new if ident not in old
    ]
    found += [
        Change(f'{kind} "{ident}" removed', describe(old[ident]))
        for ident in old
        if ident not in new
    ]
    return found


# --------------------------------------------------------------------------------------------
# Items


def _review(old: Rules, new: Rules) -> list[Change]:
    return _fields(
        "The review record",
        [
            ("version", old.version, new.version),
            ("status", old.status, new.status),
            ("reviewed by", old.reviewed_by, new.reviewed_by),
            ("review date", old.review_date, new.review_date),
        ],
    )


def _levels(old: Rules, new: Rules) -> list[Change]:
    before, after = _by_id(old.levels), _by_id(new.levels)
    found = _added_removed(
        "Urgency level",
        before,
        after,
        lambda lvl: (("Name", lvl.name), ("Heading", lvl.heading), ("Advice", lvl.advice)),
    )
    for ident in (i for i in after if i in before):
        a, b = before[ident], after[ident]
        found += _fields(
            f'Urgency level "{ident}"',
            [
                ("name", a.name, b.name),
                ("heading", a.heading, b.heading),
                ("advice", a.advice, b.advice),
                ("source", a.source, b.source),
            ],
        )
    order = ([lvl.id for lvl in old.levels], [lvl.id for lvl in new.levels])
    if order[0] != order[1]:
        found.append(
            Change(
                "The order of the urgency levels changed (most urgent first)",
                (("Before", ", ".join(order[0])), ("After", ", ".join(order[1]))),
            )
        )
    if old.default_level.id != new.default_level.id:
        found.append(
            Change(
                "The default level (when no urgency rule applies) changed",
                (("Before", old.default_level.name), ("After", new.default_level.name)),
            )
        )
    return found


def _red_flags(old: Rules, new: Rules) -> list[Change]:
    before, after = _by_id(old.red_flags), _by_id(new.red_flags)
    found = _added_removed(
        "Red flag", before, after, lambda f: (("Label", f.label), ("Leads to", f.leads_to.name))
    )
    for ident in (i for i in after if i in before):
        a, b = before[ident], after[ident]
        found += _fields(
            f'Red flag "{ident}"',
            [
                ("label", a.label, b.label),
                ("hint", a.hint, b.hint),
                ("reason", a.reason, b.reason),
                ("level it leads to", a.leads_to.name, b.leads_to.name),
                ("source", a.source, b.source),
            ],
        )
    a, b = old.pages[0], new.pages[0]
    qa, qb = a.questions[0], b.questions[0]
    found += _fields(
        "The emergency check page",
        [
            ("title", a.title, b.title),
            ("question", qa.text, qb.text),
            ("hint", qa.hint, qb.hint),
            (
                '"None of these" answer',
                qa.label(qa.none_of_these or ""),
                qb.label(qb.none_of_these or ""),
            ),
            ("message when nothing is ticked", qa.error, qb.error),
            ("words on the summary", qa.summary, qb.summary),
        ],
    )
    return found


def _answers_of(question: Question) -> tuple[str, ...]:
    return tuple(quoted(a.label) for a in question.answers)


def _questions(old: Rules, new: Rules) -> list[Change]:
    before = {k: v for k, v in old.questions.items() if k != RED_FLAGS}
    after = {k: v for k, v in new.questions.items() if k != RED_FLAGS}
    titles = {p.id: p.title for p in (*old.pages, *new.pages)}
    found = _added_removed(
        "Question",
        before,
        after,
        lambda q: (("Asks", q.text), ("Page", titles[q.page_id]), ("Answers", _answers_of(q))),
    )
    for ident in (i for i in after if i in before):
        a, b = before[ident], after[ident]
        says = f'Question "{ident}"'
        found += _fields(
            says,
            [
                ("wording", a.text, b.text),
                ("hint", a.hint, b.hint),
                ("type", a.kind, b.kind),
                ("page", titles[a.page_id], titles[b.page_id]),
                ("words on the summary", a.summary, b.summary),
                ("message when not answered", a.error, b.error),
                ("source", a.source, b.source),
            ],
        )
        old_answers = {x.value: x for x in a.answers}
        new_answers = {x.value: x for x in b.answers}
        for value, answer in new_answers.items():
            if value not in old_answers:
                found.append(
                    Change(
                        f'{says}: answer "{value}" added',
                        (("Label", answer.label), ("Worry", str(answer.worry))),
                    )
                )
                continue
            was = old_answers[value]
            found += _fields(
                f'{says}, answer "{value}"',
                [
                    ("label", was.label, answer.label),
                    ("worry", was.worry, answer.worry),
                    ("hint", was.hint, answer.hint),
                ],
            )
        for value, answer in old_answers.items():
            if value not in new_answers:
                found.append(
                    Change(f'{says}: answer "{value}" removed', (("Label", answer.label),))
                )
        found += _fields(says, [('"None of these" answer', a.none_of_these, b.none_of_these)])
    return found


def _trigger(rules: Rules, when: Any) -> Value:
    return clause(when, rules) if when is not None else "no other cause is listed"


def _urgency_rules(old: Rules, new: Rules) -> list[Change]:
    before, after = _by_id(old.urgency_rules), _by_id(new.urgency_rules)
    found = [
        Change(
            f'Urgency rule "{i}" added',
            (
                ("Raises the advice to", after[i].level.name),
                ("Applies when", clause(after[i].when, new)),
                ("Reason", after[i].reason),
            ),
        )
        for i in after
        if i not in before
    ]
    found += [
        Change(
            f'Urgency rule "{i}" removed',
            (
                ("Raised the advice to", before[i].level.name),
                ("Applied when", clause(before[i].when, old)),
            ),
        )
        for i in before
        if i not in after
    ]
    for ident in (i for i in after if i in before):
        a, b = before[ident], after[ident]
        says = f'Urgency rule "{ident}"'
        if a.when != b.when:
            found.append(
                Change(
                    f"{says}: when it applies changed",
                    (("Before", clause(a.when, old)), ("After", clause(b.when, new))),
                )
            )
        found += _fields(
            says,
            [
                ("level", a.level.name, b.level.name),
                ("reason", a.reason, b.reason),
                ("source", a.source, b.source),
            ],
        )
    return found


def _causes(old: Rules, new: Rules) -> list[Change]:
    before, after = _by_id(old.causes), _by_id(new.causes)
    found = [
        Change(
            f'Cause "{i}" added',
            (("Name", after[i].name), ("Listed when", _trigger(new, after[i].when))),
        )
        for i in after
        if i not in before
    ]
    found += [
        Change(f'Cause "{i}" removed', (("Name", before[i].name),))
        for i in before
        if i not in after
    ]
    for ident in (i for i in after if i in before):
        a, b = before[ident], after[ident]
        says = f'Cause "{ident}"'
        if a.when != b.when:
            found.append(
                Change(
                    f"{says}: when it is listed changed",
                    (("Before", _trigger(old, a.when)), ("After", _trigger(new, b.when))),
                )
            )
        found += _fields(
            says,
            [("name", a.name, b.name), ("about", a.about, b.about), ("source", a.source, b.source)],
        )
    return found


def _treatments(old: Rules, new: Rules) -> list[Change]:
    before, after = _by_id(old.treatments), _by_id(new.treatments)
    found = _added_removed("Treatment", before, after, lambda t: (("Name", t.name),))
    for ident in (i for i in after if i in before):
        a, b = before[ident], after[ident]
        found += _fields(
            f'Treatment "{ident}"',
            [
                ("name", a.name, b.name),
                ("about", a.about, b.about),
                ("question to ask", a.ask, b.ask),
                ("source", a.source, b.source),
            ],
        )
    found += _fields(
        '"Does clonus go away?"',
        [
            ("heading", old.goes_away.heading, new.goes_away.heading),
            ("text", old.goes_away.text, new.goes_away.text),
        ],
    )
    return found


def _sources(old: Rules, new: Rules) -> list[Change]:
    found = [
        Change(f'Source "{k}" added', (("Reference", v),))
        for k, v in new.sources.items()
        if k not in old.sources
    ]
    found += [
        Change(f'Source "{k}" removed', (("Reference", v),))
        for k, v in old.sources.items()
        if k not in new.sources
    ]
    for key in (k for k in new.sources if k in old.sources):
        found += _fields(f'Source "{key}"', [("reference", old.sources[key], new.sources[key])])
    return found


# --------------------------------------------------------------------------------------------
# Advice and conditions that change for some answers


def _same_answers(old: Rules, new: Rules) -> list[str]:
    """Questions asked by both files whose answers differ (an answer set means something else
    in each file then, so the search cannot compare them)."""
    differ = []
    for ident, b in new.questions.items():
        a = old.questions.get(ident)
        # Red flags added or removed are safe to search over: an answer that ticks a red flag
        # one file does not have meets no level of that file, so it is never reported.
        if (
            ident != RED_FLAGS
            and a is not None
            and (a.kind, a.values, a.none_of_these) != (b.kind, b.values, b.none_of_these)
        ):
            differ.append(ident)
    return differ


def _example(rules: Rules, answers: Mapping[str, Choice]) -> tuple[str, ...]:
    lines = []
    for ident, chosen in answers.items():
        question = rules.questions[ident]
        lines.append(f"{quoted(question.text)}: {', '.join(map(quoted, question.labels(chosen)))}")
    return tuple(lines) + ("(any answers to the other questions)",)


def _advice(old: Rules, new: Rules) -> list[Change]:
    differ = _same_answers(old, new)
    if differ:
        names = ", ".join(f'"{q}"' for q in differ)
        return [
            Change(
                f"Not searched: the answers of {names} differ between the files, so the "
                "same answers cannot be compared; see the scenarios below"
            )
        ]
    questions = {**old.questions, **new.questions}
    rank = {lvl.id: lvl.rank for lvl in new.levels}
    found = []
    for a in old.levels:
        for b in new.levels:
            if a.id == b.id:
                continue
            both = all_of([advised(old, a), advised(new, b)])
            example = satisfy(both, questions)
            if example is None:
                continue
            example = essential(both, questions, example)
            direction = (
                "LESS URGENT"
                if a.id in rank and rank[a.id] < b.rank
                else "more urgent"
                if a.id in rank
                else "different"
            )
            found.append(
                (
                    a.id not in rank or rank[a.id] >= b.rank,
                    Change(
                        f'{direction}: some answers that got "{a.name}" now get "{b.name}"',
                        (("For example", _example(new, example)),),
                    ),
                )
            )
    before, after = _by_id(old.causes), _by_id(new.causes)
    for ident in (i for i in after if i in before):
        name = after[ident].name
        for was, now, words in ((old, new, "no longer listed"), (new, old, "now listed")):
            differs = all_of([listed(was, ident), negate(listed(now, ident))])
            example = satisfy(differs, questions)
            if example is not None:
                example = essential(differs, questions, example)
                found.append(
                    (
                        True,
                        Change(
                            f'Cause "{ident}" ({name}) is {words} for some answers',
                            (("For example", _example(new, example)),),
                        ),
                    )
                )
    return [change for _, change in sorted(found, key=lambda pair: pair[0])]


# --------------------------------------------------------------------------------------------
# Scenarios


def _scenarios(
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
            passes = "passes" if _passes(scenario, now) else "now FAILS its expectations"
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
        if question is not None and chosen - question.values:
            extra = ", ".join(f'"{v}"' for v in sorted(chosen - question.values))
            return f'question "{ident}" has no answer {extra}'
    ticked = answers.get(RED_FLAGS, frozenset()) & {f.id for f in rules.red_flags}
    missing = [q for q in rules.questions if q not in answers]
    if not ticked and missing:
        return f"a person must also answer {', '.join(map(quoted, missing))}"
    return None


def _passes(scenario: Any, outcome: Any) -> bool:
    shown = {c.cause.id for c in outcome.listed}
    return (
        outcome.level.id == scenario.urgency
        and set(scenario.must_list) <= shown
        and not set(scenario.must_not_list) & shown
    )


# --------------------------------------------------------------------------------------------
# The whole comparison


@dataclass(frozen=True)
class Comparison:
    old: Rules
    new: Rules
    parts: tuple[Part, ...]
    scenarios_file: str | None
    unchanged_scenarios: int | None

    @property
    def changed(self) -> bool:
        return any(part.changes for part in self.parts if part.title != SCENARIOS)


SCENARIOS = "Scenarios whose outcome changes"


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
    scenario_changes, same = _scenarios(old, new, scenarios, list(scenario_problems))
    parts = (
        Part("Review record", tuple(_review(old, new))),
        Part("Emergency check (red flags)", tuple(_red_flags(old, new))),
        Part("Questions and answers", tuple(_questions(old, new))),
        Part("Urgency levels", tuple(_levels(old, new))),
        Part("Urgency rules", tuple(_urgency_rules(old, new))),
        Part("Conditions worth discussing (causes)", tuple(_causes(old, new))),
        Part("Treatments and other text", tuple(_treatments(old, new))),
        Part("Sources", tuple(_sources(old, new))),
        Part("Advice and conditions that change for some answers", tuple(_advice(old, new))),
        Part(SCENARIOS, tuple(scenario_changes)),
    )
    return Comparison(
        old, new, parts, scenarios.path if scenarios else None, same if scenarios else None
    )


def _label(rules: Rules) -> str:
    status = "approved" if rules.approved else "draft"
    return f"{rules.path} (version {rules.version}, {status})"


def as_text(found: Comparison) -> str:
    """The comparison as plain text, most telling parts included even when empty."""
    lines = [
        "What changes for patients",
        f"  from: {_label(found.old)}",
        f"  to:   {_label(found.new)}",
    ]
    if not found.changed:
        lines += [
            "",
            "No changes for patients: both files ask the same questions, give the "
            "same advice and list the same conditions for every set of answers.",
        ]
    for part in found.parts:
        searched = part.title.startswith("Advice and conditions")
        if not part.changes and not searched and part.title != SCENARIOS:
            continue
        lines += ["", part.title]
        if part.title == SCENARIOS:
            lines.append(f"  (from {found.scenarios_file or 'no scenarios file'})")
        for change in part.changes:
            lines += wrap(change.says, "  - ", "    ")
            for label, value in change.facts:
                lines += fact_lines(label, value, indent=6)
        if searched and not part.changes:
            lines.append(
                "  - None: every set of answers gets the same advice and the same "
                "conditions from both files (an exhaustive search)."
            )
        if part.title == SCENARIOS and found.unchanged_scenarios is not None:
            lines.append(f"  {found.unchanged_scenarios} other scenarios give the same outcome.")
    return "\n".join(lines) + "\n"
