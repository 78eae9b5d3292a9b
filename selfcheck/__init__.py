"""selfcheck: a self-check questionnaire for symptoms of clonus. It never gives a diagnosis.

``flask --app selfcheck`` finds :func:`create_app` here. The web layer is imported only when an
app is made, so the core (:mod:`selfcheck.rules`, :mod:`selfcheck.outcome`) stays free of Flask.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Make the web app. See :func:`selfcheck.app.create_app`."""
    from selfcheck.app import create_app as _create_app

    return _create_app(test_config)
