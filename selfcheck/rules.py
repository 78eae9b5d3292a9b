"""Load and check rules.yaml, and turn it into immutable records.

Plain Python: no web framework here, so the app, the command line and the tests share one loader.
A file is checked in three passes, and the app never sees a partly valid rule set:

1. YAML syntax, read with the line and column of every value kept;
2. the shape, against :data:`selfcheck.schema.RULES_SCHEMA`;
3. what a schema cannot say: ids that are used twice, references to things that do not exist,
   red flags that do not lead to the most urgent level, placeholders that the app cannot fill.

Any error raises :class:`RulesError`, whose problems each name the file, line and column.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from selfcheck.schema import NO_OTHER_CAUSE, PLACEHOLDERS, RULES_SCHEMA

try:  # the C parser is several times faster; fall back to the pure-Python one where it is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

#: The question id of the emergency check, the first page of every rule set.
RED_FLAGS = "red_flags"
#: The page id of the emergency check.
EMERGENCY_CHECK = "emergency_check"
#: The answer value of "None of these" on the emergency check.
NONE_OF_THESE = "none"

Answers = Mapping[str, frozenset[str]]
Path_ = tuple[str | int, ...]


# --------------------------------------------------------------------------------------------
# Problems


@dataclass(frozen=True)
class Problem:
    """One thing wrong (an error) or worth a look (a warning) in a rules file."""

    file: str
    line: int
    column: int
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        prefix = "" if self.severity == "error" else "warning: "
        return f"{self.file}:{self.line}:{self.column}: {prefix}{self.message}"


class RulesError(Exception):
    """A rules file that cannot be used. ``problems`` lists every error found (and any warnings)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        self.errors = [p for p in problems if p.severity == "error"]
        super().__init__("\n".join(str(p) for p in self.errors))


# --------------------------------------------------------------------------------------------
# Records


@dataclass(frozen=True, slots=True)
class Answer:
    """One answer a person can choose. ``worry`` ranks it against the question's other answers."""

    value: str
    label: str
    worry: int
    hint: str | None = None


