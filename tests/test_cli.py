"""The clinicians' command line: flask --app selfcheck rules check|show|test|diff.

In-process through Flask's CLI runner, and as real processes where what matters is how a
person's shell sees it: the exit status, and no traceback when the app cannot start.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from selfcheck import create_app
from selfcheck.rules import Rules

from .testing.rules import APPROVED, ROOT, RULES_FILE, SHIPPED, Edit, line_of
from .testing.translations import with_shipped_catalogs

BIN = Path(sys.executable).parent
#: A rule that names a question that does not exist: an error on the line below.
MISSPELT: Edit = ("when: {question: started, is: days}", "when: {question: startd, is: days}")
BROKEN_LINE = line_of(SHIPPED, MISSPELT[0])


def test_the_factory_registers_the_rules_commands(app):
    group = app.cli.commands["rules"]
    assert set(group.commands) == {"check", "show", "test", "diff"}


def test_check_passes_the_shipped_rules_with_the_draft_warning(runner):
    result = runner.invoke(args=["rules", "check"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].endswith(
        'rules.yaml:16:9: warning: status is "draft": the app shows '
        "patients that these rules are not yet approved by a clinician"
    )
    assert lines[-1].endswith("rules.yaml: no errors, 1 warning.")


def test_check_uses_the_configured_rules_file(edited_rules):
    path = edited_rules(*APPROVED, name="approved.yaml")
    app = create_app({"TESTING": True, "SECRET_KEY": "k", "RULES_FILE": str(path)})
    result = app.test_cli_runner().invoke(args=["rules", "check"])
    assert result.exit_code == 0
    # A file outside the working folder is named in full; one below it, as typed (above).
    assert result.output.splitlines() == [f"{path}: no errors, no warnings."]


def test_check_a_broken_file_names_the_line_and_exits_1(runner, edited_rules):
    path = edited_rules(MISSPELT)
    result = runner.invoke(args=["rules", "check", str(path)])
    assert result.exit_code == 1
    assert (
        f'{path}:{BROKEN_LINE}:22: urgency rule "started_in_days" refers to question '
        '"startd", which does not exist (did you mean "started"?)'
    ) in result.output
    assert result.output.splitlines()[-1] == f"{path}: 1 error, 1 warning."


def test_show_outlines_every_item_in_plain_words(runner, rules: Rules):
    result = runner.invoke(args=["rules", "show"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "Version: 0.1.0 Status: A draft, not yet approved by a clinician" in text
    for question in rules.questions.values():
        assert question.text in text
        for answer in question.answers:
            if question.id != "red_flags":
                assert f'"{answer.label}"' in text
    for flag in rules.red_flags:
        assert f"[red-flag-{flag.id}] Red flag: {flag.id} Label: {flag.label}" in text
    for cause in rules.causes:
        assert f"[cause-{cause.id}] {cause.name}" in text
    for rule in rules.urgency_rules:
        assert f"[rule-{rule.id}]" in text
    for key, reference in rules.sources.items():
        assert f"[source-{key}] {key} Reference: {reference}" in text
    # Rules and causes are written as English, not as YAML.
    assert (
        "[rule-started_in_days] Urgency rule: started_in_days Raises the advice to: Urgent "
        'Applies when: "When did these symptoms start?" is "In the last few days"'
    ) in text
    assert (
        '[cause-stroke] Stroke Listed when: "Has a doctor ever told you that you have any '
        'of these?" includes "A stroke"'
    ) in text
    assert (
        'Applies when: all of these are true: - "Has a doctor or nurse already checked '
        'these symptoms?" is "No" or "I\'m not sure" - any of these is true:'
    ) in text
    assert "Source: clonus-faq: causes / stroke" in text


def test_show_a_broken_file_prints_its_problems(runner, edited_rules):
    path = edited_rules(MISSPELT)
    result = runner.invoke(args=["rules", "show", str(path)])
    assert result.exit_code == 1
    assert f"{path}:{BROKEN_LINE}:22: " in result.output


def test_test_runs_every_shipped_scenario(runner):
    result = runner.invoke(args=["rules", "test"])
    assert result.exit_code == 0, result.output
    scenarios, vignettes = result.output.split("\n\nVignettes in ")
    for table, kind, least in (
        (scenarios, "scenario", 30),
        ("Vignettes in " + vignettes, "vignette", 60),
    ):
        lines = table.strip().splitlines()
        assert lines[0].startswith(f"{kind.capitalize()}s in ")
        assert f"{kind}s.yaml, run against " in lines[0]
        assert lines[2].split() == [
            "result",
            kind,
            "advice",
            "expected",
            "advice",
            "given",
            "conditions",
            "listed",
        ]
        rows = [line.split() for line in lines[3:] if line.startswith(("pass", "FAIL"))]
        assert len(rows) >= least and all(row[0] == "pass" for row in rows)
        assert f"{len(rows)} {kind}s: {len(rows)} passed, 0 failed." in lines
    # After the vignettes, their triage accuracy.
    emergencies = sum(1 for row in rows if row[2] == "Emergency")
    assert emergencies >= 20
    assert lines[-5:] == [
        "Triage accuracy:",
        f"Under-triaged (less urgent advice than expected): 0 of {len(rows)} (0 %)",
        f"Over-triaged (more urgent advice than expected): 0 of {len(rows)} (0 %)",
        f"Emergency vignettes given the emergency advice: {emergencies} of {emergencies} (100 %)",
        f"Conditions listed not as expected: 0 of {len(rows)} (0 %)",
    ]


def test_test_reports_a_failing_scenario_and_exits_1(runner, edited_scenarios):
    scenarios = edited_scenarios(
        (
            "    answers: {started: days}\n    expect: {urgency: urgent}",
            "    answers: {started: days}\n    expect: {urgency: soon, must_list: [stroke]}",
        )
    )
    result = runner.invoke(args=["rules", "test", str(scenarios)])
    assert result.exit_code == 1
    row = next(line for line in result.output.splitlines() if "urgent_started_in_days" in line)
    assert row.split() == [
        "FAIL",
        "urgent_started_in_days",
        "Soon",
        "Urgent",
        "1",
        "not",
        "as",
        "expected",
    ]
    assert 'expected the advice "Soon", but it was "Urgent"' in result.output
    assert 'expected "Stroke" to be listed as worth discussing, but it was not' in result.output
    assert result.output.splitlines()[-1].endswith("passed, 1 failed.")


def test_test_names_the_line_of_a_scenario_that_cannot_run(runner, edited_scenarios):
    scenarios = edited_scenarios(("answers: {started: days}", "answers: {startd: days}"))
    line = line_of(scenarios.read_text(), "startd")
    result = runner.invoke(args=["rules", "test", str(scenarios)])
    assert result.exit_code == 1
    assert (
        f"{scenarios}:{line}:" in result.output
        and 'scenario "urgent_started_in_days" refers '
        'to question "startd", which does not exist (did you mean "started"?)'
        in result.output
    )


def test_diff_of_the_same_file_finds_no_change(runner):
    result = runner.invoke(args=["rules", "diff", str(RULES_FILE), str(RULES_FILE)])
    assert result.exit_code == 0
    assert "No changes for patients" in result.output
    assert "0 other scenarios" not in result.output


def test_diff_of_a_broken_file_exits_1(runner, edited_rules):
    path = edited_rules(MISSPELT)
    result = runner.invoke(args=["rules", "diff", str(RULES_FILE), str(path)])
    assert result.exit_code == 1
    assert f"{path}:{BROKEN_LINE}:22: " in result.output


# --------------------------------------------------------------------------------------------
# As a person's shell sees it


def shell(*args: str, rules_file: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SELFCHECK_SECRET_KEY": "cli tests"}
    if rules_file is not None:
        env["SELFCHECK_RULES_FILE"] = str(rules_file)
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


@pytest.fixture
def broken(edited_rules) -> Path:
    path = edited_rules(MISSPELT)
    return path


def test_a_broken_configured_file_is_reported_without_a_traceback(broken):
    result = shell(str(BIN / "flask"), "--app", "selfcheck", "rules", "check", rules_file=broken)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert "Error: the app cannot start: its rules file has 1 error, 1 warning." in result.stderr
    assert (
        f'{broken}:{BROKEN_LINE}:22: urgency rule "started_in_days" refers to question "startd"'
    ) in result.stderr


def test_the_server_does_not_start_on_a_broken_file(broken):
    result = shell(
        str(BIN / "flask"),
        "--app",
        "selfcheck",
        "run",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        rules_file=broken,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert f"{broken}:{BROKEN_LINE}:22: " in result.stderr


def test_the_selfcheck_script_checks_another_file_even_then(broken):
    result = shell(str(BIN / "selfcheck"), "rules", "check", "rules.yaml", rules_file=broken)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "rules.yaml: no errors, 1 warning."


def test_flask_rules_check_on_the_shipped_rules():
    result = shell(str(BIN / "flask"), "--app", "selfcheck", "rules", "check")
    assert result.returncode == 0
    assert result.stdout.splitlines()[-1] == "rules.yaml: no errors, 1 warning."


def test_check_reports_each_language_of_the_shipped_rules(runner):
    result = runner.invoke(args=["rules", "check"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    for language, name in (("es", "Spanish (español)"), ("ar", "Arabic (العربية)")):
        assert (
            f"rules.{language}.po: {name}: complete, offered to patients; translated, not yet "
            "reviewed by a clinician fluent in the language, by selfcheck team "
            "(machine-assisted draft)"
        ) in lines
    assert lines[-1].endswith("rules.yaml: no errors, 1 warning.")


def test_check_names_the_one_english_text_changed_since_translation(edited_rules):
    old = "text: Do your muscles feel stiff or tight (hypertonia)?"
    path = with_shipped_catalogs(edited_rules((old, old.replace("stiff", "hard"))))
    result = (
        create_app({"TESTING": True, "SECRET_KEY": "k"})
        .test_cli_runner()
        .invoke(args=["rules", "check", str(path)])
    )
    assert result.exit_code == 0, "a stale translation is a warning, not an error"
    line = line_of(path.read_text(), "text: Do your muscles feel hard")
    column = path.read_text().splitlines()[line - 1].index("Do your") + 1
    for language, name in (("es", "Spanish (español)"), ("ar", "Arabic (العربية)")):
        stale = [entry for entry in result.output.splitlines() if f"rules.{language}.po: " in entry]
        assert stale == [
            f"{path}:{line}:{column}: warning: rules.{language}.po: question stiffness / text "
            f"(rules.yaml line {line}) has no current translation: the English text changed "
            "since it was translated",
            f"rules.{language}.po: {name}: withheld from patients (English instead): 1 problem; "
            "translated, not yet reviewed by a clinician fluent in the language, by selfcheck "
            "team (machine-assisted draft)",
        ]
    assert result.output.splitlines()[-1] == f"{path}: no errors, 3 warnings."
