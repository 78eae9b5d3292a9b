"""The third pass over a rules file: from a document of the right shape to immutable records.

Checks what a schema cannot say: ids used twice, references to things that do not exist, red
flags that do not lead to the most urgent level, placeholders that the app cannot fill. Every
problem found is collected, with its line and column, rather than stopping at the first one.
Plain Python, no web framework.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from selfcheck.rules import codes, conditions
from selfcheck.rules.approval import APPROVALS, fingerprint, read_date
from selfcheck.rules.conditions import Condition, Op, either
from selfcheck.rules.document import Document, KeyPath, Problem, unknown
from selfcheck.rules.model import (
    EMERGENCY_CHECK,
    NONE_OF_THESE,
    NOT_SURE,
    RED_FLAGS,
    Answer,
    Approval,
    Cause,
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
from selfcheck.rules.shape import NO_OTHER_CAUSE, PLACEHOLDERS

#: A condition that never holds, built where the file's condition has an error (the error is
#: reported; the rule set is never used).
_BROKEN = Condition(Op.ANY, terms=())


class Notes:
    """The problems found in one document, each at the line and column of what it is about."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.problems: list[Problem] = []

    def error(self, path: KeyPath, message: str, key: bool = False) -> None:
        self.problems.append(self.doc.problem(path, message, key=key))

    def warn(self, path: KeyPath, message: str) -> None:
        self.problems.append(self.doc.problem(path, message, severity="warning"))

    def unknown(
        self, path: KeyPath, what: str, name: str, known: Any, owner: str, of: str = ""
    ) -> None:
        self.error(path, unknown(owner, what, name, known, of))

    def source(self, item: Mapping[str, Any], path: KeyPath, owner: str) -> str | None:
        """An item's source: one or more references, split by ";", each starting with the key
        of one of the file's ``sources`` ("nhs-stroke: main symptoms; nhs-tia")."""
        source = item.get("source")
        if source is None:
            self.warn(path, f"{owner} has no source; add where its facts come from")
            return None
        for part in source.split(";"):
            key = part.split(":", 1)[0].strip()
            if key not in self.doc.data["sources"]:
                self.unknown(path + ("source",), "source", key, self.doc.data["sources"], owner)
        return str(source)

    def text(self, value: str, path: KeyPath, owner: str) -> str:
        """Patient-facing text, whose placeholders the app must be able to fill in."""
        for placeholder in re.findall(r"\{[^}]*\}", value):
            if placeholder not in PLACEHOLDERS:
                self.error(
                    path,
                    f"{owner} uses {placeholder}, which the app cannot fill in "
                    f"(it knows: {', '.join(PLACEHOLDERS)})",
                )
        return value

    def unique(
        self,
        items: list[Mapping[str, Any]],
        path: KeyPath,
        what: str,
        taken: dict[str, KeyPath] | None = None,
    ) -> None:
        """Each item's id is different from the others' (and from those ``taken`` already)."""
        seen = taken if taken is not None else {}
        for i, item in enumerate(items):
            ident = item["id"]
            if ident in seen:
                first = self.doc.at(seen[ident])[0]
                self.error(
                    path + (i, "id"),
                    f'{what} id "{ident}" is used twice (first on line {first}); '
                    "each id must be different",
                )
            else:
                seen[ident] = path + (i, "id")


# --------------------------------------------------------------------------------------------
# Levels, answers and questions


def _levels(notes: Notes) -> tuple[Urgency, ...]:
    items = notes.doc.data["urgency_levels"]
    notes.unique(items, ("urgency_levels",), "urgency level")
    levels = []
    for rank, item in enumerate(items):
        path: KeyPath = ("urgency_levels", rank)
        owner = f'urgency level "{item["id"]}"'
        advice = item["advice"]
        levels.append(
            Urgency(
                id=item["id"],
                name=item["name"],
                heading=notes.text(item["heading"], path + ("heading",), owner),
                advice=tuple(
                    notes.text(a, path + ("advice", j), owner) for j, a in enumerate(advice)
                ),
                source=notes.source(item, path, owner),
                rank=rank,
            )
        )
    return tuple(levels)


