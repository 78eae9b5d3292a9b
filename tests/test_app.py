"""The app factory, its settings, and a question added to rules.yaml with no code change."""

from __future__ import annotations

import re

from flask_wtf.csrf import generate_csrf
from werkzeug.datastructures import MultiDict

from selfcheck import create_app
from selfcheck.rules import load
from selfcheck.web.pieces import Pieces
from selfcheck.web.render import first_question_page

from .testing.answers import SOON
from .testing.pages import cookie_contents, headings, pdf_text, visible_text
from .testing.rules import NEW_QUESTION, RULES_FILE
from .testing.visitor import Journey


def test_the_factory_wires_up_the_app(app):
    assert not app.debug
    assert "csrf" in app.extensions
    assert app.extensions["selfcheck"].rules.version == "0.1.0"
    assert app.config["RULES_FILE"] == str(RULES_FILE)
    methods: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        methods.setdefault(rule.rule, set()).update(rule.methods - {"HEAD", "OPTIONS"})
    assert methods["/"] == {"GET"}
    assert methods["/check"] == {"GET", "POST"}
    assert methods["/summary.pdf"] == {"POST"}


def test_settings_come_from_selfcheck_environment_variables(monkeypatch, edited_rules):
    copy = edited_rules(('version: "0.1.0"', 'version: "7.3"'), name="clinic-rules.yaml")
    monkeypatch.setenv("SELFCHECK_RULES_FILE", str(copy))
    monkeypatch.setenv("SELFCHECK_EMERGENCY_NUMBER", "911")
    monkeypatch.setenv("SELFCHECK_SECRET_KEY", "from the environment")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from the environment"
    assert app.extensions["selfcheck"].rules.version == "7.3"
    assert "call 911" in visible_text(app.test_client().get("/").get_data(as_text=True))


def test_a_leading_zero_emergency_number_is_kept(monkeypatch):
    monkeypatch.setenv("SELFCHECK_EMERGENCY_NUMBER", "000")
    app = create_app({"TESTING": True, "SECRET_KEY": "k"})
    assert "call 000" in visible_text(app.test_client().get("/").get_data(as_text=True))


def test_a_question_added_to_the_rules_appears_everywhere(edited_rules):
    path = edited_rules(NEW_QUESTION)
    rules = load(path)
    app = create_app({"TESTING": True, "SECRET_KEY": "k", "RULES_FILE": str(path)})
    visitor = Journey(app.test_client(), rules)
    visitor.open("/check")
    visitor.submit("next", {"red_flags": "none"})
    while headings(visitor.html) != ["When it started"]:
        assert "Step " in visitor.html, (
            "the page that asks when it started comes before the outcome"
        )
        visitor.answer_page(SOON)
    assert 'name="cramps"' in visitor.html, "the form asks it, at the end of its page"
    assert "Do you get cramps in your legs at night?" in visitor.html
    visitor.answer_page(SOON)
    assert headings(visitor.html) == ["When it started"], "it must be answered"
    assert "Select if you get cramps at night" in visible_text(visitor.html)
    visitor.complete({**SOON, "cramps": "yes"})
    assert "Leg cramps at night Yes" in visible_text(visitor.html), "the outcome lists it"
    assert "Leg cramps at night Yes" in pdf_text(visitor.submit("pdf").data), "so does the PDF"


