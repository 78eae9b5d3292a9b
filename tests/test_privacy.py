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

import pytest
from flask import Flask
from werkzeug.datastructures import MultiDict

from selfcheck.rules import Rules

from .testing.privacy import STATUSES, leaks, sent_answers, whole_journey
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


def test_answers_never_reach_a_cookie_or_a_url(app: Flask, journey: Journey):
    responses = whole_journey(journey)
    assert [r.status_code for r in responses] == STATUSES
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    for cookie in journey.client._cookies.values():
        assert set(serializer.loads(cookie.value)) == {"csrf_token"}
    for response in responses:
        for header in response.headers.getlist("Set-Cookie"):
            value = header.split(";")[0].split("=", 1)[1]
            assert set(serializer.loads(value)) == {"csrf_token"}
        assert "Location" not in response.headers or "?" not in response.headers["Location"]
        if response.mimetype == "text/html":
            html = response.get_data(as_text=True)
            for url in re.findall(r'(?:href|action|formaction|src)="([^"]*)"', html):
                assert "?" not in url, f"no query string: {url}"
            assert not re.search(r'method="get"', html, re.I), "every form is POST"


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
