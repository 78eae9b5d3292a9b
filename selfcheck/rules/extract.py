"""A Babel extraction method for rules files: every patient-facing text as a message.

Registered in pyproject.toml as the ``selfcheck_rules`` extractor, so that
``pybabel extract -F deploy/babel-rules.cfg`` writes rules.pot (``make translations``). Each
message has the text's name as its ``msgctxt`` (``question jerking / text``, see
:mod:`.texts`), its English words as ``msgid``, and a comment naming its line in the file.
Only a file that loads is extracted: a file with errors raises, naming them. Plain Python.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

from selfcheck.rules import load
from selfcheck.rules.document import parse
from selfcheck.rules.shape import PLACEHOLDERS
from selfcheck.rules.texts import texts

#: Babel's keyword for a message with a context: (context, message).
_WITH_CONTEXT = "pgettext"


def extract(
    fileobj: IO[bytes],
    keywords: Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, str, tuple[str, str], list[str]]]:
    """Babel's extraction method: ``(line, "pgettext", (context, English), comments)`` for
    every patient-facing text of the rules file ``fileobj``."""
    name = str(getattr(fileobj, "name", "rules.yaml"))
    text = fileobj.read().decode(str(options.get("encoding", "utf-8")))
    load(name, text)  # a file with errors raises RulesError, naming every one
    short = name.rsplit("/", 1)[-1]
    for found in texts(parse(text, name)):
        comments = [f"{short} line {found.line}: {found.context}"]
        kept = [p for p in PLACEHOLDERS if p in found.english]
        if kept:
            comments.append(f"Keep {', '.join(kept)} as it is: the app fills it in.")
        yield found.line, _WITH_CONTEXT, (found.context, found.english), comments
