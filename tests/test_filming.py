"""'If it comes and goes, film it': guidance on filming an episode for the clinician, shown on
the result and on the summary (screen, paper and PDF) when the rules' condition holds, in every
language, never with emergency advice, and never with a way to send a video to the site.

The words and the condition are the clinicians' (rules.yaml, "filming"): these tests read them
from the loaded rules and their catalogs, so that a clinical edit does not break them."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from selfcheck.outcome import evaluate
from selfcheck.rules import Rules, RulesError, load

from .testing.answers import NO_SYMPTOMS, SOON, URGENT_MEDICINE, Given, as_sets
from .testing.languages import PREFIX
from .testing.pages import pdf_words, visible_text
from .testing.rules import RULES_FILE, SHIPPED, line_of
from .testing.visitor import Journey

#: The emergency check with a red flag ticked, then the other answers of a person who would
#: otherwise be told to film an episode.
EMERGENCY = {**SOON, "red_flags": "stroke_signs"}
#: A parent answering for a child whose symptoms are not jerking.
FOR_SOMEONE_ELSE = {**NO_SYMPTOMS, "for_whom": "other"}


def heading_in(code: str, rules: Rules) -> str:
    """The filming guidance's heading in language ``code``, from the rules' own catalog."""
    assert rules.filming is not None
    if code == "en":
        return rules.filming.heading
    path = Path(RULES_FILE).with_name(f"rules.{code}.po")
    with path.open("rb") as file:
        found = [m for m in read_po(file) if m.context == "filming / heading"]
    assert len(found) == 1 and found[0].string
    return str(found[0].string)


def letters(word: str) -> str:
    """A word's letters alone: pdftotext may part a comma, a vowel mark or a direction mark
    from an Arabic word."""
    return "".join(c for c in word if unicodedata.category(c).startswith("L"))


def in_pdf(pdf: bytes) -> Counter[str]:
    """The words of a PDF, by their letters."""
    found: Counter[str] = Counter()
    for word, times in pdf_words(pdf).items():
        found[letters(word)] += times
    return found


def said(text: str) -> Counter[str]:
    """The words of a text, by their letters; but for a word with a vowel mark (an Arabic
    shadda), which pdftotext reads back split and doubled."""
    return Counter(
        letters(word)
        for word in text.split()
        if not any(unicodedata.category(c) == "Mn" for c in word)
    )


def shown(html: str) -> bool:
    return 'id="filming-heading"' in html


# The rules file: the text, its source and its condition are loaded and checked.


def test_the_shipped_rules_hold_the_guidance_with_its_source(rules: Rules):
    assert rules.filming is not None
    assert rules.filming.heading and len(rules.filming.text) >= 2
    assert rules.filming.source
    for part in rules.filming.source.split(";"):
        assert part.split(":")[0].strip() in rules.sources


def test_a_rules_file_without_it_loads_and_shows_none(tmp_path, rules: Rules):
    path = tmp_path / "rules.yaml"
    path.write_text(SHIPPED[: SHIPPED.index("\nfilming:")] + "\n", encoding="utf-8")
    without = load(path)
    assert without.filming is None
    assert evaluate(without, as_sets(SOON)).filming == ()


@pytest.mark.parametrize(
    "old, new, message",
    [
        (
            "- {question: nerve_now, is: comes_goes}",
            "- {question: nerve_now, is: comes_and_goes}",
            "comes_and_goes",
        ),
        ("- {question: for_whom, is: other}", "- {question: for_who, is: other}", "for_who"),
        ('source: "tatum-2020: smartphone', 'source: "tatum-2021: smartphone', "tatum-2021"),
        ("  heading: If it comes and goes, film it", "  heading: Film it {video}", "{video}"),
    ],
)
def test_a_mistake_in_it_names_its_line(tmp_path, old: str, new: str, message: str):
    text = SHIPPED[: SHIPPED.index("\nfilming:")] + SHIPPED[SHIPPED.index("\nfilming:") :].replace(
        old, new
    )
    assert text != SHIPPED
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulesError) as caught:
        load(path)
    found = [p for p in caught.value.errors if message in p.message]
    assert found, [str(p) for p in caught.value.errors]
    assert found[0].line == line_of(text, new)


def test_without_its_condition_the_file_is_refused(tmp_path):
    start = SHIPPED.index("\nfilming:")
    block = SHIPPED[start:]
    when = block[block.index("  when:") : block.index("  text:")]
    path = tmp_path / "rules.yaml"
    path.write_text(SHIPPED[:start] + block.replace(when, ""), encoding="utf-8")
    with pytest.raises(RulesError, match="when"):
        load(path)


# When it is shown: the condition in the rules, never with emergency advice.


@pytest.mark.parametrize(
    "answers, expected",
    [
        (SOON, True),  # jerking, yes
        (URGENT_MEDICINE, True),
        (NO_SYMPTOMS, False),  # no jerking, no fit, answering for oneself
        (FOR_SOMEONE_ELSE, True),
        ({**NO_SYMPTOMS, "recent_signs": ["seizure"], "fit_when": "days"}, True),
        (EMERGENCY, False),
    ],
    ids=["jerking", "urgent", "no-symptoms", "for-someone-else", "a-fit", "emergency"],
)
def test_it_is_shown_when_the_rules_condition_holds_and_never_in_an_emergency(
    rules: Rules, answers, expected: bool
):
    assert rules.filming is not None
    given = as_sets(answers)
    outcome = evaluate(rules, given)
    assert bool(outcome.filming) == expected
    assert bool(outcome.filming) == (rules.filming.when.holds(given) and not outcome.emergency)
    if expected:
        assert outcome.filming == rules.filming.text


def test_the_condition_is_the_clinicians(tmp_path, rules: Rules):
    """Taking "answering for someone else" out of rules.yaml's condition is all it takes to
    stop showing the guidance to a carer whose person has no jerking."""
    line = "      - {question: for_whom, is: other}\n"
    assert SHIPPED.count(line) == 1
    path = tmp_path / "rules.yaml"
    path.write_text(SHIPPED.replace(line, ""), encoding="utf-8")
    assert evaluate(rules, as_sets(FOR_SOMEONE_ELSE)).filming
    assert not evaluate(load(path), as_sets(FOR_SOMEONE_ELSE)).filming


def test_a_nerve_symptom_that_comes_and_goes_counts(rules: Rules):
    """ "They come and go" on its own, with no jerking and no fit, brings the guidance when the
    advice is not an emergency; the rules say what level that is."""
    assert rules.filming is not None
    nerve: Given = {
        "nerve_symptoms": ["sight"],
        "nerve_started": "longer",
        "nerve_now": "comes_goes",
    }
    given = as_sets({**NO_SYMPTOMS, **nerve})
    assert rules.filming.when.holds(given)
    assert rules.questions["nerve_now"].ask_when is not None
    assert rules.questions["nerve_now"].ask_when.holds(given), "the question is asked"
    outcome = evaluate(rules, given)
    assert bool(outcome.filming) == (not outcome.emergency)


# The pages, the paper and the PDF, in every language.


@pytest.mark.parametrize("code", PREFIX)
def test_the_result_and_the_pdf_show_it_in_each_language(client, rules: Rules, code: str):
    journey = Journey(client, rules, PREFIX[code])
    page = journey.complete(SOON).get_data(as_text=True)
    heading = heading_in(code, rules)
    assert f'lang="{code}"' in page
    assert shown(page)
    text = visible_text(page)
    # On screen once, after the advice and the PDF button; the paper's copy is hidden.
    assert text.count(heading) == 1
    assert page.index('value="pdf"') < page.index('id="filming-heading"')
    assert '<p class="filming-paper" hidden>' in page
    # Every word of it in the PDF (pdftotext reads Arabic words whole, not their order).
    assert said(heading) <= in_pdf(journey.submit("pdf").data)


@pytest.mark.parametrize("code", PREFIX)
def test_it_is_not_shown_without_its_condition_nor_in_an_emergency(client, rules: Rules, code: str):
    journey = Journey(client, rules, PREFIX[code])
    heading = heading_in(code, rules)
    for answers in (NO_SYMPTOMS, EMERGENCY):
        page = journey.complete(answers).get_data(as_text=True)
        assert 'id="urgency-heading"' in page
        assert not shown(page) and heading not in page
        assert not said(heading) <= in_pdf(journey.submit("pdf").data)


def test_the_emergency_result_never_puts_it_before_the_call(client, rules: Rules):
    page = Journey(client, rules).complete(EMERGENCY).get_data(as_text=True)
    assert 'href="tel:' in page
    assert "filming" not in page


@pytest.mark.parametrize("code", PREFIX)
@pytest.mark.parametrize(
    "answers", [SOON, FOR_SOMEONE_ELSE, EMERGENCY], ids=["soon", "someone-else", "emergency"]
)
def test_no_page_can_take_a_video(client, rules: Rules, code: str, answers):
    """No file input, no camera capture, no form that sends files: the guidance says to keep the
    video on the phone, and the site has no way to take one."""
    journey = Journey(client, rules, PREFIX[code])
    journey.open(f"{PREFIX[code]}/check")
    pages = [journey.html]
    for _ in rules.pages:
        journey.answer_page(answers)
        pages.append(journey.html)
        if 'id="urgency-heading"' in journey.html:
            break
    assert 'id="urgency-heading"' in pages[-1]
    for html in pages:
        assert not re.search(r'type="?file', html, re.I)
        assert "capture=" not in html
        assert "multipart/form-data" not in html
        assert "getUserMedia" not in html


# The clinicians' tools: the review page and `rules diff` show it.


def test_the_review_page_shows_it_with_its_condition(client, rules: Rules):
    assert rules.filming is not None
    page = visible_text(client.get("/rules").get_data(as_text=True))
    at = page.index(rules.filming.heading)
    assert "Shown when" in page[at:] and "Never shown" in page[at:]
    assert rules.filming.text[0] in page[at:]


def diff(runner, old: Path, new: Path) -> str:
    result = runner.invoke(args=["rules", "diff", str(old), str(new)])
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def test_rules_diff_names_it_added_and_its_condition_changed(tmp_path, runner, rules: Rules):
    assert rules.filming is not None
    without = tmp_path / "without.yaml"
    without.write_text(SHIPPED[: SHIPPED.index("\nfilming:")] + "\n", encoding="utf-8")
    changed = tmp_path / "changed.yaml"
    changed.write_text(
        SHIPPED.replace("      - {question: for_whom, is: other}\n", ""), encoding="utf-8"
    )
    added = diff(runner, without, RULES_FILE)
    assert '"If it comes and goes, film it" added' in added
    assert rules.filming.text[0] in added
    when = diff(runner, RULES_FILE, changed)
    assert '"If it comes and goes, film it": when it is shown changed' in when
