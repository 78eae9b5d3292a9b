"""Nothing a person answers is kept: not in a log, a cookie, a URL or a file.

Each test follows a whole journey (every page, Back, Change, the PDF, and the pages for an
expired form, a changed form and a form too large), then looks where answers could leak.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from flask import Flask
from werkzeug.datastructures import MultiDict

from selfcheck import create_app
from selfcheck.rules import Rules
from selfcheck.web.kept import COOKIE, now, unseal

from .testing.pages import headings
from .testing.privacy import ANSWERS, STATUSES, leaks, sent_answers, whole_journey
from .testing.servers import HttpClient, in_thread
from .testing.visitor import Journey


@pytest.fixture
def live(app: Flask) -> Iterator[str]:
    """The app under werkzeug's own server, so that its request log is written too."""
    with in_thread(app) as url:
        yield url


def test_the_traces_would_find_a_leak(rules: Rules):
    """The log test below could fail: logging the form the way a careless app would is caught."""
    form = MultiDict([(q, v) for q, vs in sent_answers(rules).items() for v in vs])
    assert leaks(repr(form), rules)
    assert leaks("POST /check body: " + "&".join(f"{k}={v}" for k, v in form.items()), rules)
    assert leaks("Ankles or feet", rules)


def test_answers_never_reach_a_log(live: str, rules: Rules, caplog):
    caplog.set_level(logging.DEBUG)
    responses = whole_journey(Journey(HttpClient(live), rules))
    assert [r.status_code for r in responses] == STATUSES
    assert "POST /check" in caplog.text, "the server's request log was captured"
    assert "form refused" in caplog.text, "so were the app's own messages"
    logged = "\n".join([caplog.text, *(repr(r.args) for r in caplog.records)])
    assert not leaks(logged, rules)


def test_answers_never_reach_a_url_or_a_readable_cookie(app: Flask, journey: Journey, rules):
    """The session cookie holds only the form token. The answers travel between two steps in
    one cookie only, encrypted: no answer can be read in it, and it lasts no longer than the
    browser is open (no end date)."""
    responses = whole_journey(journey)
    assert [r.status_code for r in responses] == STATUSES
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    for cookie in journey.client._cookies.values():
        if cookie.key == COOKIE:
            assert not leaks(cookie.value, rules), "encrypted"
            assert unseal(cookie.value, app) is not None, "the app itself can read it"
        else:
            assert set(serializer.loads(cookie.value)) == {"csrf_token"}
    steps = [r for r in responses for r in [*r.history, r]]
    set_cookies = [h for r in steps for h in r.headers.getlist("Set-Cookie")]
    answers = [h for h in set_cookies if h.startswith(f"{COOKIE}=")]
    assert answers, "the steps gave the browser the answers to hold"
    for header in set_cookies:
        name, value = header.split(";")[0].split("=", 1)
        if name == COOKIE:
            assert not leaks(value, rules)
            flags = header.lower()
            assert "httponly" in flags and "samesite=lax" in flags
            assert "max-age" not in flags and "expires" not in flags or value == "", header
        else:
            assert set(serializer.loads(value)) == {"csrf_token"}
    for response in steps:
        location = response.headers.get("Location", "")
        assert "?" not in location and not leaks(location, rules), location
        if response.mimetype == "text/html":
            html = response.get_data(as_text=True)
            for url in re.findall(r'(?:href|action|formaction|src)="([^"]*)"', html):
                assert "?" not in url, f"no query string: {url}"
            assert not re.search(r'method="get"', html, re.I), "every form is POST"


def test_the_cookie_checks_would_find_an_answer_in_plain_text(app: Flask, rules: Rules):
    """The test above can fail: answers kept as plain text, or signed but not encrypted, are
    found in the cookie."""
    form = [(q, v) for q, vs in sent_answers(rules).items() for v in vs]
    assert leaks("&".join(f"{k}={v}" for k, v in form), rules)
    signed = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    assert leaks(signed.dumps({"answers": form}), rules) or leaks(
        str(signed.loads(signed.dumps({"answers": form}))), rules
    )


def test_the_answers_cookie_is_unreadable_without_the_key_and_after_the_sitting(
    app: Flask, journey: Journey, rules: Rules
):
    journey.complete(ANSWERS)
    value = journey.client.get_cookie(COOKIE).value
    assert unseal(value, app) is not None
    other = create_app({"TESTING": True, "SECRET_KEY": "another key"})
    assert unseal(value, other) is None, "another key cannot read it"
    assert unseal(value[:-4] + "AAAA", app) is None, "a changed cookie is refused"
    limit = app.config["ANSWERS_TIME_LIMIT"]
    made = now()
    with mock.patch("selfcheck.web.kept.now", lambda: made + limit - 5):
        assert unseal(value, app) is not None, "readable during the sitting"
    with mock.patch("selfcheck.web.kept.now", lambda: made + limit + 5):
        assert unseal(value, app) is None, "no longer after it"
        # Back to a step: the page is empty, and no answer is shown.
        page = journey.client.get("/check/3", follow_redirects=True).get_data(as_text=True)
        assert headings(page) == ["Check for emergency signs"]
        assert not re.search(r"<input[^>]* checked", page)


