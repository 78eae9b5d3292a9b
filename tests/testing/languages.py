"""Apps whose translated languages are offered or withheld, for the tests of the pages in
Spanish and Arabic.

The rules' text comes through ``selfcheck.web.service.translated_rules`` (the rules' own
catalogs, rules.LANG.po). ``offering`` gives a language the rules it is to have: a test of the
pages' own text, routing and layout needs only some complete rules text for it.
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
    """Spanish and Arabic with complete rules text (the shipped rules stand in for it)."""
    return {"es": translation(rules), "ar": translation(rules)}
