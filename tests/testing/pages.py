"""Reading what a person sees on a rendered page: its text, headings, title, and PDF text."""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
from collections import Counter
from html.parser import HTMLParser
from typing import Any

from pypdf import PdfReader

from .servers import program

#: Elements that end a line of text for a reader: each becomes its own sentence.
BLOCKS = {
    "p", "li", "h1", "h2", "h3", "h4", "legend", "label", "dt", "dd", "button", "a", "title",
    "div", "section", "td", "th", "summary",
}  # fmt: skip

#: Elements that never have an end tag.
VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip

#: Elements whose content is never shown as text.
UNSHOWN = {"script", "style", "head", "template"}


class _Text(HTMLParser):
    """Collects the text a reader sees, block by block: the text of an element marked
    ``hidden`` (and of everything inside it) is left out, up to that element's own end."""

    def __init__(self, root: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.root = root
        self.open: list[tuple[str, bool]] = []  # (tag, whether it hides what it holds)
        self.hidden = 0
        self.inside = 0 if root else 1
        self.blocks: list[list[str]] = [[]]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BLOCKS:
            self.blocks.append([])
        if tag in VOID:
            return
        hides = tag in UNSHOWN or any(name == "hidden" for name, _ in attrs)
        self.open.append((tag, hides))
        self.hidden += hides
        if tag == self.root:
            self.inside += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCKS:
            self.blocks.append([])
        if not any(name == tag for name, _ in self.open):
            return  # a stray end tag closes nothing
        while self.open:
            name, hides = self.open.pop()
            self.hidden -= hides
            if name == self.root:
                self.inside -= 1
            if name == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.inside > 0 and not self.hidden:
            self.blocks[-1].append(data)


def blocks(html: str, root: str | None = "main") -> list[str]:
    """The text of each block a reader sees, in order (inside ``root`` when given)."""
    parser = _Text(root)
    parser.feed(html)
    parser.close()
    found = []
    for pieces in parser.blocks:
        text = re.sub(r"\s+", " ", "".join(pieces)).strip()
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


def headings(html: str, tag: str = "h1") -> list[str]:
    """The text of every ``tag`` heading, in order."""
    return [
        re.sub(r"<[^>]+>|\s+", " ", h).strip()
        for h in re.findall(rf"<{tag}[^>]*>(.*?)</{tag}>", html, re.S)
    ]


def title(html: str) -> str:
    """The page's title: what a screen reader says first."""
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    assert found, "the page has no title"
    return found.group(1).strip()


def pdf_text(data: bytes) -> str:
    """The text of a PDF, as one line."""
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def words(text: str) -> Counter[str]:
    """The words of a text, each as often as it comes, leaving out list bullets and the
    semicolons the print stylesheet puts between answers: they are marks, not words."""
    return Counter(word.rstrip(";") for word in text.split() if word not in ("•", ";"))


#: What the foot of every printed sheet says besides its number (static/print.css, pdf.py).
SHEET_FOOT = "Clonus self-check: summary for an appointment"


def pdf_words(pdf: bytes) -> Counter[str]:
    """The words of a PDF as poppler's pdftotext reads them, the foot of its sheets aside. A word
    broken after its own hyphen ("pre-" at the end of a line, "eclampsia" on the next) is
    joined whole, hyphen kept: the summary is set without hyphenation, so every hyphen at the
    end of a line is the word's own (pdftotext would drop it)."""
    text = subprocess.run(
        [program("pdftotext"), "-raw", "-enc", "UTF-8", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode()
    text = re.sub(r"(?<=\w-)\n", "", text).replace(SHEET_FOOT, " ")
    return words(re.sub(r"Page \d+ of \d+", " ", text))


def pdf_info(pdf: bytes) -> dict[str, str]:
    """What poppler's pdfinfo says of a PDF: ``Tagged``, ``Pages``, ``Page size``…"""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        said = subprocess.run(
            [program("pdfinfo"), file.name], capture_output=True, text=True, check=True
        ).stdout
    return dict(
        (name.strip(), value.strip()) for name, value in re.findall(r"^([^:]+):(.*)$", said, re.M)
    )


def cookie_contents(app: Any, client: Any) -> dict[str, set[str]]:
    """The keys each cookie of ``client`` holds, read as the app reads it: the signed session
    cookie is opened with the app's own signer (its raw text is encoded and shows nothing), the
    encrypted answers with the app's own key (the questions answered)."""
    from selfcheck.web.kept import COOKIE, SECURE_COOKIE, unseal

    serializer = app.session_interface.get_signing_serializer(app)
    found = {}
    for cookie in client._cookies.values():
        if cookie.key in (COOKIE, SECURE_COOKIE):
            kept = unseal(cookie.value, app)
            found[cookie.key] = {question for question, _ in kept.answers} if kept else set()
        else:
            found[cookie.key] = set(serializer.loads(cookie.value))
    return found


def in_layout(html: str) -> bool:
    """Whether a page is in the app's own layout: its header, footer links and promise."""
    return all(
        part in html
        for part in (
            'class="service-name"',
            'href="/privacy"',
            "Start again",
            "does not give a diagnosis",
        )
    )
