"""What every request needs, made once when the app starts: the rules, the forms built from them,
and the settings the pages fill in.

In the shape of the Flask tutorial's ``db.py``: :func:`init_app` sets it up on an app, and
:func:`current_service` gives it to a view. It holds nothing about any visitor.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from flask import Flask, current_app
from jinja2 import StrictUndefined

from selfcheck.paths import default_rules
from selfcheck.rules import Rules, load
from selfcheck.web.forms import PageForms
from selfcheck.web.pieces import Pieces

log = logging.getLogger(__name__)

#: Where the service is kept in ``app.extensions``.
KEY = "selfcheck"


@dataclass(frozen=True)
class Service:
    """The rules, the forms made from them, the emergency number the pages show, and the
    pieces of the pages rendered from them."""

    rules: Rules
    forms: PageForms
    emergency_number: str
    #: Patient-facing text with its placeholders filled in from the settings.
    fill: Callable[[str], str]
    pieces: Pieces


def init_app(app: Flask) -> None:
    """Load and check the app's rules file, and make the service of ``app`` from it.

    Raises :class:`selfcheck.rules.RulesError` when the rules file has an error.
    """
    rules_file = app.config["RULES_FILE"] or str(default_rules())
    app.config["RULES_FILE"] = rules_file
    rules = load(rules_file)
    log.info(
        "Rules: %s (version %s, %s, fingerprint %s)",
        rules_file,
        rules.version,
        rules.status,
        rules.short_fingerprint,
    )
    for warning in rules.warnings:
        log.info("%s", warning)
    # Numbers such as 999 arrive from the environment as integers; the app shows them as text.
    number = str(app.config["EMERGENCY_NUMBER"])

    def fill(text: str) -> str:
        """Patient-facing text with its placeholders filled in from the settings."""
        return text.replace("{emergency_number}", number)

    app.jinja_env.undefined = StrictUndefined
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.globals.update(
        rules=rules,
        emergency_number=number,
        non_emergency_number=str(app.config["NON_EMERGENCY_NUMBER"]),
        non_emergency_link=link(app, "NON_EMERGENCY_LINK", ("https://", "http://")),
        operator=str(app.config["OPERATOR"]),
        contact=link(app, "CONTACT", ("mailto:", "https://", "http://")),
    )
    app.jinja_env.filters["fill"] = fill
    app.extensions[KEY] = Service(rules, PageForms(rules), number, fill, Pieces(app, rules))


def link(app: Flask, name: str, schemes: tuple[str, ...]) -> str:
    """The address a setting gives, once sure it is a link of one of ``schemes`` (or empty):
    a page must never hold a link that runs code."""
    value = str(app.config[name] or "").strip()
    if value and not value.lower().startswith(schemes):
        raise ValueError(f"SELFCHECK_{name} must start with {' or '.join(schemes)}: {value!r}")
    return value


def current_service() -> Service:
    """The service of the app handling the current request or command."""
    return cast(Service, current_app.extensions[KEY])
