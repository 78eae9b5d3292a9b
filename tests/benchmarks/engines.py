"""PDF engines side by side, for `make bench`: the summary as the app makes it (WeasyPrint, as
shipped), WeasyPrint tuned, and Typst (the ``typst`` package) setting the same summary.

The app's engine is not changed here; this measures what a change would give. Each engine gets
the very summary the app renders for a PDF (captured from ``POST /summary.pdf``). For Typst,
that HTML is turned into Typst's markup element by element (headings, paragraphs, lists, the
answers as a two-column grid, the result in a box), every text as a Typst string, so no word
is added, lost or read as markup. For each engine: the median time of a PDF, its size, whether
it is tagged (pdfinfo), whether its words are the summary's words (pdftotext, each word as
often as on the page, the page numbers aside), and its pages drawn with pdftoppm for a look.
"""

from __future__ import annotations

import json
import re
import statistics
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from unittest import mock

from werkzeug.datastructures import MultiDict

FONTS = "/usr/share/fonts/truetype/dejavu"


def summary_html(form: MultiDict[str, str]) -> str:
    """The HTML the app turns into the PDF for ``form``'s answers."""
    from selfcheck import create_app
    from selfcheck.web.pdf import render_pdf

    app = create_app({"SECRET_KEY": "k", "WTF_CSRF_ENABLED": False})
    seen: list[str] = []

    def keep(html: str) -> bytes:
        seen.append(html)
        return render_pdf(html)

    with mock.patch("selfcheck.web.views.render_pdf", keep):
        response = app.test_client().post("/summary.pdf", data=form)
    assert response.mimetype == "application/pdf" and seen
    return seen[0]