def _level(
    notes: Notes, name: str, path: KeyPath, owner: str, by_id: Mapping[str, Urgency]
) -> Urgency:
    """The level named ``name`` (the most urgent one, after an error, if there is none)."""
    if name not in by_id:
        notes.unknown(path, "urgency level", name, by_id, owner)
        return most_urgent(by_id.values())
    return by_id[name]


def _answer(item: Mapping[str, Any]) -> Answer:
    return Answer(
        item["value"], item["label"], item["worry"], item.get("hint"), codes.codes_of(item)
    )


def _answer_list(
    notes: Notes, spec: list[dict[str, Any]], path: KeyPath, owner: str
) -> tuple[Answer, ...]:
    values: set[str] = set()
    for i, answer in enumerate(spec):
        if answer["value"] in values:
            notes.error(path + (i, "value"), f'{owner} offers the answer "{answer["value"]}" twice')
        values.add(answer["value"])
        codes.check(notes, answer, path + (i,), f'{owner}, answer "{answer["value"]}"')
    return tuple(_answer(a) for a in spec)


def _answers(notes: Notes, spec: Any, path: KeyPath, owner: str) -> tuple[Answer, ...]:
    """A question's answers: the name of a shared list, or a list of its own."""
    if not isinstance(spec, str):
        return _answer_list(notes, spec, path, owner)
    lists = notes.doc.data["answer_lists"]
    if spec not in lists:
        notes.unknown(path, "answer list", spec, lists, owner)
        return ()
    return tuple(_answer(a) for a in lists[spec])


def _question(notes: Notes, item: Mapping[str, Any], path: KeyPath, page_id: str) -> Question:
    owner = f'question "{item["id"]}"'
    answers = _answers(notes, item["answers"], path + ("answers",), owner)
    codes.check(notes, item, path, owner)
    none = item.get("none_of_these")
    if none is not None:
        where = path + ("none_of_these",)
        if item["type"] != "many":
            notes.error(where, f'{owner} has "none_of_these", which only fits a "many" question')
        elif none not in {a.value for a in answers}:
            notes.unknown(where, "answer", none, [a.value for a in answers], owner)
    return Question(
        id=item["id"],
        kind=item["type"],
        text=item["text"],
        hint=item.get("hint"),
        answers=answers,
        summary=item["summary"],
        error=item["error"],
        source=notes.source(item, path, owner),
        none_of_these=none,
        page_id=page_id,
        codes=codes.codes_of(item),
    )


def _red_flags(
    notes: Notes, emergency: Urgency, by_id: Mapping[str, Urgency]
) -> tuple[tuple[RedFlag, ...], Page]:
    """The red flags, and the emergency check: the first page, whose one question lists them."""
    block = notes.doc.data["red_flags"]
    signs = block["signs"]
    notes.unique(signs, ("red_flags", "signs"), "red flag")
    flags = []
    for i, item in enumerate(signs):
        path: KeyPath = ("red_flags", "signs", i)
        owner = f'red flag "{item["id"]}"'
        kept = {NONE_OF_THESE: "None of these", NOT_SURE: "I'm not sure"}.get(item["id"])
        if kept:
            notes.error(
                path + ("id",),
                f'"{item["id"]}" is kept for the "{kept}" answer; give this red flag another id',
            )
        leads_to = _level(notes, item["leads_to"], path + ("leads_to",), owner, by_id)
        if leads_to is not emergency and item["leads_to"] in by_id:
            notes.error(
                path + ("leads_to",),
                f'{owner} leads to "{leads_to.id}", but every red flag must lead to the most '
                f'urgent level, "{emergency.id}"',
            )
        flags.append(
            RedFlag(
                id=item["id"],
                label=item["label"],
                hint=item.get("hint"),
                reason=notes.text(item["reason"], path + ("reason",), owner),
                leads_to=leads_to,
                source=notes.source(item, path, owner),
                codes=codes.codes_of(item),
            )
        )
        codes.check(notes, item, path, owner)
    notes.source(block, ("red_flags",), '"red_flags"')
    question = Question(
        id=RED_FLAGS,
        kind="many",
        text=block["question"],
        hint=block["hint"],
        answers=(
            *(Answer(f.id, f.label, 1, f.hint, f.codes) for f in flags),
            *([Answer(NOT_SURE, block["not_sure"], 1)] if "not_sure" in block else []),
            Answer(NONE_OF_THESE, block["none_of_these"], 0),
        ),
        summary=block["summary"],
        error=block["error"],
        source=block.get("source"),
        none_of_these=NONE_OF_THESE,
        page_id=EMERGENCY_CHECK,
    )
    return tuple(flags), Page(EMERGENCY_CHECK, block["title"], None, (question,))


