"""The QR code on the PDF, read as a clinic would read it: the page rendered at 200 dpi (a
plain office scan) by poppler's pdftoppm, decoded by zbar's zbarimg, inflated, checked against
the R4B models of ``fhir.resources``, and compared with the answers sent."""

from __future__ import annotations

import io
import subprocess
import tempfile
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from markupsafe import escape
from pypdf import PdfReader

from selfcheck import fhir
from selfcheck.answers import asked
from selfcheck.rules import Rules
from selfcheck.web import record

from .testing.answers import LARGEST, SOON, URGENT_MEDICINE, Given, as_sets
from .testing.servers import program
from .testing.visitor import Journey

AUTHORED = "2026-11-30T09:30:00+00:00"

CASES: dict[str, Given] = {
    "soon": SOON,
    "urgent-medicine": URGENT_MEDICINE,
    "emergency": {"red_flags": "stroke_signs"},
    "largest": LARGEST,
}

#: What the QR code is, as a clinician hears it read out in English (the PDF's alt text too).
ALT = (
    "QR code for your clinician: it holds your answers as a FHIR R4 QuestionnaireResponse "
    "(the text SELFCHECK: then zlib-compressed JSON in base64url), to add them to a record."
)


def pdf_of(journey: Journey, given: Given) -> bytes:
    journey.complete(given)
    response = journey.submit("pdf")
    assert response.mimetype == "application/pdf"
    return bytes(response.data)


def scanned(pdf: bytes, dpi: int = 200) -> list[str]:
    """The text of every QR code in the PDF, as zbarimg reads it from each page at ``dpi``:
    the code stands beside the answers, on page 1 unless many reasons push them to page 2."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "summary.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            [program("pdftoppm"), "-r", str(dpi), "-gray", "-png"]
            + [str(source), str(Path(folder) / "page")],
            check=True,
        )
        found: list[str] = []
        for picture in sorted(Path(folder).glob("page*.png")):
            read = subprocess.run(
                [program("zbarimg"), "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable"]
                + [str(picture)],
                capture_output=True,
                text=True,
                check=False,
            )
            assert read.returncode in (0, 4), read.stderr  # 4: no code found
            found += read.stdout.splitlines()
    return found


def answered(response: dict[str, Any]) -> dict[str, frozenset[str]]:
    return {
        item["linkId"]: frozenset(a["valueCoding"]["code"] for a in item["answer"])
        for group in response["item"]
        for item in group["item"]
    }


@pytest.mark.parametrize("case", list(CASES))
def test_the_qr_code_on_the_pdf_scans_at_200_dpi_and_holds_the_answers_sent(
    journey: Journey, rules: Rules, case: str
):
    given = CASES[case]
    pdf = pdf_of(journey, given)
    (text,) = scanned(pdf)
    assert text.startswith("SELFCHECK:")
    read = fhir.read_qr_payload(text)
    QuestionnaireResponse.model_validate(read)
    assert read["status"] == "completed"
    assert read["questionnaire"] == f"{fhir.canonical()}|{rules.version}"
    assert answered(read) == asked(rules, as_sets(given)), "the answers sent, and no other"
    # Two A4 sheets, but for the most a person can tick: its reasons and answers (nine rules,
    # thirty questions) take three pages before the person's own part.
    assert len(PdfReader(io.BytesIO(pdf)).pages) <= (4 if case == "largest" else 2)


def test_a_code_drawn_too_small_would_not_scan(journey: Journey):
    """The check above can fail: the same PDF with squares a fifth of the size has a code
    that a 200 dpi scan cannot read. (The size of a square, record.MODULE_MM, is what makes
    it scan.)"""
    with mock.patch.object(record, "MODULE_MM", record.MODULE_MM / 5):
        pdf = pdf_of(journey, LARGEST)
    assert scanned(pdf) == []


@pytest.mark.parametrize(
    ("case", "length", "version", "side"),
    [("emergency", 324, 13, 30.8), ("soon", 793, 23, 46.8), ("largest", 1297, 30, 58.0)],
)
def test_the_codes_are_the_sizes_the_docs_say(rules: Rules, case, length, version, side):
    """docs/fhir.md's table of sizes: the text, the QR version at level M, and the side on
    paper at 0.4 mm a square. LARGEST is the longest code a person can make; a change that
    makes codes larger fails here first: measure again, and check the PDF still scans."""
    answers = as_sets(CASES[case])
    # At a fixed time: the length of what compresses changes by a character or two with it.
    payload = fhir.qr_payload(fhir.response(rules, answers, AUTHORED, words=False))
    squares, _ = record.modules(payload)
    assert (len(payload), (squares - 17) // 4) == (length, version)
    assert (squares + 2 * record.BORDER) * record.MODULE_MM == pytest.approx(side)


def test_the_pdfs_code_has_alt_text_for_a_clinician(journey: Journey):
    """A screen reader says what the code is: the tagged PDF's figure has it as its Alt."""
    pdf = pdf_of(journey, SOON)
    reader = PdfReader(io.BytesIO(pdf))
    found: list[str] = []

    def walk(node: Any) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, dict):
            if "/Alt" in node:
                found.append(str(node["/Alt"]))
            for key in ("/K", "/StructTreeRoot"):
                if key in node:
                    walk(node[key])
        elif isinstance(node, list):
            for inner in node:
                walk(inner)

    walk(reader.trailer["/Root"])
    assert ALT in found


def test_the_print_view_holds_the_same_code_hidden_on_screen(journey: Journey, rules: Rules):
    """The result page carries the code for the browser's Print: hidden on screen, shown by
    print.css, the same as the PDF's."""
    journey.complete(SOON)
    html = journey.html
    start = html.index('<div class="record-code" hidden>')
    assert "<svg " in html[start : start + 400]
    assert f'aria-label="{escape(ALT)}"' in html
