"""Error pages in the app's own layout. Nothing internal is ever shown to a person."""

from __future__ import annotations

import logging
import traceback
from pathlib import Path

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from selfcheck.rules import RED_FLAGS
from selfcheck.web.forms import UnexpectedForm, carried
from selfcheck.web.service import current_service
from selfcheck.web.views import outcome_page, start_again

log = logging.getLogger(__name__)

#: What each error means for the person, in plain words: (title, explanation).
MESSAGES = {
    400: (
        "Something went wrong with that page",
        "The page could not be read. Please go back and try again.",
    ),
    404: ("Page not found", "Check the web address, or start the check from the beginning."),
    405: ("That page cannot be used like this", "Please start the check from the beginning."),
    413: (
        "Too much was sent",
        "The form was much larger than any real set of answers, so it was not read. "
        "Please start again.",
    ),
    500: (
        "Sorry, there is a problem with the service",
        "Please try again later. If you feel unwell now, do not wait: contact a doctor, "
        "or call {emergency_number} in an emergency.",
    ),
}


#: Shown for :class:`UnexpectedForm`: a changed form is refused whole, and the person is told.
UNEXPECTED = (
    "We could not use that form",
    "The form held something that this check does not ask for, so we did not use "
    "any of it. Please start the check again.",
)


def error_page(code: int, message: tuple[str, str] | None = None) -> tuple[str, int]:
    title, text = message or MESSAGES.get(code, MESSAGES[400])
    return render_template("error.html", title=title, text=text, code=code), code


def init_app(app: Flask) -> None:
    """Show every error of ``app`` as a page in its own layout."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        """A form sent without a valid token: most often a page left open for hours, or a form
        sent from another website."""
        rules = current_service().rules
        flags = {f.id for f in rules.red_flags} & set(request.form.getlist(RED_FLAGS))
        if flags:
            # A red flag shows the emergency advice at once, whatever the token: showing advice
            # changes nothing, and a person in danger must not be asked to confirm first.
            log.info("form refused, emergency advice shown: %s", error.description)
            ticked = {RED_FLAGS: frozenset(flags)}
            return outcome_page(ticked, [(RED_FLAGS, flag) for flag in sorted(flags)]), 200
        log.info("form refused: %s", error.description)
        if request.endpoint == "selfcheck.clear_answers":
            # Asked again, with a new token: nothing is lost by asking twice.
            return start_again(), 400
        # The answers the refused form carried, so the person can go on without losing them;
        # only when the browser says the form came from this site (a form from another
        # website must not come back as "your answers").
        same_site = from_this_site()
        answers = carried(rules, request.form) if same_site else []
        shown = request.form.get("page", "") if same_site else ""
        return render_template("expired.html", carried=answers, shown=shown), 400

    @app.errorhandler(UnexpectedForm)
    def unexpected_form(error: UnexpectedForm) -> tuple[str, int]:
        log.info("form refused: it held fields or values the pages never send")
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
