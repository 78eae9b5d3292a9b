"""WTForms forms built from the rules: one form class per page, one field per question.

Adding a question to rules.yaml adds a field here with no code change. What a person may answer
is decided in :mod:`selfcheck.answers`; this module only says it in a person's words. Every
message a person can see comes from rules.yaml (the question's ``error``) or from
:data:`MESSAGES`, in the page's language (Flask-Babel). CSRF is checked once for every POST
by Flask-WTF's CSRFProtect.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from flask_babel import lazy_gettext
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest
from wtforms import Field, Form, RadioField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation

from selfcheck.answers import (
    Fault,
    clashes,
    fault,
    is_asked,
    not_asked,
    offered,
    only_red_flags,
    pages_in_all,
    shown_pages,
    unanswered,
)
from selfcheck.rules import RED_FLAGS, Answers, Page, Question, Rules

#: The fields a page sends besides the answers: the CSRF token, the page shown, the button.
FORM_FIELDS = frozenset({"csrf_token", "page", "go"})

#: The buttons' values, besides "change:<page>" on the outcome page.
BUTTONS = frozenset({"next", "back", "pdf", "fhir"})

#: What a person reads for each fault but a missing answer (that message is the question's).
MESSAGES = {
    Fault.NOT_OFFERED: lazy_gettext("Select one of the answers shown"),
    Fault.SEVERAL: lazy_gettext("Select only one answer"),
    Fault.NONE_WITH_OTHERS: lazy_gettext('Select "{none}" on its own, or untick it'),
}


class UnexpectedForm(BadRequest):
    """A form that holds fields, buttons or hidden answers that the pages never send."""


def problem(question: Question, sent: list[str]) -> str | None:
    """What is wrong with the answers sent for one question, in the words a person sees, or
    None. The page on screen runs it through its WTForms form; the pages carried in hidden
    fields run it directly."""
    found = fault(question, sent)
    if found is None:
        return None
    if found is Fault.UNANSWERED:
        return question.error
    none = question.label(question.none_of_these) if question.none_of_these else ""
    return str(MESSAGES[found]).format(none=none)


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
    kind = RadioField if question.kind == "one" else SelectMultipleField
    return kind(question.text, choices=choices, validators=validators, validate_choice=False)


class PageResult:
    """One page of a submission: which of its questions are asked, whether each is well
    answered and the answers agree, and its WTForms form, made when the page is to be shown
    (or when it is the page sent). ``earlier``: the answers of the pages before it."""

    def __init__(
        self,
        rules: Rules,
        page: Page,
        form_class: type[Form],
        formdata: MultiDict[str, str],
        sent: bool,
        earlier: Answers,
    ) -> None:
        self.page = page
        self._form_class = form_class
        self._formdata = formdata
        self._form: Form | None = None
        #: The questions of the page that are asked, given the earlier pages' answers.
        self.asked = [q for q in page.questions if is_asked(q, earlier)]
        if sent:
            # The page the person just sent: WTForms checks it and keeps each message for
            # the question it belongs to. A question not asked needs no answer.
            self.form.validate()
            for question in page.questions:
                if question not in self.asked:
                    self.form[question.id].errors = []
            valid = not any(self.form[q.id].errors for q in self.asked)
        else:
            valid = all(problem(q, formdata.getlist(q.id)) is None for q in self.asked)
        answers = {q.id: frozenset(offered(q, formdata.getlist(q.id))) for q in self.asked}
        if valid:
            for clash in clashes(rules, page, {**earlier, **answers}):
                valid = False
                if sent:
                    self.form[clash.question].errors.append(clash.message)
        self.valid = valid
        #: The answers of the page, once it is well answered (none till then).
        self.answers = answers if valid else {}

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

    def submitted(self, formdata: MultiDict[str, str]) -> Submission:
        """The answers of every page carried by one POST, each page checked.

        Raises :class:`UnexpectedForm` unless the POST holds only what the pages send: the
        token, the page shown, the button pressed and answers to questions the rules ask.
        Anything else means a changed or forged form, which is refused whole rather than
        partly read.
        """
        if not self.expected(formdata):
            raise UnexpectedForm()
        if RED_FLAGS in formdata:
            formdata = formdata.copy()
            formdata.setlist(RED_FLAGS, only_red_flags(self.rules, formdata.getlist(RED_FLAGS)))
        sent = formdata.get("page")
        results: list[PageResult] = []
        known: dict[str, frozenset[str]] = {}
        for page in self.rules.pages:
            result = PageResult(
                self.rules, page, self.classes[page.id], formdata, page.id == sent, known
            )
            results.append(result)
            known.update(result.answers)
        return Submission(self.rules, results, formdata, known)

    def expected(self, formdata: MultiDict[str, str]) -> bool:
        """Whether a POST holds only fields, pages, buttons and carried answers the pages send."""
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


class Submission:
    """Everything one POST carries: the answers of every page, each page checked."""

    def __init__(
        self,
        rules: Rules,
        results: list[PageResult],
        formdata: MultiDict[str, str],
        answers: Answers,
    ) -> None:
        self.rules = rules
        self.results = {r.page.id: r for r in results}
        self.formdata = formdata
        self._answers = answers

    def answers(self) -> Answers:
        """The answers of every well-answered page, to the questions asked, as the rules read
        them."""
        return self._answers

    def first_incomplete(self) -> Page | None:
        """The first page with a question still to answer; None once the outcome is due."""
        left = unanswered(self.rules, self.answers())
        return self.results[left[0].page_id].page if left else None

    def shown(self) -> list[Page]:
        """The pages this person is shown, or may yet be (see :func:`answers.shown_pages`)."""
        return shown_pages(self.rules, self.answers())

    def pages_in_all(self) -> int | None:
        """How many pages this person is shown, once the answers so far decide it (see
        :func:`pages_in_all`)."""
        return pages_in_all(self.rules, self.answers())

    def page_before(self, page: Page) -> Page | None:
        """The page shown before ``page``, if any."""
        earlier = [
            p for p in self.shown() if self.rules.pages.index(p) < self.rules.pages.index(page)
        ]
        return earlier[-1] if earlier else None

    def kept(self, refused: Page | None = None) -> list[tuple[str, str]]:
        """Every answer, for the browser to hold till the next page is fetched; on ``refused``,
        the page sent with something wrong on it, an answer it does not offer stands as "?",
        so that the page says again what is wrong (and nothing forged travels on)."""
        kept = self.carried()
        if refused is not None:
            kept += [
                (question.id, "?")
                for question in refused.questions
                for value in self.formdata.getlist(question.id)
                if value not in question.values
            ]
        return kept

    def carried(self, except_page: Page | None = None) -> list[tuple[str, str]]:
        """Hidden fields that carry every answer not shown on ``except_page``, but for those to
        questions the person will no longer be asked."""
        dropped = not_asked(self.rules, self.answers())
        return carried(self.rules, self.formdata, except_page, dropped)


def carried(
    rules: Rules,
    formdata: MultiDict[str, str],
    except_page: Page | None = None,
    dropped: Collection[str] = (),
) -> list[tuple[str, str]]:
    """Hidden (name, value) pairs that carry every answer in ``formdata`` not shown on
    ``except_page``, nor to a question in ``dropped``.

    Only answers the rules offer are carried, so nothing forged travels on; answers of a page
    left half done are carried too, so going back never loses them.
    """
    shown = {q.id for q in except_page.questions} if except_page else set()
    return [
        (question.id, value)
        for question in rules.questions.values()
        if question.id not in shown and question.id not in dropped
        for value in offered(question, formdata.getlist(question.id))
    ]
