"""The whole journey through the test client, as a person goes through it."""

from __future__ import annotations

import re

import pytest

from selfcheck import create_app
from selfcheck.answers import not_asked
from selfcheck.rules import Rules, load

from .testing.answers import BY_LEVEL, ROUTINE, SOON, URGENT, URGENT_MEDICINE, as_sets, on_page
from .testing.pages import blocks, headings, pdf_text, title, visible_text
from .testing.rules import RULES_FILE
from .testing.visitor import Journey


def test_start_page_says_what_the_check_is_and_is_not(client):
    html = client.get("/").get_data(as_text=True)
    text = visible_text(html)
    assert headings(html) == ["Check your symptoms of clonus"]
    assert "does not give a diagnosis" in text
    assert "We do not keep your answers" in text
    assert "5 minutes" in text
    assert 'href="/check"' in html and "Start now" in text
    assert "call 999" in text


def test_emergency_check_comes_first_with_none_of_these(journey: Journey, rules: Rules):
    journey.open("/check")
    html = journey.html
    assert headings(html) == ["Check for emergency signs"]
    form = journey.form()
    offered = form.inputs["red_flags"]
    assert offered == [flag.id for flag in rules.red_flags] + ["not_sure", "none"]
    assert "I'm not sure if there is one of these signs" in visible_text(html)
    assert "None of these" in visible_text(html)


@pytest.mark.parametrize("flag", [flag.id for flag in load(RULES_FILE).red_flags])
def test_each_red_flag_leads_straight_to_emergency_advice(journey: Journey, rules: Rules, flag):
    journey.open("/check")
    journey.submit("next", {"red_flags": flag})
    html = journey.html
    main = blocks(html)
    assert main[0] == "Your result: how soon to get a medical evaluation"
    assert headings(html) == ["Call 999 now"], "emergency advice must be the first heading"
    assert rules.red_flag(flag).reason in visible_text(html)
    assert title(html) == "Call 999 now – Self-check", "the title is the advice itself"
    # No questionnaire in between, and the page can still be printed or saved.
    buttons = [b.get("formaction") for b in journey.form().buttons]
    assert "/summary.pdf" in buttons


@pytest.mark.parametrize("answer", ["none", "not_sure"])
def test_none_of_these_or_not_sure_leads_to_the_questions(journey: Journey, answer):
    journey.open("/check")
    journey.submit("next", {"red_flags": answer})
    assert headings(journey.html) == ["About the person with the symptoms"]


@pytest.mark.parametrize("level", ["routine", "soon", "urgent"])
def test_each_urgency_level_is_reachable(journey: Journey, rules: Rules, level):
    journey.complete(BY_LEVEL[level])
    expected = next(lvl for lvl in rules.levels if lvl.id == level)
    assert headings(journey.html)[0] == expected.heading
    assert title(journey.html) == f"{expected.heading} – Self-check"


def test_outcome_shows_everything_in_order(journey: Journey, rules: Rules):
    journey.complete(URGENT_MEDICINE)
    html = journey.html
    text = visible_text(html)
    # The whole advice, then the way to keep it; what a clinician reads first, then what is for
    # the person; then the clinic's record and, in small print, the rules that gave it.
    order = [
        "Contact a doctor or urgent care today",
        "Call your doctor's practice today",
        "If your practice is closed",
        "If you get worse or get any emergency sign",
        "Download the summary (PDF)",
        "Why we say this",
        "a recent change of medicine",
        "This is not a diagnosis",
        "Your answers Emergency signs now or today None of these",
        "When they started In the last few months",
        "Getting worse No",
        "Worth discussing with your clinician",
        "Side effects of medicines",
        "Other things that can cause clonus",
        "Questions you could ask about treatment",
        "Does clonus go away?",
        "For your clinician",
        "Download for your clinician's record",
        "These rules are version 0.1.0. They are a draft",
    ]
    positions = [text.index(part) for part in order]
    assert positions == sorted(positions)
    # Each condition worth discussing says which answers led to it.
    assert re.search(
        r"Multiple sclerosis \(MS\) .*?Because you said: Conditions a doctor has "
        r"told you about: Multiple sclerosis \(MS\)",
        text,
    )
    # Every other cause is still shown, so nothing is hidden.
    for cause in rules.causes:
        assert cause.name in text
    for treatment in rules.treatments:
        assert treatment.ask in text


def test_missing_answers_show_the_gov_uk_error_pattern(journey: Journey, rules: Rules):
    journey.open("/check")
    journey.submit("next", {"red_flags": "none"})
    journey.answer_page(SOON)
    journey.submit("next", {"jerking": "yes", "where": "ankles"})
    html = journey.html
    assert title(html) == "Error: Step 3 – Self-check"
    assert headings(html) == ["Your symptoms"]
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    assert summary, "an error summary at the top of the page"
    assert html.index("error-summary") < html.index("<h1>")
    unanswered = [q for q in rules.page("symptoms").questions if q.id not in ("jerking", "where")]
    for question in unanswered:
        link = f'href="#q-{question.id}-{question.answers[0].value}"'
        assert link in summary.group(0), f"the summary links to {question.id}"
        assert question.error in visible_text(html)
        assert f'id="q-{question.id}-{question.answers[0].value}"' in html
    # What was answered is kept.
    assert re.search(r'id="q-jerking-yes"[^>]*checked', html)
    assert re.search(r'id="q-where-ankles"[^>]*checked', html)


