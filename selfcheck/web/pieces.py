"""Parts of the pages that depend only on the rules and the settings, rendered once at start-up.

Rendering the same markup anew for every visitor was most of a question page's time. Each
question as a page first shows it is rendered from the template's own macro
(templates/_fields.html), for every question at once, before any request: so it holds nothing
of any visitor, and the page shows it where it would otherwise call the macro. The emergency
check, the page every check opens with, is rendered whole, but for its form's token. ``make
bench`` measures the pages with and without them (docs/benchmarks.md): they stay only where they
make a page at least a tenth faster (the outcome page's pieces, which saved about 5 %, went).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, request
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from selfcheck.rules import Rules
from selfcheck.web.language import ENGLISH
from selfcheck.web.render import first_question_page

Key = TypeVar("Key")


class Rendered(Mapping[Key, Markup]):
    """Markup for each of ``keys``: rendered all at once, or, when ``ahead`` is False, each time
    it is asked for (``make bench`` compares the two)."""

    def __init__(self, render: Callable[[Key], Any], keys: Iterable[Key], ahead: bool) -> None:
        self.render = render
        self.keys_ = list(keys)
        self.made = {key: Markup(render(key)) for key in self.keys_} if ahead else None

    def __getitem__(self, key: Key) -> Markup:
        if self.made is not None:
            return self.made[key]
        if key not in self.keys_:
            raise KeyError(key)
        return Markup(self.render(key))

    def __iter__(self) -> Iterator[Key]:
        return iter(self.keys_)

    def __len__(self) -> int:
        return len(self.keys_)


@dataclass(frozen=True)
class ReadyPage:
    """A whole page, the same for everyone but for its form's token, which goes between
    ``before`` and ``after``. Made for the address the app is configured under (Flask's
    ``APPLICATION_ROOT``): its links are right only for requests under ``root``."""

    root: str
    before: str
    after: str

    def with_token(self, token: str) -> str:
        return self.before + str(escape(token)) + self.after


class Pieces:
    """Ready-made markup from the templates of ``app``, for the items of ``rules``, in
    ``language`` (the rules' text and the pages' own words both in it).

    ``ahead``: render every piece now (as the app does); False renders each piece when it is
    asked for, and makes no ready page, as if there were none (``make bench`` measures what
    they save).
    """

    def __init__(
        self, app: Flask, rules: Rules, ahead: bool = True, language: str = ENGLISH
    ) -> None:
        self.ahead = ahead
        self.language = language
        # A module of its own, not the template's cached one: that one is made on first use.
        with app.app_context():
            fields: Any = app.jinja_env.get_template("_fields.html").make_module()

        def unanswered(ident: str) -> str:
            with app.test_request_context(_address(language, "/check")):
                return str(fields.question_field(rules.questions[ident], [], ""))

        #: Each question as a page first shows it, nothing chosen and no error, by question id.
        self.unanswered = Rendered(unanswered, rules.questions, ahead)
        #: The emergency check, empty: the first question page, as every visitor first sees it
        #: (made by :meth:`make_first_page` once the service of ``language`` is in place).
        self.first_page: ReadyPage | None = None

    def make_first_page(self, app: Flask, rules: Rules) -> None:
        """Render the emergency check as every visitor first sees it, with these pieces."""
        if self.ahead:
            self.first_page = _ready_page(app, rules, self)


def _address(language: str, path: str) -> str:
    return path if language == ENGLISH else f"/{language}{path}"


def _ready_page(app: Flask, rules: Rules, pieces: Pieces) -> ReadyPage:
    """The emergency check as a visitor first sees it, with a slot for the form's token."""
    with app.test_request_context(_address(pieces.language, "/check")):
        html = first_question_page(rules, pieces)
        token = str(escape(generate_csrf()))
        root = request.script_root
    assert html.count(token) == 1, "the page holds its form's token once"
    before, after = html.split(token)
    return ReadyPage(root, before, after)
