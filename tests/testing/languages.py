"""Apps whose translated languages are offered or withheld, for the tests of the pages in
Spanish and Arabic.

The rules' text comes through ``selfcheck.web.service.translated_rules`` (the rules' own
catalogs, rules.LANG.po). ``offering`` gives each language the rules text it is to have: the
shipped translations, none (withheld), or the English rules standing in for a complete one.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any
from unittest import mock

from flask import Flask

from selfcheck import create_app
from selfcheck.rules import Rules
from selfcheck.rules.translations import translations

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
