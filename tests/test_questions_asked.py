"""Which questions a person is asked (skip logic), answers that cannot all be true, and an
outcome that explains itself: all through the pages, as a person meets them."""

from __future__ import annotations

import re

import pytest

from selfcheck.outcome import evaluate
from selfcheck.rules import Rules
from selfcheck.rules.reach import (
    all_of,
    complete,
    no_red_flag,
    possible,
    satisfy,
    when_advised,
    when_listed,
)

from .testing.answers import NO_SYMPTOMS, ROUTINE, SOON, URGENT_MEDICINE, Given
from .testing.pages import headings, pdf_text, title, visible_text
from .testing.visitor import Journey


def named(html: str) -> str:
    """A page of questions as a person knows it: its heading, then its title, which names
    only the step ("Your symptoms – Step 3 – Self-check")."""
    return f"{headings(html)[0]} – {title(html)}"


def pages_seen(journey: Journey, answers: Given) -> list[str]:
    """Every page of questions a person who gives ``answers`` goes through (:func:`named`)."""
    seen = []
    journey.open("/check")
    while "Your result" not in journey.html:
        seen.append(named(journey.html))
        journey.answer_page(answers)
    return seen


def summary(journey: Journey) -> str:
    """The "Your answers" part of the outcome page."""
    answers = re.search(r'<dl class="answers">.*?</dl>', journey.html, re.S)
    assert answers, "the outcome lists the answers"
    return visible_text(answers.group(0), root=None)


# --------------------------------------------------------------------------------------------
# Skip logic: a question not asked is not shown, not required, not on the summary or the PDF


def test_an_older_person_is_not_asked_about_pregnancy(journey: Journey, rules: Rules):
    older = {**ROUTINE, "age": "older"}
    seen = pages_seen(journey, older)
    assert seen[-1] == "Changes in the last 4 weeks – Step 10 of 10 – Self-check"
    assert "Are you pregnant" not in journey.html
    pregnancy = rules.questions["pregnancy"].summary
    assert pregnancy not in summary(journey)
    assert pregnancy not in pdf_text(journey.submit("pdf").data)


def test_a_pregnant_person_is_asked_about_the_signs_of_pre_eclampsia(journey: Journey):
    pregnant = {**SOON, "pregnancy": "pregnant", "pregnancy_signs": "none"}
    seen = pages_seen(journey, pregnant)
    assert seen[-1] == "Pregnancy and a recent birth – Step 11 of 11 – Self-check"
    assert headings(journey.html)[0] == "Contact a doctor or urgent care today"
    assert "Pregnant, or had a baby in the last 6 weeks Yes, I am pregnant" in summary(journey)


def test_a_person_with_none_of_the_symptoms_skips_when_it_started(journey: Journey):
    seen = pages_seen(journey, NO_SYMPTOMS)
    assert [t.split(" – ")[0] for t in seen] == [
        "Check for emergency signs",
        "About the person with the symptoms",
        "Your symptoms",
        "Strength, balance and feeling",
        "How you are now",
        "Other signs in the last few days",
        "Your health background",
        "Medicines, drugs and alcohol",
        "Changes in the last 4 weeks",
    ]
    # Whether the pregnancy page follows is known only once the background is answered: till
    # then, no number of steps.
    assert seen[-3].startswith("Your health background – Step 7 – ")
    assert seen[-2].startswith("Medicines, drugs and alcohol – Step 8 of 9 – ")
    assert seen[-1].startswith("Changes in the last 4 weeks – Step 9 of 9 – ")
    text = summary(journey)
    assert "When they started" not in text and "Getting worse" not in text
    # Back from the outcome's last page goes to the page before it that was shown.
    journey.submit("change:background")
    journey.submit("back")
    assert headings(journey.html) == ["Other signs in the last few days"]


def total_of(page_title: str) -> int | None:
    """The number of steps a question page's title gives, or None when it gives none."""
    found = re.search(r"Step \d+(?: of (\d+))? – ", page_title)
    assert found, f"not a question page: {page_title}"
    return int(found[1]) if found[1] else None


