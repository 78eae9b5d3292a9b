"""What a client can forge, and the headers the OWASP Secure Headers Project asks for: in the app
itself. tests/test_production.py sends the same attacks to the real servers.

Each test is an attack that used to work: a forged Host header in a redirect, a chunked body
cut at the limit and used, a cookie without its prefix, a header a browser never got.
"""

from __future__ import annotations

import io
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient

from selfcheck import create_app
from selfcheck.rules import Rules
from selfcheck.web import health
from selfcheck.web.security import SessionInterface

from .testing.answers import ROUTINE, SOON, URGENT
from .testing.pages import headings, in_layout
from .testing.rules import RULES_FILE, Edit
from .testing.visitor import Journey, Visitor


def app_with(**config) -> Flask:
    return create_app({"SECRET_KEY": "k", **config})


# --------------------------------------------------------------------------------------------
# Host names


@pytest.mark.parametrize(
    "setting,expected",
    [
        ("check.example.org", ["check.example.org"]),
        ("check.example.org, .clinic.example  localhost",
         ["check.example.org", ".clinic.example", "localhost"]),
        ("", None),
    ],
)  # fmt: skip
def test_trusted_hosts_from_the_environment(monkeypatch, setting, expected):
    monkeypatch.setenv("SELFCHECK_TRUSTED_HOSTS", setting)
    assert app_with().config["TRUSTED_HOSTS"] == expected


def test_a_host_that_is_not_trusted_gets_the_apps_400_page():
    client = app_with(TRUSTED_HOSTS=["check.example.org"]).test_client()
    forged = client.get("/check", headers={"Host": "evil.example"})
    html = forged.get_data(as_text=True)
    assert forged.status_code == 400
    assert in_layout(html) and headings(html) == ["Something went wrong with that page"]
    assert "evil.example" not in html and 'href="/"' in html, "links are paths, not the host"
    assert client.get("/check", headers={"Host": "check.example.org"}).status_code == 200


def test_a_post_with_a_forged_host_is_refused_before_its_form_is_read():
    client = app_with(TRUSTED_HOSTS=["check.example.org"]).test_client()
    forged = client.post("/check", data={"red_flags": "none"}, headers={"Host": "evil.example"})
    assert forged.status_code == 400
    assert headings(forged.get_data(as_text=True)) == ["Something went wrong with that page"]


def test_a_doubled_slash_is_not_redirected_to_the_host_a_client_sent(client):
    """Werkzeug used to "correct" the path into 308 Location: http://evil.example/rules/…"""
    response = client.get("/rules//print.css", headers={"Host": "evil.example"})
    assert response.status_code == 404
    assert "Location" not in response.headers


def test_force_https_redirects_to_the_trusted_host_never_the_one_sent():
    app = app_with(FORCE_HTTPS=True, TRUSTED_HOSTS=".clinic.example, check.example.org")
    client = app.test_client()
    ok = client.get("/check?x=1", headers={"Host": "www.clinic.example"})
    assert ok.status_code == 302
    assert ok.headers["Location"] == "https://check.example.org/check?x=1"
    assert client.get("/check", headers={"Host": "evil.example"}).status_code == 400


def test_force_https_without_trusted_hosts_refuses_to_start():
    with pytest.raises(ValueError, match="SELFCHECK_TRUSTED_HOSTS"):
        app_with(FORCE_HTTPS=True)


# --------------------------------------------------------------------------------------------
# Bodies


def chunked_post(client: FlaskClient, body: bytes):
    """A POST whose body comes in chunks, with no Content-Length, as gunicorn passes it on."""
    return client.post(
        "/check",
        input_stream=io.BytesIO(body),
        content_type="application/x-www-form-urlencoded",
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True, "CONTENT_LENGTH": ""},
    )


def test_a_chunked_body_over_the_limit_is_refused_whole(app: Flask):
    """It used to be cut at 64 KiB and read: whatever answers came first were used."""
    visitor = Visitor(app.test_client())
    visitor.open("/check")
    fields = [*visitor.form().fields, ("red_flags", "none"), ("go", "next")]
    body = urlencode(fields)
    honest = chunked_post(visitor.client, body.encode())
    assert honest.status_code == 303, "read and answered by the next step"
    padded = chunked_post(visitor.client, (body + "&" + "x" * 70_000).encode())
    assert padded.status_code == 413
    assert headings(padded.get_data(as_text=True)) == ["Too much was sent"]


# --------------------------------------------------------------------------------------------
# The cookie and the headers


def test_the_cookie_has_the_host_prefix_when_secure():
    client = app_with().test_client()
    secure = client.get("/check", base_url="https://check.example.org")
    cookie = secure.headers["Set-Cookie"]
    assert cookie.startswith("__Host-selfcheck=")
    assert "; Secure" in cookie and "; Path=/" in cookie and "Domain" not in cookie
    plain = app_with().test_client().get("/check").headers["Set-Cookie"]
    assert plain.startswith("selfcheck="), "a browser refuses the prefix without Secure"


