"""Browser tests: Debian's Chromium driven by Playwright against the app on 127.0.0.1.

A missing browser fails these tests; it never skips them (`make test` installs it).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from selfcheck import create_app

from ..servers import in_thread

CHROMIUM = os.environ.get("SELFCHECK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is not at {CHROMIUM}: run `make test`, which installs it")
    return {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    """The app served on a free port of 127.0.0.1 for the whole session."""
    app = create_app({"SECRET_KEY": "browser tests", "EMERGENCY_NUMBER": "999"})
    with in_thread(app) as url:
        yield url


@pytest.fixture(scope="session")
def base_url(live_server: str) -> str:
    return live_server
