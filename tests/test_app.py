"""The app factory, its settings, and a question added to rules.yaml with no code change."""

from __future__ import annotations

import re

from werkzeug.datastructures import MultiDict

from selfcheck import create_app
from selfcheck.rules import load

from .answers import SOON
from .conftest import RULES_FILE, Journey
from .pages import visible_text
from .test_journey import headings, pdf_text

NEW_QUESTION = """      - id: cramps
        type: one
        text: Do you get cramps in your legs at night?
        hint: A cramp is a sudden, painful tightening of a muscle.
        answers: yes_no_not_sure
        summary: Leg cramps at night
        error: Select if you get cramps at night
        source: "clonus-faq: symptoms"

  - id: background
"""


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


def test_settings_come_from_selfcheck_environment_variables(monkeypatch, tmp_path):
    copy = tmp_path / "clinic-rules.yaml"
    copy.write_text(RULES_FILE.read_text().replace('version: "0.1.0"', 'version: "7.3"'))
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


def test_a_question_added_to_the_rules_appears_everywhere(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text(RULES_FILE.read_text().replace("  - id: background\n", NEW_QUESTION, 1))
    rules = load(path)
    app = create_app({"TESTING": True, "SECRET_KEY": "k", "RULES_FILE": str(path)})
    visitor = Journey(app.test_client(), rules)
    visitor.open("/check")
    visitor.submit("next", {"red_flags": "none"})
    assert 'name="cramps"' in visitor.html, "the form asks it"
    assert "Do you get cramps in your legs at night?" in visitor.html
    visitor.submit(
        "next",
        {k: v for k, v in SOON.items() if k in {q.id for q in rules.page("symptoms").questions}},
    )
    assert headings(visitor.html) == ["Your symptoms"], "it must be answered"
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
    )
    html = response.get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert "Select one of the answers shown" in visible_text(html)


def test_answers_never_reach_a_cookie_or_a_url(client, journey):
    journey.complete(SOON)
    cookies = " ".join(c.value for c in client._cookies.values())
    for value in ("ankles", "months", "ms", "none"):
        assert value not in cookies
    assert not re.search(r'<form[^>]*method="get"', journey.html, re.I)
    assert re.findall(r'<form[^>]*method="post"', journey.html)


def test_links_follow_the_address_the_site_is_served_under(app):
    """Behind a proxy that serves the check under /clinic, every link and form points there,
    and the same app still serves the plain address rightly (links are kept per address)."""
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
    client = app.test_client()
    data = [("page", "background"), ("go", "next")] + [
        (name, value)
        for name, values in SOON.items()
        for value in ([values] if isinstance(values, str) else values)
    ]
    for root in ("", "/clinic"):
        html = client.post(
            "/check", data=MultiDict(data), environ_overrides={"SCRIPT_NAME": root}
        ).get_data(True)
        assert f'formaction="{root}/check#q-jerking"' in html, root
        assert f'formaction="{root}/summary.pdf"' in html, root