@pytest.mark.parametrize(
    "answers",
    [NO_SYMPTOMS, SOON, {**SOON, "pregnancy": "pregnant", "pregnancy_signs": "none"}],
    ids=["no-symptoms", "soon", "pregnant"],
)
def test_the_step_counter_never_falls_and_never_overstates(journey: Journey, answers: Given):
    """Issue 22: "Step 6 of 7" on the way in, "Step 6 of 6" after Back. A total, where a
    page gives one, is the number of pages this person is shown, on the way in, after a
    Change link and after Back; a page whose total is not yet known gives none."""
    seen = pages_seen(journey, answers)
    # The outcome's Change link of the last page, then Back through every page before it.
    changes = [b["value"] for b in journey.form().buttons if b["value"].startswith("change:")]
    journey.submit(changes[-1])
    back = [named(journey.html)]
    while any(b["value"] == "back" for b in journey.form().buttons):
        journey.submit("back")
        back.append(named(journey.html))
    assert len(back) == len(seen), back
    for before, after in zip(reversed(seen), back, strict=True):
        assert after.split(" – ")[0] == before.split(" – ")[0]
        if total_of(before) is not None:
            assert total_of(after) == total_of(before), f"{before!r}, then {after!r}"
    # Never more than the pages this person is shown; on the last page, and after it, known.
    for shown in seen + back:
        assert total_of(shown) in (None, len(seen)), shown
    assert total_of(seen[-1]) == len(seen)
    assert {total_of(shown) for shown in back} == {len(seen)}


def test_an_answer_left_behind_by_a_changed_answer_is_dropped(journey: Journey):
    journey.complete({**SOON, "nerve_symptoms": "numbness", "nerve_started": "days"})
    assert headings(journey.html)[0] == "Contact a doctor or urgent care today"
    assert "When the other nerve symptoms started In the last few days" in summary(journey)
    journey.submit("change:other_signs")
    journey.submit("next", {"nerve_symptoms": "none"})
    # The question about when they started is no longer asked: straight to the outcome, without
    # it, and its answer no longer counts.
    assert headings(journey.html)[0].startswith("Book an appointment")
    assert "When the other nerve symptoms started" not in summary(journey)
    assert 'name="nerve_started"' not in journey.html, "not carried on either"


def test_an_answer_to_a_question_not_asked_is_ignored(journey: Journey):
    """A form that carries an answer to a question the person is not asked (sent by hand, or
    left in a page kept open) cannot change the advice."""
    journey.complete(SOON)
    journey.submit("change:other_signs")
    journey.submit("next", {"nerve_started": "hours"})
    assert headings(journey.html)[0].startswith("Book an appointment")
    assert "When the other nerve symptoms started" not in summary(journey)


# --------------------------------------------------------------------------------------------
# Answers that cannot all be true


def test_answers_that_clash_show_the_gov_uk_error_pattern(journey: Journey, rules: Rules):
    journey.open("/check")
    journey.submit("next", {"red_flags": "none"})
    journey.answer_page(SOON)
    journey.submit("next", {**_symptoms(rules, SOON), "where": "nowhere"})
    html = journey.html
    assert title(html) == "Error: Step 3 – Self-check"
    assert headings(html) == ["Your symptoms"]
    (clash,) = rules.contradictions
    summary_box = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    assert summary_box and 'href="#q-where-ankles"' in summary_box.group(0)
    assert clash.message in visible_text(html)
    assert re.search(r'id="q-where-nowhere"[^>]*checked', html), "the answers are kept"
    assert re.search(r'id="q-jerking-yes"[^>]*checked', html)
    journey.submit("next", {"where": "ankles"})
    assert headings(journey.html) == ["Strength, balance and feeling"]


def _symptoms(rules: Rules, answers: Given) -> Given:
    ids = {q.id for q in rules.page("symptoms").questions}
    return {k: v for k, v in answers.items() if k in ids}


