"""Apps whose translated languages are offered or withheld, for the tests of the pages in
Spanish and Arabic.

The rules' text comes through ``selfcheck.web.service.translated_rules`` (the rules' own
catalogs, rules.LANG.po). ``offering`` gives each language the rules text it is to have: the
shipped translations, none (withheld), or the English rules standing in for a complete one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from unittest import mock

from babel.messages.pofile import read_po
from flask import Flask

from selfcheck import create_app
from selfcheck.rules import Rules
from selfcheck.rules.translations import translations
from selfcheck.web.language import CATALOGS, RIGHT_TO_LEFT

from .rules import ROOT

SETTINGS = {"TESTING": True, "SECRET_KEY": "test key", "EMERGENCY_NUMBER": "999"}

#: Each translated language: its address and the words its pages use, for the tests to find.
PREFIX = {"en": "", "es": "/es", "ar": "/ar"}


def translation(rules: Rules | None, reviewed_by: str = "", review_date: str = "") -> Any:
    """A language's rules text as selfcheck/rules/translations.py gives it: ``rules`` None
    when something is missing or stale."""
    return SimpleNamespace(
        rules=rules,
        problems=() if rules is not None else ("line 3: 'Call 999 now' has no translation",),
        translated_by="the selfcheck team",
        reviewed_by=reviewed_by,
        review_date=review_date,
    )


@contextmanager
def offering(given: Mapping[str, Any], **settings: Any) -> Iterator[Flask]:
    """An app whose rules text in each language of ``given`` is that translation."""
    with mock.patch("selfcheck.web.service.translated_rules", lambda rules: dict(given)):
        yield create_app({**SETTINGS, **settings})


def every_language(rules: Rules) -> dict[str, Any]:
    """Spanish and Arabic as the shipped catalogs translate the rules (rules.es.po, rules.ar.po)."""
    found = translations(rules)
    assert all(found[code].rules is not None for code in ("es", "ar")), "the rules are translated"
    return found


def _catalog(path: Path) -> dict[str, str]:
    with path.open("rb") as file:
        return {str(m.id): str(m.string) for m in read_po(file) if m.id and m.string}


def page_text_in(code: str, english: str) -> str:
    """One of the pages' own texts as the page in ``code`` says it (the pages' catalog)."""
    if code == "en":
        return english
    return _catalog(CATALOGS / code / "LC_MESSAGES" / "messages.po")[english]


def rule_text_in(code: str, english: str, number: str = "999") -> str:
    """One of the rules' texts (a page's heading, a result's advice) as the page in ``code``
    says it, from the rules' catalog (rules.LANG.po), with the emergency number filled in."""
    if code == "en":
        return english
    rules = _catalog(ROOT / f"rules.{code}.po")
    shown = f"\u2066{number}\u2069" if code in RIGHT_TO_LEFT else number
    found = rules.get(english) or rules[english.replace(number, "{emergency_number}")]
    return found.replace("{emergency_number}", shown)


def title_in(code: str, english: str, number: str = "999") -> str:
    """A page's English title (as the STATES table writes it) as the page in ``code`` gives
    it, from the pages' catalog and the rules' (rules.LANG.po): "Error: Step 3 of 7 –
    Self-check" becomes "Error: Paso 3 de 7 – Autoevaluación", and a result's title, its
    advice, comes from the rules."""
    if code == "en":
        return english
    pages = _catalog(CATALOGS / code / "LC_MESSAGES" / "messages.po")
    if " – " not in english:  # a page without the service's name (the plain page)
        return pages[english]
    inner, service = english.rsplit(" – ", 1)
    error = ""
    if inner.startswith("Error: "):
        error, inner = pages["Error:"] + " ", inner.removeprefix("Error: ")
    step = re.fullmatch(r"Step (\d+)(?: of (\d+))?", inner)
    if step and step[2]:
        inner = pages["Step %(step)s of %(steps)s"] % {"step": step[1], "steps": step[2]}
    elif step:
        inner = pages["Step %(step)s"] % {"step": step[1]}
    else:
        inner = pages[inner] if inner in pages else rule_text_in(code, inner, number)
    return f"{error}{inner} – {pages[service]}"
