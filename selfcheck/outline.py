"""The whole rule set in plain words, for the clinicians who review and approve it.

:func:`outline` turns a :class:`~selfcheck.rules.Rules` into numbered sections of entries. Each
entry has an anchor (``cause-stroke``) that a reviewer can cite, and facts written as English:
a cause is "Listed when "Has a doctor ever told you …?" includes "A stroke"". The command
``flask --app selfcheck rules show`` prints it (:func:`as_text`) and the page ``/rules`` shows it
as HTML, so both say the same. :func:`clause` also words the triggers in ``rules diff``.
A question's "Used by" and the questions an item reads come from :mod:`selfcheck.crossref`.

Plain Python, no web framework.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from selfcheck.crossref import NOT_USED, Line, Read, answer_anchor, reads, used_by
from selfcheck.rules import NOT_SURE, Code, Condition, Question, Rules
from selfcheck.rules.conditions import Clause, quoted

#: What a fact says: a line of text, a list of lines, or a condition in words.
Value = str | tuple[str | Line, ...] | Clause


@dataclass(frozen=True)
class Entry:
    """One item a reviewer can cite by its ``anchor``."""

    anchor: str
    title: str
    facts: tuple[tuple[str, Value], ...]
    #: The questions the item's conditions read, in the order they first appear there: on the
    #: page, links to go from a rule to the questions it reads.
    reads: tuple[Read, ...] = ()


@dataclass(frozen=True)
class Section:
    anchor: str
    number: int
    title: str
    intro: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Outline:
    """The rule set as a document: its review record, then its sections."""

    version: str
    #: The review record as (label, words) pairs: version, fingerprint, status.
    record: tuple[tuple[str, str], ...]
    counts: tuple[str, ...]
    sections: tuple[Section, ...]
    #: Every approval recorded, newest first, in words.
    approvals: tuple[str, ...] = ()


# --------------------------------------------------------------------------------------------
# Conditions in words


def clause(
    condition: Condition, questions: Mapping[str, Question] | Rules, negated: bool = False
) -> Clause:
    """``condition`` in words: short ones on one line, longer ones as a list of terms (each
    operator words itself: selfcheck/rules/conditions.py)."""
    known = questions.questions if isinstance(questions, Rules) else questions
    return condition.words(known, negated)


# --------------------------------------------------------------------------------------------
# The outline


def codes(found: Sequence[Code], of: str = "") -> tuple[str, ...]:
    """Each clinical code in words, with where it was checked: "SNOMED CT 36649002 Clonus
    (checked in snomed-browser: 36649002)". ``of`` names the answer it belongs to."""
    return tuple(f"{of}{code} (checked in {code.source})" for code in found)


def _levels(rules: Rules, fill: Callable[[str], str]) -> Section:
    entries = []
    for level in rules.levels:
        reached: list[str | Line] = []
        flags = [f for f in rules.red_flags if f.leads_to is level]
        if flags:
            reached.append(
                f"any red flag ({len(flags)} of {len(rules.red_flags)})"
                if len(flags) < len(rules.red_flags)
                else f"every red flag ({len(flags)})"
            )
        reached += [
            Line(f'urgency rule "{r.id}"', link=f"rule-{r.id}")
            for r in rules.urgency_rules
            if r.level is level
        ]
        if level is rules.default_level:
            reached.append(
                Line("when no urgency rule applies (the default level)", link="rule-default")
            )
        entries.append(
            Entry(
                f"level-{level.id}",
                f"{level.rank + 1}. {level.name}",
                (
                    ("Heading", fill(level.heading)),
                    ("Advice", tuple(fill(line) for line in level.advice)),
                    ("Reached by", tuple(reached) or ("nothing",)),
                    ("Source", level.source or "none given"),
                ),
            )
        )
    return Section(
        "levels",
        0,
        "How soon to be seen (urgency levels)",
        "Most urgent first. The most urgent level that applies wins. Every level "
        "tells the person to get a medical evaluation.",
        tuple(entries),
    )


