"""Fuzzing every POST route with hypothesis: whatever is sent, the app never fails (no 5xx).

Submissions mix real field names and answers with unknown names, unknown choices, unicode,
very long values, repeated keys, missing or forged tokens, and bodies that are not forms at all.
The FHIR service, ``$evaluate``, gets any bytes, any JSON, and real QuestionnaireResponses
changed anywhere, and always answers FHIR: a Bundle or an OperationOutcome.
`make test` runs a few hundred examples; `make fuzz` runs SELFCHECK_FUZZ_EXAMPLES (10,000) for
each route.
"""

from __future__ import annotations

import json
import os
import re
import urllib.parse
from functools import cache
from typing import Any, cast

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from selfcheck import create_app, fhir
from selfcheck.rules import Rules

from .testing.answers import BY_LEVEL, NO_SYMPTOMS, URGENT_MEDICINE, as_sets
from .testing.pages import in_layout, visible_text
from .testing.rules import RULES_FILE

EXAMPLES = int(os.environ.get("SELFCHECK_FUZZ_EXAMPLES", "150"))
ROUTES = ["/check", "/summary.pdf"]

#: Shown back unescaped, this would become an element on the page.
MARKUP = '"><b id="fuzz">'


@cache
def visitor() -> tuple[Flask, FlaskClient, str]:
    """One app and one browser for every example, with a valid token from the first page.

    TESTING is on so that a fault inside the app raises here with its traceback."""
    app = create_app({"TESTING": True, "SECRET_KEY": "fuzzing", "RULES_FILE": str(RULES_FILE)})
    client = app.test_client()
    page = client.get("/check").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    return app, client, token.group(1)


def _rules() -> Rules:
    return cast(Rules, visitor()[0].extensions["selfcheck"].rules)


def _known() -> tuple[list[str], list[str]]:
    rules = _rules()
    names = [*rules.questions, "csrf_token", "page", "go"]
    pages = [page.id for page in rules.pages]
    values = sorted(
        {v for q in rules.questions.values() for v in q.values}
        | set(pages)
        | {"next", "back", "pdf"}
        | {f"change:{p}" for p in pages}
    )
    return names, values


NAMES, VALUES = _known()

names = st.one_of(st.sampled_from(NAMES), st.text(max_size=20))
values = st.one_of(
    st.sampled_from(VALUES),  # real answers, pages and buttons, in any field
    st.text(max_size=40),  # any unicode, surrogates and controls too
    st.just(MARKUP),
    st.builds(lambda c, n: c * n, st.characters(), st.integers(65, 70_000)),  # very long
)
fields = st.lists(st.tuples(names, values), max_size=40)  # keys repeat freely
tokens = st.sampled_from(["valid", "missing", "forged", "twice"])


@st.composite
def near_real(draw: st.DrawFn) -> list[tuple[str, str]]:
    """A form as the pages send it, with a real answer to most questions, and some answers
    left out, repeated, or changed into something else."""
    rules = _rules()
    pairs: list[tuple[str, str]] = []
    for question in rules.questions.values():
        real = [a.value for a in question.answers]
        chosen = draw(st.lists(st.sampled_from(real), min_size=1, max_size=3))
        how = draw(st.sampled_from(["as sent"] * 12 + ["left out", "twice", "changed"]))
        if how == "left out":
            continue
        if how == "changed":
            chosen = [draw(st.one_of(st.sampled_from(VALUES), st.text(max_size=20), values))]
        pairs.extend((question.id, value) for value in chosen * (2 if how == "twice" else 1))
    pairs.append(("page", draw(st.sampled_from([p.id for p in rules.pages]))))
    pairs.append(("go", draw(st.sampled_from([v for v in VALUES if v in BUTTONS]))))
    return draw(st.permutations(pairs))


BUTTONS = {"next", "back"} | {f"change:{p.id}" for p in _rules().pages}


def encode(pairs: list[tuple[str, str]], multipart: bool) -> tuple[bytes, str]:
    if not multipart:
        return urllib.parse.urlencode(pairs, errors="surrogatepass").encode(
            "utf-8", "surrogatepass"
        ), "application/x-www-form-urlencoded"
    boundary = "fuzzboundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
        for k, v in pairs
    ]
    body = "".join(parts) + f"--{boundary}--\r\n"
    return body.encode("utf-8", "surrogatepass"), f"multipart/form-data; boundary={boundary}"


#: Where a sent form may lead: a step, the result or the start page; never with a query.
LEADS_TO = re.compile(r"/(check(/[0-9]+)?|result)?")


def check(response, client=None) -> None:
    event(f"{response.status_code} {response.mimetype}")  # shown by --hypothesis-show-statistics
    assert response.status_code < 500
    if response.status_code == 303:  # a step answered: the page to show next, fetched
        assert LEADS_TO.fullmatch(response.headers["Location"]), response.headers["Location"]
        if client is not None:
            check(client.get(response.headers["Location"]))
        return
    if response.mimetype == "application/pdf":
        assert response.status_code == 200 and response.data.startswith(b"%PDF-")
        return
    html = response.get_data(as_text=True)
    assert response.mimetype == "text/html"
    assert in_layout(html), "every answer is a page of the app"
    assert '<b id="fuzz">' not in html, "what was sent is escaped when shown back"
    assert "Traceback" not in visible_text(html, root=None)


