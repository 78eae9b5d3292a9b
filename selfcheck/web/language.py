"""The language of a page, taken from its address alone: English at ``/``, Spanish at ``/es/…``,
Arabic at ``/ar/…``.

Nothing is stored: no cookie, no session. ``Accept-Language`` may only suggest another
language with a small link; it never redirects. A translated language is offered only while both
its rules text and the pages' own text (the catalog in selfcheck/translations/) are complete;
otherwise every page under its address says, in that language, that the translation is being
updated, and links to the English page (:func:`withheld_page`).
"""

from __future__ import annotations

import gettext
import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po
from flask import Flask, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import Babel

from selfcheck.paths import PACKAGE

log = logging.getLogger(__name__)

ENGLISH = "en"


@dataclass(frozen=True)
class Spoken:
    """A language the pages can be in: everything the app says of it, in one place."""

    code: str
    #: Named in itself, as the language links show it.
    name: str
    #: What Accept-Language suggests, in this language (a link, never a redirect); "" for
    #: English, which is never suggested.
    suggestion: str = ""
    right_to_left: bool = False


#: The one list of languages: English first, then each translation, at ``/<code>/…``. Adding a
#: language is a row here, its catalogs (selfcheck/translations/, rules.LANG.po) and nothing else:
#: the tables below, nginx's error pages (refused.py) and the language links follow from it.
LANGUAGES = (
    Spoken(ENGLISH, "English"),
    Spoken("es", "Español", "Esta página en español"),
    Spoken("ar", "العربية", "هذه الصفحة بالعربية", right_to_left=True),
)

#: Each language, named in itself.
NAMES = {spoken.code: spoken.name for spoken in LANGUAGES}

#: The languages the pages are translated into, each at ``/<code>/…``.
TRANSLATED = tuple(spoken.code for spoken in LANGUAGES if spoken.code != ENGLISH)

#: Languages written from right to left.
RIGHT_TO_LEFT = frozenset(spoken.code for spoken in LANGUAGES if spoken.right_to_left)

#: The pages' own catalogs: ``messages.pot`` (made by ``make translations``) and, for each
#: language, ``LANG/LC_MESSAGES/messages.po`` and the compiled ``messages.mo``.
CATALOGS = PACKAGE / "translations"

#: Where the languages offered are kept in ``app.extensions``.
KEY = "selfcheck-languages"

#: What Accept-Language suggests, in the language suggested.
SUGGESTIONS = {spoken.code: spoken.suggestion for spoken in LANGUAGES if spoken.suggestion}


@dataclass(frozen=True)
class Language:
    """One language of the pages: whether it is offered, and if not, why (for the log and
    ``rules check``)."""

    code: str
    offered: bool
    problems: tuple[str, ...] = ()
    #: Withheld because the rules file has no translation into it at all (no rules.LANG.po
    #: beside it, as with a clinic's own rules), not because a text changed.
    untranslated: bool = False

    @property
    def name(self) -> str:
        return NAMES[self.code]

    @property
    def direction(self) -> str:
        return "rtl" if self.code in RIGHT_TO_LEFT else "ltr"


def page_language() -> str:
    """The language of the page asked for, from the first part of its address alone."""
    first = request.path.lstrip("/").split("/", 1)[0]
    return first if first in TRANSLATED else ENGLISH


def catalog_problems(code: str, catalogs: Path = CATALOGS) -> list[str]:
    """What the pages' catalog of ``code`` lacks: each message of messages.pot that has no
    current translation in the compiled catalog (a fuzzy one is not compiled, so not current)."""
    template = catalogs / "messages.pot"
    compiled = catalogs / code / "LC_MESSAGES" / "messages.mo"
    if not template.exists() or not compiled.exists():
        return [f"no compiled catalog of the pages for {code!r}"]
    with template.open("rb") as file:
        wanted = read_po(file)
    with compiled.open("rb") as file:
        found: dict[Any, str] = gettext.GNUTranslations(file)._catalog  # type: ignore[attr-defined]
    problems = []
    for message in wanted:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else (message.id[0], 0)
        if message.context:
            key = f"{message.context}\x04{key}" if isinstance(key, str) else key
        if not found.get(key):
            text = message.id if isinstance(message.id, str) else message.id[0]
            problems.append(f"the pages' text {text!r} has no current translation into {code}")
    return problems


def init_app(app: Flask) -> None:
    """Choose each page's language from its address. Call before CSRFProtect's ``init_app``:
    a withheld language answers every request, a form too, with the page that says so. Which
    languages are offered is decided once the rules are loaded (:func:`decide`)."""
    Babel(app, locale_selector=page_language, default_translation_directories=str(CATALOGS))
    # Each {% trans %} block is one message, its lines joined as in the template's text.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.extensions[KEY] = {ENGLISH: Language(ENGLISH, True)}
    app.before_request(withheld_page)

    @app.context_processor
    def language_links() -> dict[str, Any]:
        return {
            "language": current_language(),
            "other_languages": other_languages(),
            "suggestion": suggested(),
        }


def decide(
    app: Flask, rules_problems: Callable[[str], list[str]], untranslated: Collection[str] = ()
) -> None:
    """Offer each translated language only while ``rules_problems(code)`` (what its rules
    text lacks) and its catalog say nothing is missing; log why one is withheld.
    ``untranslated``: the languages the rules file has no translation into at all."""
    for code in TRANSLATED:
        problems = (*rules_problems(code), *catalog_problems(code, CATALOGS))
        app.extensions[KEY][code] = Language(
            code, not problems, tuple(problems), untranslated=code in untranslated
        )
        if problems:
            log.info("%s is withheld: %s", NAMES[code], problems[0])


def languages_of(app: Flask) -> dict[str, bool]:
    """Each language, and whether it is offered."""
    return {code: found.offered for code, found in app.extensions[KEY].items()}


def languages() -> dict[str, Language]:
    return current_app.extensions[KEY]  # type: ignore[no-any-return]


def current_language() -> Language:
    return languages()[page_language()]


def offered() -> list[str]:
    """The codes of the languages offered now."""
    return [code for code, language in languages().items() if language.offered]


def in_language(code: str) -> str:
    """The address of this page in language ``code``: the same page when it is one a link can
    open, else that language's start page."""
    endpoint = request.endpoint
    if (
        request.method == "GET"
        and endpoint
        and request.routing_exception is None
        and current_app.url_map.is_endpoint_expecting(endpoint, "lang")
    ):
        return url_for(endpoint, **{**(request.view_args or {}), "lang": code})
    return url_for("selfcheck.start", lang=code)


def other_languages() -> list[tuple[Language, str]]:
    """Each other language offered, with the address of this page in it."""
    here = page_language()
    return [(languages()[code], in_language(code)) for code in offered() if code != here]


def suggested() -> tuple[str, str, str] | None:
    """The language the browser prefers, when it is another one offered: its code, the link's
    words (in that language) and the address of this page in it. Only a suggestion."""
    here = page_language()
    choices = [code for code in offered() if code in SUGGESTIONS or code == ENGLISH]
    best = request.accept_languages.best_match(choices)
    if best is None or best == here or best not in SUGGESTIONS:
        return None
    return best, SUGGESTIONS[best], in_language(best)


def withheld_page() -> ResponseReturnValue | None:
    """Every page of a language not offered: in that language, that its translation is being
    updated, with a link to the page in English. Never a page of two languages."""
    if current_language().offered:
        return None
    return render_template("unavailable.html", english=in_language(ENGLISH)), 503
