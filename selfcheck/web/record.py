"""The summary for a clinic's record: the FHIR download and the QR code on paper.

Both are made from the answers the browser sends, as the PDF is (views.py), and from nothing
else: nothing is kept, nothing is logged. The resources come from the core
(:mod:`selfcheck.fhir`); this module only draws the QR code, with segno, as SVG in the page
itself, so no picture is fetched from anywhere.
"""

from __future__ import annotations

import json
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


#: The QR code's mask pattern. The standard allows any of the eight; segno's search for the one
#: that scores best took 43 ms of pure Python for each code (more than the rest of a PDF), a
#: fixed one 9 ms, and the codes still scan at 200 dpi (tests/test_fhir_qr.py).
MASK = 1

MEDIA_TYPE = "application/fhir+json"


def base() -> str:
    """Where the canonical addresses start: the FHIR_BASE setting."""
    return str(current_app.config["FHIR_BASE"] or fhir.DEFAULT_BASE)


def payload(rules: Rules, answers: Answers) -> str:
    """The QR code's text for ``answers``: their ``QuestionnaireResponse`` without the words
    of each answer (the questionnaire has them), so the code stays small enough to scan."""
    return fhir.qr_payload(fhir.response(rules, answers, base=base(), words=False))


def qr_svg(text: str) -> Markup:
    """``text`` as a QR code: an ``<svg>`` element, black squares on nothing, sized in
    millimetres so that it prints the same in any browser and in the PDF."""
    import segno  # only when a summary is shown: starting the app stays fast

    code = segno.make(text, error=ERROR_LEVEL, micro=False, boost_error=False, mask=MASK)
    drawn = code.svg_inline(scale=1, border=4, omitsize=True, svgclass=None, lineclass=None)
    side = f"{code.symbol_size(scale=1, border=4)[0] * MODULE_MM:.1f}mm"
    assert drawn.startswith("<svg ")
    head = f'<svg role="img" aria-label="{escape(alt())}" width="{side}" height="{side}" '
    return Markup(head + drawn.removeprefix("<svg "))


def summary_code(rules: Rules, answers: Answers) -> Markup:
    """The QR code the printed summary and the PDF carry."""
    return qr_svg(payload(rules, answers))


def bundle_json(rules: Rules, answers: Answers, fill: Any) -> bytes:
    """The download for a clinic's record: the ``Bundle`` as JSON."""
    made = fhir.bundle(rules, answers, base=base(), fill=fill)
    return json.dumps(made, ensure_ascii=False, indent=2).encode()
