"""The pages. Views only read the request, call the core and render: no rule lives here.

Answers travel from page to page in the forms themselves (hidden fields). Each form is sent
with POST and answered by a redirect (303) to a page fetched with GET, which is drawn from the
answers the browser holds, encrypted, in one cookie (see kept.py): so the browser's Back button
fetches a page again rather than sending a form again. Never an answer in a URL, a log or a
file: the app keeps nothing, and any copy of it can serve any step.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

from babel.dates import get_month_names
from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from selfcheck.answers import finished
from selfcheck.outcome import Outcome, evaluate
from selfcheck.rules import Answers, Page, Rules
from selfcheck.web import evaluate as fhir_evaluate
from selfcheck.web.forms import Submission, UnexpectedForm
from selfcheck.web.kept import Kept, keep
from selfcheck.web.kept import read as kept_answers
from selfcheck.web.language import ENGLISH, RIGHT_TO_LEFT, TRANSLATED, page_language, suggested
from selfcheck.web.metrics import result_shown
from selfcheck.web.pdf import Sheet, render_pdf
from selfcheck.web.record import MEDIA_TYPE, bundle_json, summary_code
from selfcheck.web.render import first_question_page, question_page
from selfcheck.web.service import Service, current_service, english_service

View = TypeVar("View", bound=Callable[..., Any])

bp = Blueprint("selfcheck", __name__)
# POST /fhir/QuestionnaireResponse/$evaluate: for a clinic's system, not a page (evaluate.py).
bp.register_blueprint(fhir_evaluate.bp)


def page(rule: str, methods: tuple[str, ...] = ("GET",)) -> Callable[[View], View]:
    """A page at ``rule`` in English and at ``/<lang>rule`` in each translated language: the
    language is in the address, and every link, form and redirect made with ``url_for`` keeps
    it (:func:`keep_language`)."""

    def register(view: View) -> View:
        bp.add_url_rule(rule, view_func=view, methods=methods, defaults={"lang": ENGLISH})
        bp.add_url_rule(
            f"/<any({', '.join(TRANSLATED)}):lang>{rule}", view_func=view, methods=methods
        )
        return view

    return register


@bp.url_value_preprocessor
def drop_language(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """The language is read from the address by language.py; the views never see it."""
    if values is not None:
        values.pop("lang", None)


@bp.url_defaults
def keep_language(endpoint: str, values: dict[str, Any]) -> None:
    """Every address made for a page keeps the language of the page being made."""
    if "lang" not in values and current_app.url_map.is_endpoint_expecting(endpoint, "lang"):
        values["lang"] = page_language()


MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def submission() -> Submission:
    """The answers of this POST, once sure it holds only what the pages send."""
    return current_service().forms.submitted(request.form)


def today() -> str:
    """Today's date written out in full, as on a letter: "24 November 2026", "24 de noviembre
    de 2026"; the digits are always 0 to 9, as the rules' version and the numbers to call."""
    date = datetime.date.today()
    code = page_language()
    if code == ENGLISH:
        return f"{date.day} {MONTHS[date.month - 1]} {date.year}"
    month = get_month_names("wide", "format", locale=code)[date.month]
    return str(gettext("%(day)s %(month)s %(year)s", day=date.day, month=month, year=date.year))


@page("/")
def start() -> str:
    """The start page: what the check is for, what it is not, and that nothing is kept."""
    return render_template("start.html")


@page("/check")
def first_page() -> Response | str:
    """The first question page, the emergency check: with the answers the browser holds, or
    empty, made at start-up but for its form's token (see pieces.py), or, under another
    address, made now."""
    found = _kept()
    if found is not None:
        return _page_at(found, 1)
    ready = current_service().pieces.first_page
    # The ready page suggests no other language: a browser that prefers one gets a page made now.
    if ready is not None and request.script_root == ready.root and suggested() is None:
        return ready.with_token(generate_csrf())
    return first_question_page(current_service().rules, current_service().pieces)


@page("/check/<int:number>")
def step(number: int) -> Response | str:
    """Step ``number`` of the questions asked of this person, from the answers the browser
    holds: where Continue, Back and Change lead, and where the browser's Back comes."""
    found = _kept()
    if found is None:
        return _see_other(url_for(".first_page"))
    return _page_at(found, number)