def test_answers_shown_back_are_escaped(client, journey):
    journey.open("/check")
    token = dict(journey.form().fields)["csrf_token"]
    attack = '"><script>alert(1)</script>'
    response = client.post(
        "/check",
        data={"csrf_token": token, "page": "emergency_check", "red_flags": attack, "go": "next"},
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert "alert(1)" not in client.get_cookie("selfcheck-answers").value
    assert "Select one of the answers shown" in visible_text(html)


def test_answers_reach_only_the_encrypted_cookie_never_a_url(app, client, journey, rules):
    journey.complete(SOON)
    answered = {q for q in SOON if q in rules.questions}
    assert cookie_contents(app, client) == {
        "selfcheck": {"csrf_token"},
        "selfcheck-answers": answered,
    }
    raw = client.get_cookie("selfcheck-answers").value
    for question, values in SOON.items():
        for value in [values] if isinstance(values, str) else values:
            assert f'"{question}"' not in raw and f'"{value}"' not in raw
    assert not re.search(r'<form[^>]*method="get"', journey.html, re.I)
    assert re.findall(r'<form[^>]*method="post"', journey.html)


def test_the_cookie_check_would_find_an_answer_in_the_session(app, client, journey):
    """The test above reads what the signed cookie holds, so it fails when an answer is put
    in the session (it used to search the raw cookie text, where no answer can be seen)."""
    journey.complete(SOON)
    with client.session_transaction() as session:
        session["where"] = ["ankles"]
    assert cookie_contents(app, client)["selfcheck"] == {"csrf_token", "where"}


def test_links_follow_the_address_the_site_is_served_under(app):
    """Behind a proxy that serves the check under /clinic, every link and form points there,
    and the same app still serves the plain address rightly."""
    client = app.test_client()
    for root in ("/clinic", "", "/clinic"):
        for path in ("/", "/check", "/privacy", "/rules"):
            html = client.get(path, environ_overrides={"SCRIPT_NAME": root}).get_data(True)
            assert f'href="{root}/static/selfcheck.css"' in html, (root, path)
            assert f'href="{root}/privacy"' in html, (root, path)
        assert f'action="{root}/check"' in client.get(
            "/check", environ_overrides={"SCRIPT_NAME": root}
        ).get_data(True)


def test_change_buttons_follow_the_address_the_site_is_served_under():
    app = create_app({"SECRET_KEY": "k", "WTF_CSRF_ENABLED": False})
    data = [("page", "background"), ("go", "next")] + [
        (name, value)
        for name, values in SOON.items()
        for value in ([values] if isinstance(values, str) else values)
    ]
    for root in ("", "/clinic"):
        # A browser of its own for each address: one holding the answers cookie of both (for
        # / and for /clinic/) sends two of that name, which are read as none (kept.py).
        client = app.test_client()
        response = client.post(
            "/check", data=MultiDict(data), environ_overrides={"SCRIPT_NAME": root}
        )
        assert response.headers["Location"] == f"{root}/result"
        html = client.get("/result", environ_overrides={"SCRIPT_NAME": root}).get_data(True)
        assert f'formaction="{root}/check#q-jerking"' in html, root
        assert f'formaction="{root}/summary.pdf"' in html, root


def test_the_pieces_made_at_start_up_are_what_the_templates_render(app):
    """Each piece is rendered once at start-up from the templates' macros: it must be what the
    macro renders now, item by item, and hold nothing but the rules (no request was made)."""
    rules = app.extensions["selfcheck"].rules
    made, fresh = Pieces(app, rules), Pieces(app, rules, ahead=False)
    assert list(made.unanswered) == list(fresh.unanswered) == list(rules.questions)
    for key in made.unanswered:
        assert made.unanswered[key] == fresh.unanswered[key], key
    assert 'name="where" value="ankles"' in made.unanswered["where"]
    assert "checked" not in made.unanswered["where"] and "error" not in made.unanswered["where"]


def test_the_first_page_made_at_start_up_is_the_page_made_for_each_visitor(app):
    """The emergency check is rendered once, whole, at start-up: with a visitor's own token it
    is exactly the page the view renders for that visitor, and under another address (where
    its links would be wrong) the view renders the page itself."""
    service = app.extensions["selfcheck"]
    with app.test_request_context("/check"):
        token = generate_csrf()
        made_now = first_question_page(service.rules, service.pieces)
        assert service.pieces.first_page.with_token(token) == made_now
    client = app.test_client()
    for root in ("", "/clinic"):
        html = client.get("/check", environ_overrides={"SCRIPT_NAME": root}).get_data(True)
        assert f'href="{root}/static/selfcheck.css"' in html and f'action="{root}/check"' in html
