"""``POST /fhir/QuestionnaireResponse/$evaluate``: the advice for a clinic's system, as FHIR.

A record system, a patient portal or a FHIR form renderer sends a ``QuestionnaireResponse`` of
this questionnaire's version (JSON, ``application/fhir+json``) and gets back the advice as a
``Bundle``, or an ``OperationOutcome`` that names what is wrong (docs/fhir.md). The view only
reads the body and calls the core (:mod:`selfcheck.fhir_evaluate`).

It is not a page: no form, so no CSRF token (the view is exempt from CSRFProtect, and only it);
no cookie is read or set, so nothing a browser holds for the pages changes the advice. The
site's body limit and the proxy's rate limits apply as to any page. Nothing is kept or logged.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, current_app, request
from flask.blueprints import BlueprintSetupState
from werkzeug.exceptions import HTTPException

from selfcheck import fhir_evaluate
from selfcheck.fhir_evaluate import Issue, Refused, operation_outcome
from selfcheck.web.forms import UnexpectedForm
from selfcheck.web.record import MEDIA_TYPE, base
from selfcheck.web.service import english_service

#: The operation's address, under the address the app is served at.
ROUTE = "/fhir/QuestionnaireResponse/$evaluate"

#: The media types of a body taken: FHIR's own, and plain JSON, which FHIR servers take too.
ACCEPTED = frozenset({MEDIA_TYPE, "application/json"})

bp = Blueprint("fhir", __name__)

#: FHIR's issue type for each HTTP error the site may answer this address with.
ISSUE_TYPES = {413: "too-long", 415: "not-supported", 405: "not-supported", 429: "throttled"}


def _fhir(resource: dict[str, Any], status: int) -> Response:
    text = json.dumps(resource, ensure_ascii=False, indent=2) + "\n"
    return Response(text, status=status, mimetype=MEDIA_TYPE)


@bp.post(ROUTE)
def evaluate() -> Response:
    """The advice for the ``QuestionnaireResponse`` in the body, in the rules' own words
    (English), as a ``Bundle``; or an ``OperationOutcome`` with 400, 415 or 422."""
    if request.mimetype not in ACCEPTED:
        return _fhir(
            operation_outcome(
                [
                    Issue(
                        "not-supported",
                        f"Send the QuestionnaireResponse as {MEDIA_TYPE} (or application/json), "
                        f"not {request.mimetype or 'a body without a Content-Type'}.",
                    )
                ]
            ),
            415,
        )
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        return _fhir(operation_outcome([Issue("not-supported", "FHIR's JSON is UTF-8 only.")]), 415)
    service = english_service()
    try:
        resource = fhir_evaluate.parse(request.get_data(cache=False, parse_form_data=False))
        made = fhir_evaluate.evaluate(service.rules, resource, base(), service.fill)
    except Refused as error:
        return _fhir(error.outcome(), error.status)
    return _fhir(made, 200)


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException) -> Response:
    """An error of the site (a body too large…) as an ``OperationOutcome``, not a page."""
    status = error.code or 400
    text = "The request could not be read." if status == 400 else str(error.name)
    if status == 413:
        limit = current_app.config["MAX_CONTENT_LENGTH"]
        text = f"The body is larger than this service takes ({limit} bytes)."
    found = _fhir(operation_outcome([Issue(ISSUE_TYPES.get(status, "invalid"), text)]), status)
    found.headers.extend(
        (k, v) for k, v in error.get_headers() if k.lower() not in ("content-type",)
    )
    return found


@bp.errorhandler(UnexpectedForm)
def unexpected_form(error: UnexpectedForm) -> Response:
    """A form with a nameless field (refused before any view runs, security.py)."""
    return http_error(error)


@bp.record_once
def exempt_from_csrf(state: BlueprintSetupState) -> None:
    """No CSRF token: the caller is a system, not a page of this site, and no cookie is read.
    CSRFProtect (set up before the pages are registered) is told of this view alone."""
    state.app.extensions["csrf"].exempt(evaluate)
