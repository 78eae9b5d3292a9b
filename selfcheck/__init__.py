"""selfcheck: a self-check questionnaire for symptoms of clonus. It never gives a diagnosis.

``flask --app selfcheck`` finds :func:`create_app` here. The package has a core that knows no web
(:mod:`selfcheck.rules`, :mod:`selfcheck.outcome` and the modules beside them) and a package for
each audience: :mod:`selfcheck.web` the request path, :mod:`selfcheck.cli` the clinicians'
commands, :mod:`selfcheck.ops` the servers around the app. This function alone puts the first two
together; they are imported only when an app is made. docs/architecture.md shows the layers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Make the web app (:func:`selfcheck.web.create_app`) with the clinicians' ``rules``
    commands. Under the command line, an invalid rules file raises
    :class:`selfcheck.cli.RulesFileInvalid`, which prints the problems, one a line, and exits
    with status 1, no traceback; elsewhere, :class:`selfcheck.rules.RulesError`."""
    import click

    from selfcheck.cli import RulesFileInvalid, rules_cli
    from selfcheck.rules import RulesError
    from selfcheck.web import create_app as make

    try:
        app = make(test_config)
    except RulesError as error:
        if click.get_current_context(silent=True) is not None:
            raise RulesFileInvalid(error) from None
        raise
    app.cli.add_command(rules_cli)
    return app
