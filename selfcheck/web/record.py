"""The summary for a clinic's record: the FHIR download and the QR code on paper.

Both are made from the answers the browser sends, as the PDF is (views.py), and from nothing
else: nothing is kept, nothing is logged. The resources come from the core
(:mod:`selfcheck.fhir`); this module only draws the QR code, with zxing-cpp (a C++ encoder),
as SVG in the page itself, so no picture is fetched from anywhere.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import current_app
from flask_babel import gettext
from markupsafe import Markup, escape

from selfcheck import fhir
from selfcheck.rules import Answers, Rules

#: The side of one square of the QR code on paper: 0.4 mm is 3 pixels of a 200 dpi scan.
MODULE_MM = 0.4

#: The QR code's error correction: level M still reads with 15 % of it smudged or folded.
ERROR_LEVEL = "m"


def alt() -> str:
    """What the QR code is, for a clinician who hears it read out (the PDF's alt text too), in
    the page's language."""
    return str(
        gettext(
            "QR code for your clinician: it holds your answers as a FHIR R4 QuestionnaireResponse "
            "(the text SELFCHECK: then zlib-compressed JSON in base64url), to add them to a record."
        )
    )


MEDIA_TYPE = "application/fhir+json"


def base() -> str:
    """Where the canonical addresses start: the FHIR_BASE setting."""
    return str(current_app.config["FHIR_BASE"] or fhir.DEFAULT_BASE)


def payload(rules: Rules, answers: Answers) -> str:
    """The QR code's text for ``answers``: their ``QuestionnaireResponse`` without the words
    of each answer (the questionnaire has them), so the code stays small enough to scan."""
    return fhir.qr_payload(fhir.response(rules, answers, base=base(), words=False))


#: The light margin around the code, in squares: the four the standard asks for.
BORDER = 4


def modules(text: str) -> tuple[int, bytes]:
    """``text`` as a QR code at :data:`ERROR_LEVEL`, in the smallest version that holds it:
    the number of squares along a side, and each square row by row, 0 for dark and 255 for
    light. zxing-cpp chooses the mask the standard scores best, in C++ (segno, in pure Python,
    took 20 to 40 ms a code, more than the rest of a result page)."""
    import zxingcpp  # only when a summary is shown: starting the app stays fast

    code = zxingcpp.create_barcode(
        text, zxingcpp.BarcodeFormat.QRCode, ec_level=ERROR_LEVEL.upper()
    )
    image = code.to_image(scale=1, add_quiet_zones=False)
    side = image.shape[0]
    return side, bytes(memoryview(image))  # type: ignore[arg-type]  # a buffer, untyped


#: A run of dark squares in a row of :func:`modules`.
DARK = re.compile(rb"\x00+")


def path(side: int, squares: bytes) -> str:
    """The dark squares as one SVG path: a 1-unit-wide stroke along each run of them, with
    :data:`BORDER` squares of margin, each move relative to the end of the last run."""
    steps: list[str] = []
    x, y = 0, 0  # the start: the first move is an absolute one, to the first run's row
    for row in range(side):
        for run in DARK.finditer(squares, row * side, (row + 1) * side):
            start, length = run.start() - row * side + BORDER, run.end() - run.start()
            if steps:
                steps.append(f"m{start - x} {row + BORDER - y}h{length}")
            else:
                steps.append(f"M{start} {row + BORDER}.5h{length}")
            x, y = start + length, row + BORDER
    return "".join(steps)


def qr_svg(text: str) -> Markup:
    """``text`` as a QR code: an ``<svg>`` element, black squares on nothing, sized in
    millimetres so that it prints the same in any browser and in the PDF."""
    side, squares = modules(text)
    whole = side + 2 * BORDER
    length = f"{whole * MODULE_MM:.1f}mm"
    return Markup(
        f'<svg role="img" aria-label="{escape(alt())}" width="{length}" height="{length}" '
        f'viewBox="0 0 {whole} {whole}"><path stroke="#000" d="{path(side, squares)}"/></svg>'
    )


def summary_code(rules: Rules, answers: Answers) -> Markup:
    """The QR code the printed summary and the PDF carry."""
    return qr_svg(payload(rules, answers))


def bundle_json(rules: Rules, answers: Answers, fill: Any) -> bytes:
    """The download for a clinic's record: the ``Bundle`` as JSON."""
    made = fhir.bundle(rules, answers, base=base(), fill=fill)
    return json.dumps(made, ensure_ascii=False, indent=2).encode()
