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

Plain Python, no web framework.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from selfcheck.answers import Fault, asked, fault, unanswered
from selfcheck.outcome import evaluate
from selfcheck.outline import Value, clause, fact_lines, quoted, wrap
from selfcheck.rules import NOT_SURE, RED_FLAGS, Cause, Contradiction, Question, Rules, UrgencyRule
from selfcheck.rules.reach import (
    Choice,
    all_of,
    essential,
    negate,
    possible,
    satisfy,
    when_advised,
    when_listed,
)
from selfcheck.scenarios import Scenarios


@dataclass(frozen=True)
class Change:
    """One thing that changed: a line that says it, and the facts under it."""

    says: str
    facts: tuple[tuple[str, Value], ...] = ()


@dataclass(frozen=True)
class Topic:
    """Changes of one kind, under a heading."""

    title: str
    changes: tuple[Change, ...]


def _words(value: Any) -> Value:
    if isinstance(value, tuple):
        return tuple(str(v) for v in value)
    return str(value) if value is not None else "(none)"


#: The fields compared for each kind of item: what a reviewer calls each one, and where it is
#: (an attribute, "a.b" for one inside another, or a function of the item).
Fields = tuple[tuple[str, str | Callable[[Any], Any]], ...]
LEVEL: Fields = (("name", "name"), ("heading", "heading"), ("advice", "advice"))
RED_FLAG: Fields = (
    ("label", "label"), ("hint", "hint"), ("reason", "reason"),
    ("level it leads to", "leads_to.name"),
)  # fmt: skip
QUESTION: Fields = (
    ("wording", "text"), ("hint", "hint"), ("type", "kind"),
    ("words on the summary", "summary"), ("message when not answered", "error"),
)  # fmt: skip
ANSWER: Fields = (("label", "label"), ("worry", "worry"), ("hint", "hint"))
RULE: Fields = (("level", "level.name"), ("reason", "reason"))
CAUSE: Fields = (("name", "name"), ("about", "about"))
TREATMENT: Fields = (("name", "name"), ("about", "about"), ("question to ask", "ask"))
SOURCE: Fields = (("source", "source"),)


def _fields(says: str, a: Any, b: Any, fields: Fields) -> list[Change]:
    """One change for each field of ``fields`` that differs from ``a`` to ``b``, with the words
    before and after."""
    found = []
    for label, where in fields:
        read = attrgetter(where) if isinstance(where, str) else where
        before, after = read(a), read(b)
        if before != after:
            facts = (("Before", _words(before)), ("After", _words(after)))
            found.append(Change(f"{says}: {label} changed", facts))
    return found


def _by_id(items: Iterable[Any]) -> dict[str, Any]:
    return {item.id: item for item in items}


#: More that can change in an item kept from one file to the next: (what says it, before, after).
More = Callable[[str, Any, Any], list[Change]]


def _compared(
    kind: str,
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    describe: Callable[[Any], tuple[tuple[str, Value], ...]],
    fields: Fields,
    first: More | None = None,
    then: More | None = None,
    gone: Callable[[Any], tuple[tuple[str, Value], ...]] | None = None,
) -> list[Change]:
    """Items of one kind, by id: each added (``describe``d) or removed (``gone``, or
    ``describe``d), and for each kept, what ``first`` finds, each field changed, and what
    ``then`` finds."""
    found = [Change(f'{kind} "{i}" added', describe(new[i])) for i in new if i not in old]
    said = gone or describe
    found += [Change(f'{kind} "{i}" removed', said(old[i])) for i in old if i not in new]
    for ident in (i for i in new if i in old):
        says, a, b = f'{kind} "{ident}"', old[ident], new[ident]
        found += first(says, a, b) if first else []
        found += _fields(says, a, b, fields)
        found += then(says, a, b) if then else []
    return found


# --------------------------------------------------------------------------------------------
# Items


def _review_record(old: Rules, new: Rules) -> list[Change]:
    record: Fields = (
        ("version", "version"), ("fingerprint", "short_fingerprint"), ("status", "status_words"),
    )  # fmt: skip
    return _fields("The review record", old, new, record)


def _levels(old: Rules, new: Rules) -> list[Change]:
    found = _compared(
        "Urgency level",
        _by_id(old.levels),
        _by_id(new.levels),
        lambda lvl: (("Name", lvl.name), ("Heading", lvl.heading), ("Advice", lvl.advice)),
        LEVEL + SOURCE,
    )
    order = ", ".join(lvl.id for lvl in old.levels), ", ".join(lvl.id for lvl in new.levels)
    if order[0] != order[1]:
        facts = (("Before", order[0]), ("After", order[1]))
        found.append(Change("The order of the urgency levels changed (most urgent first)", facts))
    if old.default_level.id != new.default_level.id:
        facts = (("Before", old.default_level.name), ("After", new.default_level.name))
        found.append(Change("The default level (when no urgency rule applies) changed", facts))
    if old.default_reason != new.default_reason:
        facts = (("Before", old.default_reason), ("After", new.default_reason))
        found.append(Change("The reason given with the default level changed", facts))
    return found


