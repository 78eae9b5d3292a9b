"""Security headers and the session cookie.

Flask-Talisman sets most headers, configured well beyond its defaults: a strict Content Security
Policy (only this site's own files, no inline code, no frames, no plugins, forms sent only here),
no Referer, no framing, a Permissions-Policy that turns off every powerful browser feature, and
HSTS on responses served over HTTPS. Talisman has no option for the few headers below, so
:func:`protect` adds them: ``Cache-Control: no-store`` on every page (pages carry answers, so no
browser or proxy may keep a copy; the CSS, JavaScript and icon hold none and may be cached),
``Cross-Origin-Opener-Policy`` and ``Cross-Origin-Resource-Policy``.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask.sessions import SecureCookieSessionInterface
from flask_talisman import Talisman

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
PERMISSIONS_POLICY = {feature: "()" for feature in (
    "accelerometer", "autoplay", "browsing-topics", "camera", "display-capture",
    "encrypted-media", "fullscreen", "geolocation", "gyroscope", "hid", "idle-detection",
    "magnetometer", "microphone", "midi", "payment", "picture-in-picture",
    "publickey-credentials-get", "screen-wake-lock", "serial", "usb", "xr-spatial-tracking",
)}

ONE_YEAR = 365 * 24 * 60 * 60

#: Names the copy of the app that served a response (the INSTANCE setting), for operators
#: and for the scaling-out test. It holds the setting's value and nothing about the visitor.
INSTANCE_HEADER = "X-Selfcheck-Instance"


class SessionInterface(SecureCookieSessionInterface):
    """The signed session cookie (it holds only the CSRF token), marked Secure whenever the
    request came over HTTPS, and always when SESSION_COOKIE_SECURE is set."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def refuse_nameless_fields() -> None:
    """A multipart part with a broken name (``name="\\"``) reaches the form with no name at all;
    no page sends one, so the form is refused before anything reads it."""
    if any(not isinstance(name, str) for name in request.form):
        raise UnexpectedForm()


def protect(app: Flask) -> None:
    """Add the security headers and the session cookie's flags to ``app``."""
    Talisman(
        app,
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
    instance = str(app.config["INSTANCE"] or "")

    @app.after_request
    def more_headers(response: Response) -> Response:
        if request.endpoint != "static" or response.status_code >= 400:
            response.headers["Cache-Control"] = "no-store"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
        if instance:
            response.headers[INSTANCE_HEADER] = instance
        return response
