"""``$evaluate``: the advice for a FHIR ``QuestionnaireResponse`` sent by a clinic's system.

Plain Python, no web framework: the web route (:mod:`selfcheck.web.evaluate`) and the command
``rules evaluate`` both call :func:`evaluate`. A response is read back into answers as the
rules read them, checked with the same rules as the pages' forms (:mod:`selfcheck.answers`),
and the advice comes from :func:`selfcheck.outcome.evaluate`, as a ``Bundle`` made by
:func:`selfcheck.fhir.bundle`: the app and the service can never disagree.

A response that cannot be evaluated raises :class:`Refused`, whose ``outcome()`` is a FHIR
``OperationOutcome`` with one issue for each problem, each naming the item it is about by its
place (a FHIRPath expression) and its linkId. Nothing is kept, and nothing is logged: the
messages go back to the sender only.

What is decided here, and said in docs/fhir.md:

- A response for another questionnaire, or another version of this one, is refused whole.
- Answers to a question that is not asked, given the other answers, are left out, as the pages
  leave them out, and the Bundle says which in an informational ``OperationOutcome``.
- A red flag ticked with "None of these" counts as the red flag, as on the pages.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from selfcheck import fhir
from selfcheck.answers import Fault, asked, fault, only_red_flags, unanswered
from selfcheck.rules import RED_FLAGS, Answers, Question, Rules

Resource = dict[str, Any]

#: Bad request: the body is not a QuestionnaireResponse at all (not JSON, or not that shape).
MALFORMED = 400
#: Unprocessable: a QuestionnaireResponse, but not one of this questionnaire's that can be
#: evaluated (another version, an unknown question or code, an answer missing).
UNPROCESSABLE = 422

#: At most so many issues are listed; a last one says how many more there were.
MOST_ISSUES = 50

#: The statuses of a QuestionnaireResponse (FHIR R4); one entered in error is not evaluated.
STATUSES = frozenset({"in-progress", "completed", "amended", "entered-in-error", "stopped"})


@dataclass(frozen=True)
class Issue:
    """One problem with a response, or a note about it: FHIR's issue type (``code``), the
    problem in plain words, and where it is, as a FHIRPath expression."""

    code: str
    text: str
    expression: str | None = None
    severity: str = "error"

    def as_fhir(self) -> Resource:
        found: Resource = {
            "severity": self.severity,
            "code": self.code,
            "details": {"text": self.text},
        }
        if self.expression is not None:
            found["expression"] = [self.expression]
        return found


def operation_outcome(issues: list[Issue]) -> Resource:
    """The issues as an ``OperationOutcome``, the first :data:`MOST_ISSUES` of them."""
    shown = [issue.as_fhir() for issue in issues[:MOST_ISSUES]]
    if len(issues) > MOST_ISSUES:
        more = len(issues) - MOST_ISSUES
        shown.append(
            Issue("too-costly", f"{more} more problems were found; mend these first.").as_fhir()
        )
    return {"resourceType": "OperationOutcome", "issue": shown}


class Refused(Exception):
    """A response that cannot be evaluated: its ``status`` (400 or 422, an HTTP status) and
    every problem found."""

    def __init__(self, status: int, issues: list[Issue]) -> None:
        super().__init__(f"{status}: {len(issues)} problems")
        self.status = status
        self.issues = issues

    def outcome(self) -> Resource:
        return operation_outcome(self.issues)


def refused(status: int, code: str, text: str, expression: str | None = None) -> Refused:
    """A refusal with one issue."""
    return Refused(status, [Issue(code, text, expression)])


# --------------------------------------------------------------------------------------------
# The body


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise ValueError(f"the property {key!r} appears twice in one object")
        found[key] = value
    return found


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def parse(body: bytes) -> Any:
    """The JSON of a body, as FHIR writes it: UTF-8, no property twice in an object, no
    NaN or Infinity. Raises :class:`Refused` (400) for anything else."""
    try:
        text = body.decode("utf-8")
        return json.loads(text, object_pairs_hook=_unique, parse_constant=_no_constant)
    except UnicodeDecodeError:
        raise refused(MALFORMED, "structure", "The body is not text in UTF-8.") from None
    except RecursionError:
        raise refused(MALFORMED, "structure", "The body's JSON is nested too deeply.") from None
    except ValueError as error:
        raise refused(MALFORMED, "structure", f"The body is not valid JSON: {error}.") from None


# --------------------------------------------------------------------------------------------
# Reading a response


@dataclass(frozen=True)
class Reading:
    """The answers a response holds, as the rules read them, and the notes about answers left
    out (to questions not asked, given the other answers)."""

    answers: Answers
    notes: tuple[Issue, ...] = ()


def _missing_at(question: Question) -> str:
    """Where a question's answer would be: its item in its page's group."""
    return (
        f"QuestionnaireResponse.item.where(linkId='{fhir.group_id(question.page_id)}')"
        f".item.where(linkId='{question.id}')"
    )


class _Reader:
    """Walks a response's items once, gathering each question's answer codes and every
    problem on the way."""

    def __init__(self, rules: Rules, base: str) -> None:
        self.rules = rules
        self.base = base
        self.pages = {fhir.group_id(page.id) for page in rules.pages}
        self.issues: list[Issue] = []
        self.malformed = False
        #: Each question answered: where its item is, and the codes of its answers.
        self.found: dict[str, tuple[str, list[str]]] = {}

    def problem(self, code: str, text: str, at: str | None, malformed: bool = False) -> None:
        self.issues.append(Issue(code, text, at))
        self.malformed = self.malformed or malformed

    def items(self, items: Any, at: str, top: bool) -> None:
        if items is None:
            return
        if not isinstance(items, list):
            self.problem("structure", "item must be a list of items.", at, malformed=True)
            return
        for i, item in enumerate(items):
            self.item(item, f"{at}[{i}]", top)

    def item(self, item: Any, at: str, top: bool) -> None:
        if not isinstance(item, dict):
            self.problem("structure", "An item must be an object.", at, malformed=True)
            return
        link = item.get("linkId")
        if not isinstance(link, str):
            self.problem("structure", "An item has no linkId.", at, malformed=True)
        elif link in self.pages and top:
            if item.get("answer"):
                self.problem("structure", f"The page's group {link!r} takes no answer.", at)
            self.items(item.get("item"), f"{at}.item", top=False)
        elif link in self.rules.questions:
            self.question(self.rules.questions[link], item, at)
        elif link in self.pages:
            self.problem("structure", f"The page's group {link!r} is inside another group.", at)
        else:
            known = [*self.pages, *self.rules.questions]
            close = difflib.get_close_matches(link, known, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            self.problem(
                "not-found",
                f"The questionnaire, version {self.rules.version}, has no item with linkId "
                f"{link!r}.{hint}",
                f"{at}.linkId",
            )

    def question(self, question: Question, item: Resource, at: str) -> None:
        if question.id in self.found:
            self.problem(
                "duplicate",
                f"Question {question.id!r} is answered twice (also at "
                f"{self.found[question.id][0]}).",
                at,
            )
            return
        if item.get("item"):
            self.problem("structure", f"Question {question.id!r} holds no items.", f"{at}.item")
        answers = item.get("answer", [])
        if not isinstance(answers, list):
            self.problem("structure", "answer must be a list.", f"{at}.answer", malformed=True)
            answers = []
        codes = []
        system = fhir.system(self.base, f"answers-{question.id}")
        for j, answer in enumerate(answers):
            where = f"{at}.answer[{j}]"
            coding = answer.get("valueCoding") if isinstance(answer, dict) else None
            if not isinstance(coding, dict):
                self.problem(
                    "value",
                    f"Question {question.id!r} is answered with codes: each answer must be a "
                    "valueCoding.",
                    where,
                )
                continue
            if answer.get("item"):
                self.problem("structure", "An answer holds no items.", f"{where}.item")
            code = coding.get("code")
            if coding.get("system") != system:
                self.problem(
                    "code-invalid",
                    f"An answer to question {question.id!r} must be a code of {system}.",
                    f"{where}.valueCoding.system",
                )
            elif not isinstance(code, str) or code not in question.values:
                self.problem(
                    "code-invalid",
                    f"{code!r} is not a code of {system}: question {question.id!r} takes "
                    + ", ".join(repr(a.value) for a in question.answers)
                    + ".",
                    f"{where}.valueCoding.code",
                )
            else:
                codes.append(code)
        if question.id == RED_FLAGS:
            # "None of these" or "I'm not sure" with a red flag: the sign wins, as on the pages.
            codes = only_red_flags(self.rules, codes)
        self.found[question.id] = (at, codes)
        self.kinds(question, codes, at)

    def kinds(self, question: Question, codes: list[str], at: str) -> None:
        """The problems of a question's answers that the pages' forms refuse too."""
        found = fault(question, codes) if codes else None
        if found is Fault.SEVERAL:
            self.problem(
                "value", f"Question {question.id!r} takes one answer; {len(codes)} were given.", at
            )
        elif found is Fault.NONE_WITH_OTHERS:
            self.problem(
                "business-rule",
                f"Question {question.id!r}: {question.none_of_these!r} (none of these) cannot "
                "be given with another answer.",
                at,
            )


def _questionnaire(rules: Rules, resource: Resource, base: str) -> None:
    """Refuses a response for another questionnaire, or another version of this one."""
    expected = f"{fhir.canonical(base)}|{rules.version}"
    given = resource.get("questionnaire")
    if given == expected:
        return
    at = "QuestionnaireResponse.questionnaire"
    if not isinstance(given, str):
        text = f"The response names no questionnaire; this service evaluates {expected}."
    elif given.partition("|")[0] == fhir.canonical(base):
        version = given.partition("|")[2] or "no version"
        text = (
            f"The response is for version {version!r} of the questionnaire; this service "
            f"evaluates version {rules.version!r} only ({expected})."
        )
    else:
        text = f"The response is for {given!r}; this service evaluates {expected} only."
    raise refused(UNPROCESSABLE, "not-supported", text, at)


def read(rules: Rules, resource: Any, base: str = fhir.DEFAULT_BASE) -> Reading:
    """The answers of a ``QuestionnaireResponse`` of the rules' questionnaire and version,
    once sure they can be evaluated: each question known, each code in its question's code
    system, one answer where one is taken, and every question asked given the answers
    answered (after a red flag, none but the emergency check). Raises :class:`Refused`."""
    if not isinstance(resource, dict) or resource.get("resourceType") != "QuestionnaireResponse":
        raise refused(
            MALFORMED, "structure", "The body must be a FHIR QuestionnaireResponse, in JSON."
        )
    _questionnaire(rules, resource, base)
    status = resource.get("status")
    if not isinstance(status, str) or status not in STATUSES or status == "entered-in-error":
        raise refused(
            UNPROCESSABLE if status == "entered-in-error" else MALFORMED,
            "value",
            f"The response's status is {status!r}: only a response in progress, completed, "
            "amended or stopped can be evaluated.",
            "QuestionnaireResponse.status",
        )
    reader = _Reader(rules, base)
    reader.items(resource.get("item"), "QuestionnaireResponse.item", top=True)
    if reader.issues:
        raise Refused(MALFORMED if reader.malformed else UNPROCESSABLE, reader.issues)
    given = {q: frozenset(codes) for q, (_, codes) in reader.found.items() if codes}
    kept = asked(rules, given)
    missing = unanswered(rules, kept)
    if missing:
        raise Refused(
            UNPROCESSABLE,
            [
                Issue(
                    "required",
                    f"Question {q.id!r} ({q.text}) has no answer: with the answers given, it "
                    "is asked, and the advice depends on it.",
                    _missing_at(q),
                )
                for q in missing
            ],
        )
    notes = tuple(
        Issue(
            "informational",
            f"The answer to question {question_id!r} was not used: with the other answers, "
            "this question is not asked, as the self-check's own pages would not ask it.",
            reader.found[question_id][0],
            severity="information",
        )
        for question_id in given
        if question_id not in kept
    )
    return Reading(kept, notes)


def evaluate(
    rules: Rules,
    resource: Any,
    base: str = fhir.DEFAULT_BASE,
    fill: Callable[[str], str] = lambda text: text,
    authored: str | None = None,
) -> Resource:
    """The advice for a ``QuestionnaireResponse``: the ``Bundle`` the result page offers for
    the same answers (the response as read, and the advice as an ``Observation``), and, when
    some answers were left out, an ``OperationOutcome`` of information that names them.
    Raises :class:`Refused` for a response that cannot be evaluated."""
    reading = read(rules, resource, base)
    made = fhir.bundle(rules, reading.answers, authored, base, fill)
    if reading.notes:
        notes = operation_outcome(list(reading.notes))
        made["entry"].append(
            {"fullUrl": fhir.full_url("OperationOutcome", notes), "resource": notes}
        )
    return made