@page("/result")
def result() -> Response | str:
    """The outcome of the answers the browser holds; the first page still to answer while
    there is one."""
    found = _kept()
    if found is None:
        return _see_other(url_for(".first_page"))
    sent = found[0]
    if sent.first_incomplete() is not None:
        return _see_other(_where(sent))
    return outcome_page(sent.answers(), sent.carried())


@page("/check", methods=("POST",))
def check() -> Response:
    """Every step after the first: Continue, Back, and Change from the outcome page. Each
    answers with a redirect to a page the browser fetches, so that its Back button works."""
    sent = submission()
    go = request.form.get("go", "next")
    if go.startswith("change:"):
        target = sent.results.get(go.removeprefix("change:"))
        if target is not None:
            return _moved(sent, _step_url(sent, target.page))
    shown = sent.results.get(request.form.get("page", ""))
    if shown is None:
        return _moved(sent, _where(sent))
    if go == "back":
        before = sent.page_before(shown.page)
        if before is None:
            return _moved(sent, url_for(".start"))
        return _moved(sent, _step_url(sent, before))
    if not shown.valid:
        return _moved(sent, _step_url(sent, shown.page), refused=shown.page)
    return _moved(sent, _where(sent))


@page("/summary.pdf", methods=("POST",))
def summary_pdf() -> Response | str:
    """The summary to bring to an appointment, as a PDF made on the server. Its address ends
    in .pdf, as every PDF's must: that is how the proxy sends it to the PDF pool."""
    sent = submission()
    if not finished(current_service().rules, sent.answers()):
        return _moved(sent, _where(sent))
    html = render_template("summary.html", **_outcome_context(sent.answers(), sent.carried()))
    date = datetime.date.today().isoformat()
    return Response(
        render_pdf(
            html,
            Sheet(
                gettext("Clonus self-check: summary for an appointment"),
                gettext("Page %(page)s of %(pages)s"),
            ),
        ),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="clonus-self-check-{date}.pdf"'},
    )


@page("/summary.fhir.json", methods=("POST",))
def summary_fhir() -> Response:
    """The answers and the advice for a clinic's record: a FHIR R4 Bundle, made from the
    answers this POST carries, as the PDF is, and kept nowhere. It holds the rules' own
    (English) words, the ones a clinician approves, from a page in any language: a record
    never mixes two languages (the answers' ids are the same in each)."""
    sent = submission()
    service = english_service()
    if not finished(service.rules, sent.answers()):
        return _moved(sent, _where(sent))
    date = datetime.date.today().isoformat()
    return Response(
        bundle_json(service.rules, sent.answers(), service.fill),
        mimetype=MEDIA_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="clonus-self-check-{date}.fhir.json"'
        },
    )


def _kept() -> tuple[Submission, Kept] | None:
    """The answers the browser holds, checked as a form's are, or None."""
    kept = kept_answers(request)
    if kept is None:
        return None
    try:
        return current_service().forms.submitted(kept.formdata()), kept
    except UnexpectedForm:
        # Answers to questions that the rules no longer ask (the rules changed since).
        return None


def _see_other(location: str) -> Response:
    return cast(Response, redirect(location, code=303))


def _moved(sent: Submission, location: str, refused: Page | None = None) -> Response:
    """A redirect to ``location``, giving the browser every answer sent to hold; ``refused``:
    the page sent with something wrong on it, shown again with what is wrong."""
    kept = Kept(tuple(sent.kept(refused)), refused.id if refused else "")
    return keep(_see_other(location), request, kept)


def _step_of(sent: Submission, page: Page) -> int:
    """Which step ``page`` is for this person."""
    shown = sent.shown()
    return shown.index(page) + 1 if page in shown else len(shown)


def _step_url(sent: Submission, page: Page) -> str:
    number = _step_of(sent, page)
    return url_for(".first_page") if number == 1 else url_for(".step", number=number)


def _where(sent: Submission) -> str:
    """Where the answers lead: the first page still to answer, or once a red flag is ticked or
    all is answered, the result."""
    page = sent.first_incomplete()
    return url_for(".result") if page is None else _step_url(sent, page)


