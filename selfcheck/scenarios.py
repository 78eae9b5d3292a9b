"""Scenarios written by clinicians: answers in; the advice and the conditions listed out.

A scenarios file (``scenarios.yaml`` beside rules.yaml) lists cases such as "signs of a stroke
lead to emergency advice" or "a stroke in the past, not yet checked, lists stroke as worth
discussing". :func:`load_scenarios` checks the file against the rules it will run on (every
question, answer, level and cause it names must exist, and every case must be a set of answers
a person could really give), naming the line of each problem; :func:`run` runs the cases.
``flask --app selfcheck rules test`` prints the results as a table, and pytest runs them too.

Plain Python, no web framework.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from selfcheck.answers import Fault, asked, fault, unanswered
from selfcheck.outcome import Outcome, evaluate
from selfcheck.rules import Rules, RulesError, shape
from selfcheck.rules.document import Document, KeyPath, Problem, parse, read_text, unknown


class ScenariosError(RulesError):
    """A scenarios file that cannot be run against the rules; ``problems`` names each line."""


@dataclass(frozen=True)
class Scenario:
    """One case: complete answers, and what the person must (and must not) be shown."""

    id: str
    name: str
    answers: Mapping[str, frozenset[str]]
    urgency: str
    must_list: tuple[str, ...]
    must_not_list: tuple[str, ...]
    note: str | None
    line: int
    #: A vignette's story, in a person's words, and the public guidance that sets what it
    #: expects (keys of the file's ``sources``).
    story: str | None = None
    source: str | None = None

    def met_by(self, outcome: Outcome) -> bool:
        """Whether ``outcome`` gives the advice this scenario expects and lists the causes it
        must list, and none it must not."""
        listed = {item.cause.id for item in outcome.listed}
        return (
            outcome.level.id == self.urgency
            and listed.issuperset(self.must_list)
            and listed.isdisjoint(self.must_not_list)
        )


@dataclass(frozen=True)
class Scenarios:
    path: str
    scenarios: tuple[Scenario, ...]
    #: The file's own sources by key, for the vignettes' ``source``.
    sources: Mapping[str, str] = field(default_factory=dict)
    #: "scenario", or "vignette" for a file of vignettes (vignettes.yaml).
    kind: str = "scenario"
    #: Vignettes written by an author who had not read the rules (``blind: true``): advice more
    #: urgent than one expects is over-triage, counted but not a failure (see :class:`Result`).
    blind: bool = False


@dataclass(frozen=True)
class Result:
    """What one scenario gave, and how it differs from what was expected."""

    scenario: Scenario
    outcome: Outcome
    #: From a blind file: more urgent advice than expected passes, as over-triage.
    blind: bool = False
    #: The rank of the level the scenario expects (0 the most urgent); -1 when not known.
    expected_rank: int = -1

    @property
    def listed(self) -> tuple[str, ...]:
        """The ids of the causes the person is shown as worth discussing."""
        return tuple(item.cause.id for item in self.outcome.listed)

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(c for c in self.scenario.must_list if c not in self.listed)

    @property
    def unwanted(self) -> tuple[str, ...]:
        return tuple(c for c in self.scenario.must_not_list if c in self.listed)

    @property
    def over(self) -> bool:
        """Whether the advice is more urgent than the scenario expects."""
        return self.outcome.level.rank < self.expected_rank

    @property
    def passed(self) -> bool:
        """As expected; in a blind file, also more urgent advice with the conditions right."""
        if self.scenario.met_by(self.outcome):
            return True
        return self.blind and self.over and not self.missing and not self.unwanted


# --------------------------------------------------------------------------------------------
# Loading


class _Checker:
    """Checks a scenarios file of the right shape against the rules, line by line."""

    def __init__(self, doc: Document, rules: Rules, kind: str) -> None:
        self.doc = doc
        self.rules = rules
        self.kind = kind
        #: The key of the list: "scenarios", or "vignettes".
        self.key = f"{kind}s"
        self.problems: list[Problem] = []
        #: The questions each starting point leaves out, said once, at the starting point.
        self.incomplete: dict[str, set[str]] = {}

    def error(self, path: KeyPath, message: str) -> None:
        # A starting point is named by its key; anything else by its value.
        key = len(path) == 2 and path[0] == "starting_points"
        self.problems.append(self.doc.problem(path, message, key=key))

    def answers(
        self, given: Mapping[str, Any], path: KeyPath, owner: str
    ) -> dict[str, frozenset[str]]:
        """Answers a person could give: known questions, offered answers, as the form allows."""
        found: dict[str, frozenset[str]] = {}
        questions = self.rules.questions
        for name, raw in given.items():
            where = path + (name,)
            if name not in questions:
                self.error(where, unknown(owner, "question", name, questions))
                continue
            question = questions[name]
            values = [raw] if isinstance(raw, str) else list(raw)
            wrong = fault(question, values)
            if wrong is Fault.NOT_OFFERED:
                offered = [a.value for a in question.answers]
                for value in values:
                    if value not in question.values:
                        of = f' of question "{name}"'
                        self.error(where, unknown(owner, "answer", value, offered, of))
                continue
            if wrong is Fault.SEVERAL:
                self.error(
                    where,
                    f'{owner} gives question "{name}" {len(values)} answers, but a person can '
                    "choose only one",
                )
                continue
            if wrong is Fault.NONE_WITH_OTHERS:
                self.error(
                    where,
                    f'{owner} ticks "{question.none_of_these}" for question "{name}" together '
                    "with other answers; a person can tick it only on its own",
                )
                continue
            found[name] = frozenset(values)
        return found

    def sendable(
        self,
        answers: Mapping[str, frozenset[str]],
        own: Mapping[str, frozenset[str]],
        where: KeyPath,
        path: KeyPath,
        owner: str,
    ) -> dict[str, frozenset[str]]:
        """``answers`` as the pages keep them: without those to questions not asked. Says when
        ``own`` (the answers written here) answers a question that is not asked, or when the
        answers cannot all be true."""
        kept = asked(self.rules, answers)
        for name in own:
            if name not in kept:
                self.error(
                    where + (name,),
                    f'{owner} answers question "{name}", which a person who gives its other '
                    'answers is not asked (see the question\'s "ask_when" in the rules)',
                )
        for clash in self.rules.contradictions:
            if clash.when.holds(kept):
                self.error(
                    path,
                    f"{owner} gives answers that cannot all be true (contradiction "
                    f'"{clash.id}" in the rules); a person cannot send them',
                )
        return kept

    def complete(
        self,
        answers: Mapping[str, frozenset[str]],
        path: KeyPath,
        owner: str,
        told: set[str] | frozenset[str] = frozenset(),
    ) -> list[str]:
        """Say which questions ``answers`` leave out, unless a red flag is ticked (a person
        then sees the outcome at once) or the questions were ``told`` already."""
        missing = [question.id for question in unanswered(self.rules, answers)]
        left = [q for q in missing if q not in told]
        if left:
            names = ", ".join(f'"{q}"' for q in left)
            self.error(
                path,
                f"{owner} does not answer {names}; with no red flag ticked, a "
                "person answers every question before seeing the outcome",
            )
        return missing

    def scenario(
        self, item: Mapping[str, Any], i: int, starts: Mapping[str, dict[str, frozenset[str]]]
    ) -> Scenario:
        path: KeyPath = (self.key, i)
        owner = f'{self.kind} "{item["id"]}"'
        answers: dict[str, frozenset[str]] = {}
        start = item.get("start_from")
        if start is not None:
            if start in starts:
                answers.update(starts[start])
            else:
                self.error(path + ("start_from",), unknown(owner, "starting point", start, starts))
        before = len(self.problems)
        own = self.answers(item.get("answers", {}), path + ("answers",), owner)
        answers.update(own)
        # A question the new answers no longer ask drops out of the starting point's answers,
        # as it does on the pages; one the scenario itself answers is a mistake.
        answers = self.sendable(answers, own, path + ("answers",), path, owner)
        if len(self.problems) == before:
            # A question the starting point leaves out is said once, at the starting point.
            told = self.incomplete.get(start or "", set())
            self.complete(answers, path, owner, told)
        expect = item["expect"]
        levels = [level.id for level in self.rules.levels]
        if expect["urgency"] not in levels:
            self.error(
                path + ("expect", "urgency"),
                unknown(owner, "urgency level", expect["urgency"], levels),
            )
        causes = [cause.id for cause in self.rules.causes]
        for key in ("must_list", "must_not_list"):
            for j, cause in enumerate(expect.get(key, [])):
                if cause not in causes:
                    self.error(path + ("expect", key, j), unknown(owner, "cause", cause, causes))
        if expect.get("must_list") and expect["urgency"] == self.rules.emergency.id:
            self.error(
                path + ("expect", "must_list"),
                f'{owner} expects "{expect["urgency"]}" advice, which lists no causes (the page '
                "shows the advice and why, and nothing else): leave must_list out",
            )
        both = set(expect.get("must_list", [])) & set(expect.get("must_not_list", []))
        for cause in sorted(both):
            self.error(
                path + ("expect",),
                f'{owner} says cause "{cause}" must be listed and must not be listed',
            )
        return Scenario(
            id=item["id"],
            name=item["name"],
            answers=answers,
            urgency=expect["urgency"],
            must_list=tuple(expect.get("must_list", [])),
            must_not_list=tuple(expect.get("must_not_list", [])),
            note=item.get("note"),
            line=self.doc.at(path)[0],
            story=item.get("story"),
            source=self.source(item, path, owner),
        )

    def source(self, item: Mapping[str, Any], path: KeyPath, owner: str) -> str | None:
        """The item's source, each of its ";"-separated parts starting with a known key."""
        source = item.get("source")
        if source is None:
            return None
        known = {**self.rules.sources, **self.doc.data.get("sources", {})}
        for part in source.split(";"):
            key = part.split(":")[0].strip()
            if key not in known:
                self.error(path + ("source",), unknown(owner, "source", key, known))
        return str(source)

    def build(self) -> tuple[Scenario, ...]:
        data = self.doc.data
        starts = {}
        for name, given in data.get("starting_points", {}).items():
            where: KeyPath = ("starting_points", name)
            owner = f'starting point "{name}"'
            before = len(self.problems)
            found = self.answers(given, where, owner)
            starts[name] = self.sendable(found, found, where, where, owner)
            if len(self.problems) == before:
                self.incomplete[name] = set(self.complete(starts[name], where, owner))
        seen: dict[str, int] = {}
        scenarios = []
        for i, item in enumerate(data[self.key]):
            if item["id"] in seen:
                self.error(
                    (self.key, i, "id"),
                    f'{self.kind} id "{item["id"]}" is used twice (first on line '
                    f"{seen[item['id']]}); each id must be different",
                )
            seen.setdefault(item["id"], self.doc.at((self.key, i, "id"))[0])
            scenarios.append(self.scenario(item, i, starts))
        return tuple(scenarios)


