"""The pages. Views only read the request, call the core and render: no rule lives here.

Answers travel from page to page in the forms themselves (hidden fields), never in the session
cookie, a URL, a log or a file, so the app keeps nothing and any copy of it can serve any step.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import cast

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_wtf.csrf import generate_csrf

from selfcheck.answers import finished
from selfcheck.outcome import evaluate
from selfcheck.rules import Answers, Page
from selfcheck.web.forms import Submission
from selfcheck.web.pdf import render_pdf
from selfcheck.web.render import first_question_page, question_page
from selfcheck.web.service import current_service

bp = Blueprint("selfcheck", __name__)


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
    """Today's date written out in full, as on a letter: "24 November 2026"."""
    date = datetime.date.today()
    return f"{date.day} {MONTHS[date.month - 1]} {date.year}"


@bp.get("/")
def start() -> str:
    """The start page: what the check is for, what it is not, and that nothing is kept."""
    return render_template("start.html")


@bp.get("/check")
def first_page() -> str:
    """The first question page, the emergency check, empty: made at start-up but for its
    form's token (see pieces.py), or, under another address, made now."""
    ready = current_service().pieces.first_page
    if ready is not None and request.script_root == ready.root:
        return ready.with_token(generate_csrf())
    return first_question_page(current_service().rules)


@bp.post("/check")
def check() -> Response | str:
    """Every step after the first: Continue, Back, and Change from the outcome page."""
    sent = submission()
    go = request.form.get("go", "next")
    if go.startswith("change:"):
        target = sent.results.get(go.removeprefix("change:"))
        if target is not None:
            return _show(sent, target.page)
    shown = sent.results.get(request.form.get("page", ""))
    if shown is None:
        return _next(sent)
    if go == "back":
        before = sent.page_before(shown.page)
        if before is None:
            return cast(Response, redirect(url_for(".start")))
        return _show(sent, before)
    if not shown.valid:
        return _show(sent, shown.page, with_errors=True)
    return _next(sent)


@bp.post("/summary.pdf")
def summary_pdf() -> Response | str:
    """The summary to bring to an appointment, as a PDF made on the server."""
    sent = submission()
    if not finished(current_service().rules, sent.answers()):
        return _next(sent)
    html = render_template("summary.html", **_outcome_context(sent))
    date = datetime.date.today().isoformat()
    return Response(
        render_pdf(html),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="clonus-self-check-{date}.pdf"'},
    )


def _next(sent: Submission) -> str:
    """After a page is well answered: the outcome if a red flag is ticked or all is answered,
    otherwise the first page still to answer."""
    page = sent.first_incomplete()
    if page is None:
        return outcome_page(sent.answers(), sent.carried())
    return _show(sent, page)


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
    shown = sent.shown()
    step = shown.index(page) + 1 if page in shown else len(shown)
    return question_page(page, fields, sent.carried(page), step, len(shown))


def _outcome_context(sent: Submission) -> dict[str, object]:
    outcome = evaluate(current_service().rules, sent.answers())
    return {"outcome": outcome, "carried": sent.carried(), "today": today()}


def outcome_page(answers: Answers, carried: Sequence[tuple[str, str]]) -> str:
    """The outcome of ``answers``, with the answers carried on for Change and the PDF."""
    outcome = evaluate(current_service().rules, answers)
    return render_template("outcome.html", outcome=outcome, carried=carried, today=today())


@bp.get("/privacy")
def privacy() -> str:
    """What happens to a person's answers: nothing is kept."""
    return render_template("privacy.html")


@bp.get("/rules")
def rules_review() -> str:
    """The rules as a document for the clinicians who review and approve them: the review
    record, the checks they passed, every item in plain words with an anchor to cite, and the
    scenarios. It shows the rules only, never anyone's answers."""
    # Only reviewers open this page: what it alone needs loads when it is first asked for.
    from selfcheck.outline import outline
    from selfcheck.paths import scenarios_for
    from selfcheck.scenarios import ScenariosError, load_scenarios, run

    service = current_service()
    rules = service.rules
    suites = []
    for kind in ("scenario", "vignette"):
        results, trouble = [], None
        try:
            results = run(rules, load_scenarios(scenarios_for(rules.path, f"{kind}s.yaml"), rules))
        except ScenariosError as error:
            # Never the file's path on a public page: the line and the problem are enough.
            first = error.problems[0]
            trouble = f"line {first.line}: {first.message}"
        suites.append({"kind": kind, "results": results, "problem": trouble})
    return render_template(
        "rules.html", outline=outline(rules, service.fill), warnings=rules.warnings, suites=suites
    )


@bp.get("/rules/print.css")
def rules_print_css() -> Response:
    """Print styles that name the version and status of the rules at the top of every printed
    page. A stylesheet, because browsers write in a page's margins only what CSS gives them."""
    rules = current_service().rules
    head = _css_text(
        f"Clonus self-check: clinical rules, version {rules.version}, {rules.status_words}"
    )
    return Response(f"@page rules {{ @top-left {{ content: {head}; }} }}\n", mimetype="text/css")


def _css_text(text: str) -> str:
    """``text`` as a CSS string, whatever characters the rules file put in it."""
    return (
        '"'
        + "".join(c if c.isalnum() or c in " .,:;()-_/'" else f"\\{ord(c):x} " for c in text)
        + '"'
    )
