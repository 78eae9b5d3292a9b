"""Pieces of the pages that depend only on the rules, rendered once and then reused.

The outcome page and the summary repeat, for everyone, the same words about each condition,
treatment and question; what differs from one person to the next is which pieces appear and
the answers given. Rendering those words anew for every request took most of an outcome page's
time, so each piece is rendered once, from the macros in templates/_parts.html.

All the pieces of all the items are rendered together, the first time any is needed, never
one by one as people's answers call for them: what is kept is then the same whoever came first
and whatever they answered, and holds no trace of anyone's answers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app, request
from markupsafe import Markup

from selfcheck.rules import Rules

#: The most sets of pieces kept: one for each address the site is served under (their links
#: differ), and there is normally one.
KEPT = 8


@dataclass(frozen=True)
class Parts:
    """Every piece, by the id of the rules item it shows."""

    #: The result box, by level id and whether it is on screen (True) or on paper.
    urgency: Mapping[tuple[str, bool], Markup]
    #: A condition's name and what it is, where it is listed as worth discussing.
    cause: Mapping[str, Markup]
    #: A condition as one line of "Other things that can cause clonus".
    other_cause: Mapping[str, Markup]
    #: The treatment questions and whether clonus goes away: the same for everyone.
    discuss: Markup
    #: The Change button of an answer on the outcome page, by question id.
    change: Mapping[str, Markup]
    #: The hidden field that carries one answer from page to page, by question id and value.
    hidden: Mapping[tuple[str, str], Markup]

    def carry(self, carried: Iterable[tuple[str, str]]) -> Markup:
        """The hidden fields for (question id, value) pairs, as one piece of the page."""
        return Markup("").join([self.hidden[pair] for pair in carried])


def render(rules: Rules) -> Parts:
    """Render every piece for every item of ``rules`` (needs a request, for the links)."""
    macros: Any = current_app.jinja_env.get_template("_parts.html").module
    questions = rules.questions.values()
    return Parts(
        urgency={
            (level.id, screen): Markup(macros.urgency(level, screen))
            for level in rules.levels
            for screen in (True, False)
        },
        cause={c.id: Markup(macros.cause(c)) for c in rules.causes},
        other_cause={c.id: Markup(macros.other_cause(c)) for c in rules.causes},
        discuss=Markup(macros.discuss()),
        change={q.id: Markup(macros.change(q)) for q in questions},
        hidden={
            (q.id, a.value): Markup(macros.hidden(q, a.value)) for q in questions for a in q.answers
        },
    )


class Keeper:
    """The pieces for the address of the current request, rendered on first use."""

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        self.made: dict[str, Parts] = {}

    def __call__(self) -> Parts:
        parts = self.made.get(request.script_root)
        if parts is None:
            parts = render(self.rules)
            if len(self.made) < KEPT:
                self.made[request.script_root] = parts
        return parts
