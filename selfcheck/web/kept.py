"""The answers the browser holds between two steps, so that its Back button works.

Each step is a POST answered by a redirect (303) to a page the browser fetches with GET: the
page of the next step, the same page with what is wrong, or the result. Back, Forward and Reload
then fetch a page again, and never send a form again ("Confirm Form Resubmission"). A GET
carries no form, so the browser brings the answers in one cookie:

- encrypted with a key made from the app's secret key (Fernet: AES in CBC mode and an HMAC), so
  nobody and nothing without that key can read it or change it, not even the person's browser;
- readable only for a sitting: it carries the time it was made, and is refused once it is
  older than ``ANSWERS_TIME_LIMIT`` seconds (each step makes it anew);
- without an end date, so the browser deletes it when it closes; and cleared at once by
  "Start again";
- named ``__Host-selfcheck-answers`` whenever it is Secure (as the session cookie is): a
  browser then takes it only from this very host over HTTPS, so no sibling subdomain or
  plain-HTTP page can plant one beside it. A request that carries two cookies of its name
  (one planted, wherever from) is read as carrying none: the person starts again, and is
  never shown what the planted one holds.

The app keeps nothing: the cookie lives in the person's browser, and the key in the settings.
The forms still carry every answer in hidden fields, so a step never depends on the cookie:
a cookie lost or run out only empties a page fetched again by Back.
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass
from functools import cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import Flask, Request, Response, current_app
from werkzeug.datastructures import MultiDict

from selfcheck.web.security import cookie_is_secure, cookie_name

#: The cookie's name. It holds the answers, encrypted, and nothing else.
COOKIE = "selfcheck-answers"

#: Its name when it is Secure and for the whole site: a browser accepts a cookie of this name
#: only if it is Secure, set by this very host over HTTPS, with ``Path=/`` and no ``Domain``.
SECURE_COOKIE = cookie_name(COOKIE, secure=True, whole_host=True)


@dataclass(frozen=True)
class Kept:
    """What the cookie holds: every answer given so far as (question id, value) pairs, and the
    page last sent with something wrong on it (or "")."""

    answers: tuple[tuple[str, str], ...]
    refused: str = ""

    def formdata(self) -> MultiDict[str, str]:
        """The answers as a form would send them; with the refused page named, so that its
        form is checked again and says what is wrong."""
        pairs = list(self.answers)
        if self.refused:
            pairs.append(("page", self.refused))
        return MultiDict(pairs)


def now() -> int:
    """The time, in whole seconds, that the cookie is made and read at."""
    return int(time.time())


@cache
def _fernet(secret: str) -> Fernet:
    """The cipher for one secret key. The key is drawn from the secret for this use alone, so
    it is not the key that signs the session cookie."""
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"selfcheck answers cookie"
    ).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def _cipher(app: Flask) -> Fernet:
    return _fernet(str(app.config["SECRET_KEY"]))


def seal(kept: Kept, app: Flask | None = None) -> str:
    """``kept`` encrypted, with the time it was made."""
    app = app or current_app
    text = json.dumps({"a": kept.answers, "r": kept.refused}, separators=(",", ":"))
    return _cipher(app).encrypt_at_time(text.encode(), now()).decode()


def unseal(value: str, app: Flask | None = None) -> Kept | None:
    """What a cookie holds, or None if it cannot be read: changed, made with another key, or
    older than the sitting allows."""
    app = app or current_app
    limit = int(app.config["ANSWERS_TIME_LIMIT"])
    try:
        text = _cipher(app).decrypt_at_time(value.encode(), limit, now())
        data = json.loads(text)
        return Kept(tuple((str(q), str(v)) for q, v in data["a"]), str(data["r"]))
    except (InvalidToken, ValueError, KeyError, TypeError):
        return None


def read(request: Request) -> Kept | None:
    """The answers the browser sent with this request, or None; None too when it sent two
    cookies of the name, as a browser does when one was planted beside the app's own (from a
    sibling subdomain, or over plain HTTP): which one is the person's cannot be told."""
    values = request.cookies.getlist(name(request))
    return unseal(values[0]) if len(values) == 1 and values[0] else None


def _path(request: Request) -> str:
    """The cookie goes only to this app's own addresses."""
    return request.script_root + "/"


def _secure(request: Request) -> bool:
    return cookie_is_secure(current_app, request)


def name(request: Request) -> str:
    """``__Host-selfcheck-answers`` when the cookie is Secure and for the whole site (as the
    session cookie's name, security.py); plain ``selfcheck-answers`` over local HTTP, where a
    browser would refuse the prefix, or under a path, where the prefix is not allowed."""
    return cookie_name(COOKIE, secure=_secure(request), whole_host=_path(request) == "/")


def keep(response: Response, request: Request, kept: Kept | None) -> Response:
    """Give the browser ``kept`` to send with its next requests, until it closes; with None,
    tell it to delete the answers now."""
    flags = {
        "httponly": True,
        "samesite": "Lax",
        "secure": _secure(request),
        "path": _path(request),
    }
    if kept is None:
        response.delete_cookie(name(request), **flags)  # type: ignore[arg-type]
    else:
        response.set_cookie(name(request), seal(kept), **flags)  # type: ignore[arg-type]
    return response
