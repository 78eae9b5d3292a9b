"""Error pages in the app's own layout. Nothing internal is ever shown to a person."""

from __future__ import annotations

import logging
from typing import cast

from flask import Flask, current_app, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from selfcheck.app import Service

log = logging.getLogger(__name__)

#: What each error means for the person, in plain words: (title, explanation).
MESSAGES = {
    400: ("Something went wrong with that page",
          "The page could not be read. Please go back and try again."),
    404: ("Page not found", "Check the web address, or start the check from the beginning."),
    405: ("That page cannot be used like this",
          "Please start the check from the beginning."),
    413: ("Too much was sent",
          "The form was much larger than any real set of answers, so it was not read. "
          "Please start again."),
    500: ("Sorry, there is a problem with the service",
          "Please try again later. If you feel unwell now, do not wait: contact a doctor, "
          "or call {emergency_number} in an emergency."),
}


def _page(code: int) -> tuple[str, int]:
    title, text = MESSAGES.get(code, MESSAGES[400])
    return render_template("error.html", title=title, text=text, code=code), code


def _carried() -> list[tuple[str, str]]:
    """The answers the failed form carried, so a person can go on without losing them."""
    service = cast(Service, current_app.extensions["selfcheck"])
    return service.forms.read(request.form).carried()


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        """A form sent without a valid token: most often a page left open for hours."""
        log.info("form refused: %s", error.description)
        shown = request.form.get("page", "")
        return render_template(
            "expired.html", carried=_carried(), shown=shown,
        ), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        return _page(error.code or 500)

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError) -> tuple[str, int]:
        log.error("internal error: %s", type(getattr(error, "original_exception", error)).__name__)
        return _page(500)
