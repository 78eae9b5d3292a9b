"""Debian's Chromium for the browser tests and `make screenshots`, the app they open, and the
browser's own HTTP client for sending forms without drawing the pages."""

from __future__ import annotations

import os
import urllib.parse
from typing import Any

from flask import Flask
from playwright.sync_api import APIRequestContext

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


class Sent:
    """What :class:`.visitor.Visitor` reads of a response: its status and its page."""

    def __init__(self, status: int, text: str) -> None:
        self.status_code = status
        self.text = text

    def get_data(self, as_text: bool = False) -> Any:
        return self.text if as_text else self.text.encode()


class ContextClient:
    """A browser context's own HTTP client (Playwright's ``context.request``) as the client of
    a :class:`.visitor.Visitor`. It sends and keeps the context's cookies, so after a form
    sent from here the browser holds the same answers, in the same encrypted cookie, as if
    its page had sent the form; and no page is drawn. ``url``: where the last request ended,
    after the redirects a browser follows."""

    def __init__(self, request: APIRequestContext) -> None:
        self.request = request
        self.url = ""

    def _read(self, response: Any) -> Sent:
        self.url = response.url
        return Sent(response.status, response.text())

    def get(self, path: str) -> Sent:
        return self._read(self.request.get(path))

    def post(
        self,
        path: str,
        data: Any,
        headers: dict[str, str] | None = None,
        follow_redirects: bool = True,
    ) -> Sent:
        assert follow_redirects, "a browser follows the redirect that answers a form"
        body = urllib.parse.urlencode(list(data.items(multi=True)))
        sent = {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
        return self._read(self.request.post(path, data=body, headers=sent))
