"""Every patient-facing text of a rules file, each named by what it belongs to.

The English words of rules.yaml are what gettext calls messages: the extractor
(:mod:`.extract`) writes them into rules.pot, and :mod:`.translations` looks each one up in
``rules.LANG.po``. Both walk the file here, so they can never disagree on what is a text.
Each text is named by its item's kind, id and field, the ``msgctxt`` of its message:
``question jerking / text``, ``answer list yes_no_not_sure / answer yes / label``,
``urgency level emergency / advice 2``. Ids, values, conditions and sources are never texts.
Plain Python, no web framework.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from selfcheck.rules.document import Document, KeyPath

#: The text fields of each kind of item, in the order of the file. A list-valued field
#: ("advice", "text") gives one text per line, numbered from 1.
FIELDS: Mapping[str, tuple[str, ...]] = {
    "urgency level": ("name", "heading", "advice"),
    "emergency check": (
        "title",
        "summary",
        "question",
        "hint",
        "not_sure",
        "none_of_these",
        "error",
    ),
    "red flag": ("label", "hint", "reason"),
    "answer": ("label", "hint"),
    "page": ("title", "intro"),
    "question": ("text", "hint", "summary", "error"),
    "urgency rule": ("reason",),
    "cause": ("name", "about"),
    "treatment": ("name", "about", "ask"),
    "contradiction": ("message",),
    "goes away": ("heading", "text"),
    "variant": ("text",),
    "filming": ("heading", "text"),
    "rules": ("default_reason",),
}


@dataclass(frozen=True)
class Text:
    """One patient-facing text: its name (``msgctxt``), its English words (``msgid``), and
    where it is in the file."""

    context: str
    english: str
    path: KeyPath
    line: int
    column: int


def _fields(doc: Document, item: Any, path: KeyPath, name: str, kind: str) -> Iterator[Text]:
    for field in FIELDS[kind]:
        value = item.get(field) if isinstance(item, dict) else None
        if isinstance(value, str):
            yield Text(f"{name} / {field}", value, path + (field,), *doc.at(path + (field,)))
        elif isinstance(value, list):
            for i, line in enumerate(value):
                where = path + (field, i)
                if isinstance(line, str):
                    yield Text(f"{name} / {field} {i + 1}", line, where, *doc.at(where))


def _answers(doc: Document, answers: Any, path: KeyPath, owner: str) -> Iterator[Text]:
    if isinstance(answers, list):
        for i, answer in enumerate(answers):
            name = f"{owner} / answer {answer.get('value')}"
            yield from _fields(doc, answer, path + (i,), name, "answer")


def _items(doc: Document, key: str, kind: str) -> Iterator[Text]:
    for i, item in enumerate(doc.data.get(key) or []):
        yield from _fields(doc, item, (key, i), f"{kind} {item.get('id')}", kind)


def texts(doc: Document) -> Iterator[Text]:
    """Every patient-facing text of a rules file of the right shape, in the order of the
    file's sections."""
    data = doc.data
    yield from _items(doc, "urgency_levels", "urgency level")
    yield from _fields(doc, data, (), "rules", "rules")
    for name, answers in (data.get("answer_lists") or {}).items():
        path: KeyPath = ("answer_lists", name)
        yield from _answers(doc, answers, path, f"answer list {name}")
    flags = data.get("red_flags") or {}
    yield from _fields(doc, flags, ("red_flags",), "emergency check", "emergency check")
    for i, sign in enumerate(flags.get("signs") or []):
        path = ("red_flags", "signs", i)
        yield from _fields(doc, sign, path, f"red flag {sign.get('id')}", "red flag")
    for i, page in enumerate(data.get("pages") or []):
        yield from _fields(doc, page, ("pages", i), f"page {page.get('id')}", "page")
        for j, question in enumerate(page.get("questions") or []):
            path = ("pages", i, "questions", j)
            owner = f"question {question.get('id')}"
            yield from _fields(doc, question, path, owner, "question")
            yield from _answers(doc, question.get("answers"), path + ("answers",), owner)
    yield from _items(doc, "urgency_rules", "urgency rule")
    yield from _items(doc, "contradictions", "contradiction")
    yield from _items(doc, "causes", "cause")
    yield from _items(doc, "treatments", "treatment")
    goes_away = data.get("goes_away") or {}
    yield from _fields(doc, goes_away, ("goes_away",), "goes away", "goes away")
    for i, variant in enumerate(goes_away.get("variants") or []):
        path = ("goes_away", "variants", i)
        yield from _fields(doc, variant, path, f"goes away / variant {i + 1}", "variant")
    if isinstance(data.get("filming"), dict):
        yield from _fields(doc, data["filming"], ("filming",), "filming", "filming")


def replaced(doc: Document, words: Mapping[KeyPath, str]) -> Document:
    """A copy of ``doc`` with the text at each path in ``words`` put in place of the English.
    Nothing else changes: ids, values, conditions and positions stay as they are."""
    data = copy.deepcopy(doc.data)
    for path, text in words.items():
        *parents, last = path
        node = data
        for step in parents:
            node = node[step]
        node[last] = text
    return Document(doc.file, data, doc.where, doc.key_where)
