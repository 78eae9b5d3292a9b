"""Items added, removed or reworded between two rule sets (questions and when they are asked,
answers, red flags, levels, rules, contradictions, causes, treatments, sources), with the
words before and after."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from operator import attrgetter
from typing import Any

from selfcheck.changes.topics import Change
from selfcheck.outline import Value, clause
from selfcheck.rules import NOT_SURE, RED_FLAGS, Cause, Contradiction, Question, Rules, UrgencyRule
from selfcheck.rules.conditions import quoted


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


def by_id(items: Iterable[Any]) -> dict[str, Any]:
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


def review_record(old: Rules, new: Rules) -> list[Change]:
    record: Fields = (
        ("version", "version"), ("fingerprint", "short_fingerprint"), ("status", "status_words"),
    )  # fmt: skip
    return _fields("The review record", old, new, record)


def levels(old: Rules, new: Rules) -> list[Change]:
    found = _compared(
        "Urgency level",
        by_id(old.levels),
        by_id(new.levels),
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


def red_flags(old: Rules, new: Rules) -> list[Change]:
    found = _compared(
        "Red flag",
        by_id(old.red_flags),
        by_id(new.red_flags),
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


def questions(old: Rules, new: Rules) -> list[Change]:
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


def contradictions(old: Rules, new: Rules) -> list[Change]:
    def when(says: str, a: Contradiction, b: Contradiction) -> list[Change]:
        facts = (("Before", clause(a.when, old)), ("After", clause(b.when, new)))
        return (
            [Change(f"{says}: when it refuses a page changed", facts)] if a.when != b.when else []
        )

    fields: Fields = (("message", "message"), ("question it is shown at", "question"))
    return _compared(
        "Contradiction",
        by_id(old.contradictions),
        by_id(new.contradictions),
        lambda c: (("Refuses a page when", clause(c.when, new)), ("Message", c.message)),
        fields + SOURCE,
        first=when,
        gone=lambda c: (("Refused a page when", clause(c.when, old)), ("Message", c.message)),
    )


def _trigger(rules: Rules, when: Any) -> Value:
    return clause(when, rules) if when is not None else "no other cause is listed"


def urgency_rules(old: Rules, new: Rules) -> list[Change]:
    def when(says: str, a: UrgencyRule, b: UrgencyRule) -> list[Change]:
        facts = (("Before", clause(a.when, old)), ("After", clause(b.when, new)))
        return [Change(f"{says}: when it applies changed", facts)] if a.when != b.when else []

    return _compared(
        "Urgency rule",
        by_id(old.urgency_rules),
        by_id(new.urgency_rules),
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


def causes(old: Rules, new: Rules) -> list[Change]:
    def when(says: str, a: Cause, b: Cause) -> list[Change]:
        facts = (("Before", _trigger(old, a.when)), ("After", _trigger(new, b.when)))
        return [Change(f"{says}: when it is listed changed", facts)] if a.when != b.when else []

    return _compared(
        "Cause",
        by_id(old.causes),
        by_id(new.causes),
        lambda c: (("Name", c.name), ("Listed when", _trigger(new, c.when))),
        CAUSE + SOURCE,
        first=when,
        gone=lambda c: (("Name", c.name),),
    )


def treatments(old: Rules, new: Rules) -> list[Change]:
    found = _compared(
        "Treatment",
        by_id(old.treatments),
        by_id(new.treatments),
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
    return found + _filming(old, new)


def _filming(old: Rules, new: Rules) -> list[Change]:
    """The guidance on filming an episode: added, removed, reworded or shown to others."""
    a, b = old.filming, new.filming
    says = '"If it comes and goes, film it"'
    if a is None or b is None:
        kept = a or b
        if kept is None:
            return []
        facts: tuple[tuple[str, Value], ...] = (("Heading", kept.heading), ("Text", kept.text))
        return [Change(f"{says} {'added' if a is None else 'removed'}", facts)]
    found = _fields(says, a, b, (("heading", "heading"), ("text", "text")))
    if a.when != b.when:
        facts = (("Before", clause(a.when, old)), ("After", clause(b.when, new)))
        found.append(Change(f"{says}: when it is shown changed", facts))
    return found


def sources(old: Rules, new: Rules) -> list[Change]:
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
