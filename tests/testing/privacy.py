"""A whole journey, every kind of step and refusal included, and where answers could leak.

Shared by the privacy tests (logs, cookies, URLs, files, memory) and the production tests
(gunicorn's logs).
"""

from __future__ import annotations

import re
from typing import Any

from werkzeug.datastructures import MultiDict

from selfcheck.rules import Rules

from .answers import URGENT_MEDICINE
from .visitor import Journey, hours_later

#: The answers the journey gives. Each is a distinctive choice, so finding its value or its
#: label anywhere means an answer leaked.
ANSWERS = {**URGENT_MEDICINE, "where": ["ankles", "wrists"], "conditions": ["ms", "stroke"]}


def whole_journey(journey: Journey, late: bool = True) -> list[Any]:
    """Every kind of step a person can take, and the refusals; returns every response.

    ``late``: also send a form after its token expired (this process's clock is moved on, so
    only for an app served from this process)."""
    client = journey.client
    seen = [client.get("/"), client.get("/privacy"), client.get("/no-such-page")]
    journey.complete(ANSWERS)
    seen.append(journey.response)
    seen.append(journey.submit("change:background"))
    seen.append(journey.submit("back"))
    seen.append(journey.submit("next"))
    fields = journey.form().fields
    seen.append(journey.submit("pdf"))
    # The download for a clinician's record, from the same result page.
    seen.append(client.post("/summary.fhir.json", data=MultiDict([*fields, ("go", "fhir")])))
    seen.append(
        client.post("/check", data=MultiDict([*fields, ("go", "next"), ("note", "my secret")]))
    )
    seen.append(
        client.post("/check", data=MultiDict([*fields, ("go", "next"), ("pad", "x" * 70_000)]))
    )
    forged = [(k, "forged" if k == "csrf_token" else v) for k, v in fields]
    seen.append(client.post("/summary.pdf", data=MultiDict([*forged, ("go", "pdf")])))
    if late:
        with hours_later(5):
            seen.append(client.post("/check", data=MultiDict([*fields, ("go", "next")])))
    return seen


#: The status of each step of :func:`whole_journey`.
STATUSES = [200, 200, 404, 200, 200, 200, 200, 200, 200, 400, 413, 400, 400]


def sent_answers(rules: Rules) -> dict[str, list[str]]:
    """Each question's answers in the journey, as values (what a form sends)."""
    return {
        q: [v] if isinstance(v, str) else list(v)
        for q, v in ANSWERS.items()
        if q in rules.questions
    }


def traces(rules: Rules) -> list[re.Pattern[str]]:
    """What an answer would look like in a log or a file: a form's ``name=value``, a Python
    repr of the form, a distinctive value on its own, or the label a person ticked."""
    found = []
    for question_id, values in sent_answers(rules).items():
        question = rules.questions[question_id]
        found.append(re.compile(rf"\b{question_id}=", re.I))
        found.append(re.compile(rf"['\"]{question_id}['\"]"))
        for value in values:
            if len(question.label(value)) >= 8:  # not "No" or "Yes": they are everywhere
                found.append(re.compile(re.escape(question.label(value)), re.I))
            if len(value) >= 5 and value not in ("never", "weeks", "months"):
                found.append(re.compile(rf"\b{value}\b", re.I))
    return found


def leaks(text: str, rules: Rules) -> list[str]:
    return [trace.pattern for trace in traces(rules) if trace.search(text)]
