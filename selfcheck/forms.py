"""WTForms forms built from the rules: one form class per page, one field per question.

Adding a question to rules.yaml adds a field here with no code change. Every message a person
can see comes from rules.yaml (the question's ``error``) or from the few plain messages below.
CSRF is checked once for every POST by Flask-WTF's CSRFProtect (see :mod:`selfcheck.app`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from werkzeug.datastructures import MultiDict
from wtforms import Field, Form, RadioField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation, ValidationError

from selfcheck.rules import Answers, Page, Question, Rules

#: Longest value accepted for any answer; every real answer id is far shorter.
MAX_VALUE_LENGTH = 64

#: The fields a page sends besides the answers: the CSRF token, the page shown, the button.
FORM_FIELDS = frozenset({"csrf_token", "page", "go"})

#: The buttons' values, besides "change:<page>" on the outcome page.
BUTTONS = frozenset({"next", "back", "pdf"})


class Answered:
    """The question has an answer. Stops the chain, so a person sees one message per question."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form: Form, field: Field) -> None:
        if not any(value.strip() for value in field.raw_data or ()):
            raise StopValidation(self.message)


class Offered:
    """Every answer sent is one the rules offer: a changed or forged form is refused plainly."""

    def __init__(self, question: Question) -> None:
        self.question = question
        self.values = question.values

    def __call__(self, form: Form, field: Field) -> None:
        sent = field.raw_data or []
        if any(len(v) > MAX_VALUE_LENGTH or v not in self.values for v in sent):
            raise StopValidation("Select one of the answers shown")
        if self.question.kind == "one" and len(set(sent)) > 1:
            raise StopValidation("Select only one answer")
        none = self.question.none_of_these
        if none is not None and none in sent and len(set(sent)) > 1:
            raise ValidationError(
                f'Select "{self.question.label(none)}" on its own, or untick it')


def _field(question: Question) -> Field:
    choices = [SelectChoice(a.value, a.label) for a in question.answers]
    validators = [Answered(question.error), Offered(question)]
    if question.kind == "one":
        return RadioField(question.text, choices=choices, validators=validators,
                          validate_choice=False)
    return SelectMultipleField(question.text, choices=choices, validators=validators,
                               validate_choice=False)


@dataclass(frozen=True)
class PageResult:
    """One page of a submission: its form, and whether every question on it is well answered."""

    page: Page
    form: Form
    valid: bool


class PageForms:
    """The form classes of every page, made once from the rules."""

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self.classes: dict[str, type[Form]] = {}
        for page in rules.pages:
            fields: dict[str, Any] = {q.id: _field(q) for q in page.questions}
            self.classes[page.id] = type(f"{page.id.title()}Form", (Form,), fields)
        self.names = FORM_FIELDS | set(rules.questions)
        self.buttons = BUTTONS | {f"change:{page.id}" for page in rules.pages}

    def read(self, formdata: MultiDict[str, str]) -> Submission:
        """Read and check the answers of every page carried by one POST."""
        results = []
        for page in self.rules.pages:
            form = self.classes[page.id](formdata)
            results.append(PageResult(page, form, form.validate()))
        return Submission(self.rules, results, formdata)

    def expected(self, formdata: MultiDict[str, str]) -> bool:
        """Whether a POST holds only what the pages send: the token, the page shown, the button
        pressed and answers to questions the rules ask. Anything else means a changed or forged
        form, which is refused whole rather than partly read."""
        if not (all(name in self.names for name in formdata)
                and all(page in self.classes for page in formdata.getlist("page"))
                and all(go in self.buttons for go in formdata.getlist("go"))):
            return False
        # Answers of the page on screen are checked by its form, which says what is wrong
        # next to the question. Answers carried in hidden fields were offered by this app.
        shown = formdata.get("page")
        return all(value in question.values
                   for question in self.rules.questions.values() if question.page_id != shown
                   for value in formdata.getlist(question.id))

    def empty(self, page: Page) -> Form:
        return self.classes[page.id]()


class Submission:
    """Everything one POST carries: the answers of every page, each page checked."""

    def __init__(self, rules: Rules, results: list[PageResult],
                 formdata: MultiDict[str, str]) -> None:
        self.rules = rules
        self.results = {r.page.id: r for r in results}
        self.order = [r.page.id for r in results]
        self.formdata = formdata

    def answers(self) -> Answers:
        """The answers of every well-answered page, as the rules read them."""
        found: dict[str, frozenset[str]] = {}
        for result in self.results.values():
            if result.valid:
                for question in result.page.questions:
                    data = result.form[question.id].data
                    found[question.id] = (
                        frozenset([data]) if question.kind == "one" else frozenset(data))
        return found

    def first_incomplete(self) -> Page | None:
        for page_id in self.order:
            if not self.results[page_id].valid:
                return self.results[page_id].page
        return None

    def page_before(self, page_id: str) -> Page | None:
        index = self.order.index(page_id)
        return self.results[self.order[index - 1]].page if index > 0 else None

    def carried(self, except_page: Page | None = None) -> list[tuple[str, str]]:
        """Hidden (name, value) pairs that carry every answer not shown on ``except_page``.

        Only answers the rules offer are carried, so nothing forged travels on; answers of a
        page left half done are carried too, so going back never loses them.
        """
        shown = {q.id for q in except_page.questions} if except_page else set()
        pairs: list[tuple[str, str]] = []
        for question in self.rules.questions.values():
            if question.id in shown:
                continue
            values = _offered(question, self.formdata.getlist(question.id))
            pairs.extend((question.id, value) for value in values)
        return pairs


def _offered(question: Question, sent: Iterable[str]) -> list[str]:
    values = [v for v in dict.fromkeys(sent) if v in question.values]
    return values[:1] if question.kind == "one" else values
