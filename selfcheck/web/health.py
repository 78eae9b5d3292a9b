"""``/healthz``: whether this copy of the app is up with its rules loaded, for a load balancer,
an orchestrator's probes and an operator.

It says the version of the rules and their fingerprint, and nothing else: no setting, no path,
nothing about any visitor. The fingerprint is the SHA-256 of the rules' content (see
:mod:`selfcheck.rules.approval`), the one the pages and ``rules fingerprint`` show, so that an
operator can see that every copy serves the same rules, whatever comments their files hold.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, Response, jsonify

from selfcheck.rules.approval import file_fingerprint
from selfcheck.web.service import current_service

bp = Blueprint("health", __name__)


def fingerprint(path: str | Path) -> str:
    """The fingerprint of a rules file's content, as ``sha256:<hex>``."""
    return "sha256:" + file_fingerprint(path)


def init_app(app: Flask) -> None:
    """Serve ``/healthz`` from ``app``: call after the service is made."""
    app.register_blueprint(bp)


@bp.get("/healthz")
def healthz() -> Response:
    """The rules loaded: their version and fingerprint."""
    rules = current_service().rules
    return jsonify(rules_version=rules.version, rules_fingerprint="sha256:" + rules.fingerprint)
