"""The review page's links between items, worked out from the loaded rules (selfcheck.crossref):
each question says what uses its answers, each rule, cause, contradiction or text shown for
some answers links to the questions and answers it reads, and every link lands on an item."""

from __future__ import annotations

import re

from selfcheck.crossref import NOT_USED, Line, reads
from selfcheck.outline import Outline, outline
from selfcheck.rules import NOT_SURE, Condition, Op, Rules, load


def entries(found: Outline) -> dict[str, dict[str, object]]:
    """Each entry's facts by label, by the entry's anchor."""
    return {e.anchor: dict(e.facts) for s in found.sections for e in s.entries}


def places(found: Outline) -> set[str]:
    """Every anchor a link may land on: the parts, the items, and the answers."""
    anchors = {s.anchor for s in found.sections}
    for section in found.sections:
        for entry in section.entries:
            anchors.add(entry.anchor)
            for _, value in entry.facts:
                if isinstance(value, tuple):
                    anchors |= {line.anchor for line in value if isinstance(line, Line)}
    return anchors - {""}


def used_by(found: Outline, anchor: str) -> list[str]:
    lines = entries(found)[anchor]["Used by"]
    assert isinstance(lines, tuple)
    return [line.link if isinstance(line, Line) else str(line) for line in lines]


def test_the_guidance_on_filming_is_among_what_uses_who_answers(rules: Rules):
    # It is shown to a person answering for someone else: "only appears on the summary", as
    # the page said of this question, told a reviewer that changing it changes nothing.
    found = outline(rules)
    assert used_by(found, "question-for_whom") == ["filming-guidance"]
    assert "goes-away" in used_by(found, "question-medicines")
    assert used_by(found, "emergency-check") == ["rule-unsure_of_emergency_signs"]


def test_a_rule_links_to_each_question_and_answer_it_reads(rules: Rules):
    rule = next(
        e for s in outline(rules).sections for e in s.entries if e.anchor == "rule-cold_baby"
    )
    assert [
        (read.question.text, read.question.link, [(a.text, a.link) for a in read.answers])
        for read in rule.reads
    ] == [
        ('question "age"', "question-age", [('"3 to 11 months old"', "answer-age-baby")]),
        (
            'question "unwell"',
            "question-unwell",
            [('"A low temperature, or skin that feels cold and clammy"', "answer-unwell-cold")],
        ),
    ]


def test_a_red_flag_read_by_a_rule_links_to_the_red_flag(rules: Rules):
    # The emergency check's answers are the red flags, each an item of its own; its "Not sure"
    # is a fact of the emergency check's item, and so it is not a link.
    [read] = reads(rules, [Condition(Op.IS, "red_flags", frozenset({"seizure", NOT_SURE}))])
    assert read.question == Line('question "red_flags"', link="emergency-check")
    assert [(a.text, a.link) for a in read.answers] == [
        ('"A fit now, a first fit, or a fit of 5 minutes or more"', "red-flag-seizure"),
        ('"I\'m not sure if there is one of these signs"', ""),
    ]


def test_what_reads_a_question_and_what_it_is_used_by_agree(rules: Rules):
    """Both ways round, for every item: a rule that reads a question is in that question's
    "Used by", and everything in a question's "Used by" reads it; a question nothing reads
    says so. Every link lands on an anchor of the outline."""
    found = outline(rules)
    anchors = places(found)
    readers: dict[str, set[str]] = {}
    for section in found.sections:
        for entry in section.entries:
            for read in entry.reads:
                readers.setdefault(read.question.link, set()).add(entry.anchor)
                assert read.question.link in anchors
                assert all(a.link in anchors for a in read.answers if a.link)
    asked = {q.id: f"question-{q.id}" for q in rules.questions.values()}
    asked[rules.pages[0].questions[0].id] = "emergency-check"
    users_of = {anchor: set(used_by(found, anchor)) - {NOT_USED} for anchor in asked.values()}
    assert {a: u for a, u in users_of.items() if u} == readers
    for anchor, found_users in users_of.items():
        assert found_users <= anchors, anchor
    assert [a for a, u in users_of.items() if not u] == [
        a for a in asked.values() if a not in readers
    ]
    assert len(readers) > 20


def test_a_new_rule_is_listed_under_the_question_it_reads(edited_rules):
    before = outline(load(edited_rules()))
    assert "rule-calls_for_someone" not in used_by(before, "question-for_whom")
    after = outline(
        load(
            edited_rules(
                (
                    "urgency_rules:\n",
                    "urgency_rules:\n"
                    "  - id: calls_for_someone\n"
                    "    level: soon\n"
                    "    when: {question: for_whom, is: other}\n"
                    "    reason: You are answering for someone else.\n"
                    "    source: brief\n",
                ),
                name="more.yaml",
            )
        )
    )
    assert used_by(after, "question-for_whom") == ["rule-calls_for_someone", "filming-guidance"]


def test_every_link_on_the_review_page_lands_on_the_page(client):
    html = client.get("/rules").get_data(as_text=True)
    ids = set(re.findall(r'\sid="([^"]+)"', html))
    links = set(re.findall(r'href="#([^"]+)"', html))
    assert len(links) > 300
    assert links - ids == set()
    # The answers a rule reads are places of their own, one per answer.
    assert "answer-age-baby" in ids and 'href="#answer-age-baby"' in html