def _pages(notes: Notes) -> tuple[Page, ...]:
    """The question pages after the emergency check."""
    items = notes.doc.data["pages"]
    notes.unique(items, ("pages",), "page", {EMERGENCY_CHECK: ("red_flags",)})
    taken: dict[str, KeyPath] = {RED_FLAGS: ("red_flags",)}
    pages = []
    for i, page in enumerate(items):
        path: KeyPath = ("pages", i)
        notes.unique(page["questions"], path + ("questions",), "question", taken)
        questions = tuple(
            _question(notes, q, path + ("questions", j), page["id"])
            for j, q in enumerate(page["questions"])
        )
        pages.append(Page(page["id"], page["title"], page.get("intro"), questions))
    return tuple(pages)


# --------------------------------------------------------------------------------------------
# Conditions


class _Conditions:
    """Builds the conditions of rules and causes, checking every question and answer named."""

    def __init__(
        self,
        notes: Notes,
        questions: Mapping[str, Question],
        too_late: Mapping[str, Question] | None = None,
    ) -> None:
        self.notes = notes
        self.questions = questions
        #: Questions that exist but may not be named here (asked too late to decide it).
        self.too_late = too_late or {}

    def build(self, spec: Mapping[str, Any], path: KeyPath, owner: str) -> Condition:
        keys = [op.value for op in conditions.keyed()]
        found = [key for key in [*keys, "question"] if key in spec]
        if len(found) != 1:
            named = either([f'"{key}"' for key in keys])
            self.notes.error(
                path,
                f"{owner}: each condition must be one of: a question test "
                f'("question" with "is" or "includes"), {named}',
            )
            return _BROKEN
        if found == ["question"]:
            return self.test(spec, path, owner)
        op = Op(found[0])
        if conditions.OPERATORS[op].written == "term":
            return Condition(op, terms=(self.build(spec[op], path + (op.value,), owner),))
        extra = [k for k in spec if k != op]
        if extra:
            self.notes.error(
                path + (extra[0],),
                f'{owner}: "{extra[0]}" cannot stand beside "{op}"; put it inside the list',
                key=True,
            )
        terms = tuple(self.build(t, path + (op.value, i), owner) for i, t in enumerate(spec[op]))
        return Condition(op, terms=terms)

    def test(self, spec: Mapping[str, Any], path: KeyPath, owner: str) -> Condition:
        """A question test: "the answer to this question is (or includes) one of these"."""
        name = spec["question"]
        tests = [k for k in ("is", "includes") if k in spec]
        if name in self.too_late:
            self.notes.error(
                path + ("question",),
                f'{owner} depends on question "{name}", which is on the same page or a later '
                "one; a question can depend only on the answers of earlier pages",
            )
            return _BROKEN
        if name not in self.questions:
            self.notes.unknown(path + ("question",), "question", name, self.questions, owner)
            return _BROKEN
        question = self.questions[name]
        wanted = "is" if question.kind == "one" else "includes"
        if len(tests) != 1:
            self.notes.error(
                path,
                f'{owner}: the test of question "{name}" needs "{wanted}:" with the answer(s) '
                "that make it true",
            )
            return _BROKEN
        if tests[0] != wanted:
            self.notes.error(
                path + (tests[0],),
                f'{owner}: question "{name}" is a "{question.kind}" question, so test it with '
                f'"{wanted}:", not "{tests[0]}:"',
                key=True,
            )
        raw = spec[tests[0]]
        values = [raw] if isinstance(raw, str) else list(raw)
        offered = [a.value for a in question.answers]
        for value in values:
            # A question without answers has an error of its own already: say it once.
            if offered and value not in question.values:
                of = f' of question "{name}"'
                self.notes.unknown(path + (tests[0],), "answer", value, offered, owner, of)
        return Condition(Op.IS, question=name, values=frozenset(values))


