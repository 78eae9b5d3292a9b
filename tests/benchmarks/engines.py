"""PDF engines side by side, for `make bench`: the summary as the app makes it (Typst, the
``typst`` package, selfcheck/web/pdf.py), Typst with a new compiler for each PDF, WeasyPrint as
the app ran it until issue 13, and WeasyPrint tuned.

Each engine gets the very summary the app renders for a PDF (captured from
``POST /summary.pdf``): Typst through the app's own conversion of that HTML into Typst's markup,
WeasyPrint from the HTML and static/print.css with the PDF's own rules below. For each engine:
the median time of a PDF, its size, whether it is tagged (pdfinfo), whether its words are the
summary's words (pdftotext, each word as often as on the page, the page numbers aside), and its
pages drawn with pdftoppm for a look.
"""

from __future__ import annotations

import re
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any
from unittest import mock

from werkzeug.datastructures import MultiDict

from ..testing.pages import pdf_info, pdf_words, visible_text, words


def summary_html(form: MultiDict[str, str]) -> str:
    """The HTML the app turns into the PDF for ``form``'s answers."""
    from selfcheck import create_app
    from selfcheck.web.pdf import render_pdf

    app = create_app({"SECRET_KEY": "k", "WTF_CSRF_ENABLED": False})
    seen: list[str] = []

    def keep(html: str, sheet: object = None) -> bytes:
        seen.append(html)
        return render_pdf(html)

    with mock.patch("selfcheck.web.views.render_pdf", keep):
        response = app.test_client().post("/summary.pdf", data=form)
    assert response.mimetype == "application/pdf" and seen
    return seen[0]


#: What WeasyPrint's PDF drew differently from a browser's print, as the app had it until it
#: moved to Typst. Each rule takes WeasyPrint a fraction of the work of the rule it replaces:
#: floats in two columns instead of CSS columns (which WeasyPrint balances by laying them out
#: again and again, about 1 s a summary) or a grid (each item laid out twice); the Name and Date
#: lines as floats, not a flexible box; a list's bullet inside its item, pulled back into the
#: margin by the width of "• " in DejaVu Sans (.908em); the page number's box with a width. The
#: QR code of the answers (issue 14) is left out, its caption kept: beside two columns of
#: answers it pushed the person's part onto a third page, and WeasyPrint cropped it when made
#: smaller. The engines are compared on the words and the layout of the text.
WEASYPRINT_CSS = """
.answers, .other-causes { columns: auto; display: flow-root; }
.answers::after, .other-causes::after { content: ""; display: block; clear: both; }
.answers > .answer, .other-causes > li {
  float: left; clear: both; width: calc(50% - 3.5mm); }
.answers > .answer:nth-child(even), .other-causes > li:nth-child(even) {
  float: right; clear: none; }
.handwritten { display: flow-root; }
.write-line:nth-of-type(1) { float: left; width: calc(50% - 3.5mm); }
.write-line:nth-of-type(2) { float: right; width: calc(50% - 3.5mm); }
.write-line:nth-of-type(3) { clear: both; }
ul.list > li { list-style-position: inside; text-indent: -.908em; }
@page { @bottom-right { width: 40mm; } }
.record-code, .record-code[hidden] { float: none; width: auto; }
.record-code svg { display: none; }
"""


def _no_fetching(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"the summary does not load anything from outside ({url})")


@cache
def _weasyprint_styles() -> tuple[list[Any], Any]:
    """The print stylesheet, the PDF's rules and the fonts they use, read once per process."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    from selfcheck.paths import shipped

    fonts = FontConfiguration()
    return [
        CSS(filename=str(shipped("static") / "print.css"), font_config=fonts),
        CSS(string=WEASYPRINT_CSS, font_config=fonts),
    ], fonts


def weasyprint(html: str, **options: Any) -> bytes:
    """The summary's PDF by WeasyPrint; ``options`` go to ``write_pdf``."""
    from weasyprint import HTML

    from selfcheck.paths import PACKAGE

    stylesheets, fonts = _weasyprint_styles()
    document = HTML(string=html, url_fetcher=_no_fetching, base_url=str(PACKAGE))
    return bytes(document.write_pdf(stylesheets=stylesheets, font_config=fonts, **options))


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

    from selfcheck.web import pdf

    def typst_new(html: str) -> bytes:
        compiler = typst.Compiler(font_paths=[pdf.FONTS], ignore_system_fonts=True)
        made = compiler.compile(input=pdf.to_typst(html).encode(), format="pdf")
        assert isinstance(made, bytes)
        return made

    return {
        "Typst, as the app makes it (one compiler kept per process, PDF/UA-1)": pdf.render_pdf,
        "Typst, a new compiler for each PDF (fonts loaded each time)": typst_new,
        "WeasyPrint, as the app made it until issue 13": weasyprint,
        # The same layout; tagged, and its streams left uncompressed (compressing is a
        # twentieth of the time; the file grows tenfold).
        "WeasyPrint, tuned (tagged, streams uncompressed)": lambda html: weasyprint(
            html, pdf_tags=True, uncompressed_pdf=True
        ),
    }


def compare(form: MultiDict[str, str], pictures: Path, runs: int) -> list[dict[str, Any]]:
    """Every engine's figures for ``form``'s summary; pages drawn into ``pictures``. Each timed
    PDF is a summary of its own (a number added to its heading), so that no engine can
    reuse the work of the one before, as none could for two people."""
    html = summary_html(form)
    heading = re.search(r'<h1 id="urgency-heading">[^<]*', html)
    assert heading is not None, "the summary has no heading of its result to number"
    expected = words(visible_text(html, "body"))
    rows = []
    pictures.mkdir(parents=True, exist_ok=True)
    for number, (name, make) in enumerate(engines().items(), start=1):
        made = make(html)  # the first, with any import and font loading, is not counted
        times = []
        for run in range(runs):
            other = html.replace(heading.group(), f"{heading.group()} ({run})", 1)
            started = time.perf_counter()
            make(other)
            times.append((time.perf_counter() - started) * 1000)
        got = pdf_words(made)
        drawn = draw(made, pictures / f"engine-{number}")
        rows.append(
            {
                "engine": name,
                "median_ms": statistics.median(times),
                "bytes": len(made),
                "pages": len(drawn),
                "tagged": pdf_info(made)["Tagged"] == "yes",
                "missing": sum((expected - got).values()),
                "extra": sum((got - expected).values()),
                "pictures": drawn,
            }
        )
    return rows