def _string(text: str) -> str:
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
        self.because: list[str] = []

    def within(self, name: str) -> bool:
        return any(name in classes for _, classes in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        self.stack.append((tag, classes))
        if tag == "body":
            self.in_body = True
        elif tag in ("strong", "em"):
            normal = tag == "em" and self.within("treatments")
            self.marks.append("em-normal" if normal else tag)
        elif tag == "section":
            self.out.append(
                "#block(stroke: (rest: 2pt + black, left: 6pt + black), inset: "
                "(x: 4mm, top: 2.5mm, bottom: 1.5mm), width: 100%, breakable: false)["
            )
        elif tag == "ul" and "other-causes" in classes:
            # Two items to a row, as the PDF's stylesheet sets them (selfcheck/web/pdf.py).
            self.out.append(f"#text(size: 10pt)[#grid({GRID}")
        elif tag == "ul" and "because-list" not in classes:
            small = "treatments" in classes
            self.out.append(f"#text(size: {10 if small else 11}pt)[#list(tight: true,")
        elif tag == "dl":
            self.out.append(f"#text(size: 10pt)[#grid({GRID}")
        elif tag == "div" and "cause" in classes:
            self.out.append("#block(breakable: false)[")
        elif tag == "div" and "handwritten" in classes:
            self.out.append("#block(breakable: false)[")

    def text(self) -> str:
        text = "".join(self.inline).strip()
        self.inline = []
        return text

    def handle_endtag(self, tag: str) -> None:
        _, classes = self.stack.pop() if self.stack else (tag, [])
        if tag in ("strong", "em") and self.marks:
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
        elif tag in ("ul", "dl"):
            self.out.append(")]\n")
        elif tag == "section" or tag == "div" and ({"cause", "handwritten"} & set(classes)):
            self.out.append("]\n")
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
            self.out.append(
                "block(stroke: (top: 0.5pt), inset: (top: 0.5mm, bottom: 0.7mm), width: 100%, "
                f"breakable: false)[#strong[{text}] "
            )
        elif tag == "dd":
            self.out.append(f"{text}],")
        elif "write-line" in classes:
            self.out.append(
                f"#block(width: 100%, height: 6.5mm, inset: (top: 1.5mm), "
                f"stroke: (bottom: 0.75pt))[{text}]\n"
            )
        elif "notice" in classes:
            self.out.append(f"#block(stroke: 1pt, inset: (x: 2mm, y: 1mm))[#strong[{text}]]\n")
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


GRID = "columns: (1fr, 1fr), column-gutter: 7mm, row-gutter: 0.8mm,"

PREAMBLE = """#set document(title: {title})
#set text(font: "DejaVu Sans", size: 11pt, lang: "en", hyphenate: false)
#set par(leading: 0.5em, spacing: 1.6mm)
#set block(spacing: 1.5mm)
#set page(paper: "a4", margin: (top: 9mm, x: 10mm, bottom: 11mm),
  footer: context align(right, text(size: 10pt)[Page #counter(page).display() of #counter(page).final().first()]))
#show heading: set block(above: 3mm, below: 1mm)
#show heading.where(level: 1): set text(size: 17pt)
#show heading.where(level: 2): set text(size: 13pt)
#show heading.where(level: 3): set text(size: 11pt)
#set list(marker: [•], indent: 0mm, body-indent: 2mm, spacing: 1mm)
"""  # noqa: E501


def to_typst(html: str) -> str:
    """The summary's HTML as a Typst document with the same words."""
    parser = _Typst()
    parser.feed(html)
    return PREAMBLE.format(title=_string(parser.title.strip())) + "".join(parser.out)


def _words(text: str) -> Counter[str]:
    """The words of a text, each as often as it comes: list bullets and the semicolons that
    the print stylesheet puts between answers aside, as they are not words of the page."""
    return Counter(word.rstrip(";") for word in text.split() if word not in ("•", ";"))


class _Words(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.in_body = False

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self.in_body = self.in_body or tag == "body"

    def handle_data(self, data: str) -> None:
        if self.in_body:
            self.text.append(data)


def words_of_html(html: str) -> Counter[str]:
    parser = _Words()
    parser.feed(html)
    return _words(" ".join(parser.text))


def words_of_pdf(pdf: bytes) -> Counter[str]:
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return words_of_text(text)


def words_of_text(text: str) -> Counter[str]:
    """The words of a PDF's text, its page numbers ("Page 1 of 2") aside."""
    return _words(re.sub(r"Page \d+ of \d+", " ", text))


def tagged(pdf: bytes) -> bool:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        info = subprocess.run(["pdfinfo", file.name], capture_output=True, text=True).stdout
    return bool(re.search(r"^Tagged:\s+yes", info, re.M))


def draw(pdf: bytes, prefix: Path) -> list[Path]:
    """Each page as a PNG, 60 dots an inch."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        subprocess.run(["pdftoppm", "-r", "60", "-png", file.name, str(prefix)], check=True)
    return sorted(prefix.parent.glob(prefix.name + "-*.png"))


def engines() -> dict[str, Callable[[str], bytes]]:
    """Each engine, as a function from the summary's HTML to its PDF."""
    import typst
    from weasyprint import HTML

    from selfcheck.paths import PACKAGE
    from selfcheck.web import pdf

    stylesheets, fonts = pdf._styles()
    # A file, not bytes: the package's Compiler reads bytes for its first compile only. One
    # compiler, kept, as a worker would keep it: it loads the fonts once.
    source = Path(tempfile.mkdtemp(prefix="selfcheck-typst-")) / "summary.typ"
    source.write_text("")
    compiler = typst.Compiler(str(source), font_paths=[FONTS])

    def tuned(html: str) -> bytes:
        # The same layout; tagged, as a PDF should be, and its streams left uncompressed
        # (compressing is a twentieth of the time; the file grows tenfold).
        document = HTML(string=html, url_fetcher=pdf._no_fetching, base_url=str(PACKAGE))
        return bytes(
            document.write_pdf(
                stylesheets=stylesheets, font_config=fonts, pdf_tags=True, uncompressed_pdf=True
            )
        )

    def typst_kept(html: str) -> bytes:
        source.write_text(to_typst(html))
        made = compiler.compile(format="pdf")
        assert isinstance(made, bytes)
        return made

    def typst_new(html: str) -> bytes:
        fresh = source.with_name("fresh.typ")
        fresh.write_text(to_typst(html))
        return typst.compile(str(fresh), format="pdf", font_paths=[FONTS])

    return {
        "WeasyPrint, as the app makes it": pdf.render_pdf,
        "WeasyPrint, tuned (tagged, streams uncompressed)": tuned,
        "Typst (typst package), the same summary, one compiler kept": typst_kept,
        "Typst, a new compiler for each PDF (fonts loaded each time)": typst_new,
    }


def compare(form: MultiDict[str, str], pictures: Path, runs: int = 20) -> list[dict[str, Any]]:
    """Every engine's figures for ``form``'s summary; pages drawn into ``pictures``. Each timed
    PDF is a summary of its own (a number added to its first line), so that no engine can
    reuse the work of the one before, as none could for two people."""
    html = summary_html(form)
    first_line = re.search(r'<p class="service-name">([^<]*)</p>', html)
    assert first_line is not None
    expected = words_of_html(html)
    rows = []
    pictures.mkdir(parents=True, exist_ok=True)
    for number, (name, make) in enumerate(engines().items(), start=1):
        made = make(html)  # the first, with any import and font loading, is not counted
        times = []
        for run in range(runs):
            other = html.replace(first_line.group(1), f"{first_line.group(1)} ({run})")
            started = time.perf_counter()
            make(other)
            times.append((time.perf_counter() - started) * 1000)
        got = words_of_pdf(made)
        drawn = draw(made, pictures / f"engine-{number}")
        rows.append(
            {
                "engine": name,
                "median_ms": statistics.median(times),
                "bytes": len(made),
                "pages": len(drawn),
                "tagged": tagged(made),
                "missing": sum((expected - got).values()),
                "extra": sum((got - expected).values()),
                "pictures": drawn,
            }
        )
    return rows
