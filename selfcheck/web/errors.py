"""Error pages in the app's own layout. Nothing internal is ever shown to a person."""

from __future__ import annotations

import logging
import traceback
from pathlib import Path
from typing import Any

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from selfcheck.answers import emergency_due, only_red_flags, red_flag_ticked
from selfcheck.rules import RED_FLAGS
from selfcheck.web.forms import UnexpectedForm, carried
from selfcheck.web.service import current_service
from selfcheck.web.views import outcome_page, start_again

log = logging.getLogger(__name__)

#: What each error means for the person, in plain words: (title, explanation).
MESSAGES = {
    400: (
        _("Something went wrong with that page"),
        _("The page could not be read. Please go back and try again."),
    ),
    404: (_("Page not found"), _("Check the web address, or start the check from the beginning.")),
    405: (_("That page cannot be used like this"), _("Please start the check from the beginning.")),
    413: (
        _("Too much was sent"),
        _(
            "The form was much larger than any real set of answers, so it was not read. "
            "Please start again."
        ),
    ),
    500: (
        _("Sorry, there is a problem with the service"),
        _(
            "Please try again later. If you feel unwell now, do not wait: contact a doctor, "
            "or call {emergency_number} in an emergency."
        ),
    ),
}


#: Shown for :class:`UnexpectedForm`: a changed form is refused whole, and the person is told.
UNEXPECTED = (
    _("We could not use that form"),
    _(
        "The form held something that this check does not ask for, so we did not use "
        "any of it. Please start the check again. If you feel very unwell now, call "
        "{emergency_number}."
    ),
)


def error_page(code: int, message: tuple[Any, Any] | None = None) -> tuple[str, int]:
    """The page of error ``code``, in the page's language."""
    title, text = message or MESSAGES.get(code, MESSAGES[400])
    return render_template("error.html", title=str(title), text=str(text), code=code), code


def init_app(app: Flask) -> None:
    """Show every error of ``app`` as a page in its own layout."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        """A form sent without a valid token: most often a page left open for hours, or a form
        sent from another website."""
        log.info("form refused: %s", error.description)
        if request.endpoint == "selfcheck.clear_answers":
            # Asked again, with a new token: nothing is lost by asking twice.
            return start_again(), 400
        due = emergency_advice()
        if due is not None:
            return due, 200
        # The answers the refused form carried, so the person can go on without losing them;
        # only when the browser says the form came from this site (a form from another
        # website must not come back as "your answers").
        same_site = from_this_site()
        answers = carried(current_service().rules, request.form) if same_site else []
        shown = request.form.get("page", "") if same_site else ""
        return render_template("expired.html", carried=answers, shown=shown), 400

    @app.errorhandler(UnexpectedForm)
    def unexpected_form(error: UnexpectedForm) -> tuple[str, int]:
        log.info("form refused: it held fields or values the pages never send")
        due = emergency_advice()
        if due is not None:
            return due, 200
        return error_page(400, UNEXPECTED)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int, dict[str, str]]:
        # Keeps headers such as Allow (405) that say how the request could succeed.
        headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
        return *error_page(error.code or 500), headers

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError) -> tuple[str, int]:
        log.error("internal error: %s", where(getattr(error, "original_exception", None) or error))
        return error_page(500)

    @app.errorhandler(Exception)
    def failure(error: Exception) -> tuple[str, int]:
        """A fault in the app. Flask would log the exception's message, which could hold what a
        person sent; this logs only its type and where it happened."""
        if app.testing or app.debug:
            raise error
        log.error("internal error: %s", where(error))
        return error_page(500)


def emergency_advice() -> str | None:
    """The emergency outcome page, when a refused form carries what leads to it: a person in
    danger is never asked to confirm or start again first. Showing advice changes nothing.
    Only the answers the rules offer are read, and nothing from a form another website sent
    (it could make the check say "You said …" of things the person never said)."""
    if from_elsewhere():
        return None
    rules = current_service().rules
    kept = carried(rules, request.form)
    answers = {q: frozenset(v for name, v in kept if name == q) for q in {name for name, _ in kept}}
    if RED_FLAGS in answers:
        answers[RED_FLAGS] = frozenset(only_red_flags(rules, sorted(answers[RED_FLAGS])))
    if not emergency_due(rules, answers):
        return None
    if red_flag_ticked(rules, answers):  # the red flags alone, as after the first page
        answers = {RED_FLAGS: answers[RED_FLAGS]}
        kept = [(RED_FLAGS, flag) for flag in sorted(answers[RED_FLAGS])]
    return outcome_page(answers, kept)


def from_elsewhere() -> bool:
    """Whether the browser says the request came from another site (its Sec-Fetch-Site or
    Origin header). A request that says nothing may be from an older browser on this site."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site != "same-origin"
    origin = request.headers.get("Origin")
    return origin is not None and origin != request.host_url.rstrip("/")


def from_this_site() -> bool:
    """Whether the browser says the request came from a page of this site: its Sec-Fetch-Site
    header, or for a browser that does not send one, its Origin header."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    return request.headers.get("Origin") == request.host_url.rstrip("/")


def where(error: BaseException) -> str:
    """An exception's type and the lines it passed through, without its message."""
    frames = traceback.extract_tb(error.__traceback__)
    path = " < ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(frames))
    return f"{type(error).__name__} at {path or 'an unknown place'}"