def test_a_prefixed_cookie_carries_the_journey(rules: Rules):
    client = app_with(SESSION_COOKIE_SECURE=True).test_client()
    journey = Journey(client, rules)
    journey.complete(SOON)
    assert "Your result" in journey.html
    assert client.get_cookie("__Host-selfcheck") is not None
    assert client.get_cookie("selfcheck") is None


def test_no_prefix_when_the_cookie_is_set_for_a_domain():
    app = app_with(SESSION_COOKIE_SECURE=True, SESSION_COOKIE_DOMAIN="example.org")
    with app.test_request_context("/"):
        assert SessionInterface().get_cookie_name(app) == "selfcheck"


def test_the_owasp_headers_that_were_missing(client):
    headers = client.get("/").headers
    assert headers["X-Permitted-Cross-Domain-Policies"] == "none"
    assert headers["Cross-Origin-Embedder-Policy"] == "require-corp"
    features = dict(p.split("=") for p in headers["Permissions-Policy"].split(", "))
    for feature in ("clipboard-read", "clipboard-write", "cross-origin-isolated", "gamepad",
                    "keyboard-map", "sync-xhr", "unload"):  # fmt: skip
        assert features[feature] == "()", feature


# --------------------------------------------------------------------------------------------
# /healthz


def test_healthz_says_the_rules_loaded_and_nothing_else(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {
        "rules_version": client.application.extensions["selfcheck"].rules.version,
        "rules_fingerprint": health.fingerprint(RULES_FILE),
    }
    assert response.headers["Cache-Control"] == "no-store"


def test_the_fingerprint_follows_the_rules_content_not_its_comments(edited_rules):
    def served(*edits: Edit) -> str:
        app = app_with(RULES_FILE=str(edited_rules(*edits)))
        return str(app.test_client().get("/healthz").get_json()["rules_fingerprint"])

    shipped = health.fingerprint(RULES_FILE)
    assert shipped.startswith("sha256:") and len(shipped) == 7 + 64
    assert served(('version: "0.1.0"', 'version: "0.1.0"  # reviewed')) == shipped
    assert served(("Call {emergency_number}", "Phone {emergency_number}")) != shipped


# --------------------------------------------------------------------------------------------
# The answers cookie


def answers_cookie(client: FlaskClient) -> tuple[str, str]:
    """The name and value of the answers cookie a browser holds after a journey."""
    (found,) = [
        cookie
        for name in ("selfcheck-answers", "__Host-selfcheck-answers")
        if (cookie := client.get_cookie(name)) is not None
    ]
    return found.key, found.value


def outcome_with(app: Flask, cookies: list[tuple[str, str]]) -> tuple[int, str]:
    """What /result answers a browser that sends exactly ``cookies``, in this order."""
    browser = app.test_client(use_cookies=False)
    sent = "; ".join(f"{name}={value}" for name, value in cookies)
    response = browser.get("/result", headers={"Cookie": sent})
    return response.status_code, response.get_data(as_text=True)


def test_an_answers_cookie_planted_first_never_shows_its_result(rules: Rules):
    """A sibling subdomain (or a plain-HTTP hop before HSTS) sets ``selfcheck-answers`` with
    the attacker's own "routine" answers; the browser sends it before the person's cookie. The
    person, whose answers lead to "urgent", used to be shown the planted "routine" result."""
    app = app_with(SESSION_COOKIE_SECURE=True)
    attacker = Journey(app.test_client(), rules)
    attacker.complete(ROUTINE)
    planted = answers_cookie(attacker.client)[1]
    person = Journey(app.test_client(), rules)
    person.complete(URGENT)
    urgent = person.html
    name, own = answers_cookie(person.client)
    status, html = outcome_with(app, [("selfcheck-answers", planted), (name, own)])
    assert status == 200
    assert headings(html) == headings(urgent) != headings(attacker.html)
    assert name == "__Host-selfcheck-answers", "Secure: a browser takes it from this host only"


def test_two_answers_cookies_of_one_name_are_read_as_none(rules: Rules):
    """Over plain HTTP the cookie cannot have the prefix; a browser holding two of its name
    (one planted) is sent to the first question, never shown the planted result."""
    app = app_with()
    attacker = Journey(app.test_client(), rules)
    attacker.complete(ROUTINE)
    planted = answers_cookie(attacker.client)
    person = Journey(app.test_client(), rules)
    person.complete(URGENT)
    own = answers_cookie(person.client)
    assert own[0] == planted[0] == "selfcheck-answers"
    for cookies in ([planted, own], [own, planted]):
        status, html = outcome_with(app, cookies)
        assert status == 303 and "Your result" not in html, "start again: no result at all"
    status, html = outcome_with(app, [own])
    assert status == 200 and headings(html) == headings(person.html), "one: the person's result"