def test_none_of_these_cannot_be_ticked_with_another_answer(journey: Journey):
    """Elsewhere than a red flag (which wins, see test_questions_asked), "None of these" with
    another answer sends the person back to choose."""
    journey.open("/check")
    journey.answer_until("recent", SOON)
    journey.submit(
        "next",
        {**on_page(SOON, "recent", journey.rules), "recent_signs": ["none", "headache"]},
    )
    assert 'Select "None of these" on its own, or untick it' in visible_text(journey.html)
    assert headings(journey.html) == ["Other signs in the last few days"]


def test_an_answer_the_rules_do_not_offer_is_refused(journey: Journey):
    journey.open("/check")
    journey.submit("next", {"red_flags": "none"})
    journey.answer_page(SOON)
    answers = on_page(SOON, "symptoms", journey.rules)
    journey.submit("next", {**answers, "jerking": "maybe"})
    assert "Select one of the answers shown" in visible_text(journey.html)
    assert title(journey.html).startswith("Error: ")


def test_change_an_answer_keeps_all_the_others(journey: Journey):
    journey.complete(SOON)
    assert "Book an appointment" in headings(journey.html)[0]
    journey.submit("change:symptoms")
    assert headings(journey.html) == ["Your symptoms"]
    assert re.search(r'id="q-where-knees"[^>]*checked', journey.html), "answers are filled in"
    journey.submit("next", {"stiffness": "not_sure"})
    assert (
        headings(journey.html)[0]
        == "Book an appointment with a doctor in the next few days or weeks"
    )
    journey.submit("change:onset")
    journey.submit("next", {"started": "days"})
    html = journey.html
    assert headings(html)[0] == "Contact a doctor or urgent care today"
    text = visible_text(html)
    assert "Multiple sclerosis (MS)" in text.split("Other things that can cause clonus")[0]
    assert "Where you notice them Ankles or feet, Knees or legs" in text
    assert "When they started In the last few days" in text


def test_change_the_emergency_answer_from_the_emergency_page(journey: Journey):
    journey.open("/check")
    journey.submit("next", {"red_flags": "stroke_signs"})
    journey.submit("change:emergency_check")
    assert headings(journey.html) == ["Check for emergency signs"]
    journey.submit("next", {"red_flags": "none"})
    assert headings(journey.html) == ["About the person with the symptoms"]


def test_back_keeps_the_answers_of_both_pages(journey: Journey):
    journey.open("/check")
    journey.answer_until("background", SOON)
    assert headings(journey.html) == ["Your health background"]
    journey.submit("back", {"checked": "cause_found", "conditions": ["stroke"]})
    assert headings(journey.html) == ["When it started"]
    assert re.search(r'id="q-started-months"[^>]*checked', journey.html)
    journey.submit("next")
    assert headings(journey.html) == ["Your health background"]
    assert re.search(r'id="q-checked-cause_found"[^>]*checked', journey.html)
    assert re.search(r'id="q-conditions-stroke"[^>]*checked', journey.html)


def test_back_from_the_first_page_goes_to_the_start(journey: Journey):
    journey.open("/check")
    journey.submit("next", {"red_flags": "none"})
    response = journey.submit("back")
    assert response.status_code == 200 and headings(journey.html) == ["Check for emergency signs"]


def test_the_pdf_summary_holds_urgency_answers_and_reasons(journey: Journey, rules: Rules):
    journey.complete(URGENT_MEDICINE)
    response = journey.submit("pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert re.match(
        r'attachment; filename="clonus-self-check-\d{4}-\d\d-\d\d.pdf"',
        response.headers["Content-Disposition"],
    )
    text = pdf_text(response.data)
    for expected in [
        "Contact a doctor or urgent care today",
        "Side effects of medicines",
        "Because you said",
        "Medicines, drugs and alcohol: An antidepressant, even if taken for pain",
        "Could a muscle relaxant help me",
        "Name:",
        "Notes:",
        f"rules version {rules.version}",
        "a draft, not yet approved by a clinician",
    ]:
        assert expected in text, expected
    assert re.search(r"Made on \d{1,2} [A-Z][a-z]+ \d{4}", text)
    # Every question asked is on the summary; one not asked is not.
    skipped = not_asked(rules, as_sets(URGENT_MEDICINE))
    assert {"child_signs", "fit_when", "pregnancy_signs"} <= skipped
    for question in rules.questions.values():
        assert (question.summary in text) == (question.id not in skipped), question.id


