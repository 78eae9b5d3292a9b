"""Reading what a person sees on a rendered page, for the tests."""

from __future__ import annotations

import re
from html.parser import HTMLParser

#: Elements that end a line of text for a reader: each becomes its own sentence.
BLOCKS = {
    "p",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "legend",
    "label",
    "dt",
    "dd",
    "button",
    "a",
    "title",
    "div",
    "section",
    "td",
    "th",
    "summary",
}


class _Text(HTMLParser):
    def __init__(self, root: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.root = root
        self.depth = 0 if root else 1
        self.skip = 0
        self.blocks: list[list[str]] = [[]]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.root and tag == self.root:
            self.depth += 1
        if tag in ("script", "style", "head") or ("hidden", None) in attrs:
            self.skip += 1
        if tag in BLOCKS:
            self.blocks.append([])

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head"):
            self.skip = max(0, self.skip - 1)
        if self.root and tag == self.root:
            self.depth -= 1
        if tag in BLOCKS:
            self.blocks.append([])

    def handle_data(self, data: str) -> None:
        if self.depth > 0 and not self.skip:
            self.blocks[-1].append(data)


def blocks(html: str, root: str | None = "main") -> list[str]:
    """The text of each block a reader sees, in order (inside ``root`` when given)."""
    parser = _Text(root)
    parser.feed(html)
    found = []
    for parts in parser.blocks:
        text = re.sub(r"\s+", " ", "".join(parts)).strip()
        if text:
            found.append(text)
    return found


def visible_text(html: str, root: str | None = "main") -> str:
    return " ".join(blocks(html, root))


def as_sentences(html: str, root: str | None = "main") -> str:
    """The page's text with each block ending a sentence, as a reader takes it in.

    A heading, a label or a list item is read as a unit of its own, so each one ends with a
    full stop here (unless it already ends a sentence) before the reading grade is measured.
    """
    out = []
    for text in blocks(html, root):
        out.append(text if text[-1] in ".?!:" else text + ".")
    return " ".join(out)