def load_scenarios(path: str | Path, rules: Rules, text: str | None = None) -> Scenarios:
    """Read and check the scenarios at ``path`` against ``rules``.

    A file with a list of ``vignettes`` (vignettes.yaml) holds scenarios that each tell a story
    and cite the public guidance that sets what they expect. Raises :class:`ScenariosError`
    naming the file, line and column of every problem.
    """
    file = str(path)
    try:
        if text is None:
            text = read_text(path, "there is no scenarios file here")
        doc = parse(text, file, holds="a list of scenarios", keys='"scenarios:"')
    except RulesError as error:
        raise ScenariosError(error.problems) from None
    vignettes = isinstance(doc.data, dict) and "vignettes" in doc.data
    problems = shape.problems(doc, shape.VIGNETTES if vignettes else shape.SCENARIOS)
    if problems:
        raise ScenariosError(problems)
    kind = "vignette" if vignettes else "scenario"
    checker = _Checker(doc, rules, kind)
    scenarios = checker.build()
    if checker.problems:
        raise ScenariosError(sorted(checker.problems, key=lambda p: (p.line, p.column)))
    blind = bool(doc.data.get("blind", False))
    return Scenarios(file, scenarios, dict(doc.data.get("sources", {})), kind, blind)


# --------------------------------------------------------------------------------------------
# Running


