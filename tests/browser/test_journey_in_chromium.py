"""The journey a person takes, in a real browser, at a phone's width and a desktop's."""

from __future__ import annotations

import io
from collections.abc import Mapping

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from selfcheck.rules import Rules

from ..testing.answers import BY_LEVEL, SOON, URGENT_MEDICINE, on_page
from .states import ADULT_PAGES, RED_FLAG, answer, clicked, proceed

pytestmark = pytest.mark.browser

WIDTHS = {"phone": 375, "desktop": 1280}


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_a_red_flag_shows_emergency_advice_first(page: Page, width: int):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/")
    page.get_by_role("button", name="Start now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check for emergency signs")
    page.get_by_label(RED_FLAG).check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Call 999 now")
    expect(page).to_have_title("Call 999 now – Self-check")


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_the_whole_questionnaire_to_an_outcome(page: Page, width: int):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/check")
    page.get_by_label("None of these").check()
    page.get_by_role("button", name="Continue").click()
    # An adult who is not pregnant, with no fit, is asked seven more pages; the pages about a
    # child, a fit and a pregnancy are skipped.
    for title in ADULT_PAGES:
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        answer(page, SOON)
        page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Book an appointment with a doctor in the next few days or weeks"
    )
    # No sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_none_of_these_unticks_the_other_boxes(page: Page):
    page.goto("/check")
    page.get_by_label(RED_FLAG).check()
    page.get_by_label("None of these").check()
    expect(page.get_by_label(RED_FLAG)).not_to_be_checked()


def test_the_pdf_downloads(page: Page):
    page.goto("/check")
    page.get_by_label(RED_FLAG).check()
    page.get_by_role("button", name="Continue").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the summary (PDF)").click()
    assert download.value.suggested_filename.startswith("clonus-self-check-")
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def complete(page: Page, answers: Mapping[str, object]) -> None:
    clicked(answers)(page)


@pytest.mark.parametrize("level", BY_LEVEL, ids=list(BY_LEVEL))
def test_each_urgency_level_says_how_soon_and_why(page: Page, rules: Rules, level: str):
    expected = next(lvl for lvl in rules.levels if lvl.id == level)
    complete(page, BY_LEVEL[level])
    expect(page.get_by_role("heading", level=1)).to_have_text(expected.heading)
    for advice in expected.advice:
        expect(page.locator(".urgency")).to_contain_text(
            advice.replace("{emergency_number}", "999")
        )
    expect(page.get_by_role("heading", name="Why we say this")).to_be_visible()
    expect(page.locator(".reason").first).to_contain_text("Because you said:")
    expect(page.get_by_text("This is not a diagnosis.")).to_be_visible()
    expect(page.get_by_role("link", name="Call 999")).to_have_count(0)


def test_a_submission_with_errors_says_what_to_fix(page: Page, rules: Rules):
    clicked(SOON, 2)(page)
    given = {"jerking": "yes", "where": ["wrists"]}
    answer(page, given)
    proceed(page)
    expect(page).to_have_title("Error: Step 3 – Self-check")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your symptoms")
    summary = page.locator(".error-summary")
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    unanswered = [q for q in rules.page("symptoms").questions if q.id not in given]
    expect(summary.get_by_role("link")).to_have_text([q.error for q in unanswered])
    for question in unanswered:
        expect(page.locator(f"#q-{question.id} .error-message")).to_have_text(
            f"Error: {question.error}"
        )
    # What was answered is still ticked, and fixing the rest moves on.
    expect(
        page.get_by_role("group", name=rules.questions["jerking"].text).get_by_label("Yes")
    ).to_be_checked()
    expect(page.get_by_label("Wrists or hands")).to_be_checked()
    answer(page, {k: v for k, v in on_page(SOON, "symptoms", rules).items() if k not in given})
    proceed(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Strength, balance and feeling")


def test_changing_an_answer_changes_the_result(page: Page):
    complete(page, SOON)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Book an appointment with a doctor in the next few days or weeks"
    )
    # The answers fold away under their heading: open them to change one.
    page.locator("summary", has_text="Your answers").click()
    proceed(page, "Change your answer to: Conditions a doctor has told you about")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your health background")
    page.get_by_label("A stroke").check()
    proceed(page)
    page.locator("summary", has_text="Your answers").click()
    proceed(page, "Change your answer to: Medicines, drugs and alcohol")
    expect(page.get_by_role("heading", level=1)).to_have_text("Medicines, drugs and alcohol")
    # Ticking an answer unticks "None of these" (tests/browser/test_journey_in_chromium.py).
    page.locator("label[for='q-medicines-antidepressant']").click()
    proceed(page)
    # The changes in the last 4 weeks are on a page of their own.
    page.locator("summary", has_text="Your answers").click()
    proceed(
        page, "Change your answer to: Changes to medicines, drugs or alcohol in the last 4 weeks"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Changes in the last 4 weeks")
    page.locator("label[for='q-medicine_change-raised']").click()
    proceed(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Contact a doctor or urgent care today"
    )
    worth = page.locator(".cause h3")
    expect(worth).to_have_text(["Multiple sclerosis (MS)", "Stroke", "Side effects of medicines"])
    answers = page.locator(".answer")
    expect(answers.filter(has_text="Conditions a doctor has told you about")).to_contain_text(
        "Multiple sclerosis (MS), A stroke"
    )
    expect(answers.filter(has_text="Where you notice them")).to_contain_text(
        "Ankles or feet, Knees or legs"
    )


def test_the_print_hint_is_shown_only_without_a_print_button(page: Page):
    """With scripts, the Print button says it all; the words on how to print are for pages
    without it (tests/browser/test_no_javascript.py)."""
    complete(page, SOON)
    expect(page.get_by_role("button", name="Print this page")).to_be_visible()
    expect(page.get_by_text("use your browser's Print option")).to_be_hidden()


def test_the_print_view_shows_the_summary_without_buttons(page: Page):
    complete(page, URGENT_MEDICINE)
    page.emulate_media(media="print")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Contact a doctor or urgent care today"
    )
    for hidden in ("Download the summary (PDF)", "Print this page"):
        expect(page.get_by_role("button", name=hidden)).to_be_hidden()
    expect(page.get_by_role("button", name="Change your answer to: Getting worse")).to_be_hidden()
    expect(page.get_by_role("banner")).to_be_hidden()
    expect(page.get_by_role("contentinfo")).to_be_hidden()
    expect(page.locator(".handwritten")).to_be_visible()
    expect(page.get_by_text("Date of birth:")).to_be_visible()
    expect(page.get_by_role("heading", name="Your answers")).to_be_visible()
    # Sections folded on screen are open on paper.
    for folded in ("Emergency signs now", "Could a muscle relaxant help me"):
        expect(page.get_by_text(folded).first).to_be_visible()


def test_the_pdf_of_a_result_holds_what_the_person_saw(page: Page):
    complete(page, URGENT_MEDICINE)
    heading = page.get_by_role("heading", level=1).inner_text()
    reason = page.locator(".reason p").first.inner_text()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the summary (PDF)").click()
    with open(download.value.path(), "rb") as pdf:
        reader = PdfReader(io.BytesIO(pdf.read()))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    for seen in (
        heading,
        reason,
        "Side effects of medicines",
        "Your answers",
        "Medicines, drugs and alcohol: An antidepressant, even if taken for pain",
    ):
        assert seen in text, seen
