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
    # Every part is printed open, without the controls that are for the screen.
    whole = " ".join(texts)
    for item in ("Urgency rule: cold_baby", "#question-age", "Vignettes written blind"):
        assert item in whole, item
    for screen_only in ("Back to the contents", "stays closed until", "Questions it reads"):
        assert screen_only not in whole, screen_only


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


def test_each_link_of_the_contents_opens_its_part_in_view(page: Page):
    """At a desktop's width every part starts closed; each link of the contents at the top
    opens its part with its heading in view, and "Back to the contents" returns."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/rules")
    assert page.evaluate("document.documentElement.scrollHeight") < 9000, "the parts are closed"
    contents = page.get_by_role("navigation", name="Contents")
    parts = contents.locator("ol > li > a")
    assert parts.count() == 24
    for index in range(parts.count()):
        link = parts.nth(index)
        words = link.inner_text()
        link.click()
        heading = page.get_by_role("heading", level=2, name=f"{index + 1}. {words}", exact=True)
        expect(heading).to_be_in_viewport()
        part = page.locator("details.part").filter(has=heading)
        expect(part).to_have_attribute("open", "")
        href = link.get_attribute("href") or ""
        page.locator(href).get_by_role("link", name="Back to the contents").click()
        expect(contents).to_be_in_viewport()
    for words, anchor in (
        ("Review record", "review-record"),
        ("How the rules are checked", "checks"),
    ):
        contents.get_by_role("link", name=words, exact=True).click()
        expect(page.locator(f"#{anchor}")).to_be_in_viewport()


@pytest.mark.parametrize("scripts", [True, False], ids=["with-javascript", "without-javascript"])
def test_a_rule_and_the_question_it_reads_lead_to_each_other(browser, base_url, scripts):
    """From a question's "Used by" to the rule, from the rule to the question and to the answer
    it looks for: each in another closed part, which opens; with or without scripts."""
    context = browser.new_context(
        base_url=base_url, java_script_enabled=scripts, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.goto("/rules#question-age")
    question = page.locator("#question-age")
    expect(question).to_be_in_viewport()
    rule = page.locator("#rule-cold_baby")
    expect(rule).not_to_be_visible()  # its part is closed
    question.get_by_role("link", name='urgency rule "cold_baby"').click()
    expect(page).to_have_url(re.compile(r"/rules#rule-cold_baby$"))
    expect(rule).to_be_in_viewport()
    page.goto("/rules")  # every part closed again
    page.goto("/rules#rule-cold_baby")
    expect(question).not_to_be_visible()
    rule.get_by_role("link", name='question "age"').click()
    expect(question).to_be_in_viewport()
    expect(question.get_by_role("heading", level=3)).to_have_text("Question: age")
    page.goto("/rules#rule-cold_baby")
    rule.get_by_role("link", name='"3 to 11 months old"').click()
    answer = page.locator("#answer-age-baby")
    expect(answer).to_be_in_viewport()
    expect(answer).to_have_text('"3 to 11 months old", worry 0')
    assert answer.evaluate("element => element.matches(':target')")
    context.close()