def test_none_of_the_symptoms_with_no_to_each_is_accepted(journey: Journey):
    journey.complete(NO_SYMPTOMS)
    assert headings(journey.html)[0] == "Talk to a doctor at a routine appointment"


# --------------------------------------------------------------------------------------------
# Every result explains itself


def test_not_sure_on_the_emergency_check_gets_advice_today_and_says_why(journey: Journey):
    journey.complete({**ROUTINE, "red_flags": "not_sure"})
    text = visible_text(journey.html)
    assert headings(journey.html)[0] == "Contact a doctor or urgent care today"
    assert "You were not sure if there is one of the emergency signs" in text
    assert "Emergency signs now or today I'm not sure if there is one of these signs" in text


def test_the_default_level_says_why(journey: Journey, rules: Rules):
    # Checked and stable, but not sure whether it is getting worse: no rule applies.
    journey.complete({**ROUTINE, "worse": "not_sure"})
    text = visible_text(journey.html)
    assert headings(journey.html)[0].startswith("Book an appointment")
    assert f"Why we say this {rules.default_reason}" in text


def test_no_linked_condition_says_that_only_an_examination_can_find_the_cause(journey: Journey):
    journey.complete({**SOON, "conditions": "none"})
    text = visible_text(journey.html)
    discussed = text.split("Worth discussing with your clinician")[1].split("Other things")[0]
    assert "None of your answers points to one of the health problems we ask about" in discussed
    assert "Only a clinician who examines you can find the cause" in discussed
    assert "No cause found" not in discussed, "no cause is found before anyone has looked"
    assert "No cause found (idiopathic)" in text.split("Other things that can cause clonus")[1]


def test_no_cause_found_is_listed_only_after_tests_found_none(journey: Journey):
    journey.complete({**ROUTINE, "checked": "no_cause", "conditions": "none"})
    discussed = visible_text(journey.html).split("Worth discussing")[1].split("Other things")[0]
    assert "No cause found (idiopathic)" in discussed
    assert (
        "Because you said: Already checked by a doctor or nurse: Yes, but tests found no cause"
        in discussed
    )


def test_the_does_it_go_away_text_fits_the_story(journey: Journey):
    journey.complete(SOON)
    assert "Clonus does not usually go away fully" in visible_text(journey.html)
    journey.complete(URGENT_MEDICINE)
    text = visible_text(journey.html)
    assert "When a medicine causes jerking, it often settles" in text
    assert "Do not stop or change a medicine on your own" in text
    assert "Clonus does not usually go away fully" not in text
    journey.complete(NO_SYMPTOMS)
    assert "Does clonus go away?" not in visible_text(journey.html)


def test_a_person_with_none_of_the_symptoms_gets_an_honest_result(journey: Journey):
    journey.complete(NO_SYMPTOMS)
    text = visible_text(journey.html)
    assert "You told us that none of these symptoms affect you now" in text
    assert (
        "If you are worried about clonus, or any of these symptoms start, talk to a doctor" in text
    )
    assert "If no review is planned, book a routine appointment" in text


def test_routine_advice_does_not_assume_a_planned_review(journey: Journey):
    journey.complete(ROUTINE)
    text = visible_text(journey.html)
    assert "If a doctor or care team already sees you for these symptoms" in text
    assert "If no review is planned, book a routine appointment" in text


