"""The app factory: settings, the rules, the forms built from them, and the blueprint."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from typing import Any

import click
from flask import Flask, has_request_context, request, url_for
from flask_wtf.csrf import CSRFProtect
from jinja2 import StrictUndefined

from selfcheck import parts
from selfcheck.forms import PageForms
from selfcheck.paths import default_rules, shipped
from selfcheck.rules import Rules, RulesError, load

log = logging.getLogger(__name__)

#: Settings and their defaults. Each can be set by an environment variable with the prefix
#: ``SELFCHECK_`` (for example ``SELFCHECK_EMERGENCY_NUMBER=911``); the README lists them all.
DEFAULTS: dict[str, Any] = {
    "RULES_FILE": None,  # None: the rules.yaml that ships with the app
    "EMERGENCY_NUMBER": "999",
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
    # Flask-WTF's HTTPS check wants a Referer from the same site, but the pages send none
    # (Referrer-Policy: no-referrer). The token and the SameSite cookie do the protecting.
    "WTF_CSRF_SSL_STRICT": False,
    "FORCE_HTTPS": False,  # True: the app itself redirects plain HTTP to HTTPS
    "INSTANCE": "",  # a name for this copy, sent back in X-Selfcheck-Instance (see security.py)
}

csrf = CSRFProtect()


class Service:
    """What every request needs: the rules and the forms made from them, built once at start-up."""

    def __init__(self, rules: Rules, emergency_number: str) -> None:
        self.rules = rules
        self.forms = PageForms(rules)
        self.emergency_number = emergency_number
        #: Pages that are the same for everyone, rendered on first use for each address the
        #: site is served under, by (endpoint, script root) (see views.same_for_everyone).
        self.pages: dict[tuple[str | None, str], str] = {}

    def fill(self, text: str) -> str:
        """Patient-facing text with its placeholders filled in from the settings."""
        return text.replace("{emergency_number}", self.emergency_number)


#: At most this many links are kept by :func:`kept_url_for`; a handful are ever made.
KEPT_LINKS = 256


def kept_url_for() -> Callable[..., str]:
    """Flask's ``url_for`` for the templates, remembering each link it makes.

    A page's links (the style sheets, the script, the footer's links) are the same for every
    visitor, and building one costs as much as a small part of a page; so each is made once for
    the address the site is served under (its script root) and then reused.
    """
    made: dict[tuple[Any, ...], str] = {}

    def link(endpoint: str, **values: Any) -> str:
        if not has_request_context() or any(key.startswith("_") for key in values):
            return url_for(endpoint, **values)
        key = (request.script_root, endpoint, *sorted(values.items()))
        found = made.get(key)
        if found is None:
            found = url_for(endpoint, **values)
            if len(made) < KEPT_LINKS:
                made[key] = found
        return found

    return link


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Make the app: defaults, then ``SELFCHECK_*`` environment variables, then ``test_config``.

    The rules are loaded and checked here, once, by the same loader as ``rules check``. An
    invalid rules file raises :class:`selfcheck.rules.RulesError`, naming the file, line and
    problem, and no app is made (under the command line, :class:`selfcheck.cli.RulesFileInvalid`,
    which prints the problems and exits with status 1).
    """
    app = Flask(__name__, template_folder=str(shipped("templates")))
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("SELFCHECK")
    if test_config is not None:
        app.config.from_mapping(test_config)
    if not app.config["SECRET_KEY"]:
        # Safe for one process. Several processes or hosts must share SELFCHECK_SECRET_KEY,
        # or a form sent to one would be refused by another (see docs/deploy.md).
        app.config["SECRET_KEY"] = secrets.token_hex(32)
        # The flask command line (run, rules …) is one process: a random key is right there.
        quiet = click.get_current_context(silent=True) is not None
        log.log(
            logging.INFO if quiet else logging.WARNING,
            "SELFCHECK_SECRET_KEY is not set: using a random key for this process only",
        )
    rules_file = app.config["RULES_FILE"] or str(default_rules())
    app.config["RULES_FILE"] = rules_file
    try:
        rules = load(rules_file)
    except RulesError as error:
        # Under the command line (flask run, flask rules …) say what is wrong, one problem a
        # line, and exit with status 1, rather than show a traceback.
        if click.get_current_context(silent=True) is not None:
            from selfcheck.cli import RulesFileInvalid

            raise RulesFileInvalid(error) from None
        raise
    for warning in rules.warnings:
        log.info("%s", warning)
    # Numbers such as 999 arrive from the environment as integers; the app shows them as text.
    service = Service(rules, str(app.config["EMERGENCY_NUMBER"]))
    app.extensions["selfcheck"] = service

    app.jinja_env.undefined = StrictUndefined
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.globals.update(
        rules=rules,
        emergency_number=service.emergency_number,
        url_for=kept_url_for(),
        rules_parts=parts.Keeper(rules),
    )
    app.jinja_env.filters["fill"] = service.fill

    csrf.init_app(app)

    from selfcheck import errors, security, views
    from selfcheck.cli import rules_cli

    security.protect(app)

    app.register_blueprint(views.bp)
    errors.register(app)
    app.cli.add_command(rules_cli)
    return app
