"""Browser tests: Debian's Chromium driven by Playwright against the app on 127.0.0.1.

A missing browser fails these tests; it never skips them (`make test` installs it).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from selfcheck import create_app

from ..servers import in_thread
from .states import BROKEN_PATH

CHROMIUM = os.environ.get("SELFCHECK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is not at {CHROMIUM}: run `make test`, which installs it")
    return {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


def browser_app() -> Flask:
    """The app, with one more address that fails as a bug would, to show the error page."""
    app = create_app({"SECRET_KEY": "browser tests", "EMERGENCY_NUMBER": "999"})

    def broken() -> str:
        raise RuntimeError("a deliberate failure, to show the error page")

    app.add_url_rule(BROKEN_PATH, "test_only_broken", broken)
    return app


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    """The app served on a free port of 127.0.0.1 for the whole session."""
    with in_thread(browser_app(), quiet=True) as url:
        yield url


@pytest.fixture(scope="session")
def base_url(live_server: str) -> str:
    return live_server
