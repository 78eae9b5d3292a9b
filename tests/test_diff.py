"""`rules diff OLD NEW`: what changes for patients, as a reviewer approving a change reads it."""

from __future__ import annotations

import re
from pathlib import Path

from selfcheck.changes import compare
from selfcheck.outcome import evaluate
from selfcheck.rules import Rules, load
from selfcheck.rules.reach import all_of, complete, essential, satisfy, when_advised

from .testing.rules import NEW_QUESTION, RULES_FILE, SCENARIOS_FILE, Edit, edited


def diff(runner, new: Path) -> str:
    result = runner.invoke(args=["rules", "diff", str(RULES_FILE), str(new)])
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def test_a_reworded_question_shows_both_wordings(runner, edited_rules):
    new = edited_rules(
        (
            "text: Do your muscles feel stiff or tight (hypertonia)?",
            "text: Do your muscles feel stiff, tight or hard to move?",
        ),
    )
    text = diff(runner, new)
    assert (
        'Question "stiffness": wording changed Before: Do your muscles feel stiff or tight '
        "(hypertonia)? After: Do your muscles feel stiff, tight or hard to move?"
    ) in text
    assert (
        "Advice and conditions that change for some answers - None: every set of answers "
        "gets the same advice and the same conditions from both files" in text
    )
    assert not re.search(r"\b0 other scenarios", text)
    assert "other scenarios give the same outcome" in text


def test_added_and_removed_questions_and_answers(runner, edited_rules):
    new = edited_rules(
        NEW_QUESTION,
        ('          - {value: elsewhere, label: "Somewhere else", worry: 1}\n', ""),
        (
            "{question: where, includes: [ankles, knees, wrists, elsewhere]}",
            "{question: where, includes: [ankles, knees, wrists]}",
            -1,
        ),
        (
            '- {value: wrists, label: "Wrists or hands", worry: 1}',
            '- {value: wrists, label: "Wrists, hands or fingers", worry: 1}',
        ),
    )
    text = diff(runner, new)
    assert (
        'Question "cramps" added Asks: Do you get cramps in your legs at night? '
        'Page: When it started Asked when: always Answers: - "Yes" - "No" - "I\'m not sure"'
    ) in text
    assert 'Question "where": answer "elsewhere" removed Label: Somewhere else' in text
    assert (
        'Question "where", answer "wrists": label changed Before: Wrists or hands After: '
        "Wrists, hands or fingers"
    ) in text
    assert 'Urgency rule "not_checked_yet": when it applies changed' in text
    # The answers of "where" differ, so the exhaustive search cannot compare answer sets.
    assert 'Not searched: the answers of "where" differ between the files' in text


def test_a_changed_trigger_is_written_before_and_after(runner, edited_rules):
    new = edited_rules(
        (
            "    when: {question: conditions, includes: stroke}",
            "    when: {question: conditions, includes: [stroke, brain_injury]}",
        ),
    )
    text = diff(runner, new)
    assert (
        'Cause "stroke": when it is listed changed Before: "Has a doctor ever told you that '
        'you have, or have had, any of these?" includes "A stroke" After: "Has a doctor ever '
        'told you that you have, or have had, any of these?" includes any of "A stroke" or '
        '"A brain injury, for example from a blow to the head (traumatic brain injury)"'
    ) in text
    example = re.search(
        r'Cause "stroke" \(Stroke\) is now listed for some answers For example: '
        r"(.*?) Scenarios whose",
        text,
    )
    assert example is not None
    assert (
        '"Has a doctor ever told you that you have, or have had, any of these?": "A brain injury'
        in (example.group(1))
    )
    assert (
        'Scenario "cause_brain_injury" (passes): A brain injury in the past is listed as '
        'worth discussing Now also listed: "Stroke"' in text
    )


def test_less_urgent_advice_is_found_and_shown_first(runner, edited_rules):
    new = edited_rules(
        ("  - id: worse_slowly\n    level: soon", "  - id: worse_slowly\n    level: routine"),
    )
    text = diff(runner, new)
    part = text[text.index("Advice and conditions that change") :]
    assert part.index("LESS URGENT") < part.index("Scenarios whose outcome changes")
    assert ('- LESS URGENT: some answers that got "Soon" now get "Routine" For example:') in part
    assert (
        'Scenario "soon_worse_slowly" (now FAILS its expectations): Checked symptoms that '
        'slowly get worse move from routine to soon Advice: "Soon" before, "Routine" now'
    ) in text
    assert 'Urgency rule "worse_slowly": level changed Before: Soon After: Routine' in text


def test_the_example_answers_really_get_the_two_levels(rules: Rules, edited_rules):
    new = load(
        edited_rules(
            ("  - id: worse_slowly\n    level: soon", "  - id: worse_slowly\n    level: routine"),
        )
    )
    soon = next(lvl for lvl in rules.levels if lvl.id == "soon")
    routine = next(lvl for lvl in new.levels if lvl.id == "routine")
    both = all_of([when_advised(rules, soon), when_advised(new, routine)])
    example = essential(both, rules.questions, satisfy(both, rules.questions) or {})
    assert evaluate(rules, complete(rules, example)).level.id == "soon"
    assert evaluate(new, complete(new, example)).level.id == "routine"
    assert len(example) < len(rules.questions), "only the answers that matter"


def test_levels_red_flags_and_review_record(edited_rules):
    new = load(
        edited_rules(
            ('version: "0.1.0"', 'version: "0.2.0"'),
            (
                "    heading: Book an appointment with a doctor in the next few days",
                "    heading: Book an appointment with a doctor this week",
            ),
            ("    - id: recent_injury\n", "    - id: recent_fall\n"),
        )
    )
    found = compare(load(RULES_FILE), new)
    says = [c.says for topic in found.topics for c in topic.changes]
    assert "The review record: version changed" in says
    assert 'Urgency level "soon": heading changed' in says
    assert 'Red flag "recent_fall" added' in says
    assert 'Red flag "recent_injury" removed' in says
    assert found.changed


SCENARIOS = SCENARIOS_FILE.read_text()


def beside(new: Path, *edits: Edit, count: int = 1) -> None:
    """The scenarios, changed for the new rules, beside the new rules file."""
    (new.parent / "scenarios.yaml").write_text(edited(SCENARIOS, *edits, count=count))


def test_scenarios_still_run_through_both_files_when_a_question_is_added(runner, edited_rules):
    new = edited_rules(
        NEW_QUESTION,
    )
    beside(
        new, ("    medicine_change: none\n", "    medicine_change: none\n    cramps: no\n"), count=3
    )
    text = diff(runner, new)
    total = SCENARIOS.count("  - id: ")
    assert (
        f"Scenarios whose outcome changes (from {new.parent / 'scenarios.yaml'}) "
        f"{total} other scenarios give the same outcome." in text
    )
    assert "cannot be compared" not in text


def test_a_scenario_the_old_rules_cannot_answer_is_said_plainly(runner, edited_rules):
    new = edited_rules(("    - id: recent_injury\n", "    - id: recent_fall\n"))
    beside(new, ("recent_injury", "recent_fall"), count=-1)
    text = diff(runner, new)
    assert (
        'Scenario "red_flag_recent_fall" cannot be compared: with the old rules question '
        '"red_flags" has no answer "recent_fall" Scenario: Symptoms after a recent injury to '
        "the head, neck or back lead to emergency advice"
    ) in text
    assert 'Scenario "red_flag_beats_stable_symptoms" cannot be compared' in text
    assert 'Scenario "every_red_flag_at_once" cannot be compared' in text
