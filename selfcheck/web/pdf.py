"""The summary as a PDF, set on the server by Typst (the ``typst`` package).

The PDF is made from the very page the printed summary is: templates/summary.html, which holds
the same ``_summary.html`` as the screen. That HTML is turned into Typst's markup element by
element (headings, paragraphs, lists, the answers in two columns, the result in its box), with
every piece of text passed as a Typst string, so no word is added, lost or read as markup, and
the sizes are those of static/print.css. Typst tags the PDF (PDF/UA-1), so a screen reader finds
its headings and lists.

Why Typst and not a browser-like engine (WeasyPrint made the PDF until issue 13): a summary
takes Typst about 4 ms with its compiler kept, against about 130 ms for WeasyPrint at its
fastest, and WeasyPrint's PDF was untagged (docs/benchmarks.md, "PDF engines").

Each process keeps one compiler, made on the first PDF: it loads the fonts once. The source is
passed as bytes, so nothing is written to a file; Typst reads no file and fetches nothing but
the DejaVu fonts.
"""

from __future__ import annotations

import html as markup
import json
import re
import threading
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from typing import Any

from selfcheck.web.language import ENGLISH

#: The summary's typeface, as static/print.css sets it (Debian's fonts-dejavu-core).
FONTS = "/usr/share/fonts/truetype/dejavu"

#: Two columns, 7 mm apart, as the print stylesheet sets the other causes and the Name and Date
#: of birth lines.
GRID = "columns: (1fr, 1fr), column-gutter: 7mm, row-gutter: 0.8mm,"

#: The answers, each a row of two aligned columns (the question, then the answer), with a rule
#: above each row and a clear space between the rule and the letters on either side of it; a
#: row is never split between two pages. A line reaches as high and as low as its letters do
#: (Arabic marks reach above and below the font's own lines), so the space is kept in every
#: language; the first line of the question and of the answer share one height, so they stand
#: on one line. The first rows stand at the left of the QR code (at its right in Arabic), as
#: many as its height takes; the rows below it take the whole width of the page, so that no
#: strip of paper under the code is left empty.
ANSWERS = """#let answers(question, ..rows) = {
  set grid.cell(breakable: false)
  set text(top-edge: "bounds", bottom-edge: "bounds")
  set par(leading: 0.25em)
  let first-line(row) = {
    let top(cell) = measure(text(top-edge: "bounds", bottom-edge: "baseline", cell)).height
    let tallest = calc.max(..row.map(top))
    row.map(cell => [#box(height: tallest)#cell])
  }
  grid(columns: (question, 1fr), column-gutter: 3mm, inset: (top: 0.3mm, bottom: 0.5mm),
    ..rows.pos().map(row => (grid.hline(stroke: 0.5pt), ..first-line(row))).flatten())
}
#let beside-code(code, rows) = layout(size => {
  let (width, height) = measure(code)
  let narrow = size.width - width - 4mm
  // Half the width, but never so wide that the answers beside the code get less than 45 mm.
  let question = calc.min(0.5 * size.width, narrow - 48mm)
  let (beside, used) = (0, 0pt)
  while beside < rows.len() and used < height {
    used += measure(answers(question, rows.at(beside)), width: narrow).height
    beside += 1
  }
  grid(columns: (1fr, auto), column-gutter: 4mm,
    grid.cell(x: 1, y: 0, code), grid.cell(x: 0, y: 0, answers(question, ..rows.slice(0, beside))))
  if beside < rows.len() { answers(question, ..rows.slice(beside)) }
})
"""

#: The page and the type of static/print.css: A4, its margins, 10 pt text, 16/13/11 pt headings,
#: lists indented 5 mm with the bullet hanging to the left of the text, the summary's name at the
#: foot on the left and the page number on the right.
PREAMBLE = """#set document(title: {title})
#set text(font: "DejaVu Sans", size: 10pt, lang: {lang}, dir: {dir}, hyphenate: false)
#set par(leading: 0.45em, spacing: 1.3mm)
#set block(spacing: 1.2mm)
#set page(paper: "a4", margin: (top: 6mm, x: 10mm, bottom: 9mm),
  footer: context text(size: 10pt)[{name} #h(1fr) {numbering}])
#show heading: set block(above: 2.2mm, below: 1mm)
#show heading.where(level: 1): set text(size: 16pt)
#show heading.where(level: 2): set text(size: 13pt)
#show heading.where(level: 3): set text(size: 11pt)
#set list(marker: [•], indent: 1.8mm, body-indent: 1.1mm, spacing: 1mm)
"""  # noqa: E501


