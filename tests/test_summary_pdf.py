"""The downloaded PDF as it looks on paper: where the words stand on the page, not only which.

Typst sets the PDF from the summary page with rules of its own (selfcheck/web/pdf.py), so these
check what a person would see go wrong: a third sheet, the answers in one long column or out of
their rows, list bullets that no longer hang in the margin, a PDF with no tags for a screen
reader, or words that are not the summary's.
"""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from PIL import Image
from pypdf import PdfReader

from selfcheck import create_app
from selfcheck.answers import not_asked
from selfcheck.outcome import evaluate
from selfcheck.rules import Rules
from selfcheck.web import pdf

from .testing.answers import BY_LEVEL, SOON, URGENT_MEDICINE, as_sets
from .testing.pages import pdf_info, pdf_text, pdf_words, visible_text, words
from .testing.rules import APPROVED, SHIPPED, SHIPPED_FINGERPRINT, edited
from .testing.servers import program
from .testing.visitor import Journey

A4 = (595.3, 841.9)  # points


@dataclass(frozen=True)
class Run:
    """A run of text as drawn: its page, where it starts (points from the bottom left)."""

    page: int
    x: float
    y: float
    text: str


def runs(pdf: bytes) -> list[Run]:
    found: list[Run] = []
    for number, page in enumerate(PdfReader(io.BytesIO(pdf)).pages):

        def visit(text: str, cm: Any, tm: Any, font: Any, size: Any, number: int = number) -> None:
            if text.strip():
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                found.append(Run(number, round(x, 1), round(y, 1), text.strip()))

        page.extract_text(visitor_text=visit)
    return found


def between(found: list[Run], start: str, end: str) -> list[Run]:
    """The runs drawn after the heading ``start`` and before the heading ``end``, leaving out
    the page numbers at the foot of the pages."""

    def place(run: Run) -> tuple[int, float]:
        return run.page, -run.y

    first = place(next(r for r in found if r.text == start))
    last = place(next(r for r in found if r.text == end))
    return [
        r for r in found if first < place(r) < last and not re.fullmatch(r"Page \d+ of \d+", r.text)
    ]


def pdf_of(journey: Journey, answers: dict[str, Any]) -> bytes:
    journey.complete(answers)
    response = journey.submit("pdf")
    assert response.mimetype == "application/pdf"
    return bytes(response.data)


@pytest.mark.parametrize("level", [*BY_LEVEL, "emergency"])
def test_the_pdf_is_tagged_and_says_what_the_summary_says(journey: Journey, level: str):
    """A screen reader finds headings and lists in the PDF (pdfinfo: "Tagged: yes"), and the
    PDF has every word of the summary the page shows, each as often, and no other: the summary
    the PDF is made from is the same template (_summary.html) as the one on the screen."""
    with mock.patch("selfcheck.web.views.render_pdf", wraps=pdf.render_pdf) as render:
        made = pdf_of(journey, BY_LEVEL.get(level, {"red_flags": "stroke_signs"}))
    summary = render.call_args.args[0]
    assert pdf_info(made)["Tagged"] == "yes"
    assert pdf_words(made) == words(visible_text(summary, "body"))


@pytest.mark.parametrize("level", list(BY_LEVEL))
def test_a_summary_is_two_sheets_of_a4(journey: Journey, level: str):
    reader = PdfReader(io.BytesIO(pdf_of(journey, BY_LEVEL[level])))
    assert len(reader.pages) == 2
    for number, page in enumerate(reader.pages, start=1):
        size = (float(page.mediabox.width), float(page.mediabox.height))
        assert size == pytest.approx(A4, abs=1)
        assert f"Page {number} of 2" in page.extract_text()


