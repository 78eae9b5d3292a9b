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


def _no_fetching(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"the summary does not load anything from outside ({url})")


@cache
def _stylesheets() -> list[Any]:
    from weasyprint import CSS

    return [CSS(filename=str(PRINT_CSS))]


def render_pdf(html: str) -> bytes:
    """The PDF of a rendered summary page."""
    from weasyprint import HTML

    document = HTML(string=html, url_fetcher=_no_fetching, base_url=str(PACKAGE))
    pdf = document.write_pdf(stylesheets=_stylesheets())
    assert pdf is not None
    return bytes(pdf)
