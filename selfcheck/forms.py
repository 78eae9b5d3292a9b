"""WTForms forms built from the rules: one form class per page, one field per question.

Adding a question to rules.yaml adds a field here with no code change. Every message a person
can see comes from rules.yaml (the question's ``error``) or from the few plain messages below.
CSRF is checked once for every POST by Flask-WTF's CSRFProtect (see :mod:`selfcheck.app`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from werkzeug.datastructures import MultiDict
from wtforms import Field, Form, RadioField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation

from selfcheck.rules import Answers, Page, Question, Rules

#: Longest value accepted for any answer; every real answer id is far shorter.
MAX_VALUE_LENGTH = 64

#: The fields a page sends besides the answers: the CSRF token, the page shown, the button.
FORM_FIELDS = frozenset({"csrf_token", "page", "go"})

#: The buttons' values, besides "change:<page>" on the outcome page.
BUTTONS = frozenset({"next", "back", "pdf"})


def problem(question: Question, sent: list[str]) -> str | None:
    """What is wrong with the answers sent for one question, in the words a person sees, or
    None. The one check of an answer: the page on screen runs it through its WTForms form,
    the pages carried in hidden fields run it directly."""
    if not any(value.strip() for value in sent):
        return question.error
    if any(len(v) > MAX_VALUE_LENGTH or v not in question.values for v in sent):
        return "Select one of the answers shown"
    if question.kind == "one" and len(set(sent)) > 1:
        return "Select only one answer"
    none = question.none_of_these
    if none is not None and none in sent and len(set(sent)) > 1:
        return f'Select "{question.label(none)}" on its own, or untick it'
    return None


class Checked:
    """A WTForms validator that runs :func:`problem`: one message per question at most."""

    def __init__(self, question: Question) -> None:
        self.question = question

    def __call__(self, form: Form, field: Field) -> None:
        message = problem(self.question, list(field.raw_data or ()))
        if message is not None:
            raise StopValidation(message)


def _field(question: Question) -> Field:
    choices = [SelectChoice(a.value, a.label) for a in question.answers]
    validators = [Checked(question)]
    if question.kind == "one":
        return RadioField(
            question.text, choices=choices, validators=validators, validate_choice=False
        )
    return SelectMultipleField(
        question.text, choices=choices, validators=validators, validate_choice=False
    )


class PageResult:
    """One page of a submission: whether every question on it is well answered, and its
    WTForms form, made when the page is to be shown (or when it is the page sent)."""

    def __init__(
        self, page: Page, form_class: type[Form], formdata: MultiDict[str, str], sent: bool
    ) -> None:
        self.page = page
        self._form_class = form_class
        self._formdata = formdata
        self._form: Form | None = None
        if sent:
            # The page the person just sent: WTForms checks it and keeps each message for
            # the question it belongs to.
            self.valid = self.form.validate()
        else:
            self.valid = all(problem(q, formdata.getlist(q.id)) is None for q in page.questions)

    @property
    def form(self) -> Form:
        if self._form is None:
            self._form = self._form_class(self._formdata)
        return self._form


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
        sent = formdata.get("page")
        results = [
            PageResult(page, self.classes[page.id], formdata, page.id == sent)
            for page in self.rules.pages
        ]
        return Submission(self.rules, results, formdata)

    def expected(self, formdata: MultiDict[str, str]) -> bool:
        """Whether a POST holds only what the pages send: the token, the page shown, the button
        pressed and answers to questions the rules ask. Anything else means a changed or forged
        form, which is refused whole rather than partly read."""
        if not (
            all(name in self.names for name in formdata)
            and all(page in self.classes for page in formdata.getlist("page"))
            and all(go in self.buttons for go in formdata.getlist("go"))
        ):
            return False
        # Answers of the page on screen are checked by its form, which says what is wrong
        # next to the question. Answers carried in hidden fields were offered by this app.
        shown = formdata.get("page")
        return all(
            value in question.values
            for question in self.rules.questions.values()
            if question.page_id != shown
            for value in formdata.getlist(question.id)
        )

    def empty(self, page: Page) -> Form:
        return self.classes[page.id]()


class Submission:
    """Everything one POST carries: the answers of every page, each page checked."""

    def __init__(
        self, rules: Rules, results: list[PageResult], formdata: MultiDict[str, str]
    ) -> None:
        self.rules = rules
        self.results = {r.page.id: r for r in results}
        self.order = [r.page.id for r in results]
        self.formdata = formdata
        self._answers: Answers | None = None

    def answers(self) -> Answers:
        """The answers of every well-answered page, as the rules read them."""
        if self._answers is not None:
            return self._answers
        found: dict[str, frozenset[str]] = {}
        for result in self.results.values():
            if result.valid:
                for question in result.page.questions:
                    found[question.id] = frozenset(
                        _offered(question, self.formdata.getlist(question.id))
                    )
        self._answers = found
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
