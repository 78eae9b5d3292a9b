"""The Typst version of the summary that `make bench` times against WeasyPrint
(tests/benchmarks/engines.py) must be the same summary: the same words, tagged, two pages."""

from __future__ import annotations

import io

import pypdf
import pytest

from .benchmarks.bench import soon_form
from .benchmarks.engines import engines, summary_html, to_typst, words_of_html, words_of_text
from .testing.answers import URGENT_MEDICINE


@pytest.mark.parametrize("answers", [None, URGENT_MEDICINE, {"red_flags": "stroke_signs"}])
def test_typst_sets_the_same_words_as_the_summary(answers):
    form = soon_form()
    if answers is not None:
        form.clear()
        for name, value in answers.items():
            form.setlist(name, [value] if isinstance(value, str) else value)
    html = summary_html(form)
    made = engines()["Typst (typst package), the same summary, one compiler kept"](html)
    pdf = pypdf.PdfReader(io.BytesIO(made))
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert words_of_text(text) == words_of_html(html)
    assert "/StructTreeRoot" in pdf.root_object, "tagged"
    assert len(pdf.pages) <= 2


def test_no_text_is_read_as_typst_markup():
    html = (
        '<body><p>A *star*, an _under_ #hash $dollar [x] @ref &lt;label&gt; // "q" \\ </p></body>'
    )
    assert '#"A *star*, an _under_ #hash $dollar [x] @ref <label> // \\"q\\" \\\\ "' in to_typst(
        html
    )
