"""The web layer: the app factory, and the modules that parse a request, call the core and render.

Nothing clinical lives here: every question, rule and word of advice comes from the rules
(:mod:`selfcheck.rules`), and every outcome from :func:`selfcheck.outcome.evaluate`.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

import click
from flask import Flask
from flask_wtf.csrf import CSRFProtect

from selfcheck.paths import shipped
from selfcheck.web import errors, health, language, metrics, security, service, views

log = logging.getLogger(__name__)

#: Settings and their defaults. Each can be set by an environment variable with the prefix
#: ``SELFCHECK_`` (for example ``SELFCHECK_EMERGENCY_NUMBER=911``); the README lists them all.
DEFAULTS: dict[str, Any] = {
    "RULES_FILE": None,  # None: the rules.yaml that ships with the app
    "EMERGENCY_NUMBER": "999",
    # Help that is not an emergency: a number to call and a web page (the footer's "Get help").
    "NON_EMERGENCY_NUMBER": "111",
    "NON_EMERGENCY_LINK": "https://111.nhs.uk/",
    # Who runs this copy, and where people contact them and send feedback (mailto: or https:).
    "OPERATOR": "",
    "CONTACT": "",
    "SECRET_KEY": None,  # None: a random key for this process only
    "SESSION_COOKIE_SECURE": False,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_NAME": "selfcheck",
    # The longest honest form is a few kilobytes; anything far larger is refused with a 413.
    "MAX_CONTENT_LENGTH": 64 * 1024,
    "MAX_FORM_MEMORY_SIZE": 64 * 1024,
    "MAX_FORM_PARTS": 500,
    # A person may take their time; the token only has to outlive one sitting.
    "WTF_CSRF_TIME_LIMIT": 4 * 60 * 60,
    # How long after the last step the answers the browser holds can still be read (kept.py).
    "ANSWERS_TIME_LIMIT": 60 * 60,
    # Flask-WTF's HTTPS check wants a Referer from the same site, but the pages send none
    # (Referrer-Policy: no-referrer). The token and the SameSite cookie do the protecting.
    "WTF_CSRF_SSL_STRICT": False,
    "FORCE_HTTPS": False,  # True: the app itself redirects plain HTTP to HTTPS
    # The host names the site answers to (Flask's TRUSTED_HOSTS): any other Host header gets
    # a 400. From the environment, names separated by commas or spaces; None: any host.
    "TRUSTED_HOSTS": None,
    "INSTANCE": "",  # a name for this copy, sent back in X-Selfcheck-Instance (see security.py)
    # Where the canonical addresses of the FHIR questionnaire and its code systems start
    # (docs/fhir.md); None: selfcheck.fhir.DEFAULT_BASE, an example address.
    "FHIR_BASE": None,
}

csrf = CSRFProtect()


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Make the app: defaults, then ``SELFCHECK_*`` environment variables, then ``test_config``.

    The rules are loaded and checked here, once, by the same loader as ``rules check``. An
    invalid rules file raises :class:`selfcheck.rules.RulesError`, naming the file, line and
    problem, and no app is made. The clinicians' commands are added by :func:`selfcheck.create_app`,
    which puts the web and the command line together: this layer knows nothing of them.
    """
    app = Flask(
        __name__, template_folder=str(shipped("templates")), static_folder=str(shipped("static"))
    )
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("SELFCHECK")
    if test_config is not None:
        app.config.from_mapping(test_config)
    trusted_hosts = app.config["TRUSTED_HOSTS"] = host_names(app.config["TRUSTED_HOSTS"])
    # The flask command line (run, rules …) is one process; a server has several.
    context = click.get_current_context(silent=True)
    command_line = context is not None
    # A server says what it serves: gunicorn's workers, and `flask run` (`make run`). The
    # `rules` commands name the rules file in their own first line.
    if context is None or context.command.name == "run":
        log_to_stderr()
    if not app.config["SECRET_KEY"]:
        # Safe for one process. Several processes or hosts must share SELFCHECK_SECRET_KEY,
        # or a form sent to one would be refused by another (see docs/deploy.md).
        app.config["SECRET_KEY"] = secrets.token_hex(32)
        log.log(
            logging.INFO if command_line else logging.WARNING,
            "SELFCHECK_SECRET_KEY is not set: using a random key for this process only",
        )
    # First: its clock starts before any other hook, and its count is of the final answer.
    metrics.init_app(app)
    # Before CSRFProtect, whose check runs on every POST and must see a well-formed form.
    security.init_app(app)
    language.init_app(app)
    csrf.init_app(app)
    app.register_blueprint(views.bp)
    errors.init_app(app)
    try:
        # Last: the pieces rendered at start-up see every template global set above. They are
        # rendered in a request of the app's own, for "localhost": the Host a client sends is
        # checked from the first real request on.
        app.config["TRUSTED_HOSTS"] = None
        service.init_app(app)
        health.init_app(app)
    finally:
        app.config["TRUSTED_HOSTS"] = trusted_hosts
    return app


def log_to_stderr() -> None:
    """A server says what it starts with (its rules file, their version, status and
    fingerprint) at INFO, on stderr, where gunicorn and `flask run` write their own logs;
    unless logging is set up already."""
    package = logging.getLogger("selfcheck")
    if package.handlers or logging.getLogger().handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("[%(asctime)s] [%(levelname)s] %(name)s: %(message)s"))
    package.addHandler(handler)
    package.setLevel(logging.INFO)


def host_names(setting: Any) -> list[str] | None:
    """TRUSTED_HOSTS as Flask wants it, a list, from a list or from the text of an environment
    variable: ``check.example.org, .clinic.example`` (a leading dot takes in the subdomains)."""
    if setting is None or setting == "":
        return None
    if isinstance(setting, str):
        return [name for name in setting.replace(",", " ").split() if name]
    return [str(name) for name in setting]
