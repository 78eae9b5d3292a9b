"""Conditions: when a rule applies, a question is asked or a text is shown, written as data in
rules.yaml. Each operator is worked out here and nowhere else, in every way the app uses a
condition:

- whether it holds on a person's answers (compiled once into closures: the hot path of every
  outcome) and which answers made it hold ("because");
- whether some answers already decide it, while other questions are still unanswered;
- as clauses for the SAT solver that searches every answer set (:mod:`selfcheck.rules.reach`);
- in plain words, for the clinicians' review (:mod:`selfcheck.outline`);
- as FHIR: a flat ``enableWhen`` where one can say it, else a FHIRPath expression
  (:mod:`selfcheck.fhir`).

An operator is a member of :class:`Op` and a class of :data:`OPERATORS`; adding one is adding
both here (and its key to the rules' schema, :mod:`selfcheck.rules.shape`, when it is written
in rules.yaml with a key of its own).

Plain Python, no web framework.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

#: A person's answers as the rules read them: each question id to the set of values chosen.
Answers = Mapping[str, frozenset[str]]
#: A test is compiled into one of these.
Test = Callable[[Answers], bool]


class Question(Protocol):
    """What the words of a test need of its question (a :class:`selfcheck.rules.Question`)."""

    @property
    def text(self) -> str: ...

    @property
    def kind(self) -> str: ...

    def labels(self, values: frozenset[str]) -> Sequence[str]: ...


class Op(StrEnum):
    """The operators of a condition, by the key rules.yaml writes them with."""

    #: The answer to ``question`` is one of ``values`` (a "many" question's answers include
    #: one of them): rules.yaml writes ``question:`` with ``is:`` or ``includes:``.
    IS = "is"
    #: At least one of ``terms`` holds.
    ANY = "any"
    #: Every one of ``terms`` holds.
    ALL = "all"
    #: Its one term does not hold.
    NOT = "not"


@dataclass(frozen=True, slots=True)
class Condition:
    """A test over the answers: ``op`` with its ``question`` and ``values`` (a test of one
    question) or its ``terms`` (the conditions it joins)."""

    op: Op
    question: str = ""
    values: frozenset[str] = frozenset()
    terms: tuple[Condition, ...] = ()
    #: The test compiled once into nested closures: the hot path of every outcome.
    holds: Test = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "holds", self.operator.compile(self))

    @property
    def operator(self) -> Operator:
        return OPERATORS[self.op]

    def because(self, answers: Answers) -> dict[str, frozenset[str]]:
        """The answers that made this condition hold, by question id, in order.

        Only the answers a test looked for are named: "A stroke", not every condition ticked
        with it. A question under "not" holds because of what was chosen, so that is named.
        """
        found: dict[str, frozenset[str]] = {}
        self.operator.collect(self, answers, found)
        return found

    def questions(self) -> Iterator[str]:
        """Every question id this condition looks at, each time it does, in order."""
        for test in self.tests():
            yield test.question

    def tests(self) -> Iterator[Condition]:
        """Every test of one question in this condition, in order."""
        if self.op is Op.IS:
            yield self
        for term in self.terms:
            yield from term.tests()

    def decided(self, chosen: Mapping[str, frozenset[str]]) -> bool | None:
        """True or False once the answers ``chosen`` decide this condition, None while it also
        depends on questions they leave out."""
        return self.operator.decide(self, chosen)

    def with_tests(self, replace: Callable[[Condition], Condition]) -> Condition:
        """This condition with each test of one question replaced by ``replace(test)``."""
        if self.op is Op.IS:
            return replace(self)
        return Condition(self.op, terms=tuple(term.with_tests(replace) for term in self.terms))

    def encode(self, formula: Formula) -> int:
        """A literal of ``formula`` that is true exactly when this condition holds (its terms
        through ``formula.literal``, which makes each once)."""
        return self.operator.encode(self, formula)

    def words(self, questions: Mapping[str, Question], negated: bool = False) -> Clause:
        """This condition (or, ``negated``, its opposite) in words: short ones on one line,
        longer ones as a list of terms."""
        return self.operator.words(self, questions, negated)

    def fhirpath(self, system_of: Callable[[str], str]) -> str:
        """A FHIRPath expression, run on a ``QuestionnaireResponse`` (``%resource``), that is
        true exactly when this condition holds on its answers. ``system_of`` gives the code
        system of a question's answers. Every part ends in ``exists()``, so it is always true
        or false, never empty."""
        return self.operator.fhirpath(self, system_of)

    def enable_when(self) -> tuple[Op, list[tuple[str, str]]] | None:
        """The condition as FHIR's flat ``enableWhen``: whether ``any`` or ``all`` of its
        (question, answer) tests must hold, and the tests, each once; None when a flat list
        cannot say it (a "not", "all" of tests with more than one answer each, tests nested
        both ways) or it has no test."""
        for behaviour, found in (
            (Op.ANY, self.operator.any_tests(self)),
            (Op.ALL, self.operator.all_tests(self)),
        ):
            if found is not None:
                tests = list(dict.fromkeys(found))  # each once: conditions may share some
                return (behaviour, tests) if tests else None
        return None


class Formula(Protocol):
    """What a condition needs of the SAT encoding (:mod:`selfcheck.rules.reach`)."""

    def literal(self, condition: Condition) -> int:
        """A literal true exactly when ``condition`` holds, made once for each condition."""

    def answer_literals(self, question: str) -> Mapping[str, int]:
        """The variable of each answer of ``question``, with the limits the form puts on
        them."""

    def joined(self, condition: Condition, literals: Sequence[int], every: bool) -> int:
        """A literal true exactly when any (``every``: all) of ``literals`` is true, made once
        for ``condition``."""


@dataclass(frozen=True)
class Clause:
    """A condition in words: ``text`` on one line, and ``terms`` listed under it, if any."""

    text: str
    terms: tuple[Clause, ...] = ()


#: Two tests are written on one line ("A, or B") only when the line stays this short.
SHORT = 90


def quoted(text: str) -> str:
    return f'"{text}"'


def either(words: Sequence[str], joiner: str = "or") -> str:
    """ "A", "A or B", "A, B or C"."""
    if len(words) == 1:
        return words[0]
    return f"{', '.join(words[:-1])} {joiner} {words[-1]}"


def fhirpath_literal(text: str) -> str:
    """``text`` as a FHIRPath string literal."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