def _page_at(found: tuple[Submission, Kept], number: int) -> Response | str:
    """Step ``number`` with the answers chosen on it, and what is wrong if it was refused; a
    step past the last leads to where the answers lead."""
    sent, kept = found
    shown = sent.shown()
    if not 1 <= number <= len(shown):
        return _see_other(_where(sent))
    page = shown[number - 1]
    return _show(sent, page, with_errors=kept.refused == page.id)


def _show(sent: Submission, page: Page, with_errors: bool = False) -> str:
    """A page of questions with what the person chose on it, and what is wrong if asked: only
    the questions asked of this person."""
    result = sent.results[page.id]
    fields = []
    for question in result.asked:
        field = result.form[question.id]
        chosen = ([field.data] if question.kind == "one" else field.data) if field.data else []
        error = field.errors[0] if with_errors and field.errors else ""
        fields.append((question, chosen, error))
    step = _step_of(sent, page)
    steps = sent.pages_in_all()
    return question_page(page, fields, sent.carried(page), step, steps, current_service().pieces)


def _outcome_context(answers: Answers, carried: Sequence[tuple[str, str]]) -> dict[str, object]:
    """What the summary shows: the outcome, the answers carried on, the date and the QR
    code for a clinic's record."""
    rules = current_service().rules
    return {
        "outcome": evaluate(rules, answers),
        "carried": carried,
        "today": today(),
        "record_code": summary_code(rules, answers),
    }


def outcome_page(answers: Answers, carried: Sequence[tuple[str, str]]) -> str:
    """The outcome of ``answers``, with the answers carried on for Change and the PDF. Counted
    by its level alone (metrics.py)."""
    context = _outcome_context(answers, carried)
    result_shown(current_app, cast(Outcome, context["outcome"]).level.id)
    return render_template("outcome.html", **context)


@page("/privacy")
def privacy() -> str:
    """What happens to a person's answers: nothing is kept."""
    return render_template("privacy.html")


@page("/start-again")
def start_again() -> str:
    """Asks before any answer is cleared, with a way back to the step the person was on."""
    found = _kept()
    return render_template("start_again.html", back=_where(found[0]) if found else None)


@page("/start-again", methods=("POST",))
def clear_answers() -> Response:
    """Clears the answers the browser holds, then opens the first question page."""
    return keep(_see_other(url_for(".first_page")), request, None)


@page("/leave")
def leave() -> Response:
    """Where "Exit this page" leads: a plain page that says nothing of health, the answers the
    browser holds deleted, and the session cookie too. A GET, so that the button works as a
    plain link without JavaScript; with it, the page replaces the one left in the tab's history
    (static/selfcheck.js). Anyone may link here: all it can do is clear a person's answers."""
    session.clear()
    response = Response(render_template("left.html", today=today()))
    return keep(response, request, None)


@page("/help")
def non_emergency_help() -> str:
    """Where to get medical help that is not an emergency: the settings' number and link."""
    return render_template("help.html")


@page("/contact")
def contact() -> str:
    """Who runs this copy of the check, and how to contact them or give feedback. The app
    keeps nothing sent this way: it only links to an email address or a page."""
    return render_template("contact.html")


@page("/accessibility")
def accessibility() -> str:
    """The accessibility statement: what is met, how it is tested, known gaps, how to report."""
    return render_template("accessibility.html")


@bp.get("/rules")
def rules_review() -> str:
    """The rules as a document for the clinicians who review and approve them: the review
    record, the checks they passed, every item in plain words with an anchor to cite, and the
    scenarios. It shows the rules only, never anyone's answers."""
    return render_template("rules.html", **review(english_service()))


#: Where what the review page shows is kept among what is worked out from the rules.
REVIEW = "review"


def review(service: Service) -> dict[str, Any]:
    """What the review page shows, worked out and drawn once for the rules ``service`` holds,
    and kept with them: running every scenario and vignette takes a good part of a second,
    and the rules, their scenarios, vignettes and translations are read together, when the
    rules are loaded (a changed file is read when they are loaded again: when the app starts
    again, or when gunicorn is told to reload, ops/gunicorn_config.py). Only the frame around it
    (base.html) is drawn for each visit. Needs an app context."""
    found = service.worked_out.get(REVIEW)
    if found is None:
        found = service.worked_out[REVIEW] = _review(service)
    return cast(dict[str, Any], found)


