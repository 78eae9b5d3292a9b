"""Security headers, CSRF, the session cookie, limits and refused forms, and the error pages.

Each test is something a person or an attacker would notice: a page another site can frame or
script, a form accepted from elsewhere, a cookie readable by scripts, a stack trace.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import itsdangerous
import pytest
from flask import Flask, abort
from werkzeug.datastructures import MultiDict

from selfcheck import create_app

from .testing.answers import SOON, on_page
from .testing.pages import headings, in_layout, title, visible_text
from .testing.visitor import Journey, hours_later

#: Every kind of response a person's browser can get: pages, the PDF, static files, errors.
GETS = [
    "/",
    "/check",
    "/privacy",
    "/static/selfcheck.css",
    "/static/selfcheck.js",
    "/static/favicon.svg",
    "/no-such-page",
    "/summary.pdf",
    "/summary.fhir.json",
    "/static/no-such-file.css",
]


def csp(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return {
        part.split()[0]: " ".join(part.split()[1:])
        for part in (p.strip() for p in header.split(";"))
        if part
    }


def every_response(journey: Journey) -> list[Any]:
    """A GET of each kind above, then every POST of a journey, its PDF and a refused form."""
    client = journey.client
    responses = [client.get(path, buffered=True) for path in GETS]
    journey.open("/check")
    journey.submit("next", {"red_flags": "none"})
    responses.append(journey.response)
    journey.complete(SOON)
    responses.append(journey.response)
    responses.append(journey.submit("pdf"))
    responses.append(client.post("/check", data={"red_flags": "none"}))  # no token
    return responses


def test_every_response_carries_the_security_headers(journey: Journey):
    for response in every_response(journey):
        headers = response.headers
        policy = csp(response)
        assert policy["default-src"] == "'none'"
        assert policy["object-src"] == "'none'"
        assert policy["base-uri"] == "'none'"
        assert policy["frame-ancestors"] == "'none'"
        assert policy["form-action"] == "'self'"
        for source in ("script-src", "style-src", "img-src"):
            assert policy[source] == "'self'", "only this site's own files"
        assert "unsafe-inline" not in headers["Content-Security-Policy"]
        assert "unsafe-eval" not in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
        assert headers["Cross-Origin-Resource-Policy"] == "same-origin"
        permissions = dict(p.split("=") for p in headers["Permissions-Policy"].split(", "))
        for feature in ("camera", "microphone", "geolocation", "payment", "usb", "browsing-topics"):
            assert permissions[feature] == "()", f"{feature} is turned off"
        assert set(permissions.values()) == {"()"}, "no feature is allowed anywhere"
        assert "Strict-Transport-Security" not in headers, "HSTS only over HTTPS"
        for name in (
            "Content-Security-Policy",
            "X-Content-Type-Options",
            "Referrer-Policy",
            "X-Frame-Options",
            "Permissions-Policy",
            "Cross-Origin-Opener-Policy",
            "Cross-Origin-Resource-Policy",
            "Cache-Control",
        ):
            assert len(headers.getlist(name)) <= 1, f"{name} sent once, not twice"


def test_pages_are_never_stored_but_static_files_may_be(journey: Journey):
    for response in every_response(journey):
        if response.mimetype in ("text/html", "application/pdf"):
            assert response.headers["Cache-Control"] == "no-store", response.status
    for path in ("/static/selfcheck.css", "/static/selfcheck.js", "/static/favicon.svg"):
        response = journey.client.get(path, buffered=True)
        assert response.status_code == 200
        assert "no-store" not in response.headers["Cache-Control"]


def test_no_page_holds_inline_script_style_or_handlers(journey: Journey):
    """The policy forbids inline code, so a page that had any would break: there is none."""
    for response in every_response(journey):
        if response.mimetype != "text/html":
            continue
        html = response.get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html), "no inline <script>"
        assert "<style" not in html and " style=" not in html
        assert not re.search(r"\son[a-z]+=", html), "no onclick= and the like"
        assert "javascript:" not in html


def test_hsts_and_a_secure_cookie_over_https(app: Flask):
    response = app.test_client().get("/check", base_url="https://selfcheck.example")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    cookie = response.headers["Set-Cookie"]
    assert "; Secure" in cookie and "; HttpOnly" in cookie and "; SameSite=Lax" in cookie


def test_hsts_follows_each_request_not_the_first_one(app: Flask):
    client = app.test_client()
    plain = "http://selfcheck.example"
    secure = "https://selfcheck.example"
    seen = [
        ("Strict-Transport-Security" in client.get("/", base_url=url).headers)
        for url in (plain, secure, plain, secure)
    ]
    assert seen == [False, True, False, True]
    # Only the app server says a request came over HTTPS (it believes only the proxy's header:
    # tests/test_production.py); the header alone, which any client can send, is not enough.
    forged = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in forged.headers


def test_the_session_cookie_over_local_http(app: Flask):
    cookie = app.test_client().get("/check").headers["Set-Cookie"]
    assert cookie.startswith("selfcheck=")
    assert "; HttpOnly" in cookie and "; SameSite=Lax" in cookie and "; Path=/" in cookie
    assert "Secure" not in cookie, "a plain-HTTP browser would drop a Secure cookie"
    assert "Expires" not in cookie and "Max-Age" not in cookie, "gone when the browser closes"


def test_a_new_secret_key_takes_effect_at_once(app: Flask):
    """A cookie signed with the old key is no longer trusted, and a new one is given: nothing
    made from the key outlives it."""
    client = app.test_client()
    assert "Set-Cookie" in client.get("/check").headers
    assert "Set-Cookie" not in client.get("/check").headers, "the same visitor, same cookie"
    app.secret_key = "a new key"
    assert "Set-Cookie" in client.get("/check").headers
    cookie = client.get_cookie("selfcheck")
    assert cookie is not None
    itsdangerous.URLSafeTimedSerializer(
        "a new key",
        salt="cookie-session",
        signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1},
    ).loads(cookie.value)


def test_the_secure_setting_marks_the_cookie_secure_even_over_http(monkeypatch):
    monkeypatch.setenv("SELFCHECK_SESSION_COOKIE_SECURE", "true")
    app = create_app({"SECRET_KEY": "k"})
    assert "; Secure" in app.test_client().get("/check").headers["Set-Cookie"]


def test_force_https_redirects_plain_http():
    app = create_app({"SECRET_KEY": "k", "FORCE_HTTPS": True, "TRUSTED_HOSTS": ["localhost"]})
    response = app.test_client().get("/check")
    assert response.status_code == 302
    assert response.headers["Location"] == "https://localhost/check"


def test_the_session_cookie_holds_only_the_csrf_token(app: Flask, journey: Journey):
    journey.complete(SOON)
    cookies = {c.key: c for c in journey.client._cookies.values()}
    assert sorted(cookies) == ["selfcheck", "selfcheck-answers"], "two cookies only"
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    assert set(serializer.loads(cookies["selfcheck"].value)) == {"csrf_token"}
    # The answers are encrypted: the session's signer cannot read them.
    with pytest.raises(itsdangerous.BadSignature):
        serializer.loads(cookies["selfcheck-answers"].value)


# --------------------------------------------------------------------------------------------
# CSRF


def test_every_post_route_checks_the_csrf_token(app: Flask, client):
    posts = [rule.rule for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ())]
    english = ["/check", "/start-again", "/summary.fhir.json", "/summary.pdf"]
    # The one exception, not a form: the FHIR service reads no cookie and takes only JSON
    # (tests/test_fhir_evaluate.py), so a form sent there, with or without a token, is refused.
    service = "/fhir/QuestionnaireResponse/$evaluate"
    # Each form in English and under each translated language's address.
    assert sorted(posts) == sorted(
        [*english, *(f"/<any(es, ar):lang>{p}" for p in english), service]
    )
    form = {"page": "emergency_check", "red_flags": "none", "go": "next"}
    assert client.post(service, data=form).status_code == 415
    client.get("/check")  # a session, but no token in the form
    same_site = {"Sec-Fetch-Site": "same-origin"}
    for path in [f"{prefix}{p}" for prefix in ("", "/es", "/ar") for p in english]:
        for token in (None, "forged", ""):
            data = {"page": "emergency_check", "red_flags": "none", "go": "next"}
            if token is not None:
                data["csrf_token"] = token
            response = client.post(path, data=data, headers=same_site)
            assert response.status_code == 400
            # Answers are never cleared on a refused form: "Start again" asks once more.
            asked = "Start the check from the beginning" if path == "/start-again" else None
            expected = asked or "Please confirm your answers"
            if path in english:
                assert headings(response.get_data(as_text=True)) == [expected]
            assert "selfcheck-answers=;" not in response.headers.get("Set-Cookie", "")


@pytest.mark.parametrize("path", ["/check", "/summary.pdf", "/summary.fhir.json"])
@pytest.mark.parametrize("site", ["same-origin", None])
def test_a_red_flag_shows_the_emergency_advice_whatever_the_token(client, path, site):
    """A person in danger is never asked to confirm first: a refused token (a page left open
    for hours, a lost cookie) still shows the emergency advice at once, from a page of this
    site or from a browser that does not say where the form came from (a form from another
    site: see below). Nothing else the form carried is shown back."""
    headers = {"Sec-Fetch-Site": site} if site else {}
    data = {
        "csrf_token": "expired",
        "page": "emergency_check",
        "red_flags": ["stroke_signs", "recent_injury"],
        "where": "ankles",
        "go": "next",
    }
    response = client.post(path, data=data, headers=headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert headings(html) == ["Call 999 now"]
    text = visible_text(html)
    assert "You said there is a face that droops, a weak arm or leg" in text
    assert "injury to your head, neck or back" in text
    assert "Ankles or feet" not in text, "only the red flags are carried"


def test_a_form_from_another_site_is_not_shown_back_as_your_answers(client):
    """A form posted from another website (no token, and the browser says so) is not offered
    to the person as their answers to confirm: they are asked to start again."""
    data = {"page": "symptoms", "red_flags": "none", "jerking": "yes", "go": "next"}
    for headers in (
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "https://attacker.example"},
        {},
    ):
        response = client.post("/check", data=data, headers=headers)
        html = response.get_data(as_text=True)
        assert response.status_code == 400, headers
        assert headings(html) == ["Please start the check again"], headers
        assert 'name="jerking"' not in html, headers
        assert "Your answers are still here" not in visible_text(html)
    # A browser that sends no Sec-Fetch-Site but an Origin of this site keeps the answers.
    response = client.post("/check", data=data, headers={"Origin": "http://localhost"})
    assert headings(response.get_data(as_text=True)) == ["Please confirm your answers"]
    assert 'name="jerking" value="yes"' in response.get_data(as_text=True)


def test_an_expired_page_explains_keeps_the_answers_and_offers_to_start_again(
    journey: Journey,
):
    journey.open("/check")
    journey.submit("next", {"red_flags": "none"})
    journey.answer_page(SOON)
    with hours_later(5):  # the page was left open for 5 hours
        response = journey.submit("next", {"jerking": "yes", "where": ["ankles", "wrists"]})
        html = response.get_data(as_text=True)
        assert response.status_code == 400
        assert title(html) == "Please confirm your answers – Self-check"
        text = visible_text(html)
        assert "open for a long time" in text and "Your answers are still here" in text
        assert "Start again" in text
        assert "Traceback" not in html and "CSRF" not in html
        assert 'name="where" value="ankles"' in html and 'name="where" value="wrists"' in html
        journey.submit("change:symptoms")  # Continue: back where the person was, with a new token
        assert headings(journey.html) == ["Your symptoms"]
        assert re.search(r'id="q-where-wrists"[^>]*checked', journey.html)


def test_https_forms_need_no_referer(app: Flask):
    """The pages send no Referer (Referrer-Policy), so the CSRF check must not require one."""
    client = app.test_client()
    https = "https://selfcheck.example"
    page = client.get("/check", base_url=https).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    response = client.post(
        "/check",
        base_url=https,
        data={
            "csrf_token": token.group(1),
            "page": "emergency_check",
            "red_flags": "stroke_signs",
            "go": "next",
        },
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert headings(response.get_data(as_text=True)) == ["Call 999 now"]


# --------------------------------------------------------------------------------------------
# Limits and refused forms


def test_a_huge_form_gets_a_friendly_413(journey: Journey, app: Flask):
    journey.open("/check")
    token = dict(journey.form().fields)["csrf_token"]
    limit = app.config["MAX_CONTENT_LENGTH"]
    for data in (
        {"csrf_token": token, "red_flags": "x" * limit},  # one long value
        MultiDict([("csrf_token", token)] + [("where", "knees")] * (limit // 10)),
    ):
        response = journey.client.post("/check", data=data)
        html = response.get_data(as_text=True)
        assert response.status_code == 413
        assert headings(html) == ["Too much was sent"]
        assert 'class="service-name"' in html, "in the app's own layout"
    parts = {"csrf_token": token, "where": [(b"x", f"{i}.txt") for i in range(600)]}
    response = journey.client.post("/check", data=parts, content_type="multipart/form-data")
    assert response.status_code == 413, "too many parts in a multipart form"


@pytest.mark.parametrize(
    "extra",
    [
        {"comment": "let me type here"},  # a field no page has
        {"go": "delete"},  # a button no page has
        {"go": "change:no_such_page"},
        {"page": "admin"},  # a page the rules do not have
        {"red_flags": "sore_toe"},  # a hidden answer the rules do not offer, from another page
    ],
    ids=["field", "button", "change", "page", "choice"],
)
def test_a_changed_form_is_refused_with_a_clear_message(journey: Journey, extra):
    journey.open("/check")
    journey.submit("next", {"red_flags": "none"})
    form = journey.form()
    data = MultiDict([*form.fields, ("go", "next")])
    for name, value in extra.items():
        data.setlist(name, [value])
    response = journey.client.post("/check", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert headings(html) == ["We could not use that form"]
    assert "this check does not ask for" in visible_text(html)
    assert "Go to the start" in visible_text(html)


def test_the_pdf_refuses_a_changed_form_too(journey: Journey):
    journey.complete(SOON)
    data = MultiDict([*journey.form().fields, ("go", "pdf"), ("name", "A. Person")])
    response = journey.client.post("/summary.pdf", data=data)
    assert response.status_code == 400 and response.mimetype == "text/html"


def test_an_overlong_answer_is_refused_plainly(journey: Journey):
    journey.open("/check")
    journey.submit("next", {"red_flags": "none" + "e" * 100})
    assert "Select one of the answers shown" in visible_text(journey.html)


# --------------------------------------------------------------------------------------------
# Error pages


def failing_app() -> Flask:
    """The app as in production (not TESTING), with one page that fails inside."""
    app = create_app({"SECRET_KEY": "k"})

    def broken() -> str:
        raise RuntimeError("secret detail: /srv/selfcheck/db password=hunter2")

    app.add_url_rule("/broken", view_func=broken)
    app.add_url_rule("/bad", view_func=lambda: abort(400))
    return app


@pytest.mark.parametrize(
    "code,send,heading",
    [
        (400, lambda c: c.post("/check", data={"csrf_token": "x"}), "Please start the check again"),
        (
            400,
            lambda c: c.post(
                "/check",
                data={"csrf_token": "x", "page": "emergency_check", "red_flags": "none"},
                headers={"Sec-Fetch-Site": "same-origin"},
            ),
            "Please confirm your answers",
        ),
        (400, lambda c: c.get("/bad"), "Something went wrong with that page"),
        (404, lambda c: c.get("/no-such-page"), "Page not found"),
        (405, lambda c: c.get("/summary.pdf"), "That page cannot be used like this"),
        (405, lambda c: c.delete("/check"), "That page cannot be used like this"),
        (
            413,
            lambda c: c.post(
                "/check", data="x" * 70_000, content_type="application/x-www-form-urlencoded"
            ),
            "Too much was sent",
        ),
        (500, lambda c: c.get("/broken"), "Sorry, there is a problem with the service"),
    ],
    ids=["400-csrf", "400-csrf-same-site", "400", "404", "405-get", "405-delete", "413", "500"],
)
def test_error_pages_are_in_the_apps_layout_and_show_nothing_internal(code, send, heading, caplog):
    app = failing_app()
    response = send(app.test_client())
    html = response.get_data(as_text=True)
    assert response.status_code == code
    assert response.mimetype == "text/html"
    assert in_layout(html)
    assert headings(html) == [heading]
    for internal in (
        "Traceback",
        "RuntimeError",
        "hunter2",
        "/srv/",
        "werkzeug",
        "Werkzeug",
        'File "',
        "CSRF",
    ):
        assert internal not in html
    if code == 405:
        assert "POST" in response.headers["Allow"], "says which method works"
    if code == 500:
        assert "call 999" in visible_text(html), "someone unwell is told what to do"
        assert "RuntimeError at test_security.py:" in caplog.text, "the log says what and where"
        assert "hunter2" not in caplog.text, "but not the error's details"


def test_debug_is_off_unless_asked_for(monkeypatch):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    app = create_app({"SECRET_KEY": "k"})
    assert not app.debug and not app.testing
    assert not app.config["PROPAGATE_EXCEPTIONS"]


def test_the_privacy_page_says_what_happens_to_answers(client):
    html = client.get("/privacy").get_data(as_text=True)
    text = visible_text(html)
    assert headings(html) == ["Privacy"]
    for said in (
        "We do not keep your answers",
        "not write them in our logs",
        "never appear in a web address",
        "We use two cookies",
        "deleted when you close your browser",
        "locked with a code that only this service has (they are encrypted)",
        "for 60 minutes after your last step",
        "delete your answers at once",
        "load nothing from other websites",
        "never holds your answers",
        "not to keep a copy of the pages",
    ):
        assert said in text, said


def test_a_form_field_without_a_name_is_refused(client):
    """Found by the fuzz test: such a field made the CSRF check fail inside (a 500)."""
    body = b'--b\r\nContent-Disposition: form-data; name="\\"\r\n\r\nx\r\n--b--\r\n'
    response = client.post("/check", data=body, content_type="multipart/form-data; boundary=b")
    assert response.status_code == 400
    assert headings(response.get_data(as_text=True)) == ["We could not use that form"]


def test_a_changed_form_with_a_red_flag_still_shows_the_emergency_advice(journey: Journey):
    """A form refused for a field no page sends (a page open while the app was updated) still
    shows the emergency advice when it carries a red flag; without one, the refusal says what
    to do in an emergency."""
    journey.open("/check")
    form = journey.form()
    data = MultiDict([*form.fields, ("red_flags", "stroke_signs"), ("go", "next")])
    data.add("renamed_question", "yes")
    headers = {"Sec-Fetch-Site": "same-origin"}
    response = journey.client.post("/check", data=data, headers=headers)
    assert response.status_code == 200
    assert headings(response.get_data(as_text=True)) == ["Call 999 now"]
    data.setlist("red_flags", ["none"])
    response = journey.client.post("/check", data=data, headers=headers)
    assert response.status_code == 400
    assert "If you feel very unwell now, call 999" in visible_text(response.get_data(as_text=True))


def test_an_expired_page_with_an_emergency_told_later_shows_the_advice(journey: Journey):
    """A page left open for hours, then sent with a rash that does not fade: the emergency
    advice at once, not "Please confirm your answers"."""
    journey.open("/check")
    for _ in range(4):
        journey.answer_page(SOON)
    with hours_later(5):
        response = journey.submit(
            "next", {**on_page(SOON, "recent", journey.rules), "recent_signs": ["rash"]}
        )
    assert response.status_code == 200
    assert headings(response.get_data(as_text=True))[0] == "Call 999 now"


def test_an_expired_page_always_says_what_to_do_in_an_emergency(journey: Journey):
    journey.open("/check")
    journey.submit("next", {"red_flags": "none"})
    with hours_later(5):
        response = journey.submit("next", {"age": "adult"})
    assert headings(response.get_data(as_text=True)) == ["Please confirm your answers"]
    assert "If you feel very unwell now, call 999" in visible_text(response.get_data(as_text=True))


def test_a_red_flag_from_another_site_is_not_shown_back(client, caplog):
    """Another website cannot make the check say "You said there is a face that droops": the
    person is asked to start again, with the emergency number; and the log never says that a
    red flag was ticked."""
    data = {"page": "emergency_check", "red_flags": "stroke_signs", "go": "next"}
    with caplog.at_level("INFO"):
        response = client.post("/check", data=data, headers={"Sec-Fetch-Site": "cross-site"})
        client.post("/check", data=data, headers={"Sec-Fetch-Site": "same-origin"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert headings(html) == ["Please start the check again"]
    assert "face that droops" not in visible_text(html)
    assert "signs of a stroke" not in visible_text(html)
    assert "call 999" in visible_text(html)
    assert not [r for r in caplog.records if "emergency" in r.getMessage()]
