"""Browser tests: Debian's Chromium driven by Playwright against the app on 127.0.0.1.

A missing browser fails these tests; it never skips them (`make test` installs it).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from ..testing.browser import CHROMIUM, CHROMIUM_ARGS, browser_app
from ..testing.servers import in_thread


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is not at {CHROMIUM}: run `make test`, which installs it")
    return {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    """The app served on a free port of 127.0.0.1 for the whole session."""
    with in_thread(browser_app(), quiet=True) as url:
        yield url


@pytest.fixture(scope="session")
def base_url(live_server: str) -> str:
    return live_server