def test_start_again_deletes_the_answers(journey: Journey):
    journey.complete(ANSWERS)
    assert journey.client.get_cookie(COOKIE) is not None
    journey.open("/start-again")
    response = journey.client.post(
        "/start-again",
        data={"csrf_token": dict(journey.form().fields)["csrf_token"]},
    )
    deleted = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(COOKIE)]
    assert deleted and deleted[0].startswith(f"{COOKIE}=;") and "Max-Age=0" in deleted[0]
    assert journey.client.get_cookie(COOKIE) is None
    assert response.headers["Location"] == "/check"
    assert not re.search(r"<input[^>]* checked", journey.client.get("/check").get_data(True))


class FileWrites:
    """Records every file the Python process opens to write, creates, moves or removes, by
    watching Python's audit events (sys.addaudithook, which can only be added once)."""

    EVENTS = {
        "os.rename",
        "os.replace",
        "os.remove",
        "os.unlink",
        "os.mkdir",
        "os.truncate",
        "shutil.copyfile",
        "shutil.move",
        "tempfile.mkstemp",
        "tempfile.mkdtemp",
        "sqlite3.connect",
        "dbm.open",
    }
    WRITE = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC

    def __init__(self) -> None:
        self.seen: list[tuple[str, tuple[Any, ...]]] | None = None
        self.thread: int | None = None
        sys.addaudithook(self.hook)

    def hook(self, event: str, args: tuple[Any, ...]) -> None:
        if self.seen is None or threading.get_ident() != self.thread:
            return
        if event == "open":
            path, mode, flags = args
            if (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & self.WRITE
            ):
                self.seen.append((event, args))
        elif event in self.EVENTS:
            self.seen.append((event, args))

    def during(self, action: Any) -> list[tuple[str, tuple[Any, ...]]]:
        self.seen, self.thread = [], threading.get_ident()
        try:
            action()
            return self.seen
        finally:
            self.seen = None


WRITES = FileWrites()


def test_the_file_watch_sees_a_write(tmp_path):
    written = WRITES.during(lambda: (tmp_path / "answers.txt").write_text("ankles"))
    assert written and written[0][0] == "open"


def test_no_file_is_written_during_a_journey(journey: Journey):
    responses: list[Any] = []
    written = WRITES.during(lambda: responses.extend(whole_journey(journey)))
    assert [r.status_code for r in responses] == STATUSES
    assert any(r.mimetype == "application/pdf" for r in responses), "the PDF was made"
    assert written == []


def reachable(root: object) -> Iterator[object]:
    """Every object the app holds on to, directly or not, modules' globals left out (the tests'
    own answer sets live there)."""
    import gc
    import types

    stop = {id(module.__dict__) for module in list(sys.modules.values()) if module}
    seen = {id(root)}
    todo = [root]
    while todo:
        item = todo.pop()
        yield item
        for child in gc.get_referents(item):
            if (
                id(child) not in seen
                and id(child) not in stop
                and not isinstance(child, types.ModuleType)
            ):
                seen.add(id(child))
                todo.append(child)


def remembered(app: Flask, rules: Rules) -> list[str]:
    """The answers of :data:`ANSWERS` that the app still holds: a question's set of values, or
    the words of several answers ticked together, as a cache of outcomes would keep them."""
    found = []
    several = {q: vs for q, vs in sent_answers(rules).items() if len(vs) > 1}
    sets = {frozenset(vs): q for q, vs in several.items()}
    words = {tuple(rules.questions[q].labels(vs)): q for q, vs in several.items()}
    said = {", ".join(labels): q for labels, q in words.items()}
    for item in reachable(app):
        try:
            if isinstance(item, frozenset) and item in sets:
                found.append(f"the values ticked for {sets[item]}")
            elif isinstance(item, tuple) and item in words:
                found.append(f"the words ticked for {words[item]}")
        except TypeError:  # a tuple of closures' cells and the like: not an answer
            continue
        if isinstance(item, str) and item in said:
            found.append(f"the words ticked for {said[item]}")
    return found


def test_the_app_remembers_nothing_once_a_person_is_done(
    app: Flask, journey: Journey, rules: Rules
):
    """No cache of outcomes, labels or pages keeps what someone answered: after a whole
    journey, PDF included, nothing the app holds recalls the answers ticked together."""
    assert [r.status_code for r in whole_journey(journey)] == STATUSES
    assert remembered(app, rules) == []


def test_the_memory_search_would_find_a_cache_of_answers(app: Flask, rules: Rules):
    """The search above can fail: a cache that keeps what a person ticked is found."""
    several = {q: vs for q, vs in sent_answers(rules).items() if len(vs) > 1}
    question, values = next(iter(several.items()))
    app.extensions["a careless cache"] = {
        (question, frozenset(values)): rules.questions[question].labels(values)
    }
    assert remembered(app, rules)
