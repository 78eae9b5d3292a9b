"""Which answers make a condition true: an exact search, so a warning that something can never
happen is proved, never guessed.

A condition of rules.yaml is a formula over question tests ("the answer to Q is one of V").
:func:`satisfy` finds answers a person could really give (one answer to a "one" question; one or
more to a "many" question, its "None of these" answer only on its own) that make a condition
true, or proves that there are none. It hands the question to a SAT solver (python-sat's
CaDiCaL): the answers become true/false variables, the form's limits and the condition become
clauses, and the solver either finds answers or proves there are none, far faster than trying
answer sets one by one once skip logic makes every test of a question carry its "ask_when".

Plain Python, no web framework. It stands with the rules because the loader proves its warnings
with it (:mod:`selfcheck.rules.checks`); :mod:`selfcheck.changes` uses it to find answers whose
advice changes between two rule sets.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from pysat.formula import IDPool
from pysat.solvers import Solver

from selfcheck.rules.conditions import Condition, Op
from selfcheck.rules.model import RED_FLAGS, Question, Rules, Urgency

Choice = frozenset[str]


def answer_is(question: str, values: Iterable[str]) -> Condition:
    """The condition "the answer to ``question`` is (or includes) one of ``values``"."""
    return Condition(Op.IS, question=question, values=frozenset(values))


def any_of(terms: Iterable[Condition]) -> Condition:
    return Condition(Op.ANY, terms=tuple(terms))


def all_of(terms: Iterable[Condition]) -> Condition:
    return Condition(Op.ALL, terms=tuple(terms))


def negate(term: Condition) -> Condition:
    return Condition(Op.NOT, terms=(term,))


# --------------------------------------------------------------------------------------------
# The search


class _Formula:
    """A condition as clauses for a SAT solver: one variable for each answer of each question
    it names, the form's own limits on those variables, and one variable for each part of the
    condition that stands for that part (the Tseitin encoding)."""

    def __init__(self, questions: Mapping[str, Question]) -> None:
        self.questions = questions
        self.pool = IDPool()
        self.clauses: list[list[int]] = []
        #: The variable of each answer, by question and value.
        self.answers: dict[str, dict[str, int]] = {}
        self.parts: dict[Condition, int] = {}

    def answer_literals(self, name: str) -> dict[str, int]:
        """The variables of ``name``'s answers, with the answers a person can give: exactly
        one to a "one" question; at least one to a "many" question, its "None of these" only on
        its own."""
        if name not in self.answers:
            question = self.questions[name]
            found: dict[str, int] = {
                a.value: self.pool.id((name, a.value)) for a in question.answers
            }
            self.answers[name] = found
            every = list(found.values())
            self.clauses.append(every)
            if question.kind == "one":
                self.clauses += [[-a, -b] for a, b in itertools.combinations(every, 2)]
            elif question.none_of_these is not None:
                none = found[question.none_of_these]
                self.clauses += [[-none, -v] for v in every if v != none]
        return self.answers[name]

    def literal(self, condition: Condition) -> int:
        """A literal that is true exactly when ``condition`` holds (each operator encodes
        itself: selfcheck/rules/conditions.py)."""
        if condition in self.parts:
            return self.parts[condition]
        return condition.encode(self)

    def joined(self, condition: Condition, literals: Sequence[int], every: bool) -> int:
        """A literal that is true exactly when any (``every``: all) of ``literals`` is: the
        one literal itself, or a new variable tied to them (the Tseitin encoding)."""
        if len(literals) == 1:
            self.parts[condition] = literals[0]
            return literals[0]
        part: int = self.pool.id(("part", len(self.parts)))
        if every:  # part <-> all of literals
            self.clauses += [[-part, t] for t in literals]
            self.clauses.append([part, *(-t for t in literals)])
        else:  # part <-> any of literals
            self.clauses.append([-part, *literals])
            self.clauses += [[part, -t] for t in literals]
        self.parts[condition] = part
        return part


def satisfy(condition: Condition, questions: Mapping[str, Question]) -> dict[str, Choice] | None:
    """Answers a person could give that make ``condition`` true, or None if there are none.

    The answers cover the questions the condition names; any answer to the others will do.
    Every question the condition names must be in ``questions``. A SAT solver searches every
    answer set at once, so None is a proof.
    """
    formula = _Formula(questions)
    root = formula.literal(condition)
    with Solver(name="cadical153", bootstrap_with=formula.clauses) as solver:
        if not solver.solve(assumptions=[root]):
            return None
        model = set(solver.get_model() or ())
        # As few boxes ticked as the condition allows, so an example reads like a person's
        # answers: untick each box in turn while the condition still holds.
        kept = [root]
        for name, values in formula.answers.items():
            if questions[name].kind != "many":
                continue
            for var in values.values():
                if var in model and solver.solve(assumptions=[*kept, -var]):
                    kept.append(-var)
                    model = set(solver.get_model() or ())
    return {
        name: frozenset(value for value, var in values.items() if var in model)
        for name, values in formula.answers.items()
    }


def exactly(question: Question, chosen: Choice) -> Condition:
    """The condition "the answer to ``question`` is ``chosen``, no more and no less"."""
    if question.kind == "one":
        return answer_is(question.id, chosen)
    terms = [answer_is(question.id, [value]) for value in sorted(chosen)]
    others = question.values - chosen
    if others:
        terms.append(negate(answer_is(question.id, others)))
    return all_of(terms)


def essential(
    condition: Condition,
    questions: Mapping[str, Question],
    example: Mapping[str, Choice],
    within: Condition | None = None,
) -> dict[str, Choice]:
    """``example`` cut down to the answers that matter: ``condition`` still holds whatever a
    person answers to the questions left out, among the answers ``within`` allows (each cut is
    proved by the search)."""
    kept = dict(example)
    for name in list(example):
        trial = {k: v for k, v in kept.items() if k != name}
        fixed = all_of(exactly(questions[k], v) for k, v in trial.items())
        counter = [fixed, negate(condition), *([within] if within is not None else [])]
        if satisfy(all_of(counter), questions) is None:
            kept = trial
    return kept


# --------------------------------------------------------------------------------------------
# What the rules can lead to


def effective(condition: Condition, rules: Rules) -> Condition:
    """``condition`` as the outcome tests it: an answer counts only when its question is asked
    (see :func:`selfcheck.answers.asked`). Each test of a question with an ``ask_when`` also
    requires that ``ask_when``, itself made effective, so the search can try any full set of
    answers and reach the same verdict as the outcome does on the answers it keeps."""

    def asked_when(test: Condition) -> Condition:
        question = rules.questions[test.question]
        if question.ask_when is None:
            return test
        return all_of([test, effective(question.ask_when, rules)])

    return condition.with_tests(asked_when)


def possible(rules: Rules) -> Condition:
    """Answers a person can send: none that a contradiction of the rules refuses."""
    return negate(any_of(effective(c.when, rules) for c in rules.contradictions))


def asked(rules: Rules, question: Question) -> Condition:
    """When ``question`` is asked."""
    return effective(question.ask_when, rules) if question.ask_when else all_of([])


def no_red_flag(rules: Rules) -> Condition:
    """No red flag ticked on the emergency check ("None of these", or "I'm not sure")."""
    return negate(answer_is(RED_FLAGS, [f.id for f in rules.red_flags]))


def when_listed(rules: Rules, cause_id: str) -> Condition:
    """When a cause is listed as worth discussing: never with the emergency advice, however it
    is reached (see :attr:`selfcheck.outcome.Outcome.listed`)."""
    cause = next(c for c in rules.causes if c.id == cause_id)
    not_emergency = negate(when_advised(rules, rules.emergency))
    if cause.when is not None:
        return all_of([not_emergency, effective(cause.when, rules)])
    others = [effective(c.when, rules) for c in rules.causes if c.when is not None]
    return all_of([not_emergency, negate(any_of(others))])


def when_advised(rules: Rules, level: Urgency) -> Condition:
    """When the advice is ``level``: the most urgent level among the red flags ticked and the
    urgency rules that apply, or the default level when none applies."""
    flags = [f.id for f in rules.red_flags if f.leads_to.rank == level.rank]
    when = {r.id: effective(r.when, rules) for r in rules.urgency_rules}
    more_urgent = [when[r.id] for r in rules.urgency_rules if r.level.rank < level.rank]
    ways = [
        all_of([no_red_flag(rules), when[rule.id], negate(any_of(more_urgent))])
        for rule in rules.urgency_rules
        if rule.level.rank == level.rank
    ]
    if level.rank == rules.default_level.rank:
        ways.append(all_of([no_red_flag(rules), negate(any_of(when.values()))]))
    if flags:
        ways.append(answer_is(RED_FLAGS, flags))
    return any_of(ways)


@dataclass(frozen=True)
class Reach:
    """What a rule set can lead to, each with answers that lead there (None: nothing does)."""

    levels: Mapping[str, dict[str, Choice] | None]
    causes: Mapping[str, dict[str, Choice] | None]
    rules: Mapping[str, dict[str, Choice] | None]
    #: Each question with an ``ask_when``, with answers that make it asked.
    questions: Mapping[str, dict[str, Choice] | None]


def reach(rules: Rules) -> Reach:
    """Search for answers a person can send that reach every urgency level, list every cause,
    make every urgency rule apply, and are asked every question."""
    questions = rules.questions
    can = possible(rules)

    def find(condition: Condition) -> dict[str, Choice] | None:
        return satisfy(all_of([condition, can]), questions)

    return Reach(
        levels={level.id: find(when_advised(rules, level)) for level in rules.levels},
        causes={cause.id: find(when_listed(rules, cause.id)) for cause in rules.causes},
        rules={rule.id: find(effective(rule.when, rules)) for rule in rules.urgency_rules},
        questions={q.id: find(asked(rules, q)) for q in rules.asked_sometimes},
    )


def complete(rules: Rules, partial: Mapping[str, Choice]) -> dict[str, Choice]:
    """``partial`` with every other question given its least worrying answer."""
    answers = dict(partial)
    for question in rules.questions.values():
        if question.id not in answers:
            calmest = min(question.answers, key=lambda a: a.worry)
            answers[question.id] = frozenset([question.none_of_these or calmest.value])
    return answers
