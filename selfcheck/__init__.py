"""selfcheck: a self-check questionnaire for symptoms of clonus. It never gives a diagnosis.

``flask --app selfcheck`` finds :func:`create_app` here. The web layer (:mod:`selfcheck.web`) is
imported only when an app is made, so the core (:mod:`selfcheck.rules`, :mod:`selfcheck.outcome`
and the modules beside them) stays free of Flask. docs/architecture.md shows the layers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Make the web app. See :func:`selfcheck.web.create_app`."""
    from selfcheck.web import create_app as make

    return make(test_config)
