"""The summary as a PDF, made on the server with WeasyPrint.

WeasyPrint is imported only when a PDF is asked for, so starting the app stays fast. The PDF is
made from the same template and print stylesheet as the printed page, so the two always agree.
It never fetches anything: every style is passed in, and every URL is refused.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from selfcheck.paths import PACKAGE, shipped

PRINT_CSS = shipped("static") / "print.css"

#: What the PDF draws differently from a browser's print. The page looks the same, but each rule
#: here takes WeasyPrint a fraction of the work of the rule it replaces:
#: - The other causes stand in two columns, two items to a row, as floats: the
#:   odd ones on the left, each starting a row, and the even ones on the right. WeasyPrint
#:   balances CSS columns by laying them out again and again (about 1 s a summary), and a grid
#:   lays out each item twice and measures its words besides. Each list is a box of its own
#:   (flow-root), so that the lines after it need not steer round its floats; the cleared
#:   ::after gives it the height of its floats, which flow-root alone does not in WeasyPrint.
#: - The Name and Date lines share their row as floats too, not in a flexible box. The box
#:   around them is a new block formatting context, so its margins stay as they were.
#: - A list's bullet stands inside its item and is pulled back into the margin by the width of
#:   "• " in DejaVu Sans (.908em), which is where an outside bullet stands: WeasyPrint makes an
#:   outside bullet a positioned box of its own, measured and laid out item by item.
#: - The page number's box has a width, so that it is not measured again on each page.
PDF_ONLY_CSS = """
.other-causes { columns: auto; display: flow-root; }
.other-causes::after { content: ""; display: block; clear: both; }
.other-causes > li { float: left; clear: both; width: calc(50% - 3.5mm); }
.other-causes > li:nth-child(even) { float: right; clear: none; }
.handwritten { display: flow-root; }
.write-line:nth-of-type(1) { float: left; width: calc(50% - 3.5mm); }
.write-line:nth-of-type(2) { float: right; width: calc(50% - 3.5mm); }
.write-line:nth-of-type(3) { clear: both; height: 9mm; }
ul.list > li { list-style-position: inside; text-indent: -.908em; }
@page { @bottom-right { width: 40mm; } }
"""


def _no_fetching(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"the summary does not load anything from outside ({url})")


@cache
def _styles() -> tuple[list[Any], Any]:
    """The print stylesheet and the fonts it uses, read once per process."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    return [
        CSS(filename=str(PRINT_CSS), font_config=fonts),
        CSS(string=PDF_ONLY_CSS, font_config=fonts),
    ], fonts


def render_pdf(html: str) -> bytes:
    """The PDF of a rendered summary page."""
    from weasyprint import HTML

    stylesheets, fonts = _styles()
    document = HTML(string=html, url_fetcher=_no_fetching, base_url=str(PACKAGE))
    pdf = document.write_pdf(stylesheets=stylesheets, font_config=fonts)
    assert pdf is not None
    return bytes(pdf)