def _asked_when(notes: Notes, pages: tuple[Page, ...]) -> tuple[Page, ...]:
    """The pages with each question's ``ask_when``, which may test only earlier pages."""
    everything = {q.id: q for page in pages for q in page.questions}
    earlier: dict[str, Question] = {}
    built = []
    for i, page in enumerate(pages):
        later = {k: v for k, v in everything.items() if k not in earlier}
        conditions = _Conditions(notes, earlier, too_late=later)
        questions = []
        for j, question in enumerate(page.questions):
            spec = notes.doc.data["pages"][i - 1]["questions"][j].get("ask_when") if i else None
            if spec is not None:
                path: KeyPath = ("pages", i - 1, "questions", j, "ask_when")
                when = conditions.build(spec, path, f'question "{question.id}", "ask_when"')
                question = replace(question, ask_when=when)
            questions.append(question)
        built.append(replace(page, questions=tuple(questions)))
        earlier.update((q.id, q) for q in page.questions)
    return tuple(built)


def _contradictions(
    notes: Notes, conditions: _Conditions, questions: Mapping[str, Question]
) -> tuple[Contradiction, ...]:
    """Answers that cannot be true together, each on one page: it is checked when that page
    is sent."""
    items = notes.doc.data.get("contradictions", [])
    notes.unique(items, ("contradictions",), "contradiction")
    found = []
    for i, item in enumerate(items):
        path: KeyPath = ("contradictions", i)
        owner = f'contradiction "{item["id"]}"'
        when = conditions.build(item["when"], path + ("when",), owner)
        shown = item["question"]
        if shown not in questions:
            notes.unknown(path + ("question",), "question", shown, questions, owner)
        named = [name for name in (*when.questions(), shown) if name in questions]
        pages = sorted({questions[name].page_id for name in named})
        if len(pages) > 1:
            notes.error(
                path + ("when",),
                f"{owner} names questions on more than one page ({', '.join(pages)}); it is "
                "checked when one page is sent, so all its questions must be on that page",
            )
        found.append(
            Contradiction(
                id=item["id"],
                when=when,
                question=shown,
                message=notes.text(item["message"], path + ("message",), owner),
                source=notes.source(item, path, owner),
            )
        )
    return tuple(found)


def _goes_away(notes: Notes, conditions: _Conditions) -> GoesAway:
    spec = notes.doc.data["goes_away"]
    owner = '"goes_away"'
    notes.source(spec, ("goes_away",), owner)
    when = spec.get("when")
    variants = tuple(
        (
            conditions.build(v["when"], ("goes_away", "variants", i, "when"), owner),
            tuple(v["text"]),
        )
        for i, v in enumerate(spec.get("variants", []))
    )
    return GoesAway(
        heading=spec["heading"],
        text=tuple(spec["text"]),
        source=spec.get("source"),
        when=None if when is None else conditions.build(when, ("goes_away", "when"), owner),
        variants=variants,
    )


def _filming(notes: Notes, conditions: _Conditions) -> Filming | None:
    spec, owner = notes.doc.data.get("filming"), '"filming"'
    if spec is None:
        return None
    lines = tuple(notes.text(t, ("filming", "text", i), owner) for i, t in enumerate(spec["text"]))
    heading = notes.text(spec["heading"], ("filming", "heading"), owner)
    when = conditions.build(spec["when"], ("filming", "when"), owner)
    return Filming(heading, lines, when, notes.source(spec, ("filming",), owner))


# --------------------------------------------------------------------------------------------
# Rules, causes, treatments


def _urgency_rules(
    notes: Notes, conditions: _Conditions, by_id: Mapping[str, Urgency]
) -> tuple[UrgencyRule, ...]:
    items = notes.doc.data["urgency_rules"]
    notes.unique(items, ("urgency_rules",), "urgency rule")
    rules = []
    for i, item in enumerate(items):
        path: KeyPath = ("urgency_rules", i)
        owner = f'urgency rule "{item["id"]}"'
        rules.append(
            UrgencyRule(
                id=item["id"],
                level=_level(notes, item["level"], path + ("level",), owner, by_id),
                when=conditions.build(item["when"], path + ("when",), owner),
                reason=notes.text(item["reason"], path + ("reason",), owner),
                source=notes.source(item, path, owner),
            )
        )
    return tuple(rules)


