"""The summary as a PDF, made on the server with WeasyPrint.

WeasyPrint is imported only when a PDF is asked for, so starting the app stays fast. The PDF is
made from the same template and print stylesheet as the printed page, so the two always agree.
It never fetches anything: every style is passed in, and every URL is refused.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from selfcheck.paths import PACKAGE

PRINT_CSS = PACKAGE / "static" / "print.css"

#: The same two columns as the printed page, drawn as a grid: WeasyPrint balances CSS columns
#: by laying them out again and again (about 1 s a summary); a grid takes one pass (about 0.2 s).
PDF_ONLY_CSS = """
.answers, .other-causes { columns: auto; display: grid; grid-template-columns: 1fr 1fr;
                          column-gap: 7mm; }
"""


def _no_fetching(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"the summary does not load anything from outside ({url})")


@cache
def _styles() -> tuple[list[Any], Any]:
    """The print stylesheet and the fonts it uses, read once per process."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    return [CSS(filename=str(PRINT_CSS), font_config=fonts),
            CSS(string=PDF_ONLY_CSS, font_config=fonts)], fonts


def render_pdf(html: str) -> bytes:
    """The PDF of a rendered summary page."""
    from weasyprint import HTML

    stylesheets, fonts = _styles()
    document = HTML(string=html, url_fetcher=_no_fetching, base_url=str(PACKAGE))
    pdf = document.write_pdf(stylesheets=stylesheets, font_config=fonts)
    assert pdf is not None
    return bytes(pdf)
