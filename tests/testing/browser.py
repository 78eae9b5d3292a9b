"""Debian's Chromium for the browser tests and `make screenshots`, and the app they open."""

from __future__ import annotations

import os

from flask import Flask

from selfcheck import create_app

CHROMIUM = os.environ.get("SELFCHECK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip

#: A path that only the browser tests' copy of the app serves: it fails, as a bug would.
BROKEN_PATH = "/test-only/broken"


def browser_app() -> Flask:
    """The app, with one more address that fails as a bug would, to show the error page."""
    app = create_app({"SECRET_KEY": "browser tests", "EMERGENCY_NUMBER": "999"})

    def broken() -> str:
        raise RuntimeError("a deliberate failure, to show the error page")

    app.add_url_rule(BROKEN_PATH, "test_only_broken", broken)
    for code in ("es", "ar"):
        app.add_url_rule(f"/{code}{BROKEN_PATH}", f"test_only_broken_{code}", broken)
    return app
