"""The review page /rules in Chromium: reached from the footer, cited by anchor, printed to sign."""

from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from ..testing.rules import SHIPPED_FINGERPRINT

pytestmark = pytest.mark.browser

WIDTHS = {"phone": 375, "desktop": 1280}
SHORT = SHIPPED_FINGERPRINT[:12]


def test_the_footer_leads_to_the_review_page(page: Page):
    page.goto("/")
    page.get_by_role("link", name="How the rules are checked").click()
    expect(page).to_have_url(re.compile(r"/rules$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("The clinical rules of this check")
    page.get_by_role("link", name="Conditions worth discussing (causes)").click()
    expect(
        page.get_by_role(
            "heading", name=re.compile(r"^\d+\. Conditions worth discussing \(causes\)$")
        )
    ).to_be_in_viewport()


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_a_cited_item_opens_in_view(page: Page, width: int):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/rules#cause-stroke")
    item = page.locator("#cause-stroke")
    expect(item).to_be_in_viewport()
    expect(item.get_by_role("heading", level=3)).to_have_text("Stroke")
    assert item.evaluate("element => element.matches(':target')")
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_the_printed_document_names_the_version_on_every_page(page: Page):
    page.goto("/rules")
    reader = PdfReader(io.BytesIO(page.pdf(format="A4")))
    texts = [re.sub(r"\s+", " ", p.extract_text()) for p in reader.pages]
    assert len(texts) > 5
    for number, text in enumerate(texts, start=1):
        assert (
            f"Clonus self-check: clinical rules, version 0.1.0 (fingerprint {SHORT}), a draft, "
            "not yet approved by a clinician"
        ) in text, number
        assert f"Page {number} of {len(texts)}" in text
        assert "Skip to main content" not in text and "Start again" not in text
    assert f"Review record Version 0.1.0 Fingerprint {SHORT} Status A draft" in texts[0]
    # The clinician signs under the whole fingerprint of what they approve.
    assert SHIPPED_FINGERPRINT in texts[-1].replace(" ", "")
    assert re.search(r"Approval .* Name: Role and registration number: Signature: Date:", texts[-1])
    assert "To approve a version, a clinician signs a printed copy" not in " ".join(texts)


def test_the_codes_of_an_item_fit_a_phone(page: Page):
    page.set_viewport_size({"width": 375, "height": 667})
    page.goto("/rules#cause-stroke")
    codes = page.locator("#cause-stroke").get_by_role("listitem")
    expect(codes).to_have_text(
        [
            "SNOMED CT 230690007 Cerebrovascular accident (checked in snomed-browser: 230690007)",
            "ICD-10 I64 Stroke, not specified as haemorrhage or infarction (checked in "
            "who-icd-10: I64)",
        ]
    )
    expect(codes.last).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