def _causes(notes: Notes, conditions: _Conditions) -> tuple[Cause, ...]:
    items = notes.doc.data["causes"]
    notes.unique(items, ("causes",), "cause")
    causes = []
    for i, item in enumerate(items):
        path: KeyPath = ("causes", i)
        owner = f'cause "{item["id"]}"'
        when = item["when"]
        causes.append(
            Cause(
                id=item["id"],
                name=item["name"],
                about=item["about"],
                when=None
                if when == NO_OTHER_CAUSE
                else conditions.build(when, path + ("when",), owner),
                source=notes.source(item, path, owner),
                codes=codes.codes_of(item),
            )
        )
        codes.check(notes, item, path, owner)
    return tuple(causes)


def _treatments(notes: Notes) -> tuple[Treatment, ...]:
    items = notes.doc.data["treatments"]
    notes.unique(items, ("treatments",), "treatment")
    return tuple(
        Treatment(
            item["id"],
            item["name"],
            item["about"],
            item["ask"],
            notes.source(item, ("treatments", i), f'treatment "{item["id"]}"'),
        )
        for i, item in enumerate(items)
    )


def _approvals(notes: Notes, content: str) -> tuple[Approval, ...]:
    """The approvals, each a real day; and whether the content is still the content approved
    last, said to the reviewer."""
    data = notes.doc.data
    approvals = tuple(Approval(**item) for item in data.get(APPROVALS, []))
    for i, approval in enumerate(approvals):
        if read_date(approval.date) is None:
            notes.error((APPROVALS, i, "date"), f'"{approval.date}" is not a day of the calendar')
    where = (APPROVALS,) if APPROVALS in data else ("version",)

    def warn(message: str) -> None:
        notes.problems.append(notes.doc.problem(where, message, severity="warning", key=True))

    last = approvals[-1] if approvals else None
    if last is None:
        warn(
            "no clinician has approved these rules yet: the app shows patients that they are "
            "a draft"
        )
    elif last.fingerprint != content:
        warn(
            f"changed since it was approved by {last} (version {last.version}): the app shows "
            "patients that these rules are a draft again",
        )
        if last.version == str(data["version"]):
            notes.warn(
                ("version",),
                f'the content changed since version "{last.version}" was approved, but the '
                "version is the same: raise it",
            )
    return approvals


def build(doc: Document) -> tuple[Rules, list[Problem]]:
    """The rule set in ``doc`` (which has the right shape), and every problem found in it.

    The rule set is whole even when there are errors, so that every error can be found in one
    pass; it must not be used then.
    """
    notes = Notes(doc)
    data = doc.data
    levels = _levels(notes)
    by_id = {level.id: level for level in levels}
    default = _level(notes, data["default_level"], ("default_level",), '"default_level"', by_id)
    if default.is_most_urgent and data["default_level"] in by_id:
        notes.error(
            ("default_level",),
            '"default_level" cannot be the most urgent level, which is kept for red flags and '
            "emergencies",
        )
    # The level a red flag must lead to.
    flags, emergency_check = _red_flags(notes, most_urgent(levels), by_id)
    pages = _asked_when(notes, (emergency_check, *_pages(notes)))
    questions = {q.id: q for page in pages for q in page.questions}
    for name, spec in data["answer_lists"].items():
        _answer_list(notes, spec, ("answer_lists", name), f'answer list "{name}"')
    conditions = _Conditions(notes, questions)
    urgency_rules = _urgency_rules(notes, conditions, by_id)
    causes = _causes(notes, conditions)
    treatments = _treatments(notes)
    goes_away = _goes_away(notes, conditions)
    filming = _filming(notes, conditions)
    contradictions = _contradictions(notes, conditions, questions)
    default_reason = str(data["default_reason"])
    notes.text(default_reason, ("default_reason",), '"default_reason"')
    content = fingerprint(data)
    approvals = _approvals(notes, content)
    rules = Rules(
        path=doc.file,
        version=str(data["version"]),
        fingerprint=content,
        approvals=approvals,
        sources=dict(data["sources"]),
        levels=levels,
        default_level=default,
        red_flags=flags,
        pages=pages,
        urgency_rules=urgency_rules,
        causes=causes,
        treatments=treatments,
        goes_away=goes_away,
        default_reason=default_reason,
        contradictions=contradictions,
        filming=filming,
        questions=questions,
    )
    return rules, notes.problems