def test_emergency_advice_from_a_later_page_comes_alone_with_its_reason(
    journey: Journey, rules: Rules
):
    """Told on a later page, a stroke sign leads to the emergency page: its own reason, the
    answers, and nothing that could hold the person up or contradict it (a lower level's
    "checked today", conditions to discuss, treatments)."""
    journey.complete(
        {**SOON, "nerve_symptoms": "one_side", "nerve_started": "days", "nerve_now": "yes"}
    )
    text = visible_text(journey.html)
    assert headings(journey.html)[0] == "Call 999 now"
    assert "They can be signs of a stroke" in text
    lower = {"new_nerve_symptoms", "other_nerve_symptoms", "not_checked_yet"}
    reasons = [r.reason for r in rules.urgency_rules if r.id in lower]
    assert len(reasons) == 3 and not [reason for reason in reasons if reason in text]
    for hidden in (
        "Worth discussing with your clinician",
        "Other things that can cause clonus",
        "Questions you could ask about treatment",
        "Does clonus go away?",
    ):
        assert hidden not in headings(journey.html)
    assert "Other nerve symptoms" in summary(journey)
    assert "Call 999 now" in pdf_text(journey.submit("pdf").data)


def test_the_reasons_shown_are_those_that_set_the_level(journey: Journey, rules: Rules):
    """Started in the last few days (urgent) and not yet checked (soon): only the first says
    why the advice is "today"."""
    journey.complete({**SOON, "started": "days"})
    text = visible_text(journey.html)
    assert "Your symptoms started in the last few days." in text
    not_checked = next(r for r in rules.urgency_rules if r.id == "not_checked_yet")
    assert not_checked.reason not in text


# --------------------------------------------------------------------------------------------
# Emergency advice as soon as the facts are told, not after the pages still to come


def test_an_emergency_told_on_a_later_page_shows_at_once(journey: Journey):
    """A rash that does not fade, told on "Other signs in the last few days": the next page is
    the emergency advice, not four more pages of questions."""
    journey.open("/check")
    journey.answer_until("recent", SOON)
    assert headings(journey.html)[0] == "Other signs in the last few days"
    journey.answer_page({**SOON, "recent_signs": ["rash"]})
    assert headings(journey.html)[0] == "Call 999 now"
    assert "rash that does not fade" in visible_text(journey.html)
    # The PDF of that result holds it too.
    assert "Call 999 now" in pdf_text(journey.submit("pdf").data)


def test_an_emergency_waits_for_every_answer_it_depends_on(journey: Journey):
    """Signs of pre-eclampsia depend on the pregnancy question, asked later: a very bad
    headache told on "Other signs in the last few days" by a person not yet asked about
    pregnancy is not yet an emergency, and becomes one as soon as the pregnancy is told, before
    the pages still to come (medicines, the signs of pregnancy), whose answers could not change
    it."""
    pregnant = {**SOON, "recent_signs": ["headache"], "pregnancy": "pregnant"}
    seen = pages_seen(journey, {**pregnant, "pregnancy_signs": "none"})
    assert [t.split(" – ")[0] for t in seen[-3:]] == [
        "Other signs in the last few days",
        "When it started",
        "Your health background",
    ]
    assert headings(journey.html)[0] == "Call 999 now"


def test_a_red_flag_ticked_with_none_of_these_shows_the_emergency_advice(journey: Journey):
    """Ticked together by shaking hands, a sign and "None of these" do not send the person
    back to fix the form: the sign wins."""
    journey.open("/check")
    journey.submit("next", {"red_flags": ["none", "stroke_signs"]})
    assert headings(journey.html) == ["Call 999 now"]
    journey.open("/check")
    journey.submit("next", {"red_flags": ["not_sure", "brain_infection_signs"]})
    assert headings(journey.html) == ["Call 999 now"]


def test_the_search_knows_that_emergency_advice_lists_no_cause(rules: Rules):
    """The search behind the warnings and `rules diff` agrees with the page: no answer set
    lists a cause together with the emergency advice, though one reaches it through a rule
    (a recent head injury with the spinal cord and brain injury causes)."""
    emergency = when_advised(rules, rules.emergency)
    for cause in rules.causes:
        both = all_of([possible(rules), emergency, when_listed(rules, cause.id)])
        assert satisfy(both, rules.questions) is None, cause.id
    told_later = all_of([possible(rules), emergency, no_red_flag(rules)])
    found = satisfy(told_later, rules.questions)
    assert found is not None
    assert evaluate(rules, complete(rules, found)).listed == ()
