"""``/healthz``: whether this copy of the app is up with its rules loaded, for a load balancer,
an orchestrator's probes and an operator.

It says the version of the rules and a fingerprint of the rules file, and nothing else: no
setting, no path, nothing about any visitor. The fingerprint is, for now, the SHA-256 of the
file's bytes, taken when the app starts, so that an operator can see that every copy serves the
same rules (a later change may define it over the rules' meaning instead).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import cast

from flask import Blueprint, Flask, Response, current_app, jsonify

from selfcheck.web.service import current_service

bp = Blueprint("health", __name__)

#: Where the fingerprint is kept in ``app.extensions``.
KEY = "selfcheck.health"


def fingerprint(path: str | Path) -> str:
    """The SHA-256 of a rules file's bytes, as ``sha256:<hex>``."""
    return "sha256:" + hashlib.sha256(Path(path).read_bytes()).hexdigest()


def init_app(app: Flask) -> None:
    """Serve ``/healthz`` from ``app``, with the fingerprint of the rules it has loaded: call
    after the service is made."""
    app.register_blueprint(bp)
    app.extensions[KEY] = fingerprint(app.config["RULES_FILE"])


@bp.get("/healthz")
def healthz() -> Response:
    """The rules loaded: their version and fingerprint."""
    return jsonify(
        rules_version=current_service().rules.version,
        rules_fingerprint=cast(str, current_app.extensions[KEY]),
    )