def test_page_1_is_the_clinicians_with_the_answers_in_one_column(journey: Journey, rules: Rules):
    """A clinician reads page 1 from top to bottom: lines for the name, date of birth and
    notes, the advice, why, every answer one below the other in the order asked, the
    conditions to discuss, the date and the rules version. The person's own part is page 2."""
    found = runs(pdf_of(journey, SOON))
    first = [r for r in found if r.page == 0]
    text = " ".join(r.text for r in first)
    for part in ("Name:", "Date of birth:", "Notes:", "Book an appointment", "Why we say this"):
        assert part in text, part
    assert "Worth discussing with your clinician" in text and "Made on" in text
    assert "Other things that can cause clonus" not in text, "the person's part is page 2"
    answers = between(found, "Your answers", "Worth discussing with your clinician")
    skipped = not_asked(rules, as_sets(SOON))
    asked = [q for q in rules.questions.values() if q.id not in skipped]
    starts = [
        next(
            r
            for r in answers
            if (len(r.text) > 6 and question.summary.startswith(r.text))
            or r.text.startswith(question.summary)
        )
        for question in asked
    ]
    assert {start.page for start in starts} == {0}, "every answer on page 1"
    assert len({start.x for start in starts}) == 1, "one column: each starts at the left"
    rows = [-start.y for start in starts]
    assert rows == sorted(rows) and len(set(rows)) == len(rows), "each answer below the last"


def test_list_bullets_hang_in_the_margin(journey: Journey, rules: Rules):
    """In the treatment questions, every line of an item starts at the same place; only the
    bullet stands to the left of it."""
    listed = between(
        runs(pdf_of(journey, SOON)),
        "Questions you could ask about treatment",
        "Does clonus go away?",
    )
    margin = min(r.x for r in listed)  # the paragraph above the list
    line_starts: dict[tuple[int, float], Run] = {}
    for run in listed:
        line = run.page, run.y
        if run.x > margin and (line not in line_starts or run.x < line_starts[line].x):
            line_starts[line] = run
    bullets = [r.x for r in line_starts.values() if r.text == "•"]
    text = {r.x for r in line_starts.values() if r.text != "•"}
    assert len(bullets) == len(rules.treatments), "a bullet for each treatment"
    assert len(set(bullets)) == 1 and len(text) == 1, (bullets, text)
    assert 4 < text.pop() - bullets[0] < 12, "the text starts just right of its bullet"


@pytest.mark.parametrize("state", ["draft", "approved", "changed after approval"])
def test_the_result_and_the_pdf_name_the_version_fingerprint_and_status(tmp_path, state: str):
    """Next to the version, the first 12 hex digits of the rules' fingerprint; the status is
    derived from the approvals, so an edit after the approval shows a draft again. On screen
    they are the last words of the result, in plain words."""
    approved = edited(SHIPPED, *APPROVED)
    text = {
        "draft": SHIPPED,
        "approved": approved,
        "changed after approval": edited(approved, ("checked today", "seen today")),
    }[state]
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    app = create_app({"TESTING": True, "SECRET_KEY": "k", "RULES_FILE": str(path)})
    rules = app.extensions["selfcheck"].rules
    journey = Journey(app.test_client(), rules)
    page = visible_text(journey.complete(SOON).get_data(as_text=True))
    paper = " ".join(pdf_text(journey.submit("pdf").data).split())
    status = (
        "approved by Dr A. Example (consultant neurologist) on 2025-01-31"
        if state == "approved"
        else "a draft"
    )
    said = f"rules version 0.1.0 (fingerprint {rules.short_fingerprint}), {status}."
    assert len(rules.short_fingerprint) == 12
    assert (rules.short_fingerprint == SHIPPED_FINGERPRINT[:12]) == (
        state != "changed after approval"
    )
    draft_notice = "These rules are a draft, not yet approved by a clinician (version 0.1.0)."
    assert said in paper
    assert (draft_notice in paper) == (state != "approved")
    # On screen, in small print at the foot, in words a patient can read.
    foot = page[page.index("These rules are version") :]
    on_screen = (
        "These rules are version 0.1.0. Dr A. Example (consultant neurologist) approved them "
        "on 2025-01-31."
        if state == "approved"
        else "These rules are version 0.1.0. They are a draft: no clinician has approved them yet."
    )
    assert foot.startswith(on_screen)
    assert "draft" not in page.replace(foot, "")
    assert f"by their code, {rules.short_fingerprint}. It is on the PDF too." in foot


