"""Security headers, HTTPS and the session cookie.

Every response carries the same headers, written here as data and joined once when the app
starts: a strict Content Security Policy (only this site's own files, no inline code, no frames,
no plugins, forms sent only here), no Referer, no framing, a Permissions-Policy that turns off
every powerful browser feature, and the cross-origin isolation headers. Over HTTPS, HSTS too.
``Cache-Control: no-store`` goes on every page: pages carry answers, so no browser or proxy may
keep a copy (the CSS, JavaScript and icon hold none and may be cached).

The headers do not depend on the page or the visitor, so no library is needed to build them for
each response (Flask-Talisman did, at a sixth of a page's time; docs/benchmarks.md).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, Response, redirect, request
from flask.sessions import SecureCookieSessionInterface
from flask.typing import ResponseReturnValue

from selfcheck.web.forms import UnexpectedForm

#: Nothing loads from anywhere but this site, and nothing inline runs: the templates keep every
#: script and style in selfcheck/static/.
CONTENT_SECURITY_POLICY = {
    "default-src": "'none'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "form-action": "'self'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "object-src": "'none'",
}

#: Every powerful browser feature is off: the check needs none of them.
PERMISSIONS_POLICY = {
    feature: "()"
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

ONE_YEAR = 365 * 24 * 60 * 60

#: What every response says about itself, whatever the page.
HEADERS = {
    "Content-Security-Policy": "; ".join(f"{k} {v}" for k, v in CONTENT_SECURITY_POLICY.items()),
    "Permissions-Policy": ", ".join(f"{k}={v}" for k, v in PERMISSIONS_POLICY.items()),
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}

#: Only over HTTPS: browsers use HTTPS for this site, and its subdomains, for a year.
HSTS = f"max-age={ONE_YEAR}; includeSubDomains"

#: Names the copy of the app that served a response (the INSTANCE setting), for operators
#: and for the scaling-out test. It holds the setting's value and nothing about the visitor.
INSTANCE_HEADER = "X-Selfcheck-Instance"


class PlainJSON:
    """The session cookie's contents as plain JSON. The session only ever holds the CSRF token,
    a string, which Flask's default serializer writes in exactly the same JSON; but that one
    tags every value for types the cookie never holds, and itsdangerous tries it out each time
    a signer is made (twice a request): a fifth of the time of a small page."""

    @staticmethod
    def dumps(value: Any) -> str:
        return json.dumps(value, separators=(",", ":"))

    @staticmethod
    def loads(text: str | bytes) -> Any:
        return json.loads(text)


class SessionInterface(SecureCookieSessionInterface):
    """The signed session cookie (it holds only the CSRF token), marked Secure whenever the
    request came over HTTPS, and always when SESSION_COOKIE_SECURE is set."""

    serializer = PlainJSON()  # type: ignore[assignment]

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def refuse_nameless_fields() -> None:
    """A multipart part with a broken name (``name="\\"``) reaches the form with no name at all;
    no page sends one, so the form is refused before anything reads it. Only a POST's form is
    ever read."""
    if request.method == "POST" and any(not isinstance(name, str) for name in request.form):
        raise UnexpectedForm()


def over_https() -> bool:
    """Whether the visitor reached the site over HTTPS: the request itself, or the reverse
    proxy that ended HTTPS saying so."""
    return request.is_secure or request.headers.get("X-Forwarded-Proto") == "https"


def init_app(app: Flask) -> None:
    """Add the security headers, the HTTPS redirect if asked for, and the session cookie's
    flags to ``app``."""
    # First of all the checks of a request, so before CSRFProtect's, which fails on a
    # nameless field: call this before ``csrf.init_app``.
    app.before_request(refuse_nameless_fields)
    app.session_interface = SessionInterface()
    headers = dict(HEADERS)
    if app.config["INSTANCE"]:
        headers[INSTANCE_HEADER] = str(app.config["INSTANCE"])

    if app.config["FORCE_HTTPS"]:
        # HTTPS is normally ended by the reverse proxy, which also redirects plain HTTP to it;
        # FORCE_HTTPS makes the app redirect too (see docs/deploy.md).
        @app.before_request
        def to_https() -> ResponseReturnValue | None:
            if over_https() or app.debug:
                return None
            return redirect(request.url.replace("http://", "https://", 1), code=302)

    @app.after_request
    def add_headers(response: Response) -> Response:
        response.headers.extend(headers)
        if over_https():
            response.headers["Strict-Transport-Security"] = HSTS
        if request.endpoint != "static" or response.status_code >= 400:
            response.headers["Cache-Control"] = "no-store"
        return response
