"""What every request needs, made once when the app starts: the rules, the forms built from them,
and the settings the pages fill in.

In the shape of the Flask tutorial's ``db.py``: :func:`init_app` sets it up on an app, and
:func:`current_service` gives it to a view. It holds nothing about any visitor.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from flask import Flask, current_app, has_request_context
from flask_babel import gettext
from jinja2 import StrictUndefined

from selfcheck.paths import default_rules
from selfcheck.rules import Rules, load
from selfcheck.rules.translations import Translation, translations
from selfcheck.web import language
from selfcheck.web.forms import PageForms
from selfcheck.web.language import ENGLISH
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
    #: The language of the rules' text and of the pages this service makes.
    language: str = ENGLISH
    #: Who translated this language's text, who reviewed it and when ("" while nobody has).
    translated_by: str = ""
    reviewed_by: str = ""
    review_date: str = ""
    #: What is worked out from these rules when first needed and kept with them for as long as
    #: they are loaded (the review page's body, views.py): rules loaded again start with none.
    worked_out: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def review(self) -> str:
        """Who translated this language's text and whether a fluent clinician reviewed it, as
        the printed summary and the PDF say it; "" in English."""
        if self.language == ENGLISH:
            return ""
        who = self.translated_by or gettext("the team that runs this check")
        if self.reviewed_by:
            return str(
                gettext(
                    "Translated by %(who)s. Reviewed by %(reviewer)s, a clinician fluent in this "
                    "language, on %(date)s.",
                    who=who,
                    reviewer=self.reviewed_by,
                    date=self.review_date,
                )
            )
        return str(
            gettext(
                "Translated by %(who)s. Not yet reviewed by a clinician fluent in this language.",
                who=who,
            )
        )


#: Where the service of each language is kept in ``app.extensions``.
LANGUAGES_KEY = "selfcheck-by-language"


def translated_rules(rules: Rules) -> dict[str, Translation]:
    """The rules' text in each translated language, from the catalogs beside the rules file
    (rules.LANG.po, read by selfcheck/rules/translations.py)."""
    return translations(rules)


def init_app(app: Flask) -> None:
    """Load and check the app's rules file, and make the service of ``app`` from it, in
    English and in each translated language whose rules text and pages are complete.

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
        """Patient-facing text with its placeholders filled in from the settings. Inside text
        written right to left the number is isolated (U+2066 … U+2069), so that it reads left
        to right and keeps its place among the words, in a title as in the page."""
        shown = number
        if has_request_context() and language.page_language() in language.RIGHT_TO_LEFT:
            shown = f"\u2066{number}\u2069"
        return text.replace("{emergency_number}", shown)

    app.jinja_env.undefined = StrictUndefined
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    languages = translated_rules(rules)

    def rules_problems(code: str) -> list[str]:
        found = languages.get(code)
        if found is None:
            return [f"no translation of the rules into {code!r}"]
        return [] if found.rules is not None else [str(p) for p in found.problems] or ["withheld"]

    untranslated = [code for code in language.TRANSLATED if code not in languages]
    language.decide(app, rules_problems, untranslated)
    app.jinja_env.globals.update(
        emergency_number=number,
        non_emergency_number=str(app.config["NON_EMERGENCY_NUMBER"]),
        non_emergency_link=link(app, "NON_EMERGENCY_LINK", ("https://", "http://")),
        operator=str(app.config["OPERATOR"]),
        contact=link(app, "CONTACT", ("mailto:", "https://", "http://")),
    )
    app.jinja_env.filters["fill"] = fill
    services: dict[str, Service] = {}
    app.extensions[LANGUAGES_KEY] = services

    @app.context_processor
    def the_rules() -> dict[str, Any]:
        """The rules of the page's language, for the templates (none while it is being made)."""
        service = services.get(language.page_language())
        return {"rules": service.rules, "translation": service.review()} if service else {}

    for code, offered in language.languages_of(app).items():
        if not offered:
            continue
        # English, or a language offered: one whose rules text is complete.
        found = languages.get(code) if code != ENGLISH else None
        edition = found.rules if found is not None and found.rules is not None else rules
        service = Service(
            edition,
            PageForms(edition),
            number,
            fill,
            Pieces(app, edition, language=code),
            code,
            found.translated_by if found else "",
            found.reviewed_by if found else "",
            found.review_date if found else "",
        )
        services[code] = service
        service.pieces.make_first_page(app, edition)
    app.extensions[KEY] = services[ENGLISH]


def link(app: Flask, name: str, schemes: tuple[str, ...]) -> str:
    """The address a setting gives, once sure it is a link of one of ``schemes`` (or empty):
    a page must never hold a link that runs code."""
    value = str(app.config[name] or "").strip()
    if value and not value.lower().startswith(schemes):
        raise ValueError(f"SELFCHECK_{name} must start with {' or '.join(schemes)}: {value!r}")
    return value


def current_service() -> Service:
    """The service of the app handling the current request or command, in the language of the
    page asked for (English outside a request, or when that language is withheld)."""
    if has_request_context():
        services = current_app.extensions[LANGUAGES_KEY]
        found = services.get(language.page_language())
        if found is not None:
            return cast(Service, found)
    return cast(Service, current_app.extensions[KEY])


def english_service() -> Service:
    """The service in the rules' own language, English: the words a clinician approves, for a
    record that leaves the site (the FHIR download), whatever the page's language."""
    return cast(Service, current_app.extensions[KEY])