@pytest.mark.parametrize("route", ROUTES)
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(pairs=fields, token=tokens, multipart=st.booleans())
def test_any_form_sent_to_a_post_route_gets_a_page_never_a_failure(route, pairs, token, multipart):
    _, client, valid = visitor()
    sent = {
        "valid": [("csrf_token", valid)],
        "missing": [],
        "forged": [("csrf_token", "x")],
        "twice": [("csrf_token", "x"), ("csrf_token", valid)],
    }[token]
    body, content_type = encode(sent + pairs, multipart)
    check(client.post(route, data=body, content_type=content_type), client)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(pairs=near_real(), token=st.sampled_from(["valid", "valid", "valid", "missing"]))
def test_a_changed_real_form_gets_a_page_never_a_failure(pairs, token):
    """Through every step of /check: pages with errors, Back, Change, outcomes, refusals.
    (Only /check: from /summary.pdf, a real form makes a PDF, which takes far longer.)"""
    _, client, valid = visitor()
    sent = [("csrf_token", valid)] if token == "valid" else []
    body, content_type = encode(sent + pairs, multipart=False)
    check(client.post("/check", data=body, content_type=content_type), client)


@pytest.mark.parametrize("route", ROUTES)
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    body=st.binary(max_size=3000),
    content_type=st.sampled_from(
        [
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=fuzzboundary",
            "multipart/form-data",
            "application/json",
            "text/plain",
            "",
        ]
    ),
)
def test_any_body_sent_to_a_post_route_gets_a_page_never_a_failure(route, body, content_type):
    _, client, _ = visitor()
    check(client.post(route, data=body, content_type=content_type))


# --------------------------------------------------------------------------------------------
# The FHIR service

EVALUATE = "/fhir/QuestionnaireResponse/$evaluate"

#: Property names of a QuestionnaireResponse, for the fuzzer to put anywhere.
KEYS = ["resourceType", "questionnaire", "status", "item", "linkId", "answer", "valueCoding"]
KEYS += ["system", "code", "display", "valueString", "text", "authored"]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | st.sampled_from(VALUES + KEYS),
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=10), inner, max_size=5)
    ),
    max_leaves=30,
)


def _places(value: object, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The path to every value inside ``value``, itself included."""
    found = [path]
    if isinstance(value, dict):
        for key, inner in value.items():
            found += _places(inner, (*path, key))
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            found += _places(inner, (*path, i))
    return found


@st.composite
def changed_responses(draw: st.DrawFn) -> object:
    """The QuestionnaireResponse of a real, complete set of answers, changed in one to four
    places: a value replaced by any JSON, a property or an item taken out, an item repeated,
    or a real answer code, linkId or page put where another was."""
    rules = _rules()
    answers = draw(st.sampled_from([*BY_LEVEL.values(), NO_SYMPTOMS, URGENT_MEDICINE]))
    resource: Any = fhir.response(rules, as_sets(answers), words=draw(st.booleans()))
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(_places(resource)))
        if not path:
            resource = draw(json_values)
            continue
        *above, last = path
        parent: Any = resource
        for key in above:
            parent = parent[key]
        how = draw(st.sampled_from(["replace", "real", "remove", "repeat"]))
        if how == "remove":
            del parent[last]
        elif how == "repeat" and isinstance(parent, list) and isinstance(last, int):
            parent.append(parent[last])
        elif how == "real":
            parent[last] = draw(st.sampled_from(VALUES + NAMES))
        else:
            parent[last] = draw(json_values)
    return resource


def check_fhir(response) -> None:
    """Never a failure, always FHIR: a Bundle of advice, or an OperationOutcome that says why
    not; never a cookie."""
    event(f"{response.status_code} {response.mimetype}")
    assert response.status_code < 500
    assert response.mimetype == "application/fhir+json"
    made = json.loads(response.get_data())
    assert made["resourceType"] == ("Bundle" if response.status_code == 200 else "OperationOutcome")
    assert "Set-Cookie" not in response.headers


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(resource=changed_responses())
def test_a_changed_real_response_sent_to_evaluate_gets_fhir_never_a_failure(resource):
    _, client, _ = visitor()
    body = json.dumps(resource, ensure_ascii=False).encode("utf-8", "surrogatepass")
    check_fhir(client.post(EVALUATE, data=body, content_type="application/fhir+json"))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    body=st.one_of(
        st.binary(max_size=3000),
        json_values.map(lambda v: json.dumps(v).encode("utf-8", "surrogatepass")),
    ),
    content_type=st.sampled_from(
        [
            "application/fhir+json",
            "application/json",
            "application/fhir+json; charset=utf-8",
            "application/fhir+json; charset=latin-1",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=fuzzboundary",
            "text/plain",
            "",
        ]
    ),
)
def test_any_body_sent_to_evaluate_gets_fhir_never_a_failure(body, content_type):
    _, client, _ = visitor()
    check_fhir(client.post(EVALUATE, data=body, content_type=content_type))