def _emergency_check(
    rules: Rules, fill: Callable[[str], str], used: Mapping[str, tuple[Line, ...]]
) -> Section:
    page = rules.pages[0]
    question = page.questions[0]
    none = question.label(question.none_of_these or "")
    not_sure = question.label(NOT_SURE) if NOT_SURE in question.values else ""
    entries = [
        Entry(
            "emergency-check",
            "The emergency check page",
            (
                ("Page title", page.title),
                ("Question", question.text),
                ("Hint", question.hint or ""),
                ("Answer for no red flag", none),
                ("Answer for a person not sure", not_sure),
                ("If nothing is ticked", question.error),
                ("On the summary", question.summary),
                ("Used by", used.get(question.id) or (NOT_USED,)),
                ("Source", question.source or "none given"),
            ),
        )
    ]
    for flag in rules.red_flags:
        facts: list[tuple[str, Value]] = [("Label", flag.label)]
        if flag.hint:
            facts.append(("Hint", flag.hint))
        facts += [
            ("Leads to", flag.leads_to.name),
            ("Reason shown to the person", fill(flag.reason)),
            ("Source", flag.source or "none given"),
            ("Codes", codes(flag.codes)),
        ]
        entries.append(Entry(f"red-flag-{flag.id}", f"Red flag: {flag.id}", tuple(facts)))
    return Section(
        "red-flags",
        0,
        "Emergency check (asked first)",
        "Ticking any red flag shows the emergency advice at once, before any other question.",
        tuple(entries),
    )


def _question(rules: Rules, question: Question, used: Mapping[str, tuple[Line, ...]]) -> Entry:
    kind = "choose one answer" if question.kind == "one" else "tick all that apply"
    answers = []
    for answer in question.answers:
        alone = " (only on its own)" if answer.value == question.none_of_these else ""
        answers.append(
            Line(
                f"{quoted(answer.label)}{alone}, worry {answer.worry}",
                anchor=answer_anchor(rules, question.id, answer.value),
            )
        )
    facts: list[tuple[str, Value]] = [("Asks", question.text), ("Type", kind)]
    if question.hint:
        facts.append(("Hint", question.hint))
    asked: Value = clause(question.ask_when, rules) if question.ask_when else "always"
    facts.append(("Asked when", asked))
    facts += [
        ("Answers", tuple(answers)),
        ("On the summary", question.summary),
        ("If not answered", question.error),
        ("Used by", used.get(question.id) or (NOT_USED,)),
        ("Source", question.source or "none given"),
        ("Codes", codes(question.codes)),
        (
            "Codes of answers",
            tuple(
                line for a in question.answers for line in codes(a.codes, f"{quoted(a.label)}: ")
            ),
        ),
    ]
    read = reads(rules, [question.ask_when]) if question.ask_when else ()
    return Entry(f"question-{question.id}", f"Question: {question.id}", tuple(facts), read)


def _pages(rules: Rules, used: Mapping[str, tuple[Line, ...]]) -> list[Section]:
    sections = []
    for step, page in enumerate(rules.pages[1:], start=2):
        sections.append(
            Section(
                f"page-{page.id}",
                0,
                f"Questions, step {step}: {page.title}",
                page.intro or "",
                tuple(_question(rules, q, used) for q in page.questions),
            )
        )
    return sections


def _urgency_rules(rules: Rules, fill: Callable[[str], str]) -> Section:
    entries = []
    for rule in rules.urgency_rules:
        entries.append(
            Entry(
                f"rule-{rule.id}",
                f"Urgency rule: {rule.id}",
                (
                    ("Raises the advice to", rule.level.name),
                    ("Applies when", clause(rule.when, rules)),
                    ("Reason shown to the person", fill(rule.reason)),
                    ("Source", rule.source or "none given"),
                ),
                reads(rules, [rule.when]),
            )
        )
    default = rules.default_level.name
    entries.append(
        Entry(
            "rule-default",
            "When no urgency rule applies",
            (
                ("The advice is", default),
                ("Reason shown to the person", fill(rules.default_reason)),
            ),
        )
    )
    return Section(
        "urgency-rules",
        0,
        "Urgency rules",
        f"When no rule applies and no red flag is ticked, the advice is "
        f"{quoted(default)}. A rule can also set a less urgent level than that. An answer "
        "counts only when its question is asked.",
        tuple(entries),
    )


