"""Parts of the pages that depend only on the rules and the settings, rendered once at start-up.

Rendering the same markup anew for every visitor was most of a page's time. Each piece is
rendered from the templates' own macros (templates/_fields.html, templates/_results.html), for
every item of the rules at once, before any request: so it holds nothing of any visitor, and a
template shows it where it would otherwise call the macro. The pages it serves are measured
with and without it by ``make bench`` (docs/benchmarks.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar

from flask import Flask
from markupsafe import Markup

from selfcheck.rules import Rules

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


class Pieces:
    """Ready-made markup, by the id of the rules item it shows, from the templates of ``app``.

    ``ahead``: render every piece now (as the app does); False renders each piece when it is
    asked for, as if there were none (``make bench`` measures what they save).
    """

    def __init__(self, app: Flask, rules: Rules, ahead: bool = True) -> None:
        # Modules of their own, not the templates' cached ones: those are made on first use,
        # with every template global (these pieces among them) already in place.
        with app.app_context():
            fields: Any = app.jinja_env.get_template("_fields.html").make_module()
            results: Any = app.jinja_env.get_template("_results.html").make_module()
        questions = rules.questions.values()
        levels = {level.id: level for level in rules.levels}
        causes = {cause.id: cause for cause in rules.causes}

        #: A question as a page first shows it: nothing chosen, no error.
        self.unanswered = Rendered(
            lambda ident: fields.question_field(rules.questions[ident], [], ""),
            rules.questions,
            ahead,
        )
        #: The hidden field that carries one answer from page to page, by (question id, value).
        self.hidden = Rendered(
            lambda pair: fields.hidden_field(*pair),
            [(q.id, a.value) for q in questions for a in q.answers],
            ahead,
        )
        #: The result box, by level id and whether it is on screen (True) or on paper.
        self.urgency = Rendered(
            lambda key: results.urgency(levels[key[0]], key[1]),
            [(level, screen) for level in levels for screen in (True, False)],
            ahead,
        )
        #: A condition's name and what it is, where it is listed as worth discussing.
        self.cause = Rendered(lambda key: results.cause(causes[key]), causes, ahead)
        #: A condition as one line of "Other things that can cause clonus".
        self.other_cause = Rendered(lambda key: results.other_cause(causes[key]), causes, ahead)
        #: The treatment questions and whether clonus goes away: the same for everyone.
        self.discuss = Rendered(lambda key: results.discuss(), ["all"], ahead)