# --------------------------------------------------------------------------------------------
# The operators


class Operator:
    """How one operator is written in rules.yaml, holds, is decided, encoded, worded and said in
    FHIR."""

    #: How rules.yaml writes it: "question" (``question:`` with ``is:`` or ``includes:``),
    #: "terms" (its key with a list of conditions) or "term" (its key with one condition).
    written = ""

    def compile(self, condition: Condition) -> Test:
        raise NotImplementedError

    def collect(
        self, condition: Condition, answers: Answers, found: dict[str, frozenset[str]]
    ) -> None:
        raise NotImplementedError

    def decide(self, condition: Condition, chosen: Mapping[str, frozenset[str]]) -> bool | None:
        raise NotImplementedError

    def encode(self, condition: Condition, formula: Formula) -> int:
        raise NotImplementedError

    def words(
        self, condition: Condition, questions: Mapping[str, Question], negated: bool
    ) -> Clause:
        raise NotImplementedError

    def fhirpath(self, condition: Condition, system_of: Callable[[str], str]) -> str:
        raise NotImplementedError

    def any_tests(self, condition: Condition) -> list[tuple[str, str]] | None:
        """The condition as "any of these (question, answer) tests", or None."""
        return None

    def all_tests(self, condition: Condition) -> list[tuple[str, str]] | None:
        """The condition as "all of these (question, answer) tests", or None."""
        return None


class AnswerIs(Operator):
    """``is``: the answer to one question is (or includes) one of some values."""

    written = "question"

    def compile(self, condition: Condition) -> Test:
        question, disjoint = condition.question, condition.values.isdisjoint

        def test(answers: Answers) -> bool:
            chosen = answers.get(question)
            return chosen is not None and not disjoint(chosen)

        return test

    def collect(
        self, condition: Condition, answers: Answers, found: dict[str, frozenset[str]]
    ) -> None:
        matched = condition.values.intersection(answers.get(condition.question, ()))
        before = found.get(condition.question)
        found[condition.question] = matched if before is None else before | matched

    def decide(self, condition: Condition, chosen: Mapping[str, frozenset[str]]) -> bool | None:
        answer = chosen.get(condition.question)
        return None if answer is None else not condition.values.isdisjoint(answer)

    def encode(self, condition: Condition, formula: Formula) -> int:
        values = formula.answer_literals(condition.question)
        literals = [values[v] for v in sorted(condition.values) if v in values]
        return formula.joined(condition, literals, every=False)

    def words(
        self, condition: Condition, questions: Mapping[str, Question], negated: bool
    ) -> Clause:
        question = questions[condition.question]
        labels = [quoted(label) for label in question.labels(condition.values)]
        asked = quoted(question.text)
        if question.kind == "one":
            if not negated:
                return Clause(f"{asked} is {either(labels)}")
            if len(labels) == 1:
                return Clause(f"{asked} is not {labels[0]}")
            return Clause(f"{asked} is none of {either(labels, 'and')}")
        if not negated:
            if len(labels) == 1:
                return Clause(f"{asked} includes {labels[0]}")
            return Clause(f"{asked} includes any of {either(labels)}")
        if len(labels) == 1:
            return Clause(f"{asked} does not include {labels[0]}")
        return Clause(f"{asked} includes none of {either(labels, 'and')}")

    def fhirpath(self, condition: Condition, system_of: Callable[[str], str]) -> str:
        codes = " or ".join(
            f"code = {fhirpath_literal(value)}" for value in sorted(condition.values)
        )
        codes_of = fhirpath_literal(system_of(condition.question))
        return (
            f"%resource.repeat(item).where(linkId = {fhirpath_literal(condition.question)})"
            f".answer.value.ofType(Coding).where(system = {codes_of} and ({codes})).exists()"
        )

    def any_tests(self, condition: Condition) -> list[tuple[str, str]] | None:
        return [(condition.question, value) for value in sorted(condition.values)]

    def all_tests(self, condition: Condition) -> list[tuple[str, str]] | None:
        (value,) = condition.values if len(condition.values) == 1 else (None,)
        return None if value is None else [(condition.question, value)]


