"""The clinicians' command line: ``flask --app selfcheck rules …`` and the ``selfcheck`` script.

The commands are in :mod:`selfcheck.cli.commands`; they use the core alone, never the web layer.
"""

from __future__ import annotations

from flask import Flask
from flask.cli import FlaskGroup, locate_app

from selfcheck.cli.commands import RulesFileInvalid, rules_cli

__all__ = ["RulesFileInvalid", "main", "rules_cli"]


def _app() -> Flask:
    """The app found as ``flask --app selfcheck`` finds it: :func:`selfcheck.create_app`."""
    app = locate_app("selfcheck", None)
    assert app is not None  # locate_app raises when it finds none
    return app


#: The ``selfcheck`` script: the app's commands, with ``rules`` usable even when the app's own
#: rules file has errors (it makes the app only to find that file).
main = FlaskGroup(create_app=_app, help="The clonus self-check. See README.md.")
main.add_command(rules_cli)
