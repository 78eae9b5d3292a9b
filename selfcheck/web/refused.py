"""The app's pages for requests refused before the app sees them, by nginx or by gunicorn:
in the app's layout and words (templates/error.html and the catalogs), with its security
headers, in the language of the address (/es/…, /ar/…; English otherwise), and each naming the
emergency number, so that a person whose form was refused still reads whom to call.

For nginx the pages are written into the stack's folder at each start (``write_pages``; or by
``python -m selfcheck.ops.supervisor --write-pages DIR`` for a proxy of one's own), one folder a
language; nginx chooses the folder by the request line (deploy/nginx/selfcheck.conf.j2). In each
of gunicorn's workers, ``answer_for_gunicorn`` answers what gunicorn refuses itself with the
same pages (selfcheck/ops/gunicorn_config.py).
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

from flask import Flask, render_template
from flask_babel import lazy_gettext as _
from gunicorn import util  # type: ignore[import-untyped]
from gunicorn.http.errors import InvalidRequestLine  # type: ignore[import-untyped]
from gunicorn.http.message import Message  # type: ignore[import-untyped]

from selfcheck.web.errors import MESSAGES
from selfcheck.web.language import ENGLISH, TRANSLATED, languages_of
from selfcheck.web.security import HEADERS

#: What each error that nginx answers itself means for the person: (title, explanation). Every
#: text is the app's, translated in its catalogs; a page whose text does not name the emergency
#: number gets the template's line that does (templates/error.html).
PAGES: dict[int, tuple[Any, Any]] = {
    400: MESSAGES[400],
    404: MESSAGES[404],
    405: MESSAGES[405],
    408: (
        _("The page took too long to arrive"),
        _(
            "Your browser took too long to send the page, so it was not read. "
            "Please go back and try again."
        ),
    ),
    413: MESSAGES[413],
    414: (
        _("That web address is too long"),
        _(
            "The address was much longer than any page of this check uses. "
            "Please start the check from the beginning."
        ),
    ),
    431: (
        _("Too much was sent"),
        _(
            "Your browser sent much more than any page of this check needs, so it was not "
            "read. Please start the check from the beginning."
        ),
    ),
    429: (
        _("Too many requests at once"),
        _(
            "Many requests came from your network in a short time. Please wait a minute, then "
            "go back and try again. If you feel unwell now, do not wait: contact a doctor, "
            "or call {emergency_number} in an emergency."
        ),
    ),
    500: MESSAGES[500],
    # A request nginx cannot read: a Transfer-Encoding it does not know (501), an HTTP version
    # it does not speak (505). A browser never sends either; the page says what a 400 says.
    501: MESSAGES[400],
    502: MESSAGES[500],
    503: (
        _("Busy: please try again in a minute"),
        _(
            "Many summaries are being made just now, so yours could not be made at once. "
            "Please go back to your result and download it again in a minute: your answers "
            "are still there. If you feel unwell now, do not wait: contact a doctor, or call "
            "{emergency_number} in an emergency."
        ),
    ),
    505: MESSAGES[400],
}


def rendered_pages(app: Flask, host: str = "localhost") -> dict[str, dict[int, str]]:
    """The app's page for each error in :data:`PAGES`, in each language (``en`` and each of
    :data:`TRANSLATED`), rendered as the page at ``/LANG/`` would be: in that language, with
    its links, direction and emergency number. A language the app withholds (its translation
    incomplete) gets the English pages."""
    offered = languages_of(app)
    pages: dict[str, dict[int, str]] = {}
    for code in (ENGLISH, *TRANSLATED):
        shown = code if code != ENGLISH and offered.get(code) else ENGLISH
        path = "/" if shown == ENGLISH else f"/{shown}/"
        with app.test_request_context(path, base_url=f"http://{host}"):
            pages[code] = {
                status: render_template("error.html", title=str(title), text=str(text), code=status)
                for status, (title, text) in PAGES.items()
            }
    return pages


def write_pages(app: Flask, folder: Path, host: str) -> None:
    """:func:`rendered_pages` as ``folder/LANG/CODE.html``, for the site served as ``host``."""
    for code, pages in rendered_pages(app, host).items():
        (folder / code).mkdir(parents=True, exist_ok=True)
        for status, html in pages.items():
            (folder / code / f"{status}.html").write_text(html, encoding="utf-8")


def refused_path(req: Any, exc: BaseException) -> str:
    """The address of a request that gunicorn refused, as far as it read it: from the request,
    or when gunicorn refused it while reading it, from the request it was reading (the
    traceback's frames), or from the request line the error names; "/" if none."""
    if req is not None and getattr(req, "path", None):
        return str(req.path)
    frame = exc.__traceback__
    while frame is not None:
        reading = frame.tb_frame.f_locals.get("self")
        if isinstance(reading, Message) and getattr(reading, "path", None):
            return str(reading.path)
        frame = frame.tb_next
    named = re.search(r"'\S+ (\S+)", str(exc)) if isinstance(exc, InvalidRequestLine) else None
    return named.group(1) if named else "/"


def answer_for_gunicorn(worker: Any) -> None:
    """What gunicorn refuses itself, before the app sees it, gets the app's error page (the
    page nginx serves for the same status), with the app's headers, in the language of the
    address when gunicorn read that far: nginx passes on a control character in a header's
    value and a raw byte over 127 in the address, which gunicorn answered with a bare page of
    its own (no layout, no security headers, no number to call)."""
    pages = rendered_pages(worker.wsgi)
    asked = threading.local()
    handle_error = worker.handle_error
    headers = [*(f"{name}: {value}" for name, value in HEADERS.items()), "Cache-Control: no-store"]

    def handle(req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        first = refused_path(req, exc).lstrip("/").split("/", 1)[0]
        asked.language = first if first in pages else ENGLISH
        try:
            handle_error(req, client, addr, exc)
        finally:
            asked.language = ENGLISH

    def write_error(sock: Any, status: int, reason: str, message: str) -> None:
        language = getattr(asked, "language", ENGLISH)
        body = (pages[language].get(status) or pages[language][400]).encode()
        head = [f"HTTP/1.1 {status} {reason}", "Connection: close",
                "Content-Type: text/html; charset=utf-8", f"Content-Length: {len(body)}",
                *headers]  # fmt: skip
        util.write_nonblock(sock, ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)

    worker.handle_error = handle
    util.write_error = write_error
