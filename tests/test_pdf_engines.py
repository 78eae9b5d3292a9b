"""The engines that `make bench` compares (tests/benchmarks/engines.py) must make the same
summary: the app's own Typst PDF and WeasyPrint's, the same words, at most two pages. And
nothing a person could type is read by Typst as markup."""

from __future__ import annotations

import pytest

from selfcheck.web.pdf import to_typst

from .benchmarks.bench import soon_form
from .benchmarks.engines import engines, summary_html
from .testing.pages import pdf_info, pdf_words, visible_text, words


@pytest.fixture(scope="module")
def html() -> str:
    return summary_html(soon_form())


@pytest.mark.parametrize("engine", list(engines()))
def test_each_engine_sets_the_same_words_as_the_summary(html: str, engine: str):
    made = engines()[engine](html)
    assert pdf_words(made) == words(visible_text(html, "body"))
    assert 1 <= int(pdf_info(made)["Pages"]) <= 2


def test_no_text_is_read_as_typst_markup():
    html = (
        '<body><p>A *star*, an _under_ #hash $dollar [x] @ref &lt;label&gt; // "q" \\ </p></body>'
    )
    assert '#"A *star*, an _under_ #hash $dollar [x] @ref <label> // \\"q\\" \\\\ "' in to_typst(
        html
    )
