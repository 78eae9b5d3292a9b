"""A visitor who walks the journey: a small stand-in for a browser's form handling.

It reads the form on the last page (hidden fields, ticked boxes, buttons) and sends it back the
way a browser would, with the person's new answers. CSRF stays switched on, as in production.
It works through Flask's test client or, for a real server, :class:`.servers.HttpClient`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from unittest import mock

from werkzeug.datastructures import MultiDict

from selfcheck.rules import Rules

from .answers import on_page


@dataclass
class Form:
    action: str
    fields: list[tuple[str, str]] = field(default_factory=list)  # hidden and ticked inputs
    buttons: list[dict[str, str]] = field(default_factory=list)
    inputs: dict[str, list[str]] = field(default_factory=dict)  # name -> values offered


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", "")))
        elif not self.forms:
            return
        elif tag == "input":
            kind = a.get("type", "text")
            name, value = a.get("name", ""), a.get("value", "")
            if kind in ("radio", "checkbox"):
                self.forms[-1].inputs.setdefault(name, []).append(value)
                if "checked" in a:
                    self.forms[-1].fields.append((name, value))
            elif name:
                self.forms[-1].fields.append((name, value))
        elif tag == "button" and a.get("type", "submit") == "submit":
            self.forms[-1].buttons.append(a)


def forms(html: str) -> list[Form]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


class Visitor:
    """A person using the app through the test client, one page at a time."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.response: Any = None

    @property
    def html(self) -> str:
        return str(self.response.get_data(as_text=True))

    def open(self, path: str = "/check") -> Any:
        self.response = self.client.get(path)
        return self.response

    def form(self) -> Form:
        found = [f for f in forms(self.html) if f.action]
        assert found, "no form on this page"
        return found[0]

    def submit(
        self,
        button: str = "next",
        answers: Mapping[str, Any] | None = None,
        untick: tuple[str, ...] = (),
        form: Form | None = None,
    ) -> Any:
        """Press the button whose value is ``button``, after choosing ``answers``.

        Questions named in ``answers`` or ``untick`` lose what was ticked before; all else on
        the page is sent as the browser would send it. ``form``: the page's form, when the
        caller has read it already (:meth:`form` reads the page anew).
        """
        form = form or self.form()
        answers = answers or {}
        replaced = set(answers) | set(untick)
        data = [(k, v) for k, v in form.fields if k not in replaced]
        for name, value in answers.items():
            for one in [value] if isinstance(value, str) else value:
                data.append((name, one))
        pressed = next((b for b in form.buttons if b.get("value") == button), None)
        assert pressed is not None, f"no button {button!r} on this page"
        data.append((pressed["name"], pressed["value"]))
        action = pressed.get("formaction") or form.action
        # As a browser says of a form sent from a page of the same site.
        headers = {"Sec-Fetch-Site": "same-origin"}
        # Each step answers with a redirect to the page to show, which a browser follows.
        self.response = self.client.post(
            action.split("#")[0], data=MultiDict(data), headers=headers, follow_redirects=True
        )
        return self.response


def hours_later(hours: float) -> Any:
    """While it lasts, the clock that forms' tokens are checked against is ``hours`` ahead, as
    for a page left open that long."""
    later = time.time() + hours * 60 * 60
    return mock.patch("itsdangerous.timed.time.time", lambda: later)


class Journey(Visitor):
    """A visitor who knows the pages of a rule set and answers them in order."""

    def __init__(self, client: Any, rules: Rules, prefix: str = "") -> None:
        super().__init__(client)
        self.rules = rules
        #: The address of the pages' language: "" for English, "/es", "/ar".
        self.prefix = prefix

    def answer_page(self, answers: Mapping[str, Any]) -> Any:
        """Answer the questions of the page on screen from ``answers``, then Continue."""
        form = self.form()
        shown = dict(form.fields).get("page", "")
        return self.submit("next", on_page(answers, shown, self.rules), form=form)

    def answer_until(self, page: str, answers: Mapping[str, Any]) -> Any:
        """Answer each page on screen from ``answers`` until the page ``page`` (its id) shows;
        it fails if the outcome comes first."""
        for _ in self.rules.pages:
            if dict(self.form().fields).get("page") == page:
                return self.response
            assert 'id="urgency-heading"' not in self.html, f"the outcome came before {page!r}"
            self.answer_page(answers)
        raise AssertionError(f"the page {page!r} never showed")

    def start_again(self) -> Any:
        """Clear the answers the browser holds, as "Start again" does once confirmed; the
        first question page follows, empty."""
        self.open(f"{self.prefix}/start-again")
        return self.submit("start-again")

    def complete(self, answers: Mapping[str, Any]) -> Any:
        """Answer every page in turn until the outcome page, from a check started again."""
        self.start_again()
        for _ in self.rules.pages:
            self.answer_page(answers)
            if 'id="urgency-heading"' in self.html:  # the outcome, in any language
                break
        return self.response