def _red_flags(old: Rules, new: Rules) -> list[Change]:
    found = _compared(
        "Red flag",
        _by_id(old.red_flags),
        _by_id(new.red_flags),
        lambda f: (("Label", f.label), ("Leads to", f.leads_to.name)),
        RED_FLAG + SOURCE,
    )
    says = "The emergency check page"
    found += _fields(says, old.pages[0], new.pages[0], (("title", "title"),))
    question: Fields = (
        ("question", "text"),
        ("hint", "hint"),
        ('"None of these" answer', lambda q: q.label(q.none_of_these or "")),
        ('"I\'m not sure" answer', lambda q: q.label(NOT_SURE) if NOT_SURE in q.values else None),
        ("message when nothing is ticked", "error"),
        ("words on the summary", "summary"),
    )
    old_question, new_question = old.pages[0].questions[0], new.pages[0].questions[0]
    return found + _fields(says, old_question, new_question, question)


def _answers(says: str, a: Question, b: Question) -> list[Change]:
    """The answers of a question kept from one file to the next: added, changed, removed."""
    was = {x.value: x for x in a.answers}
    now = {x.value: x for x in b.answers}
    found = []
    for value, answer in now.items():
        if value not in was:
            facts = (("Label", answer.label), ("Worry", str(answer.worry)))
            found.append(Change(f'{says}: answer "{value}" added', facts))
        else:
            found += _fields(f'{says}, answer "{value}"', was[value], answer, ANSWER)
    found += [
        Change(f'{says}: answer "{value}" removed', (("Label", answer.label),))
        for value, answer in was.items()
        if value not in now
    ]
    return found + _fields(says, a, b, (('"None of these" answer', "none_of_these"),))


def _asked_when(rules: Rules, question: Question) -> Value:
    return clause(question.ask_when, rules) if question.ask_when is not None else "always"


def _questions(old: Rules, new: Rules) -> list[Change]:
    before = {k: v for k, v in old.questions.items() if k != RED_FLAGS}
    after = {k: v for k, v in new.questions.items() if k != RED_FLAGS}
    titles = {p.id: p.title for p in (*old.pages, *new.pages)}

    def when_asked(says: str, a: Question, b: Question) -> list[Change]:
        if a.ask_when == b.ask_when:
            return []
        facts = (("Before", _asked_when(old, a)), ("After", _asked_when(new, b)))
        return [Change(f"{says}: when it is asked changed", facts)]

    return _compared(
        "Question",
        before,
        after,
        lambda q: (
            ("Asks", q.text),
            ("Page", titles[q.page_id]),
            ("Asked when", _asked_when(new, q)),
            ("Answers", tuple(quoted(a.label) for a in q.answers)),
        ),
        (*QUESTION[:3], ("page", lambda q: titles[q.page_id]), *QUESTION[3:], *SOURCE),
        first=when_asked,
        then=_answers,
    )


def _contradictions(old: Rules, new: Rules) -> list[Change]:
    def when(says: str, a: Contradiction, b: Contradiction) -> list[Change]:
        facts = (("Before", clause(a.when, old)), ("After", clause(b.when, new)))
        return (
            [Change(f"{says}: when it refuses a page changed", facts)] if a.when != b.when else []
        )

    fields: Fields = (("message", "message"), ("question it is shown at", "question"))
    return _compared(
        "Contradiction",
        _by_id(old.contradictions),
        _by_id(new.contradictions),
        lambda c: (("Refuses a page when", clause(c.when, new)), ("Message", c.message)),
        fields + SOURCE,
        first=when,
        gone=lambda c: (("Refused a page when", clause(c.when, old)), ("Message", c.message)),
    )


def _trigger(rules: Rules, when: Any) -> Value:
    return clause(when, rules) if when is not None else "no other cause is listed"


def _urgency_rules(old: Rules, new: Rules) -> list[Change]:
    def when(says: str, a: UrgencyRule, b: UrgencyRule) -> list[Change]:
        facts = (("Before", clause(a.when, old)), ("After", clause(b.when, new)))
        return [Change(f"{says}: when it applies changed", facts)] if a.when != b.when else []

    return _compared(
        "Urgency rule",
        _by_id(old.urgency_rules),
        _by_id(new.urgency_rules),
        lambda r: (
            ("Raises the advice to", r.level.name),
            ("Applies when", clause(r.when, new)),
            ("Reason", r.reason),
        ),
        RULE + SOURCE,
        first=when,
        gone=lambda r: (
            ("Raised the advice to", r.level.name),
            ("Applied when", clause(r.when, old)),
        ),
    )


