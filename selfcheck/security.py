"""Security headers and the session cookie.

Flask-Talisman sets most headers, configured well beyond its defaults: a strict Content Security
Policy (only this site's own files, no inline code, no frames, no plugins, forms sent only here),
no Referer, no framing, a Permissions-Policy that turns off every powerful browser feature, and
HSTS on responses served over HTTPS. Talisman has no option for the few headers below, so
:func:`protect` adds them: ``Cache-Control: no-store`` on every page (pages carry answers, so no
browser or proxy may keep a copy; the CSS, JavaScript and icon hold none and may be cached),
``Cross-Origin-Opener-Policy`` and ``Cross-Origin-Resource-Policy``.

Talisman writes its policies out afresh for every response, which cost about a sixth of the
time of a simple page. Here they never change from one response to the next (no page has
options of its own and no nonce is used), so :class:`FixedHeaders` asks Talisman for them once
for plain HTTP and once for HTTPS, and copies them onto every response.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request
from flask.sessions import SecureCookieSessionInterface
from flask_talisman import Talisman
from itsdangerous import URLSafeTimedSerializer

from selfcheck.errors import UnexpectedForm

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

#: Names the copy of the app that served a response (the INSTANCE setting), for operators
#: and for the scaling-out test. It holds the setting's value and nothing about the visitor.
INSTANCE_HEADER = "X-Selfcheck-Instance"


class SessionInterface(SecureCookieSessionInterface):
    """The signed session cookie (it holds only the CSRF token), marked Secure whenever the
    request came over HTTPS, and always when SESSION_COOKIE_SECURE is set."""

    def __init__(self) -> None:
        self.signing: tuple[object, URLSafeTimedSerializer | None] = (None, None)

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """Flask's signer of the cookie, made once for as long as the keys stay the same
        (Flask makes a new one, and tests it, twice for every request)."""
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        made_for, serializer = self.signing
        if made_for != keys:
            serializer = super().get_signing_serializer(app)
            self.signing = (keys, serializer)
        return serializer


def refuse_nameless_fields() -> None:
    """A multipart part with a broken name (``name="\\"``) reaches the form with no name at all;
    no page sends one, so the form is refused before anything reads it. Only a POST's form is
    ever read."""
    if request.method == "POST" and any(not isinstance(name, str) for name in request.form):
        raise UnexpectedForm()


def over_https() -> bool:
    """Whether the visitor reached the site over HTTPS, as Talisman decides it for HSTS: the
    request itself, or the reverse proxy that ended HTTPS saying so."""
    return request.is_secure or request.headers.get("X-Forwarded-Proto") == "https"


class FixedHeaders(Talisman):  # type: ignore[misc]  # Talisman has no type hints
    """Flask-Talisman with its headers made once, then copied onto every response.

    Talisman's own code makes the headers (so its checks and defaults still apply); this class
    only keeps the result, one set for plain HTTP and one for HTTPS, together with ``extra``.
    It refuses a per-page policy or a nonce, which would make the headers vary.
    """

    def __init__(self, app: Flask, extra: dict[str, str], **options: Any) -> None:
        if options.get("content_security_policy_nonce_in"):
            raise ValueError("a nonce changes the policy on every response: not supported")
        self.extra = extra
        self.made: dict[bool, list[tuple[str, str]]] = {}
        super().__init__(app, **options)

    def __call__(self, **kwargs: Any) -> Any:
        raise TypeError("per-page options would make the headers vary: not supported")

    def _make_nonce(self) -> None:
        """No nonce: only this site's own files may run, named by the policy."""

    def _force_https(self) -> Response | None:
        return super()._force_https() if self.force_https else None

    def _set_response_headers(self, response: Response) -> Response:
        secure = over_https()
        headers = self.made.get(secure)
        if headers is None:
            blank = Response()
            before = set(blank.headers.keys())
            super()._set_response_headers(blank)
            headers = [(k, v) for k, v in blank.headers.items() if k not in before]
            headers += self.extra.items()
            self.made[secure] = headers
        response.headers.extend(headers)
        return response


def protect(app: Flask) -> None:
    """Add the security headers and the session cookie's flags to ``app``."""
    instance = str(app.config["INSTANCE"] or "")
    extra = {
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
    }
    if instance:
        extra[INSTANCE_HEADER] = instance
    FixedHeaders(
        app,
        extra,
        content_security_policy=CONTENT_SECURITY_POLICY,
        permissions_policy=PERMISSIONS_POLICY,
        referrer_policy="no-referrer",
        frame_options="DENY",
        # HTTPS is normally ended by the reverse proxy, which also redirects plain HTTP to it;
        # FORCE_HTTPS makes the app redirect too (see docs/deploy.md).
        force_https=app.config["FORCE_HTTPS"],
        strict_transport_security=True,
        strict_transport_security_max_age=ONE_YEAR,
        strict_transport_security_include_subdomains=True,
        # Talisman would force Secure on every request; SessionInterface decides per request.
        session_cookie_secure=False,
        session_cookie_http_only=True,
        session_cookie_samesite="Lax",
    )
    app.session_interface = SessionInterface()
    # Runs before every other check, CSRFProtect's too, which fails on a nameless field.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_nameless_fields)

    @app.after_request
    def no_store(response: Response) -> Response:
        if request.endpoint != "static" or response.status_code >= 400:
            response.headers["Cache-Control"] = "no-store"
        return response