def _string(text: str) -> str:
    """``text`` as a Typst string literal: Typst's escapes are JSON's."""
    return json.dumps(text, ensure_ascii=False)


class _Typst(HTMLParser):
    """The summary's HTML as Typst markup, laid out as static/print.css lays it out. Inline
    text becomes ``#"..."`` strings, inside ``#strong``/``#emph`` where the HTML has them;
    blocks become Typst's own elements. What the stylesheet adds, Typst adds too: the
    semicolons between the answers after "Because you said", the page numbers."""

    BLOCKS = {"p", "h1", "h2", "h3", "li", "dt", "dd"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.inline: list[str] = []
        self.marks: list[str] = []
        self.stack: list[tuple[str, list[str]]] = []
        self.in_body = False
        self.title = ""
        self.lang = ENGLISH
        self.direction = "ltr"
        self.because: list[str] = []
        self.write_lines: list[str] = []
        #: The QR code's <svg> as it is read, and its width.
        self.svg: list[str] = []
        self.svg_width = "auto"
        self.svg_alt = ""

    def within(self, name: str) -> bool:
        return any(name in classes for _, classes in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        self.stack.append((tag, classes))
        if tag == "svg" or self.svg:
            self.picture(tag, attrs)
        elif tag == "html":
            self.lang = dict(attrs).get("lang") or ENGLISH
            self.direction = dict(attrs).get("dir") or "ltr"
        elif tag == "body":
            self.in_body = True
        elif tag in ("strong", "em"):
            normal = tag == "em" and self.within("treatments")
            self.marks.append("em-normal" if normal else tag)
        elif tag == "section":
            # The thick rule on the side where the text starts: the right in Arabic.
            start = "right" if self.direction == "rtl" else "left"
            self.out.append(
                f"#block(stroke: (rest: 2pt + black, {start}: 6pt + black), inset: "
                "(x: 4mm, top: 2.5mm, bottom: 2mm), width: 100%, breakable: false)["
            )
        elif tag == "ul" and "other-causes" in classes:
            self.out.append(f"#text(size: 10pt)[#grid({GRID}")
        elif tag == "dl":  # the answers, each a row: [question], [answer]
            self.out.append("#let rows = (")
        elif tag == "div" and "for-you" in classes:  # the person's part starts page 2
            self.out.append("#pagebreak()\n")
        elif tag == "ul" and "because-list" not in classes:
            self.out.append("#text(size: 10pt)[#list(tight: true,")
        elif tag == "div" and {"cause", "handwritten"} & set(classes):
            self.out.append("#block(breakable: false)[")
        elif tag == "div" and "with-code" in classes:  # the QR code, at the right of the answers
            self.out.append("#let code = [")

    def picture(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """An element of the QR code's <svg>, kept as SVG for Typst to draw."""
        if tag == "svg":
            found = dict(attrs)
            self.svg_width = found.get("width") or "auto"
            self.svg_alt = found.get("aria-label") or ""
        written = "".join(
            f' {name}="{markup.escape(value or "", quote=True)}"' for name, value in attrs
        )
        self.svg.append(f"<{tag}{written}>")

    def text(self) -> str:
        text = "".join(self.inline).strip()
        self.inline = []
        return text

    def handle_endtag(self, tag: str) -> None:
        _, classes = self.stack.pop() if self.stack else (tag, [])
        if self.svg:
            self.svg.append(f"</{tag}>")
            if tag == "svg":  # drawn from its own SVG, with its alt text for a screen reader
                self.out.append(
                    f'#image(bytes({_string("".join(self.svg))}), format: "svg", '
                    f"width: {self.svg_width}, alt: {_string(self.svg_alt)})\n"
                )
                self.svg = []
        elif tag in ("strong", "em") and self.marks:
            self.marks.pop()
        elif tag == "li" and self.within("because-list"):
            self.because.append(self.text())
        elif tag == "p" and "because" in classes:
            self.because.append(self.text())
        elif tag in self.BLOCKS:
            self.block(tag, classes, self.text())
        elif tag == "ul" and "because-list" in classes:
            words, answers = self.because[0], self.because[1:]
            joined = '#";" '.join(answers)
            self.out.append(f"#par[#text(size: 10pt)[{words} {joined}]]\n")
            self.because = []
        elif tag == "dl":
            self.out.append(")\n")
        elif tag == "ul":
            self.out.append(")]\n")
        elif tag == "section" or tag == "div" and ({"cause", "handwritten"} & set(classes)):
            self.out.append("]\n")
        elif tag == "div" and "record-code" in classes:
            self.out.append("]\n")
        elif tag == "div" and "with-code" in classes:
            self.out.append("#text(size: 10pt, beside-code(code, rows))\n")
        elif tag == "body":
            self.in_body = False

    def block(self, tag: str, classes: list[str], text: str) -> None:
        if tag == "li" and self.within("other-causes"):
            self.out.append(f"list(tight: true, [{text}]),")
        elif tag == "li":
            self.out.append(f"[{text}],")
        elif tag.startswith("h"):
            self.out.append(f"#heading(level: {tag[1]})[{text}]\n")
        elif tag == "dt":
            self.out.append(f"([#strong[{text}]], ")
        elif tag == "dd":
            self.out.append(f"[{text}]),")
        elif "write-line" in classes:
            # The Name and Date lines share a row, as on paper; the Notes line is whole.
            self.write_lines.append(
                f"block(width: 100%, height: 6mm, inset: (top: 1.2mm), "
                f"stroke: (bottom: 0.75pt))[{text}]"
            )
            if len(self.write_lines) == 2:
                self.out.append(f"#grid({GRID} {', '.join(self.write_lines)})\n")
            elif len(self.write_lines) > 2:
                self.out.append(f"#{self.write_lines[-1]}\n")
        elif "record-caption" in classes:
            self.out.append(f"#block(width: {self.svg_width})[#text(size: 10pt)[{text}]]\n")
        elif "notice" in classes:
            # Its box clear of the letters in it and above it, in Arabic too.
            self.out.append(
                "#block(stroke: 1pt, inset: (x: 2mm, y: 0.7mm), above: 1.8mm)"
                f'[#set text(top-edge: "bounds", bottom-edge: "bounds")\n#strong[{text}]]\n'
            )
        elif "not-diagnosis" in classes:
            self.out.append(f"#strong[{text}]\n\n")
        elif "service-name" in classes:
            self.out.append(f"#text(size: 10pt)[#strong[{text}]]\n\n")
        elif {"caption", "meta"} & set(classes):
            self.out.append(f"#text(size: 10pt)[{text}]\n\n")
        else:
            self.out.append(f"{text}\n\n")

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1][0] == "title":
            self.title += data
        if not self.in_body or not data.strip() and not self.inline:
            return
        piece = "#" + _string(re.sub(r"\s+", " ", data))
        for mark in reversed(self.marks):
            piece = {"strong": "#strong[{}]", "em": "#emph[{}]"}.get(mark, "{}").format(piece)
        self.inline.append(piece)


@dataclass(frozen=True)
class Sheet:
    """What the foot of each sheet says, in the summary's language: its name, and its number
    with the placeholders ``%(page)s`` and ``%(pages)s``."""

    name: str = "Clonus self-check: summary for an appointment"
    numbering: str = "Page %(page)s of %(pages)s"

    def typst(self) -> tuple[str, str]:
        counters = {"page": "#counter(page).display()", "pages": "#counter(page).final().first()"}
        parts = re.split(r"%\((page|pages)\)s", self.numbering)
        numbering = "".join(
            counters[part] if odd else "#" + _string(part) if part else ""
            for odd, part in ((i % 2, part) for i, part in enumerate(parts))
        )
        return "#" + _string(self.name), numbering


def to_typst(html: str, sheet: Sheet | None = None) -> str:
    """A rendered summary page as a Typst document with the same words, in the language and
    the direction its ``<html>`` element names (Arabic from right to left)."""
    parser = _Typst()
    parser.feed(html)
    name, numbering = (sheet or Sheet()).typst()
    return (
        PREAMBLE.format(
            title=_string(parser.title.strip()),
            lang=_string(parser.lang),
            dir="rtl" if parser.direction == "rtl" else "ltr",
            name=name,
            numbering=numbering,
        )
        + ANSWERS
        + "".join(parser.out)
    )


_compiling = threading.Lock()


@cache
def _compiler() -> Any:
    """This process's Typst compiler, with the DejaVu fonts and no others, so that the PDF is
    the same on every machine."""
    import typst

    return typst.Compiler(font_paths=[FONTS], ignore_system_fonts=True)


def render_pdf(html: str, sheet: Sheet | None = None) -> bytes:
    """The PDF of a rendered summary page: A4, tagged to PDF/UA-1; ``sheet``: the words at the
    foot of each sheet, in the summary's language."""
    source = to_typst(html, sheet).encode()
    # One compile at a time per compiler (the development server answers in threads).
    with _compiling:
        pdf = _compiler().compile(input=source, format="pdf", pdf_standards="ua-1")
    assert isinstance(pdf, bytes)
    return pdf