@dataclass(frozen=True, slots=True)
class Question:
    """One question. ``kind`` is "one" (choose one answer) or "many" (tick all that apply)."""

    id: str
    kind: str
    text: str
    hint: str | None
    answers: tuple[Answer, ...]
    summary: str
    error: str
    source: str | None
    none_of_these: str | None = None
    page_id: str = ""
    #: The values of the answers offered, worked out once: forms check every answer against it.
    values: frozenset[str] = field(init=False, repr=False, compare=False)
    #: The words of each answer on its own, by its value, worked out once for :meth:`labels`.
    words: Mapping[str, tuple[str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", frozenset(a.value for a in self.answers))
        object.__setattr__(self, "words", {a.value: (a.label,) for a in self.answers})

    def label(self, value: str) -> str:
        """The words of the answer ``value``."""
        for answer in self.answers:
            if answer.value == value:
                return answer.label
        raise KeyError(value)

    def labels(self, values: Iterable[str]) -> tuple[str, ...]:
        """The words of the chosen answers, in the order they are offered."""
        chosen = values if isinstance(values, (set, frozenset)) else set(values)
        if len(chosen) == 1:  # most questions take one answer
            for value in chosen:
                return self.words.get(value, ())
        return tuple([a.label for a in self.answers if a.value in chosen])


@dataclass(frozen=True, slots=True)
class Page:
    """A page of questions. The first page of every rule set is the emergency check."""

    id: str
    title: str
    intro: str | None
    questions: tuple[Question, ...]


@dataclass(frozen=True, slots=True)
class Urgency:
    """How soon to get a medical evaluation. ``rank`` 0 is the most urgent."""

    id: str
    name: str
    heading: str
    advice: tuple[str, ...]
    source: str | None
    rank: int


@dataclass(frozen=True, slots=True)
class RedFlag:
    """A life-threatening sign, asked first. Ticking it leads straight to ``leads_to``."""

    id: str
    label: str
    hint: str | None
    reason: str
    leads_to: Urgency
    source: str | None


@dataclass(frozen=True, slots=True)
class Condition:
    """When a rule applies: a test over the answers, written as data in rules.yaml.

    ``op`` is "is" (a question's answer is one of ``values``), "any", "all" or "not".
    """

    op: str
    question: str = ""
    values: frozenset[str] = frozenset()
    parts: tuple[Condition, ...] = ()
    #: The test compiled once into nested closures: the hot path of every outcome.
    holds: Callable[[Answers], bool] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "holds", _compile(self))

    def because(self, answers: Answers) -> dict[str, frozenset[str]]:
        """The answers that made this condition hold, by question id, in order.

        Only the answers a test looked for are named: "A stroke", not every condition ticked
        with it. A question under "not" holds because of what was chosen, so that is named.
        """
        found: dict[str, frozenset[str]] = {}
        self._collect(answers, found)
        return found

    def _collect(self, answers: Answers, found: dict[str, frozenset[str]]) -> None:
        if self.op == "is":
            matched = self.values.intersection(answers.get(self.question, ()))
            before = found.get(self.question)
            found[self.question] = matched if before is None else before | matched
        elif self.op == "not":
            for question in self.questions():
                found[question] = answers.get(question, frozenset())
        elif self.op == "any":
            for part in self.parts:
                if part.holds(answers):
                    part._collect(answers, found)
        else:
            for part in self.parts:
                part._collect(answers, found)

    def questions(self) -> Iterator[str]:
        """Every question id this condition looks at."""
        if self.op == "is":
            yield self.question
        for part in self.parts:
            yield from part.questions()


def _compile(condition: Condition) -> Callable[[Answers], bool]:
    if condition.op == "is":
        question, disjoint = condition.question, condition.values.isdisjoint

        def test(answers: Answers) -> bool:
            chosen = answers.get(question)
            return chosen is not None and not disjoint(chosen)

        return test
    tests = tuple(part.holds for part in condition.parts)
    if condition.op == "any":

        def any_of(answers: Answers) -> bool:
            for part in tests:
                if part(answers):
                    return True
            return False

        return any_of
    if condition.op == "all":

        def all_of(answers: Answers) -> bool:
            for part in tests:
                if not part(answers):
                    return False
            return True

        return all_of
    (inner,) = tests
    return lambda answers: not inner(answers)


@dataclass(frozen=True, slots=True)
class UrgencyRule:
    """Raises the urgency to ``level`` when ``when`` holds."""

    id: str
    level: Urgency
    when: Condition
    reason: str
    source: str | None


@dataclass(frozen=True, slots=True)
class Cause:
    """A condition known to be linked to clonus. ``when`` is None for "no other cause is listed"."""

    id: str
    name: str
    about: str
    when: Condition | None
    source: str | None


@dataclass(frozen=True, slots=True)
class Treatment:
    """A treatment a person could ask their clinician about. Information, never advice."""

    id: str
    name: str
    about: str
    ask: str
    source: str | None


@dataclass(frozen=True, slots=True)
class GoesAway:
    """The plain answer to "does clonus go away?"."""

    heading: str
    text: tuple[str, ...]
    source: str | None


@dataclass(frozen=True)
class Rules:
    """A whole, valid rule set. Build it with :func:`load`."""

    path: str
    version: str
    status: str
    reviewed_by: str
    review_date: str
    sources: Mapping[str, str]
    levels: tuple[Urgency, ...]
    default_level: Urgency
    red_flags: tuple[RedFlag, ...]
    pages: tuple[Page, ...]
    urgency_rules: tuple[UrgencyRule, ...]
    causes: tuple[Cause, ...]
    treatments: tuple[Treatment, ...]
    goes_away: GoesAway
    warnings: tuple[Problem, ...] = ()
    questions: Mapping[str, Question] = field(default_factory=dict)

    @property
    def emergency(self) -> Urgency:
        """The most urgent level."""
        return self.levels[0]

    @property
    def approved(self) -> bool:
        return self.status == "approved"

    def red_flag(self, flag_id: str) -> RedFlag:
        return next(flag for flag in self.red_flags if flag.id == flag_id)

    def page(self, page_id: str) -> Page:
        return next(page for page in self.pages if page.id == page_id)


# --------------------------------------------------------------------------------------------
# Pass 1: YAML with positions


@dataclass
class Document:
    """Plain values parsed from YAML, with the (line, column) of every value and key by path."""

    data: Any
    where: dict[Path_, tuple[int, int]]
    key_where: dict[Path_, tuple[int, int]]

    def at(self, path: Iterable[str | int]) -> tuple[int, int]:
        """The position of the value at ``path``, or of its nearest parent that has one."""
        key = tuple(path)
        while key not in self.where and key:
            key = key[:-1]
        return self.where.get(key, (1, 1))

    def key_at(self, path: Iterable[str | int]) -> tuple[int, int]:
        key = tuple(path)
        return self.key_where.get(key) or self.at(key)


_INT = re.compile(r"^[-+]?[0-9]+$")


def _scalar(node: yaml.ScalarNode) -> Any:
    """A YAML 1.2 core-schema scalar: "yes" and "no" stay words, as a clinician means them."""
    if node.style is not None and node.style != "":  # quoted or block text
        return node.value
    if node.tag not in (
        "tag:yaml.org,2002:str",
        "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:bool",
        "tag:yaml.org,2002:null",
        "tag:yaml.org,2002:float",
        "tag:yaml.org,2002:timestamp",
    ):
        return node.value
    text = node.value
    if text in ("", "~", "null", "Null", "NULL"):
        return None
    if text in ("true", "True", "TRUE"):
        return True
    if text in ("false", "False", "FALSE"):
        return False
    if _INT.match(text):
        return int(text)
    return text


class _Reader:
    def __init__(self, file: str) -> None:
        self.file = file
        self.where: dict[Path_, tuple[int, int]] = {}
        self.key_where: dict[Path_, tuple[int, int]] = {}
        self.problems: list[Problem] = []

    def value(self, node: yaml.Node, path: Path_) -> Any:
        mark = node.start_mark
        self.where[path] = (mark.line + 1, mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = _scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
                line, column = key_node.start_mark.line + 1, key_node.start_mark.column + 1
                if not isinstance(key, str):
                    self.problems.append(
                        Problem(
                            self.file, line, column, f"a key must be a word, not {key_node.value!r}"
                        )
                    )
                    continue
                if key in result:
                    first = self.key_where[path + (key,)][0]
                    self.problems.append(
                        Problem(
                            self.file,
                            line,
                            column,
                            f'"{key}" is given twice in the same place (first on line {first}); '
                            "keep one",
                        )
                    )
                    continue
                self.key_where[path + (key,)] = (line, column)
                result[key] = self.value(value_node, path + (key,))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.value(item, path + (i,)) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        return _scalar(node)


def parse_yaml(
    text: str,
    file: str,
    holds: str = "a rule set",
    keys: str = '"version:", "pages:" and "causes:"',
) -> tuple[Document | None, list[Problem]]:
    """The plain values of a YAML file with their positions, or the problems that stop it.

    ``holds`` and ``keys`` say in the messages what the file should hold."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = exc.problem or "the file is not valid YAML"
        return None, [
            Problem(
                file,
                line,
                column,
                f"this is not valid YAML: {what} (check the indentation, colons "
                "and quotes on this line and the one above)",
            )
        ]
    except yaml.YAMLError as exc:
        return None, [Problem(file, 1, 1, f"this is not valid YAML: {exc}")]
    if node is None:
        return None, [Problem(file, 1, 1, f"the file is empty; it must hold {holds}")]
    reader = _Reader(file)
    data = reader.value(node, ())
    if not isinstance(data, dict):
        return None, [
            Problem(
                file,
                node.start_mark.line + 1,
                node.start_mark.column + 1,
                f"the file must be a set of keys such as {keys}, not a single value or a list",
            )
        ]
    return Document(data, reader.where, reader.key_where), reader.problems


# --------------------------------------------------------------------------------------------
# Pass 2: the shape

_VALIDATOR = Draft202012Validator(RULES_SCHEMA)

_TYPE_WORDS = {
    "string": "text",
    "object": "a set of keys",
    "array": "a list",
    "integer": "a whole number",
    "boolean": "true or false",
}


#: What a required key is for, in the words of a missing-key message.
PURPOSES = {
    "text": "the question a person reads",
    "label": "the words a person reads for it",
    "reason": "the words that tell a person why",
    "heading": "the words a person reads first",
    "advice": "what a person is told to do",
    "summary": "the words for it on the summary",
    "error": "the message a person sees when it is not answered",
    "name": "the words a person reads for it",
    "about": "the words a person reads about it",
    "ask": "the question a person could ask",
    "source": "where its facts come from",
    "leads_to": "the urgency level it leads to",
    "when": "the condition that makes it apply",
    "level": "the urgency level it sets",
}


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return f"the number {value}"
    if isinstance(value, str):
        return f'"{value}"' if len(value) < 40 else "text"
    if isinstance(value, list):
        return "a list"
    return "a set of keys"


def _name(path: Iterable[str | int], data: Any) -> str:
    """Where a value is, in words a clinician can find: 'question "jerking", "text"'."""
    words: list[str] = []
    node = data
    parent: str | None = None
    for step in path:
        if parent == "answer_lists" and isinstance(step, str):
            node = node.get(step) if isinstance(node, dict) else None
            words[-1] = f'answer list "{step}"'
            parent = "answers"
            continue
        if isinstance(step, int):
            node = node[step] if isinstance(node, list) and step < len(node) else None
            ident = node.get("id") if isinstance(node, dict) else None
            label = {
                "pages": "page",
                "questions": "question",
                "signs": "red flag",
                "urgency_levels": "urgency level",
                "urgency_rules": "urgency rule",
                "causes": "cause",
                "treatments": "treatment",
                "answers": "answer",
                "any": "item",
                "all": "item",
                "advice": "line",
                "text": "line",
                "scenarios": "scenario",
            }.get(parent or "", "item")
            value = node.get("value") if isinstance(node, dict) else None
            if ident:
                words.append(f'{label} "{ident}"')
            elif value:
                words.append(f'{label} "{value}"')
            else:
                words.append(f'{label} {step + 1} of "{parent}"')
        else:
            node = node.get(step) if isinstance(node, dict) else None
            parent = step
            if step not in (
                "questions",
                "signs",
                "pages",
                "urgency_levels",
                "urgency_rules",
                "causes",
                "treatments",
                "answers",
                "any",
                "all",
                "scenarios",
            ):
                words.append(f'"{step}"')
    return ", ".join(words) if words else "the file"


def _shape_message(error: ValidationError, data: Any) -> tuple[Path_, str, bool]:
    """A plain sentence for one schema error, and whether it points at a key."""
    path = tuple(error.absolute_path)
    where = _name(path, data)
    kind = error.validator
    schema: Any = error.schema
    instance: Any = error.instance
    value: Any = error.validator_value
    if kind == "required":
        missing = error.message.split("'")[1]
        purpose = f" ({PURPOSES[missing]})" if missing in PURPOSES else ""
        return path, f'{where} is missing "{missing}"{purpose}', False
    if kind == "additionalProperties":
        known = list(schema.get("properties", {}))
        extra = [k for k in instance if k not in known]
        key = extra[0] if extra else "?"
        hint = difflib.get_close_matches(key, known, n=1)
        suggestion = (
            f' (did you mean "{hint[0]}"?)'
            if hint
            else (f" (allowed here: {', '.join(known)})" if known else "")
        )
        return path + (key,), f'unknown key "{key}" in {where}{suggestion}', True
    if kind == "type":
        wanted = _TYPE_WORDS.get(value, value) if isinstance(value, str) else "text"
        return path, f"{where} should be {wanted}, not {_describe(instance)}", False
    if kind == "enum":
        options = ", ".join(str(o) for o in value)
        return path, f"{where} must be one of: {options} (found {_describe(instance)})", False
    if kind == "const":
        return path, f'{where} must be "{value}"', False
    if kind == "minLength":
        return path, f"{where} is empty; write the words a person will read", False
    if kind in ("minItems", "minProperties"):
        return path, f"{where} needs at least {error.validator_value} item(s)", False
    if kind == "pattern":
        if path and path[-1] == "review_date":
            return path, f"{where} must be a date written as YYYY-MM-DD, or empty", False
        return (
            path,
            (
                f"{where} must be a short id in lower case letters, digits and _ "
                f"(found {_describe(error.instance)})"
            ),
            False,
        )
    if kind in ("minimum", "maximum"):
        return path, f"{where} must be a whole number from 0 to 9", False
    if kind == "oneOf":
        if path and path[-1] == "when" and isinstance(error.instance, str):
            return path, f'{where} must be a condition, or exactly "{NO_OTHER_CAUSE}"', False
        if path and path[-1] == "answers":
            return path, f'{where} must name a list from "answer_lists" or list the answers', False
        best = min(error.context or [], key=lambda e: len(e.absolute_path), default=None)
        if best is not None:
            return _shape_message(best, data)
        return path, f"{where} is not written in a form this file allows", False
    return path, f"{where}: {error.message}", False  # pragma: no cover - every kind above


def shape_problems(
    doc: Document, file: str, validator: Draft202012Validator = _VALIDATOR
) -> list[Problem]:
    """Every place where ``doc`` does not have the shape ``validator`` wants, in plain words."""
    problems = []
    seen: set[tuple[Path_, str]] = set()
    for error in sorted(validator.iter_errors(doc.data), key=lambda e: list(map(str, e.path))):
        path, message, is_key = _shape_message(error, doc.data)
        if (path, message) in seen:
            continue
        seen.add((path, message))
        line, column = doc.key_at(path) if is_key else doc.at(path)
        problems.append(Problem(file, line, column, message))
    return sorted(problems, key=lambda p: (p.line, p.column))


# --------------------------------------------------------------------------------------------
# Pass 3: meaning, and the records


def unknown(owner: str, what: str, name: str, known: Iterable[str], of: str = "") -> str:
    """'cause "stroke" refers to question "had_strok", which does not exist (did you mean …?)'.

    ``of`` follows the name: 'answer "yess" of question "jerking"'."""
    options = list(known)
    close = difflib.get_close_matches(name, options, n=1)
    hint = (
        f' (did you mean "{close[0]}"?)'
        if close
        else (f" (known: {', '.join(options)})" if options and len(options) <= 8 else "")
    )
    return f'{owner} refers to {what} "{name}"{of}, which does not exist{hint}'


def _answer(item: Mapping[str, Any]) -> Answer:
    return Answer(item["value"], item["label"], item["worry"], item.get("hint"))


class _Builder:
    """Turns a document of the right shape into records, collecting every problem on the way."""

    def __init__(self, doc: Document, file: str) -> None:
        self.doc = doc
        self.file = file
        self.problems: list[Problem] = []

    def error(self, path: Path_, message: str, key: bool = False) -> None:
        line, column = self.doc.key_at(path) if key else self.doc.at(path)
        self.problems.append(Problem(self.file, line, column, message))

    def warn(self, path: Path_, message: str) -> None:
        line, column = self.doc.at(path)
        self.problems.append(Problem(self.file, line, column, message, "warning"))

    def unknown(
        self, path: Path_, what: str, name: str, known: Iterable[str], owner: str, of: str = ""
    ) -> None:
        self.error(path, unknown(owner, what, name, known, of))

    def source(self, item: Mapping[str, Any], path: Path_, owner: str) -> str | None:
        source = item.get("source")
        if source is None:
            self.warn(path, f"{owner} has no source; add where its facts come from")
            return None
        key = source.split(":", 1)[0].strip()
        if key not in self.doc.data["sources"]:
            self.unknown(path + ("source",), "source", key, self.doc.data["sources"], owner)
        return str(source)

    def text(self, value: str, path: Path_, owner: str) -> str:
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
        path: Path_,
        what: str,
        taken: dict[str, Path_] | None = None,
    ) -> None:
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

    # -- levels, answers, questions

    def levels(self) -> tuple[tuple[Urgency, ...], dict[str, Urgency]]:
        items = self.doc.data["urgency_levels"]
        self.unique(items, ("urgency_levels",), "urgency level")
        levels = []
        for rank, item in enumerate(items):
            path: Path_ = ("urgency_levels", rank)
            owner = f'urgency level "{item["id"]}"'
            levels.append(
                Urgency(
                    id=item["id"],
                    name=item["name"],
                    heading=self.text(item["heading"], path + ("heading",), owner),
                    advice=tuple(
                        self.text(a, path + ("advice", j), owner)
                        for j, a in enumerate(item["advice"])
                    ),
                    source=self.source(item, path, owner),
                    rank=rank,
                )
            )
        return tuple(levels), {level.id: level for level in levels}

    def level(self, name: str, path: Path_, owner: str, by_id: dict[str, Urgency]) -> Urgency:
        if name not in by_id:
            self.unknown(path, "urgency level", name, by_id, owner)
            return next(iter(by_id.values()))
        return by_id[name]

    def answers(self, spec: Any, path: Path_, owner: str) -> tuple[Answer, ...]:
        """A question's answers: the name of a shared list, or a list of its own."""
        if isinstance(spec, str):
            lists = self.doc.data["answer_lists"]
            if spec not in lists:
                self.unknown(path, "answer list", spec, lists, owner)
                return ()
            return tuple(_answer(a) for a in lists[spec])
        return self.answer_list(spec, path, owner)

    def answer_list(
        self, spec: list[dict[str, Any]], path: Path_, owner: str
    ) -> tuple[Answer, ...]:
        values: set[str] = set()
        for i, answer in enumerate(spec):
            if answer["value"] in values:
                self.error(
                    path + (i, "value"), f'{owner} offers the answer "{answer["value"]}" twice'
                )
            values.add(answer["value"])
        return tuple(_answer(a) for a in spec)

    def question(self, item: Mapping[str, Any], path: Path_, page_id: str) -> Question:
        owner = f'question "{item["id"]}"'
        answers = self.answers(item["answers"], path + ("answers",), owner)
        none = item.get("none_of_these")
        if none is not None:
            if item["type"] != "many":
                self.error(
                    path + ("none_of_these",),
                    f'{owner} has "none_of_these", which only fits a "many" question',
                )
            elif none not in {a.value for a in answers}:
                self.unknown(
                    path + ("none_of_these",), "answer", none, [a.value for a in answers], owner
                )
        return Question(
            id=item["id"],
            kind=item["type"],
            text=item["text"],
            hint=item.get("hint"),
            answers=answers,
            summary=item["summary"],
            error=item["error"],
            source=self.source(item, path, owner),
            none_of_these=none,
            page_id=page_id,
        )

    def red_flags(self, by_id: dict[str, Urgency]) -> tuple[tuple[RedFlag, ...], Page]:
        block = self.doc.data["red_flags"]
        signs = block["signs"]
        self.unique(signs, ("red_flags", "signs"), "red flag")
        flags = []
        most_urgent = next(iter(by_id.values()))
        for i, item in enumerate(signs):
            path: Path_ = ("red_flags", "signs", i)
            owner = f'red flag "{item["id"]}"'
            if item["id"] == NONE_OF_THESE:
                self.error(
                    path + ("id",),
                    f'"{NONE_OF_THESE}" is kept for the "None of these" '
                    "answer; give this red flag another id",
                )
            leads_to = self.level(item["leads_to"], path + ("leads_to",), owner, by_id)
            if leads_to is not most_urgent and item["leads_to"] in by_id:
                self.error(
                    path + ("leads_to",),
                    f'{owner} leads to "{leads_to.id}", but every red flag must lead to '
                    f'the most urgent level, "{most_urgent.id}"',
                )
            flags.append(
                RedFlag(
                    id=item["id"],
                    label=item["label"],
                    hint=item.get("hint"),
                    reason=self.text(item["reason"], path + ("reason",), owner),
                    leads_to=leads_to,
                    source=self.source(item, path, owner),
                )
            )
        self.source(block, ("red_flags",), '"red_flags"')
        question = Question(
            id=RED_FLAGS,
            kind="many",
            text=block["question"],
            hint=block["hint"],
            answers=tuple(Answer(f.id, f.label, 1, f.hint) for f in flags)
            + (Answer(NONE_OF_THESE, block["none_of_these"], 0),),
            summary=block["summary"],
            error=block["error"],
            source=block.get("source"),
            none_of_these=NONE_OF_THESE,
            page_id=EMERGENCY_CHECK,
        )
        page = Page(EMERGENCY_CHECK, block["title"], None, (question,))
        return tuple(flags), page

    def pages(self) -> tuple[Page, ...]:
        items = self.doc.data["pages"]
        self.unique(items, ("pages",), "page", {EMERGENCY_CHECK: ("red_flags",)})
        taken: dict[str, Path_] = {RED_FLAGS: ("red_flags",)}
        pages = []
        for i, page in enumerate(items):
            path: Path_ = ("pages", i)
            self.unique(page["questions"], path + ("questions",), "question", taken)
            questions = tuple(
                self.question(q, path + ("questions", j), page["id"])
                for j, q in enumerate(page["questions"])
            )
            pages.append(Page(page["id"], page["title"], page.get("intro"), questions))
        return tuple(pages)

    # -- conditions

    def condition(
        self, spec: Mapping[str, Any], path: Path_, owner: str, questions: Mapping[str, Question]
    ) -> Condition:
        ops = [k for k in ("any", "all", "not", "question") if k in spec]
        if len(ops) != 1:
            self.error(
                path,
                f"{owner}: each condition must be one of: a question test "
                '("question" with "is" or "includes"), "any", "all" or "not"',
            )
            return Condition("any", parts=())
        op = ops[0]
        if op in ("any", "all"):
            extra = [k for k in spec if k != op]
            if extra:
                self.error(
                    path + (extra[0],),
                    f'{owner}: "{extra[0]}" cannot stand beside "{op}"; put it inside the list',
                    key=True,
                )
            return Condition(
                op,
                parts=tuple(
                    self.condition(part, path + (op, i), owner, questions)
                    for i, part in enumerate(spec[op])
                ),
            )
        if op == "not":
            return Condition(
                "not", parts=(self.condition(spec["not"], path + ("not",), owner, questions),)
            )
        name = spec["question"]
        tests = [k for k in ("is", "includes") if k in spec]
        if name not in questions:
            self.unknown(path + ("question",), "question", name, questions, owner)
            return Condition("any", parts=())
        question = questions[name]
        wanted = "is" if question.kind == "one" else "includes"
        if len(tests) != 1:
            self.error(
                path,
                f'{owner}: the test of question "{name}" needs "{wanted}:" '
                "with the answer(s) that make it true",
            )
            return Condition("any", parts=())
        if tests[0] != wanted:
            self.error(
                path + (tests[0],),
                f'{owner}: question "{name}" is a "{question.kind}" question, so test it '
                f'with "{wanted}:", not "{tests[0]}:"',
                key=True,
            )
        raw = spec[tests[0]]
        values = [raw] if isinstance(raw, str) else list(raw)
        for value in values:
            # A question without answers has an error of its own already: say it once.
            if question.answers and value not in question.values:
                self.unknown(
                    path + (tests[0],),
                    "answer",
                    value,
                    [a.value for a in question.answers],
                    owner,
                    f' of question "{name}"',
                )
        return Condition("is", question=name, values=frozenset(values))

    def urgency_rules(
        self, by_id: dict[str, Urgency], questions: Mapping[str, Question]
    ) -> tuple[UrgencyRule, ...]:
        items = self.doc.data["urgency_rules"]
        self.unique(items, ("urgency_rules",), "urgency rule")
        rules = []
        for i, item in enumerate(items):
            path: Path_ = ("urgency_rules", i)
            owner = f'urgency rule "{item["id"]}"'
            rules.append(
                UrgencyRule(
                    id=item["id"],
                    level=self.level(item["level"], path + ("level",), owner, by_id),
                    when=self.condition(item["when"], path + ("when",), owner, questions),
                    reason=self.text(item["reason"], path + ("reason",), owner),
                    source=self.source(item, path, owner),
                )
            )
        return tuple(rules)

    def causes(self, questions: Mapping[str, Question]) -> tuple[Cause, ...]:
        items = self.doc.data["causes"]
        self.unique(items, ("causes",), "cause")
        causes = []
        for i, item in enumerate(items):
            path: Path_ = ("causes", i)
            owner = f'cause "{item["id"]}"'
            when = item["when"]
            causes.append(
                Cause(
                    id=item["id"],
                    name=item["name"],
                    about=item["about"],
                    when=None
                    if when == NO_OTHER_CAUSE
                    else self.condition(when, path + ("when",), owner, questions),
                    source=self.source(item, path, owner),
                )
            )
        return tuple(causes)

    def treatments(self) -> tuple[Treatment, ...]:
        items = self.doc.data["treatments"]
        self.unique(items, ("treatments",), "treatment")
        return tuple(
            Treatment(
                item["id"],
                item["name"],
                item["about"],
                item["ask"],
                self.source(item, ("treatments", i), f'treatment "{item["id"]}"'),
            )
            for i, item in enumerate(items)
        )

    def build(self) -> Rules:
        data = self.doc.data
        levels, by_id = self.levels()
        default = self.level(data["default_level"], ("default_level",), '"default_level"', by_id)
        if default is levels[0] and data["default_level"] in by_id:
            self.error(
                ("default_level",),
                '"default_level" cannot be the most urgent level, '
                "which is kept for red flags and emergencies",
            )
        flags, emergency_page = self.red_flags(by_id)
        pages = (emergency_page,) + self.pages()
        questions = {q.id: q for page in pages for q in page.questions}
        for name, spec in data["answer_lists"].items():
            self.answer_list(spec, ("answer_lists", name), f'answer list "{name}"')
        rules = self.urgency_rules(by_id, questions)
        causes = self.causes(questions)
        treatments = self.treatments()
        goes_away = data["goes_away"]
        self.source(goes_away, ("goes_away",), '"goes_away"')
        if data["status"] == "draft":
            self.warn(
                ("status",),
                'status is "draft": the app shows patients that these rules '
                "are not yet approved by a clinician",
            )
        else:
            for key, what in (
                ("reviewed_by", "name the clinician who approved it"),
                ("review_date", "say when they approved it, as YYYY-MM-DD"),
            ):
                if not data[key]:
                    self.error((key,), f'status is "approved", so "{key}" must {what}')
        if not any(p.severity == "error" for p in self.problems):
            # Only in a file without errors: a broken reference would look like an unused one.
            self._unused(questions, rules, causes)
        return Rules(
            path=self.file,
            version=str(data["version"]),
            status=data["status"],
            reviewed_by=data["reviewed_by"],
            review_date=data["review_date"],
            sources=dict(data["sources"]),
            levels=levels,
            default_level=default,
            red_flags=flags,
            pages=pages,
            urgency_rules=rules,
            causes=causes,
            treatments=treatments,
            goes_away=GoesAway(
                goes_away["heading"], tuple(goes_away["text"]), goes_away.get("source")
            ),
            questions=questions,
        )

    def _unused(
        self,
        questions: Mapping[str, Question],
        rules: Iterable[UrgencyRule],
        causes: Iterable[Cause],
    ) -> None:
        used = {RED_FLAGS}
        for rule in rules:
            used.update(rule.when.questions())
        for cause in causes:
            if cause.when is not None:
                used.update(cause.when.questions())
        for i, page in enumerate(self.doc.data["pages"]):
            for j, item in enumerate(page["questions"]):
                if item["id"] not in used:
                    self.warn(
                        ("pages", i, "questions", j),
                        f'question "{item["id"]}" is not used by any urgency rule or cause; '
                        "its answer only appears on the summary",
                    )


def read(path: str | Path, missing: str) -> str:
    """The text of a file. Raises :class:`RulesError` when it cannot be read as UTF-8 text."""
    file = str(path)
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RulesError([Problem(file, 1, 1, missing)]) from None
    except UnicodeDecodeError as exc:
        before = exc.object[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise RulesError(
            [
                Problem(
                    file,
                    line,
                    column,
                    "the file is not UTF-8 text: save it as "
                    f"UTF-8 (this byte cannot be read: {exc.reason})",
                )
            ]
        ) from None
    except OSError as exc:
        raise RulesError(
            [Problem(file, 1, 1, f"the file cannot be read: {exc.strerror}")]
        ) from None


def load(path: str | Path, text: str | None = None) -> Rules:
    """Read, check and build the rules at ``path``. Raises :class:`RulesError` on any error."""
    file = str(path)
    if text is None:
        text = read(path, "there is no rules file here")
    doc, problems = parse_yaml(text, file)
    if doc is None or problems:
        raise RulesError(problems)
    problems = shape_problems(doc, file)
    if problems:
        raise RulesError(problems)
    builder = _Builder(doc, file)
    rules = builder.build()
    if not any(p.severity == "error" for p in builder.problems):
        _warn_unreachable(rules, builder)
    found = sorted(builder.problems, key=lambda p: (p.line, p.column))
    if any(p.severity == "error" for p in found):
        raise RulesError(found)
    return replace(rules, warnings=tuple(found))


def _warn_unreachable(rules: Rules, builder: _Builder) -> None:
    """Warn about each urgency rule, cause and urgency level that no answers can reach.

    The search is exact (see :mod:`selfcheck.reach`), so every warning here is proved.
    """
    from selfcheck.reach import reach  # it works on the records this module builds

    found = reach(rules)
    for i, rule in enumerate(rules.urgency_rules):
        if found.rules[rule.id] is None:
            builder.warn(
                ("urgency_rules", i, "when"),
                f'urgency rule "{rule.id}" can never apply: no answers a person can '
                "give make it true",
            )
    for i, cause in enumerate(rules.causes):
        if found.causes[cause.id] is not None:
            continue
        why = (
            "every set of answers lists another cause"
            if cause.when is None
            else "no answers a person can give make it true"
        )
        builder.warn(("causes", i, "when"), f'cause "{cause.id}" can never be listed: {why}')
    for rank, level in enumerate(rules.levels):
        if found.levels[level.id] is not None:
            continue
        own = [r for r in rules.urgency_rules if r.level is level]
        possible = [r for r in own if found.rules[r.id] is not None]
        if own and not possible:
            ways = "none of its urgency rules can ever apply"
        else:
            ways = "whenever one of its rules applies, a more urgent rule applies too"
        if level is rules.default_level:
            why = "an urgency rule applies to every set of answers"
            if own:
                why += f", and {ways}"
        elif own:
            why = ways
        else:
            why = "no urgency rule leads to it, and it is not the default level"
        builder.warn(
            ("urgency_levels", rank), f'urgency level "{level.id}" is never reached: {why}'
        )