def test_the_answers_stand_in_two_aligned_columns(journey: Journey, rules: Rules):
    """Each question in bold at the left, its answer at the right, every answer starting at
    the same place whether it stands beside the QR code or below it: a clinician reads down
    the answers without reading the questions (they ran on in one line before)."""
    found = runs(pdf_of(journey, SOON))
    answers = between(found, "Your answers", "Worth discussing with your clinician")
    outcome = evaluate(rules, as_sets(SOON))
    questions, said = [], []
    for item in outcome.answers:
        question = next(r for r in answers if item.question.summary.startswith(r.text))
        answer = next(
            (
                r
                for r in answers
                if r.y == question.y and r.x > question.x and item.said[:8] in r.text
            ),
            None,
        )
        assert answer, f"{item.said!r} on the line of {item.question.summary!r}, at its right"
        questions.append(question.x)
        said.append(answer.x)
    assert len(set(questions)) == 1, "every question starts at the left"
    assert len(set(said)) == 1, f"every answer starts at the same place: {sorted(set(said))}"
    assert said[0] - questions[0] > 150, "at the right of the questions (over 5 cm)"


#: At 200 dpi: a rule is a row of dark pixels at least 3 cm long; the space kept clear above
#: it, at least 3 rows of pixels (0.4 mm).
DPI, RULE, CLEAR = 200, 236, 3


def rules_and_ink(pdf: bytes, page: int = 1) -> list[tuple[int, int]]:
    """Each horizontal rule on page ``page`` drawn at ``DPI``: the row where it starts, and
    the nearest row above it with ink within the rule's span (the sides of a box aside)."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "summary.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            [program("pdftoppm"), "-r", str(DPI), "-f", str(page), "-l", str(page), "-gray"]
            + ["-png", str(source), str(Path(folder) / "page")],
            check=True,
        )
        (picture,) = Path(folder).glob("page*.png")
        image = Image.open(picture).convert("L")
    width, height = image.size
    ink = bytes(49 if value < 160 else 48 for value in range(256))  # "1" dark, "0" light
    rows = [line.translate(ink) for line in _rows(image.tobytes(), width)]
    found = []
    y = 0
    while y < height:
        spans = [m.span() for m in re.finditer(rb"1{%d,}" % RULE, rows[y])]
        if not spans:
            y += 1
            continue
        start, end = max(spans, key=lambda span: span[1] - span[0])
        inside = slice(start + 20, end - 20)  # not the sides of a box, up to 6 pt thick
        # The rule's thickness, its edges drawn part grey: a row a quarter dark or more.
        top = y
        while top > 0 and rows[top - 1][inside].count(b"1") > (end - start) // 4:
            top -= 1
        while y < height and rows[y][inside].count(b"1") > (end - start) // 4:
            y += 1
        above = top - 1
        while above > 0 and b"1" not in rows[above][inside]:
            above -= 1
        found.append((top, above))
    return found


def _rows(data: bytes, width: int) -> list[bytes]:
    return [data[i : i + width] for i in range(0, len(data), width)]


@pytest.mark.parametrize("prefix", ["", "/ar"], ids=["en", "ar"])
def test_no_rule_touches_the_letters_above_it(client, rules: Rules, prefix: str):
    """Between each rule of page 1 (above each answer, round the advice, under the lines to
    write on) and the letters above it, a clear space: in Arabic too, whose letters reach
    further below the line."""
    journey = Journey(client, rules, prefix)
    drawn = rules_and_ink(pdf_of(journey, URGENT_MEDICINE))
    assert len(drawn) > len(evaluate(rules, as_sets(URGENT_MEDICINE)).answers), "a rule each"
    touching = [(top, above) for top, above in drawn if top - above - 1 < CLEAR]
    assert not touching, f"rules at these rows (200 dpi) touch the letters above: {touching}"