class Junction(Operator):
    """``any`` (``every`` False) and ``all`` (``every`` True) of some terms."""

    written = "terms"

    def __init__(self, every: bool) -> None:
        self.every = every

    def compile(self, condition: Condition) -> Test:
        tests = tuple(term.holds for term in condition.terms)
        if self.every:

            def all_of(answers: Answers) -> bool:
                for part in tests:
                    if not part(answers):
                        return False
                return True

            return all_of

        def any_of(answers: Answers) -> bool:
            for part in tests:
                if part(answers):
                    return True
            return False

        return any_of

    def collect(
        self, condition: Condition, answers: Answers, found: dict[str, frozenset[str]]
    ) -> None:
        for term in condition.terms:
            if self.every or term.holds(answers):
                term.operator.collect(term, answers, found)

    def decide(self, condition: Condition, chosen: Mapping[str, frozenset[str]]) -> bool | None:
        undecided = False
        for term in condition.terms:
            value = term.decided(chosen)
            if value is None:
                undecided = True
            elif value is not self.every:  # a term that decides the whole
                return value
        return None if undecided else self.every

    def encode(self, condition: Condition, formula: Formula) -> int:
        literals = [formula.literal(term) for term in condition.terms]
        return formula.joined(condition, literals, every=self.every)

    def words(
        self, condition: Condition, questions: Mapping[str, Question], negated: bool
    ) -> Clause:
        terms = tuple(term.words(questions) for term in condition.terms)
        if not terms:
            return Clause("always" if self.every else "never")
        if len(terms) == 1:
            return condition.terms[0].words(questions, negated)
        heads = {
            (False, False): "any of these is true:",
            (True, False): "all of these are true:",
            (False, True): "none of these is true:",
            (True, True): "not all of these are true:",
        }
        joined = (", and " if self.every else ", or ").join(t.text for t in terms)
        if (
            not negated
            and len(terms) == 2
            and not any(t.terms for t in terms)
            and (len(joined) <= SHORT)
        ):
            return Clause(joined)
        return Clause(heads[(self.every, negated)], terms)

    def fhirpath(self, condition: Condition, system_of: Callable[[str], str]) -> str:
        if not condition.terms:
            return "true" if self.every else "false"
        joined = " and " if self.every else " or "
        return joined.join(f"({term.fhirpath(system_of)})" for term in condition.terms)

    def any_tests(self, condition: Condition) -> list[tuple[str, str]] | None:
        if self.every:
            return None
        found: list[tuple[str, str]] = []
        for term in condition.terms:
            tests = term.operator.any_tests(term)
            if tests is None:
                return None
            found += tests
        return found

    def all_tests(self, condition: Condition) -> list[tuple[str, str]] | None:
        if not self.every:
            return None
        found: list[tuple[str, str]] = []
        for term in condition.terms:  # each a test of one answer
            tests = term.operator.all_tests(term) if term.op is Op.IS else None
            if tests is None:
                return None
            found += tests
        return found


class Negation(Operator):
    """``not``: its one term does not hold."""

    written = "term"

    def compile(self, condition: Condition) -> Test:
        (inner,) = (term.holds for term in condition.terms)
        return lambda answers: not inner(answers)

    def collect(
        self, condition: Condition, answers: Answers, found: dict[str, frozenset[str]]
    ) -> None:
        for question in condition.questions():
            found[question] = answers.get(question, frozenset())

    def decide(self, condition: Condition, chosen: Mapping[str, frozenset[str]]) -> bool | None:
        inner = condition.terms[0].decided(chosen)
        return None if inner is None else not inner

    def encode(self, condition: Condition, formula: Formula) -> int:
        return -formula.literal(condition.terms[0])

    def words(
        self, condition: Condition, questions: Mapping[str, Question], negated: bool
    ) -> Clause:
        return condition.terms[0].words(questions, not negated)

    def fhirpath(self, condition: Condition, system_of: Callable[[str], str]) -> str:
        return f"({condition.terms[0].fhirpath(system_of)}).not()"


#: Each operator's workings.
OPERATORS: dict[Op, Operator] = {
    Op.IS: AnswerIs(),
    Op.ANY: Junction(every=False),
    Op.ALL: Junction(every=True),
    Op.NOT: Negation(),
}


def keyed() -> list[Op]:
    """The operators rules.yaml writes with a key of their own ("any", "all", "not"), in order."""
    return [op for op, operator in OPERATORS.items() if operator.written in ("terms", "term")]


def schema(condition: dict[str, object]) -> dict[str, object]:
    """The JSON Schema of each keyed operator's value in rules.yaml, by its key; ``condition``
    is the schema of one condition (a reference)."""
    return {
        op.value: (
            {"type": "array", "items": condition, "minItems": 1}
            if OPERATORS[op].written == "terms"
            else condition
        )
        for op in keyed()
    }