def work_out_review(app: Flask) -> None:
    """Work out the review page of ``app``'s rules now, before anyone asks for it: gunicorn's
    master does, once, before it starts the workers, which all begin with it
    (ops/gunicorn_config.py)."""
    with app.test_request_context("/rules"):
        review(english_service())


def _review(service: Service) -> dict[str, Any]:
    # Only reviewers open this page: what it alone needs loads when it is first asked for.
    from selfcheck.outline import outline
    from selfcheck.paths import VIGNETTES, scenarios_for
    from selfcheck.rules.translations import translations
    from selfcheck.scenarios import ScenariosError, load_scenarios, run

    rules = service.rules
    suites = []
    files = {
        "scenario": "scenarios.yaml",
        "vignette": "vignettes.yaml",
        "blind-vignette": VIGNETTES[1],
    }
    for kind, name in files.items():
        results, trouble = [], None
        try:
            results = run(rules, load_scenarios(scenarios_for(rules.path, name), rules))
        except ScenariosError as error:
            # Never the file's path on a public page: the line and the problem are enough.
            first = error.problems[0]
            trouble = f"line {first.line}: {first.message}"
        suites.append({"kind": kind, "results": results, "problem": trouble})
    shown = outline(rules, service.fill)
    document = render_template(
        "_rules_document.html",
        outline=shown,
        warnings=rules.warnings,
        suites=suites,
        languages=translations(rules),
        since=_since_approval(rules),
    )
    return {"outline": shown, "document": Markup(document)}


def _since_approval(rules: Rules) -> dict[str, Any]:
    """What changed for patients since the content approved last, from the copy that
    ``rules approve`` keeps beside the rules file: the topics that changed, or why none can be
    shown. Never a path: the page is public."""
    from selfcheck.changes import Kind, compare
    from selfcheck.rules import NoApprovedContent, RulesError, approved_content
    from selfcheck.rules.approval import approved_copy

    if rules.last_approval is None or rules.approved:
        return {"topics": (), "problem": None}
    try:
        before = approved_content(rules)
    except (NoApprovedContent, RulesError):
        copy = approved_copy(rules.path)
        problem = (
            f"the copy of the content approved last, {copy.parent.name}/{copy.name}, is missing "
            "or is not that content. Compare the files with: "
            "flask --app selfcheck rules diff FILE --against OLD"
        )
        return {"topics": (), "problem": problem}
    found = compare(before, rules).topics
    # The advice is searched for every set of answers: that none changes is worth saying too.
    topics = tuple(
        topic
        for topic in found
        if topic.kind is not Kind.SCENARIOS and (topic.changes or topic.kind is Kind.ADVICE)
    )
    return {"topics": topics, "problem": None, "before": before}


@page("/print.css")
def print_footer() -> Response:
    """What the printed summary says at the foot of each sheet, in the page's language: the
    sheet's name on the side where the text starts, the page number on the other."""
    name = _css_text(gettext("Clonus self-check: summary for an appointment"))
    # "Page %(page)s of %(pages)s", its placeholders as CSS's page counters.
    parts = re.split(r"%\((\w+)\)s", gettext("Page %(page)s of %(pages)s"))
    number = " ".join(
        f"counter({part})" if odd else _css_text(part)
        for odd, part in ((i % 2, part) for i, part in enumerate(parts))
        if odd or part
    )
    start, end = ("right", "left") if page_language() in RIGHT_TO_LEFT else ("left", "right")
    return Response(
        f"@page {{ @bottom-{start} {{ content: {name}; }} "
        f"@bottom-{end} {{ content: {number}; }} }}\n",
        mimetype="text/css",
    )


@bp.get("/rules/print.css")
def rules_print_css() -> Response:
    """Print styles that name the version and status of the rules at the top of every printed
    page. A stylesheet, because browsers write in a page's margins only what CSS gives them."""
    rules = current_service().rules
    head = _css_text(
        f"Clonus self-check: clinical rules, version {rules.version} "
        f"(fingerprint {rules.short_fingerprint}), {rules.status_words}"
    )
    return Response(f"@page rules {{ @top-left {{ content: {head}; }} }}\n", mimetype="text/css")


def _css_text(text: str) -> str:
    """``text`` as a CSS string, whatever characters the rules file put in it."""
    return (
        '"'
        + "".join(c if c.isalnum() or c in " .,:;()-_/'" else f"\\{ord(c):x} " for c in text)
        + '"'
    )