def _causes(old: Rules, new: Rules) -> list[Change]:
    def when(says: str, a: Cause, b: Cause) -> list[Change]:
        facts = (("Before", _trigger(old, a.when)), ("After", _trigger(new, b.when)))
        return [Change(f"{says}: when it is listed changed", facts)] if a.when != b.when else []

    return _compared(
        "Cause",
        _by_id(old.causes),
        _by_id(new.causes),
        lambda c: (("Name", c.name), ("Listed when", _trigger(new, c.when))),
        CAUSE + SOURCE,
        first=when,
        gone=lambda c: (("Name", c.name),),
    )


def _treatments(old: Rules, new: Rules) -> list[Change]:
    found = _compared(
        "Treatment",
        _by_id(old.treatments),
        _by_id(new.treatments),
        lambda t: (("Name", t.name),),
        TREATMENT + SOURCE,
    )
    goes_away: Fields = (("heading", "heading"), ("text", "text"))
    says = '"Does clonus go away?"'
    found += _fields(says, old.goes_away, new.goes_away, goes_away)
    a, b = old.goes_away, new.goes_away
    if a.when != b.when:
        before = clause(a.when, old) if a.when is not None else "always"
        after = clause(b.when, new) if b.when is not None else "always"
        found.append(
            Change(f"{says}: when it is shown changed", (("Before", before), ("After", after)))
        )
    if a.variants != b.variants:

        def told(rules: Rules, variants: Any) -> Value:
            return (
                tuple(f"{clause(when, rules).text} {' '.join(text)}" for when, text in variants)
                or "(none)"
            )

        facts = (("Before", told(old, a.variants)), ("After", told(new, b.variants)))
        found.append(Change(f"{says}: the words fitted to some answers changed", facts))
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
        if old.sources[key] != new.sources[key]:
            facts = (("Before", old.sources[key]), ("After", new.sources[key]))
            found.append(Change(f'Source "{key}": reference changed', facts))
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


LESS_URGENT, NOT_SEARCHED = "LESS URGENT", "Not searched"  # how lowered advice is said


def lowered(old: Rules, new: Rules) -> list[Change]:
    """Answer sets given less urgent advice by ``new`` than by ``old`` (or why not searched)."""
    return [c for c in _advice(old, new) if c.says.startswith((LESS_URGENT, NOT_SEARCHED))]


def _advice(old: Rules, new: Rules) -> list[Change]:
    differ = _same_answers(old, new)
    if differ:
        names = ", ".join(f'"{q}"' for q in differ)
        return [
            Change(
                f"{NOT_SEARCHED}: the answers of {names} differ between the files, so the "
                "same answers cannot be compared; see the scenarios below"
            )
        ]
    questions = {**old.questions, **new.questions}
    rank = {lvl.id: lvl.rank for lvl in new.levels}
    # Only answers that the pages of both files accept: one a contradiction refuses has no
    # outcome there (the contradictions themselves are compared above).
    sendable = all_of([possible(old), possible(new)])
    found = []
    for a in old.levels:
        for b in new.levels:
            if a.id == b.id:
                continue
            both = all_of([when_advised(old, a), when_advised(new, b)])
            example = satisfy(all_of([both, sendable]), questions)
            if example is None:
                continue
            example = essential(both, questions, example, within=sendable)
            direction = (
                LESS_URGENT
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
            differs = all_of([when_listed(was, ident), negate(when_listed(now, ident))])
            example = satisfy(all_of([differs, sendable]), questions)
            if example is not None:
                example = essential(differs, questions, example, within=sendable)
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
        return any(topic.changes for topic in self.topics if topic.title != SCENARIOS)


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
    topics = (
        Topic("Review record", tuple(_review_record(old, new))),
        Topic("Emergency check (red flags)", tuple(_red_flags(old, new))),
        Topic("Questions and answers", tuple(_questions(old, new))),
        Topic("Urgency levels", tuple(_levels(old, new))),
        Topic("Urgency rules", tuple(_urgency_rules(old, new))),
        Topic("Answers that cannot all be true", tuple(_contradictions(old, new))),
        Topic("Conditions worth discussing (causes)", tuple(_causes(old, new))),
        Topic("Treatments and other text", tuple(_treatments(old, new))),
        Topic("Sources", tuple(_sources(old, new))),
        Topic("Advice and conditions that change for some answers", tuple(_advice(old, new))),
        Topic(SCENARIOS, tuple(scenario_changes)),
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
        searched = topic.title.startswith("Advice and conditions")
        if not topic.changes and not searched and topic.title != SCENARIOS:
            continue
        lines += ["", topic.title]
        if topic.title == SCENARIOS:
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
        if topic.title == SCENARIOS and found.unchanged_scenarios is not None:
            lines.append(f"  {found.unchanged_scenarios} other scenarios give the same outcome.")
    return "\n".join(lines) + "\n"
