"""Security headers, HTTPS, the session cookie, and what a client may not forge.

Every response carries the same headers, written here as data and joined once when the app
starts: a strict Content Security Policy (only this site's own files, no inline code, no frames,
no plugins, forms sent only here), no Referer, no framing, a Permissions-Policy that turns off
every powerful browser feature, no cross-domain policy files, and the cross-origin isolation
headers. Over HTTPS, HSTS too, and the cookie gets the ``__Host-`` prefix.

Nothing a client sends decides where a redirect goes or whether the request came over HTTPS:
the app server (gunicorn) says that, believing only the proxy (selfcheck/ops/gunicorn_config.py).
The Host header is checked against TRUSTED_HOSTS, a path with ``//`` is not "corrected" into a
redirect, and a chunked body longer than MAX_CONTENT_LENGTH is refused whole.
``Cache-Control: no-store`` goes on every page: pages carry answers, so no browser or proxy may
keep a copy (the CSS, JavaScript and icon hold none and may be cached).

The headers do not depend on the page or the visitor, so no library is needed to build them for
each response (Flask-Talisman did, at a sixth of a page's time; docs/benchmarks.md).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, Request, Response, current_app, redirect, request
from flask.globals import request_ctx
from flask.sessions import SecureCookieSessionInterface
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import RequestEntityTooLarge, SecurityError

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
        "clipboard-read",
        "clipboard-write",
        "cross-origin-isolated",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "gamepad",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "keyboard-map",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "sync-xhr",
        "unload",
        "usb",
        "xr-spatial-tracking",
    )
}
# Of the OWASP Secure Headers Project's list, "interest-cohort" (withdrawn) and "web-share" are
# left out: Chromium on Linux knows neither and logs an error for each on every page.

ONE_YEAR = 365 * 24 * 60 * 60

#: What every response says about itself, whatever the page.
HEADERS = {
    "Content-Security-Policy": "; ".join(f"{k} {v}" for k, v in CONTENT_SECURITY_POLICY.items()),
    "Permissions-Policy": ", ".join(f"{k}={v}" for k, v in PERMISSIONS_POLICY.items()),
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "X-Permitted-Cross-Domain-Policies": "none",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    # Every page loads only this site's own files, and the PDF is a download, not a document
    # that embeds anything, so requiring CORP of what a page embeds costs nothing.
    "Cross-Origin-Embedder-Policy": "require-corp",
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


def cookie_is_secure(app: Flask, req: Request) -> bool:
    """Whether the app's cookies (the session's and the answers', kept.py) are Secure: whenever
    the request came over HTTPS, and always when SESSION_COOKIE_SECURE is set."""
    return bool(app.config["SESSION_COOKIE_SECURE"]) or req.is_secure


def cookie_name(name: str, *, secure: bool, whole_host: bool) -> str:
    """``__Host-NAME`` for a cookie that is Secure and for the whole host: a browser then takes
    it only from this host over HTTPS, for the whole site, so no subdomain or plain-HTTP page
    can set one in its place. Plain NAME over local HTTP, where a browser would refuse the
    prefix, or under a path or a domain, where the prefix is not allowed."""
    return f"__Host-{name}" if secure and whole_host else name


class SessionInterface(SecureCookieSessionInterface):
    """The signed session cookie (it holds only the CSRF token), Secure and named by the app's
    one rule for its cookies (:func:`cookie_is_secure`, :func:`cookie_name`)."""

    serializer = PlainJSON()  # type: ignore[assignment]

    def get_cookie_secure(self, app: Flask) -> bool:
        return cookie_is_secure(app, request)

    def get_cookie_name(self, app: Flask) -> str:
        whole_host = self.get_cookie_path(app) == "/" and not self.get_cookie_domain(app)
        return cookie_name(
            str(app.config["SESSION_COOKIE_NAME"]),
            secure=self.get_cookie_secure(app),
            whole_host=whole_host,
        )


def refuse_nameless_fields() -> None:
    """A multipart part with a broken name (``name="\\"``) reaches the form with no name at all;
    no page sends one, so the form is refused before anything reads it. Only a POST's form is
    ever read."""
    if request.method == "POST" and any(not isinstance(name, str) for name in request.form):
        raise UnexpectedForm()


def refuse_forged_host() -> None:
    """A Host header outside TRUSTED_HOSTS gets the 400 page before anything else reads the
    request. Flask finds it when it makes the request's URL adapter, but raises it only when
    the view would run, after the other checks of a request. Flask then has no URL adapter
    for the request, and the error page's links need one: links are paths, so one bound to no
    host at all serves."""
    error = request.routing_exception
    if isinstance(error, SecurityError):
        request_ctx.url_adapter = current_app.url_map.bind(
            "", script_name=request.script_root or None
        )
        raise error


def refuse_long_chunked_body() -> None:
    """A body sent in chunks, with no Content-Length, is read up to MAX_CONTENT_LENGTH and
    then simply ends for Werkzeug, which would parse the first 64 KiB as if they were all.
    Read it here, and if anything is left past the limit, refuse it whole (413)."""
    limit = request.max_content_length
    if request.content_length is not None or limit is None:
        return
    if "chunked" not in request.headers.get("Transfer-Encoding", "").lower():
        return
    request.get_data(cache=True, parse_form_data=False)  # the form is parsed from this copy
    if request.environ["wsgi.input"].read(1):
        raise RequestEntityTooLarge()


def canonical_host(app: Flask) -> str:
    """Where the app sends a visitor when it redirects to HTTPS: the first of TRUSTED_HOSTS,
    never the Host header a client sent."""
    for host in app.config["TRUSTED_HOSTS"] or ():
        if not host.startswith("."):
            return str(host)
    raise ValueError(
        "SELFCHECK_FORCE_HTTPS needs SELFCHECK_TRUSTED_HOSTS: the redirect to HTTPS goes to "
        "the first host named there, never to one a client sent"
    )


def init_app(app: Flask) -> None:
    """Add the security headers, the HTTPS redirect if asked for, the session cookie's flags
    and the checks of what a client may forge to ``app``."""
    # First of all the checks of a request, so before CSRFProtect's, which fails on a
    # nameless field: call this before ``csrf.init_app``.
    app.before_request(refuse_forged_host)
    app.before_request(refuse_long_chunked_body)
    app.before_request(refuse_nameless_fields)
    app.session_interface = SessionInterface()
    # Werkzeug answers //check with a redirect to the address it rebuilds from the Host header;
    # no link of the site has a doubled slash, so it is a page not found instead.
    app.url_map.merge_slashes = False
    headers = dict(HEADERS)
    if app.config["INSTANCE"]:
        headers[INSTANCE_HEADER] = str(app.config["INSTANCE"])

    if app.config["FORCE_HTTPS"]:
        # HTTPS is normally ended by the reverse proxy, which also redirects plain HTTP to it;
        # FORCE_HTTPS makes the app redirect too (see docs/deploy.md).
        host = canonical_host(app)

        @app.before_request
        def to_https() -> ResponseReturnValue | None:
            if request.is_secure or app.debug:
                return None
            path = request.script_root + request.full_path.rstrip("?")
            return redirect(f"https://{host}{path}", code=302)

    @app.after_request
    def add_headers(response: Response) -> Response:
        response.headers.extend(headers)
        if request.is_secure:
            response.headers["Strict-Transport-Security"] = HSTS
        if request.endpoint != "static" or response.status_code >= 400:
            response.headers["Cache-Control"] = "no-store"
        return response