def _contradictions(rules: Rules) -> Section:
    entries = tuple(
        Entry(
            f"contradiction-{c.id}",
            f"Contradiction: {c.id}",
            (
                ("Refused when", clause(c.when, rules)),
                ("Message shown at", quoted(rules.questions[c.question].text)),
                ("Message", c.message),
                ("Source", c.source or "none given"),
            ),
            reads(rules, [c.when]),
        )
        for c in rules.contradictions
    )
    return Section(
        "contradictions",
        0,
        "Answers that cannot all be true (contradictions)",
        "A page with these answers is sent back with the message, until the person changes "
        "one of them.",
        entries,
    )


def _causes(rules: Rules) -> Section:
    entries = []
    for cause in rules.causes:
        when: Value = (
            clause(cause.when, rules) if cause.when is not None else "no other cause is listed"
        )
        entries.append(
            Entry(
                f"cause-{cause.id}",
                cause.name,
                (
                    ("Listed when", when),
                    ("About", cause.about),
                    ("Source", cause.source or "none given"),
                    ("Codes", codes(cause.codes)),
                ),
                reads(rules, [cause.when] if cause.when is not None else []),
            )
        )
    return Section(
        "causes",
        0,
        "Conditions worth discussing (causes)",
        "A cause is listed as worth discussing when its condition holds, with the "
        'answers that led to it. Every other cause is still shown under "Other '
        'things that can cause clonus". No cause is listed after a red flag.',
        tuple(entries),
    )


def _treatments(rules: Rules) -> Section:
    entries = tuple(
        Entry(
            f"treatment-{t.id}",
            t.name,
            (("About", t.about), ("Question to ask", t.ask), ("Source", t.source or "none given")),
        )
        for t in rules.treatments
    )
    return Section(
        "treatments",
        0,
        "Treatments to ask about",
        "Information about what to ask, never advice to start a treatment.",
        entries,
    )


def _goes_away(rules: Rules) -> Section:
    text = rules.goes_away
    shown: Value = clause(text.when, rules) if text.when is not None else "always"
    facts: list[tuple[str, Value]] = [("Shown when", shown)]
    for i, (when, words) in enumerate(text.variants, start=1):
        facts += [(f"Variant {i} when", clause(when, rules)), (f"Variant {i} text", words)]
    facts += [
        ("Text" if not text.variants else "Text otherwise", text.text),
        ("Source", text.source or "none given"),
    ]
    conditions = ([text.when] if text.when is not None else []) + [w for w, _ in text.variants]
    entry = Entry("goes-away", text.heading, tuple(facts), reads(rules, conditions))
    return Section("does-it-go-away", 0, "Does clonus go away?", "", (entry,))


def _filming(rules: Rules) -> Section:
    film = rules.filming
    assert film is not None
    facts: tuple[tuple[str, Value], ...] = (
        ("Shown when", clause(film.when, rules)),
        ("Never shown", "with the most urgent advice: the one thing to do then is to call"),
        ("Text", film.text),
        ("Source", film.source or "none given"),
    )
    entry = Entry("filming-guidance", film.heading, facts, reads(rules, [film.when]))
    return Section("filming", 0, film.heading, "", (entry,))


def _sources(rules: Rules) -> Section:
    entries = tuple(
        Entry(f"source-{key}", key, (("Reference", text),)) for key, text in rules.sources.items()
    )
    return Section(
        "sources", 0, "Sources", "Each item above names one of these in its source.", entries
    )


def _coded(rules: Rules) -> int:
    """How many questions, answers, red flags and causes carry a code."""
    answers = [a.codes for q in rules.questions.values() for a in q.answers]
    # Red flags are counted as answers of the emergency question.
    found = [
        *(q.codes for q in rules.questions.values()),
        *answers,
        *(c.codes for c in rules.causes),
    ]
    return len([codes for codes in found if codes])