def run(rules: Rules, scenarios: Scenarios) -> list[Result]:
    rank = {level.id: level.rank for level in rules.levels}
    return [
        Result(s, evaluate(rules, s.answers), scenarios.blind, rank[s.urgency])
        for s in scenarios.scenarios
    ]


def _name_of(rules: Rules, kind: str, ident: str) -> str:
    if kind == "level":
        return next((lvl.name for lvl in rules.levels if lvl.id == ident), ident)
    return next((c.name for c in rules.causes if c.id == ident), ident)


def failures(rules: Rules, result: Result) -> list[str]:
    """What went wrong with one scenario, in plain words."""
    found = []
    if result.outcome.level.id != result.scenario.urgency:
        found.append(
            f'expected the advice "{_name_of(rules, "level", result.scenario.urgency)}"'
            f', but it was "{result.outcome.level.name}"'
        )
    for cause in result.missing:
        found.append(
            f'expected "{_name_of(rules, "cause", cause)}" to be listed as worth '
            "discussing, but it was not"
        )
    for cause in result.unwanted:
        found.append(f'expected "{_name_of(rules, "cause", cause)}" not to be listed, but it was')
    return found


#: Under the title of a blind file's report: how to read its results.
BLIND_NOTE = "Written blind: more urgent advice than expected is marked over, not FAIL."


def report(rules: Rules, scenarios: Scenarios, results: list[Result]) -> str:
    """A table of every scenario, pass or FAIL, then what went wrong with each failure."""
    rows = [("result", scenarios.kind, "advice expected", "advice given", "conditions listed")]
    for result in results:
        wrong = len(result.missing) + len(result.unwanted)
        rows.append(
            (
                ("over" if result.over else "pass") if result.passed else "FAIL",
                result.scenario.id,
                _name_of(rules, "level", result.scenario.urgency),
                result.outcome.level.name,
                f"{wrong} not as expected" if wrong else "as expected",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [
        f"{scenarios.kind.capitalize()}s in {scenarios.path}, run against {rules}",
        "",
    ]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[4]]).rstrip())
    failed = [r for r in results if not r.passed]
    for result in failed:
        scenario = result.scenario
        lines += ["", f'FAIL {scenario.id}: "{scenario.name}" ({scenarios.path}:{scenario.line})']
        lines += [f"  {line}" for line in failures(rules, result)]
    over = [r for r in results if r.passed and r.over]
    passed = len(results) - len(failed) - len(over)
    counts = f"{passed} passed, {len(failed)} failed"
    if scenarios.blind:
        lines.insert(1, BLIND_NOTE)
        counts = (
            f"{passed} passed, {len(over)} over (more urgent than expected), {len(failed)} failed"
        )
    lines += ["", f"{len(results)} {scenarios.kind}s: {counts}."]
    return "\n".join(lines) + "\n"