def test_the_emergency_summary_can_be_downloaded(journey: Journey):
    journey.open("/check")
    journey.submit("next", {"red_flags": "medicine_reaction"})
    text = pdf_text(journey.submit("pdf").data)
    assert text.index("Call 999 now") < text.index("Your answers")
    assert "serotonin toxicity" in text


def test_a_pdf_of_unfinished_answers_shows_the_next_question_instead(client, journey: Journey):
    journey.open("/check")
    journey.submit("next", {"red_flags": "none"})
    form = dict(journey.form().fields)
    response = client.post(
        "/summary.pdf",
        data={"csrf_token": form["csrf_token"], "red_flags": "none"},
        follow_redirects=True,
    )
    assert response.mimetype == "text/html"
    assert headings(response.get_data(as_text=True)) == ["About the person with the symptoms"]


def test_routine_still_recommends_seeing_a_clinician(journey: Journey):
    journey.complete(ROUTINE)
    text = visible_text(journey.html)
    assert "tell them at your next planned review" in text
    assert "If no review is planned, book a routine appointment" in text
    assert "Contact a doctor sooner if your symptoms change" in text


def test_the_emergency_number_is_a_setting(rules: Rules):
    app = create_app({"TESTING": True, "SECRET_KEY": "k", "EMERGENCY_NUMBER": "112"})
    visitor = Journey(app.test_client(), rules)
    visitor.open("/check")
    visitor.submit("next", {"red_flags": "stroke_signs"})
    assert headings(visitor.html) == ["Call 112 now"]
    assert "999" not in visible_text(visitor.html)


def test_urgent_outcome_names_its_reason(journey: Journey):
    journey.complete(URGENT)
    text = visible_text(journey.html)
    assert "Your symptoms started in the last few days" in text
    assert "Because you said: When they started: In the last few days" in text


def test_each_visitor_gets_a_token_of_their_own(app, rules: Rules):
    # The first page is rendered once for everyone; only the CSRF token differs per visitor.
    first, second = Journey(app.test_client(), rules), Journey(app.test_client(), rules)
    first.open("/check")
    second.open("/check")
    tokens = [dict(v.form().fields)["csrf_token"] for v in (first, second)]
    assert tokens[0] != tokens[1]
    assert first.html.replace(tokens[0], "") == second.html.replace(tokens[1], "")
    # Each token works with its own visitor's cookie, and not with the other's.
    first.submit("next", {"red_flags": "none"})
    assert headings(first.html) == ["About the person with the symptoms"]
    swapped = second.client.post(
        "/check",
        data={
            "csrf_token": tokens[0],
            "page": "emergency_check",
            "red_flags": "none",
            "go": "next",
        },
        headers={"Sec-Fetch-Site": "same-origin"},
    )
    assert swapped.status_code == 400
    assert "Please confirm your answers" in swapped.get_data(as_text=True)


def test_each_condition_names_only_the_answer_that_led_to_it(journey: Journey):
    journey.complete({**SOON, "conditions": ["ms", "stroke"]})
    text = visible_text(journey.html)
    discussed = text.split("Worth discussing with your clinician")[1].split("Other things")[0]
    assert (
        "Multiple sclerosis (MS) MS is a long-term condition. The body's defences harm the "
        "coating that protects nerves (myelin), which can upset nerve signals. Because you "
        "said: Conditions a doctor has told you about: Multiple sclerosis (MS) Stroke"
    ) in discussed
    assert "Because you said: Conditions a doctor has told you about: A stroke" in discussed
    # The answers section still lists everything that was ticked.
    assert "Conditions a doctor has told you about Multiple sclerosis (MS), A stroke" in text


SCOPE = (
    "This check is only about jerking, stiff muscles and the signs that come with them: for "
    "anything else that worries you, call 111 , or 999 in an emergency."
)


@pytest.mark.parametrize("level", ["emergency", *BY_LEVEL, "urgent-medicine"])
def test_the_start_the_emergency_check_and_every_result_say_what_the_check_is_for(
    app, journey: Journey, level: str
):
    """One plain sentence: what this check covers, and where to go for anything else (the
    non-emergency number, which links to the help page, and the emergency number)."""
    app.config["NON_EMERGENCY_NUMBER"] = "111"
    client = app.test_client()
    for path in ("/", "/check"):
        html = client.get(path).get_data(as_text=True)
        assert SCOPE in visible_text(html), path
        assert 'href="/help"' in html.split('class="scope')[1].split("</p>")[0]
    journey = Journey(client, journey.rules)
    if level == "emergency":
        journey.open("/check")
        journey.submit("next", {"red_flags": "stroke_signs"})
    else:
        journey.complete(URGENT_MEDICINE if level == "urgent-medicine" else BY_LEVEL[level])
    assert SCOPE in visible_text(journey.html)
    # Not on paper: the printed summary is for a clinician.
    assert "This check is only about" not in pdf_text(journey.submit("pdf").data)