def outline(rules: Rules, fill: Callable[[str], str] = lambda text: text) -> Outline:
    """The rule set as numbered sections. ``fill`` fills in placeholders such as
    {emergency_number}; by default they are left as they are written in the file."""
    used = used_by(rules)
    sections = [
        _levels(rules, fill),
        _emergency_check(rules, fill, used),
        *_pages(rules, used),
        _urgency_rules(rules, fill),
        *([_contradictions(rules)] if rules.contradictions else []),
        _causes(rules),
        _treatments(rules),
        _goes_away(rules),
        *([_filming(rules)] if rules.filming is not None else []),
        _sources(rules),
    ]
    numbered = tuple(
        Section(s.anchor, i, s.title, s.intro, s.entries) for i, s in enumerate(sections, start=1)
    )
    questions = len(rules.questions) - 1
    counts = (
        f"{len(rules.levels)} urgency levels",
        f"{len(rules.red_flags)} red flags",
        f"{questions} questions on {len(rules.pages) - 1} pages",
        f"{len(rules.urgency_rules)} urgency rules",
        f"{len(rules.contradictions)} contradiction{'' if len(rules.contradictions) == 1 else 's'}",
        f"{len(rules.causes)} causes",
        f"{len(rules.treatments)} treatments",
        f"{len(rules.sources)} sources",
        f"{_coded(rules)} items with clinical codes",
    )
    return Outline(rules.version, review_record(rules), counts, numbered, approvals(rules))


def review_record(rules: Rules) -> tuple[tuple[str, str], ...]:
    """The version, the fingerprint and the status, with the approval that stands or the last
    one, which the content no longer matches."""
    status = rules.status_words
    last = rules.last_approval
    if rules.changed_since_approval and last is not None:
        status = f"a draft: the rules changed since version {last.version} was approved by {last}"
    return (
        ("Version", rules.version),
        ("Fingerprint", rules.short_fingerprint),
        ("Status", status[0].upper() + status[1:]),
    )


def approvals(rules: Rules) -> tuple[str, ...]:
    """Every approval, newest first, each with what it approved."""
    return tuple(
        f"Version {a.version}, fingerprint {a.short_fingerprint}: approved by {a}"
        + (" (these rules)" if a.fingerprint == rules.fingerprint else "")
        + (f". Accepted knowingly: {a.accepted}" if a.accepted else "")
        for a in reversed(rules.approvals)
    )


# --------------------------------------------------------------------------------------------
# As text, for the command line

WIDTH = 100


def wrap(text: str, first: str, rest: str) -> list[str]:
    return textwrap.wrap(
        text,
        WIDTH,
        initial_indent=first,
        subsequent_indent=rest,
        break_on_hyphens=False,
        break_long_words=False,  # an address stays whole, to be copied
    ) or [first.rstrip()]


def fact_lines(label: str, value: Value, indent: int = 4) -> list[str]:
    """One fact as wrapped lines: "Label: text", or a list or a condition under the label."""
    head = " " * indent + f"{label}: "
    more = indent + 4
    if isinstance(value, str):
        return wrap(value, head, " " * more)
    if isinstance(value, tuple):
        lines = [head.rstrip()]
        for line in value:
            lines += wrap(str(line), " " * more + "- ", " " * (more + 2))
        return lines
    lines = wrap(value.text, head, " " * more)
    for term in value.terms:
        lines += _term_lines(term, more)
    return lines


def _term_lines(term: Clause, indent: int) -> list[str]:
    lines = wrap(term.text, " " * indent + "- ", " " * (indent + 2))
    for inner in term.terms:
        lines += _term_lines(inner, indent + 2)
    return lines


def as_text(found: Outline, file: str) -> str:
    """The outline as plain text, for ``rules show``."""
    lines = [
        "The clinical rules of the clonus self-check",
        f"File: {file}",
        *(f"{label}: {words}" for label, words in found.record),
        *(
            ["Approvals, newest first:", *(f"  - {words}" for words in found.approvals)]
            if found.approvals
            else ["Approvals: none yet"]
        ),
        "In short: " + ", ".join(found.counts) + ".",
        "Placeholders such as {emergency_number} are filled in from the app's settings.",
        "Each item starts with its anchor in [brackets]: cite it, or find it on the "
        "/rules page as /rules#anchor.",
    ]
    for section in found.sections:
        lines += ["", f"{section.number}. {section.title.upper()}"]
        if section.intro:
            lines += wrap(section.intro, "", "")
        for entry in section.entries:
            lines += ["", f"  [{entry.anchor}] {entry.title}"]
            for label, value in entry.facts:
                if value:
                    lines += fact_lines(label, value)
    return "\n".join(lines) + "\n"
