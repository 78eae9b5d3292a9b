"""The pages. Views only read the request, call the core and render: no rule lives here.

Answers travel from page to page in the forms themselves (hidden fields), never in the session
cookie, a URL, a log or a file, so the app keeps nothing and any copy of it can serve any step.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import cast

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for
from flask_wtf.csrf import generate_csrf
from wtforms import Form

from selfcheck.app import Service
from selfcheck.errors import UnexpectedForm
from selfcheck.forms import Submission
from selfcheck.outcome import evaluate
from selfcheck.rules import RED_FLAGS, Page

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


def service() -> Service:
    return cast(Service, current_app.extensions["selfcheck"])


def read() -> Submission:
    """The answers of this POST, once sure it holds only what the pages send."""
    if not service().forms.expected(request.form):
        raise UnexpectedForm()
    return service().forms.read(request.form)


def today() -> str:
    """Today's date written out in full, as on a letter: "24 November 2026"."""
    date = datetime.date.today()
    return f"{date.day} {MONTHS[date.month - 1]} {date.year}"


#: The most copies kept of a page that is the same for everyone: one for each address the
#: site is served under (the links differ), and there is normally one.
KEPT_PAGES = 8


def same_for_everyone(render: Callable[[], str]) -> str:
    """A page with nothing of the visitor in it, rendered once for each address of the site
    and then served as it is. Only pages made from the rules and the settings come here."""
    kept = service().pages
    key = (request.endpoint, request.script_root)
    html = kept.get(key)
    if html is None:
        html = render()
        if len(kept) < KEPT_PAGES * 4:
            kept[key] = html
    return html


@bp.get("/")
def start() -> str:
    """The start page: what the check is for, what it is not, and that nothing is kept."""
    return same_for_everyone(lambda: render_template("start.html", first=service().rules.pages[0]))


#: Stands for the form's CSRF token in a page rendered once and served to everyone.
TOKEN_SLOT = "__selfcheck_csrf_token__"


@bp.get("/check")
def first_page() -> str:
    """The first question page, the emergency check, empty.

    It is the same for everyone but for the form's CSRF token, so it is rendered once, with a
    slot where the token goes, and each request only fills in its own token.
    """

    def render() -> str:
        page = service().rules.pages[0]
        return _page(
            page, service().forms.empty(page), [], show_errors=False, csrf_token=lambda: TOKEN_SLOT
        )

    return same_for_everyone(render).replace(TOKEN_SLOT, generate_csrf(), 1)


@bp.post("/check")
def check() -> Response | str:
    """Every step after the first: Continue, Back, and Change from the outcome page."""
    submission = read()
    go = request.form.get("go", "next")
    if go.startswith("change:"):
        target = submission.results.get(go.removeprefix("change:"))
        if target is not None:
            return _show(submission, target.page)
    shown = submission.results.get(request.form.get("page", ""))
    if shown is None:
        return _next(submission)
    if go == "back":
        before = submission.page_before(shown.page.id)
        if before is None:
            return cast(Response, redirect(url_for(".start")))
        return _show(submission, before)
    if not shown.valid:
        return _show(submission, shown.page, show_errors=True)
    return _next(submission)


@bp.post("/summary.pdf")
def summary_pdf() -> Response | str:
    """The summary to bring to an appointment, as a PDF made on the server."""
    submission = read()
    if not _finished(submission):
        return _next(submission)
    from selfcheck.summary import render_pdf

    html = render_template("summary.html", **_outcome_context(submission))
    date = datetime.date.today().isoformat()
    return Response(
        render_pdf(html),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="clonus-self-check-{date}.pdf"'},
    )


def _finished(submission: Submission) -> bool:
    answers = submission.answers()
    return _has_red_flag(answers.get(RED_FLAGS, frozenset())) or (
        submission.first_incomplete() is None
    )


def _has_red_flag(ticked: frozenset[str]) -> bool:
    return any(flag.id in ticked for flag in service().rules.red_flags)


def _next(submission: Submission) -> str:
    """After a page is well answered: the outcome if a red flag is ticked or all is answered,
    otherwise the first page still to answer."""
    if _finished(submission):
        return render_template("outcome.html", **_outcome_context(submission))
    page = submission.first_incomplete()
    assert page is not None
    return _show(submission, page)


def _show(submission: Submission, page: Page, show_errors: bool = False) -> str:
    return _page(page, submission.results[page.id].form, submission.carried(page), show_errors)


def _page(
    page: Page, form: Form, carried: list[tuple[str, str]], show_errors: bool, **context: object
) -> str:
    errors = [(name, messages[0]) for name, messages in form.errors.items()] if show_errors else []
    rules = service().rules
    return render_template(
        "page.html",
        page=page,
        form=form,
        carried=carried,
        errors=errors,
        step=rules.pages.index(page) + 1,
        steps=len(rules.pages),
        **context,
    )


def _outcome_context(submission: Submission) -> dict[str, object]:
    outcome = evaluate(service().rules, submission.answers())
    return {"outcome": outcome, "carried": submission.carried(), "today": today()}


@bp.get("/privacy")
def privacy() -> str:
    """What happens to a person's answers: nothing is kept."""
    return same_for_everyone(lambda: render_template("privacy.html"))


@bp.get("/rules")
def rules_review() -> str:
    """The rules as a document for the clinicians who review and approve them: the review
    record, the checks they passed, every item in plain words with an anchor to cite, and the
    scenarios. It shows the rules only, never anyone's answers."""
    return same_for_everyone(lambda: render_template("rules.html", **_review()))


@bp.get("/rules/print.css")
def rules_print_css() -> Response:
    """Print styles that name the version and status of the rules at the top of every printed
    page. A stylesheet, because browsers write in a page's margins only what CSS gives them."""
    rules = service().rules
    status = "approved" if rules.approved else "draft, not yet approved by a clinician"
    head = _css_text(f"Clonus self-check: clinical rules, version {rules.version}, {status}")
    return Response(f"@page rules {{ @top-left {{ content: {head}; }} }}\n", mimetype="text/css")


def _css_text(text: str) -> str:
    """``text`` as a CSS string, whatever characters the rules file put in it."""
    return (
        '"'
        + "".join(c if c.isalnum() or c in " .,:;()-_/'" else f"\\{ord(c):x} " for c in text)
        + '"'
    )


def _review() -> dict[str, object]:
    """What the review page shows, worked out once: the rules do not change while the app runs."""
    cached = current_app.extensions.get("selfcheck.review")
    if cached is None:
        from selfcheck.outline import outline
        from selfcheck.paths import scenarios_for
        from selfcheck.scenarios import ScenariosError, load_scenarios, run

        rules = service().rules
        results, trouble = [], None
        try:
            results = run(rules, load_scenarios(scenarios_for(rules.path), rules))
        except ScenariosError as error:
            # Never the file's path on a public page: the line and the problem are enough.
            first = error.problems[0]
            trouble = f"line {first.line}: {first.message}"
        cached = current_app.extensions["selfcheck.review"] = {
            "outline": outline(rules, service().fill),
            "warnings": rules.warnings,
            "results": results,
            "scenarios_problem": trouble,
        }
    return cast(dict[str, object], cached)
