"""The clinicians' command line: flask --app selfcheck rules check|show|test|diff|fingerprint|
approve.

In-process through Flask's CLI runner, and as real processes where what matters is how a
person's shell sees it: the exit status, and no traceback when the app cannot start.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from selfcheck import create_app
from selfcheck.rules import Rules, load

from .testing.rules import (
    APPROVED,
    ROOT,
    RULES_FILE,
    SHIPPED,
    SHIPPED_FINGERPRINT,
    Edit,
    edited,
    line_of,
)
from .testing.translations import TRANSLATED_BY, with_shipped_catalogs

BIN = Path(sys.executable).parent
#: A rule that names a question that does not exist: an error on the line below.
MISSPELT: Edit = ("when: {question: started, is: days}", "when: {question: startd, is: days}")
BROKEN_LINE = line_of(SHIPPED, MISSPELT[0])
#: The first line of every command on the shipped rules.
SHIPPED_LINE = f"Rules: {RULES_FILE} (version 0.1.0, draft, fingerprint {SHIPPED_FINGERPRINT[:12]})"
DRAFT_WARNING = (
    f"rules.yaml:{line_of(SHIPPED, 'approvals: []')}:1: warning: no clinician has approved "
    "these rules yet: the app shows patients that they are a draft"
)


def test_the_factory_registers_the_rules_commands(app):
    group = app.cli.commands["rules"]
    assert set(group.commands) == {
        "check",
        "show",
        "test",
        "diff",
        "fingerprint",
        "approve",
        "fhir",
        "evaluate",
    }


def test_check_passes_the_shipped_rules_with_the_draft_warning(runner):
    result = runner.invoke(args=["rules", "check"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == SHIPPED_LINE
    assert lines[1].endswith(DRAFT_WARNING)
    assert lines[-1].endswith("rules.yaml: no errors, 1 warning.")


def test_check_uses_the_configured_rules_file(edited_rules):
    path = edited_rules(*APPROVED, name="approved.yaml")
    app = create_app({"TESTING": True, "SECRET_KEY": "k", "RULES_FILE": str(path)})
    result = app.test_cli_runner().invoke(args=["rules", "check"])
    assert result.exit_code == 0
    # A file outside the working folder is named in full; one below it, as typed (above).
    assert result.output.splitlines() == [
        f"Rules: {path} (version 0.1.0, approved, fingerprint {SHIPPED_FINGERPRINT[:12]})",
        f"{path}: no errors, no warnings.",
    ]


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
    assert result.output.splitlines()[0] == SHIPPED_LINE
    assert (
        f"Version: 0.1.0 Fingerprint: {SHIPPED_FINGERPRINT[:12]} "
        "Status: A draft, not yet approved by a clinician Approvals: none yet"
    ) in text
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
        '[cause-stroke] Stroke Listed when: "Has a doctor ever told you that you have, or have '
        'had, any of these?" includes "A stroke"'
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
    first, rest = result.output.split("\n", 1)
    assert first == SHIPPED_LINE
    scenarios, team, blind = rest.split("\n\nVignettes in ")
    for table, kind, least in (
        (scenarios, "scenario", 30),
        ("Vignettes in " + team, "vignette", 60),
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
    # The vignettes written blind come last, on their own: more urgent advice than their
    # author asked for is counted as over (a cost, reported), less urgent is a failure.
    lines = ("Vignettes in " + blind).strip().splitlines()
    assert lines[0].startswith("Vignettes in vignettes-blind.yaml, run against ")
    assert "more urgent advice than expected is marked over, not FAIL" in lines[1]
    rows = [line.split() for line in lines if line.startswith(("pass", "over", "FAIL"))]
    over = sum(1 for row in rows if row[0] == "over")
    assert len(rows) >= 60 and not [row for row in rows if row[0] == "FAIL"]
    assert all(
        row[3] != "Emergency" for row in rows if row[0] == "over" and row[2] in ("Soon", "Routine")
    )
    assert (
        f"{len(rows)} vignettes: {len(rows) - over} passed, "
        f"{over} over (more urgent than expected), 0 failed." in lines
    )
    emergencies = sum(1 for row in rows if row[2] == "Emergency")
    assert f"Under-triaged (less urgent advice than expected): 0 of {len(rows)} (0 %)" in lines
    assert (
        f"Emergency vignettes given the emergency advice: {emergencies} of {emergencies} (100 %)"
        in lines
    )


def test_test_reports_a_failing_scenario_and_exits_1(runner, edited_scenarios):
    scenarios = edited_scenarios(
        (
            "    answers: {started: days}\n    expect: {urgency: urgent}",
            "    answers: {started: days}\n    expect: {urgency: soon, must_list: [stroke]}",
        )
    )
    result = runner.invoke(args=["rules", "test", "--scenarios", str(scenarios)])
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
    result = runner.invoke(args=["rules", "test", "--scenarios", str(scenarios)])
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
    assert not re.search(r"\b0 other scenarios", result.output), "no line about zero scenarios"


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
    assert result.stdout.splitlines()[0] == SHIPPED_LINE
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
            f"reviewed by a clinician fluent in the language, by {TRANSLATED_BY[language]}"
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
            "translated, not yet reviewed by a clinician fluent in the language, by "
            f"{TRANSLATED_BY[language]}",
        ]
    assert result.output.splitlines()[-1] == f"{path}: no errors, 3 warnings."


# --------------------------------------------------------------------------------------------
# One way to give the rules file; the fingerprint; approvals bound to the content


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of the shipped rules, with their scenarios and vignettes beside them."""
    for name in ("rules.yaml", "scenarios.yaml", "vignettes.yaml", "vignettes-blind.yaml"):
        (tmp_path / name).write_text((ROOT / name).read_text(encoding="utf-8"), encoding="utf-8")
    return tmp_path


def approve(runner, path: Path, *more: str, by: str = "Dr A. Example"):
    return runner.invoke(
        args=["rules", "approve", str(path), "--by", by, "--role", "consultant neurologist", *more]
    )


@pytest.mark.parametrize(
    "command",
    [["check"], ["show"], ["test"], ["diff", "--against", str(RULES_FILE)], ["fingerprint"]],
    ids=["check", "show", "test", "diff", "fingerprint"],
)
def test_every_command_takes_the_rules_file_first_and_says_which_it_used(runner, folder, command):
    path = folder / "rules.yaml"
    path.write_text(edited(SHIPPED, ('version: "0.1.0"', 'version: "0.2.0"')), encoding="utf-8")
    result = runner.invoke(args=["rules", command[0], str(path), *command[1:]])
    assert result.exit_code == 0, result.output
    first = result.stderr if command == ["fingerprint"] else result.stdout
    assert first.splitlines()[0].startswith(f"Rules: {path} (version 0.2.0, draft, fingerprint ")


def test_test_runs_the_scenarios_beside_the_rules_file(runner, folder):
    (folder / "scenarios.yaml").write_text(
        edited(
            (ROOT / "scenarios.yaml").read_text(),
            ("    answers: {started: days}\n    expect: {urgency: urgent}",
             "    answers: {started: days}\n    expect: {urgency: soon}"),
        ),
        encoding="utf-8",
    )  # fmt: skip
    result = runner.invoke(args=["rules", "test", str(folder / "rules.yaml")])
    assert result.exit_code == 1
    assert f"Scenarios in {folder / 'scenarios.yaml'}" in result.output
    assert 'expected the advice "Soon", but it was "Urgent"' in result.output


def test_the_older_form_of_test_still_runs_the_scenarios_given(runner, folder):
    result = runner.invoke(args=["rules", "test", str(folder / "scenarios.yaml")])
    assert result.exit_code == 0, result.output
    assert "the rules file comes first now: rules test [FILE] --scenarios" in result.stderr
    assert result.stdout.splitlines()[0] == SHIPPED_LINE
    count = result.stdout.count("\npass ")
    assert count >= 30 and f"{count} scenarios: {count} passed, 0 failed." in result.stdout


def test_fingerprint_prints_the_sha256_of_the_content_alone_on_stdout(runner, folder):
    result = runner.invoke(args=["rules", "fingerprint"])
    assert result.exit_code == 0
    assert result.stdout == SHIPPED_FINGERPRINT + "\n"
    assert result.stderr.splitlines() == [SHIPPED_LINE]
    canonical = runner.invoke(args=["rules", "fingerprint", "--canonical"]).stdout
    assert hashlib.sha256(canonical.encode("utf-8")).hexdigest() == SHIPPED_FINGERPRINT
    # A comment changes nothing; a word of advice does.
    path = folder / "rules.yaml"
    path.write_text("# reviewed on paper\n" + SHIPPED, encoding="utf-8")
    assert runner.invoke(args=["rules", "fingerprint", str(path)]).stdout == result.stdout
    path.write_text(
        edited(SHIPPED, ("should be checked today", "need a check today")), encoding="utf-8"
    )
    assert runner.invoke(args=["rules", "fingerprint", str(path)]).stdout != result.stdout


def test_approve_then_an_edit_makes_a_draft_that_check_and_diff_explain(runner, folder):
    path = folder / "rules.yaml"
    done = approve(runner, path, "--date", "2026-01-31")
    assert done.exit_code == 0, done.output
    assert done.output.splitlines()[1] == (
        f"Approved: version 0.1.0, fingerprint {SHIPPED_FINGERPRINT[:12]}, by Dr A. Example "
        f"(consultant neurologist) on 2026-01-31. Recorded in {path}; the approved content is "
        f"kept in {folder / 'approved' / 'rules.yaml'}."
    )
    # Only the approval was added; the copy is exactly the approved file.
    assert path.read_text().replace(APPROVED[0][1].replace("2025-01-31", "2026-01-31"), "") == (
        SHIPPED.replace(APPROVED[0][0], "")
    )
    assert (folder / "approved" / "rules.yaml").read_text() == path.read_text()
    # Approving the same content again records nothing.
    before = path.read_text()
    again = approve(runner, path, by="Dr B. Example")
    assert again.exit_code == 0 and "is already approved, by Dr A. Example" in again.output
    assert path.read_text() == before
    check = runner.invoke(args=["rules", "check", str(path)])
    assert check.output.splitlines() == [
        f"Rules: {path} (version 0.1.0, approved, fingerprint {SHIPPED_FINGERPRINT[:12]})",
        f"{path}: no errors, no warnings.",
    ]
    path.write_text(
        path.read_text().replace("should be checked today", "need a check today", 1),
        encoding="utf-8",
    )
    check = runner.invoke(args=["rules", "check", str(path)])
    assert check.exit_code == 0
    assert "(version 0.1.0, draft, fingerprint " in check.output.splitlines()[0]
    assert (
        "warning: changed since it was approved by Dr A. Example (consultant neurologist) on "
        "2026-01-31 (version 0.1.0)"
    ) in check.output
    assert "the version is the same: raise it" in check.output
    diff = runner.invoke(args=["rules", "diff", str(path)])
    assert diff.exit_code == 0, diff.output
    assert f"from: {folder / 'approved' / 'rules.yaml'} (version 0.1.0, approved)" in diff.output
    assert "need a check today" in diff.output
    # The same content cannot be approved again under the same version.
    again = approve(runner, path, by="Dr B. Example")
    assert again.exit_code == 1
    assert 'raise "version" before this content is approved' in again.output
    path.write_text(path.read_text().replace('"0.1.0"', '"0.2.0"', 1), encoding="utf-8")
    assert approve(runner, path, by="Dr B. Example").exit_code == 0
    show = runner.invoke(args=["rules", "show", str(path)])
    assert "Approvals, newest first:" in show.output
    assert show.output.index("Dr B. Example") < show.output.index("Dr A. Example")


@pytest.mark.parametrize(
    ("more", "said"),
    [
        (["--date", "31/01/2026"], '"31/01/2026" is not a day written as YYYY-MM-DD'),
        (["--date", "2026-02-30"], '"2026-02-30" is not a day written as YYYY-MM-DD'),
        (["--date", "2999-01-01"], "2999-01-01 is in the future"),
    ],
    ids=["not YYYY-MM-DD", "not a real day", "in the future"],
)
def test_approve_refuses_a_bad_date_and_changes_nothing(runner, folder, more, said):
    result = approve(runner, folder / "rules.yaml", *more)
    assert result.exit_code == 2 and said in result.output
    assert (folder / "rules.yaml").read_text() == SHIPPED
    assert not (folder / "approved" / "rules.yaml").exists()


def test_approve_refuses_an_empty_name_or_a_file_with_errors(runner, folder):
    result = approve(runner, folder / "rules.yaml", by="   ")
    assert result.exit_code == 2 and "write the name of the clinician" in result.output
    path = folder / "rules.yaml"
    path.write_text(edited(SHIPPED, MISSPELT), encoding="utf-8")
    result = approve(runner, path)
    assert result.exit_code == 1
    assert f"Rules: {path} (it has errors, listed below)" in result.output
    assert f"{path}:{BROKEN_LINE}:22: " in result.output
    assert path.read_text() == edited(SHIPPED, MISSPELT)
    assert not (folder / "approved" / "rules.yaml").exists()


#: A rule lowered: new symptoms that started today get "soon" instead of "urgent".
LOWERED: Edit = (
    "  - id: started_today\n    level: urgent\n",
    "  - id: started_today\n    level: soon\n",
)


def test_approve_refuses_rules_whose_scenarios_fail_unless_accepted_with_a_reason(runner, folder):
    path = folder / "rules.yaml"
    path.write_text(edited(SHIPPED, LOWERED), encoding="utf-8")
    refused = approve(runner, path)
    assert refused.exit_code == 1
    assert "not approved, and nothing was written:" in refused.output
    assert f"failing in {folder / 'scenarios.yaml'} (" in refused.output
    assert "urgent_started_today" in refused.output
    assert '--accept "REASON"' in refused.output
    assert path.read_text() == edited(SHIPPED, LOWERED)
    assert not (folder / "approved" / "rules.yaml").exists()
    # With a reason, it is approved, and the reason and what it covers are recorded.
    done = approve(runner, path, "--accept", "Reviewed with the stroke team")
    assert done.exit_code == 0, done.output
    rules = load(path)
    assert rules.approval is not None
    assert rules.approval.accepted.startswith("Reviewed with the stroke team (")
    assert "urgent_started_today" in rules.approval.accepted
    # /rules shows it beside the approval.
    app = create_app({"TESTING": True, "SECRET_KEY": "k", "RULES_FILE": str(path)})
    text = " ".join(app.test_client().get("/rules").get_data(as_text=True).split())
    assert "Accepted knowingly: Reviewed with the stroke team (" in text


ONE_VIGNETTE = """\
sources:
  nhs-stroke: "NHS, 'Stroke'. https://www.nhs.uk/conditions/stroke/"
vignettes:
  - id: face_droops
    name: A face that droops now
    story: A man's face droops on one side and his speech is slurred.
    source: "nhs-stroke: main symptoms (FAST)"
    answers: {red_flags: stroke_signs}
    expect: {urgency: emergency}
"""


def test_approve_refuses_less_urgent_advice_than_the_approved_copy_unless_accepted(runner, folder):
    path = folder / "rules.yaml"
    assert approve(runner, path, "--date", "2026-01-31").exit_code == 0
    # Lowered, with the scenario that would catch it changed too: only the diff can tell.
    lowered = edited(path.read_text(), LOWERED, ('version: "0.1.0"', 'version: "0.2.0"'))
    path.write_text(lowered, encoding="utf-8")
    scenarios = folder / "scenarios.yaml"
    scenarios.write_text(
        edited(
            scenarios.read_text(),
            (
                "    answers: {started: hours}\n    expect: {urgency: urgent}",
                "    answers: {started: hours}\n    expect: {urgency: soon}",
            ),
        ),
        encoding="utf-8",
    )
    # And vignettes that do not reach the rule.
    for name, head in (("vignettes.yaml", ""), ("vignettes-blind.yaml", "blind: true\n")):
        (folder / name).write_text(head + ONE_VIGNETTE, encoding="utf-8")
    assert runner.invoke(args=["rules", "test", str(path)]).exit_code == 0
    refused = approve(runner, path, by="Dr B. Example")
    assert refused.exit_code == 1, refused.output
    assert 'LESS URGENT: some answers that got "Urgent" now get "Soon"' in refused.output
    assert "failing in" not in refused.output, "the scenarios and vignettes all pass"
    assert path.read_text() == lowered
    done = approve(
        runner, path, "--accept", "Same-day slots are not needed for this", by="Dr B. Example"
    )
    assert done.exit_code == 0, done.output
    approval = load(path).approval
    assert approval is not None and "LESS URGENT" in approval.accepted


def test_approve_without_anything_to_accept_records_no_reason(runner, folder):
    path = folder / "rules.yaml"
    done = approve(runner, path, "--accept", "just in case")
    assert done.exit_code == 0, done.output
    assert "Nothing needed --accept: its reason is not recorded." in done.output
    approval = load(path).approval
    assert approval is not None and approval.accepted == ""
    assert "accepted" not in path.read_text().split("approvals:")[1]


def test_diff_without_an_approval_says_there_is_nothing_to_compare(runner, folder):
    result = runner.invoke(args=["rules", "diff", str(folder / "rules.yaml")])
    assert result.exit_code == 1
    assert "has no approval yet, so there is nothing to compare it with" in result.output
    assert "rules diff FILE --against OLD" in result.output


def test_the_app_logs_its_rules_file_version_and_fingerprint_at_start(caplog):
    with caplog.at_level("INFO", logger="selfcheck.web.service"):
        create_app({"TESTING": True, "SECRET_KEY": "k"})
    assert SHIPPED_LINE in [record.getMessage() for record in caplog.records]


def test_a_server_process_logs_the_rules_it_starts_with():
    """As gunicorn makes the app: no command line, no logging set up."""
    code = "from selfcheck import create_app; create_app({'SECRET_KEY': 'k'})"
    result = shell(sys.executable, "-c", code)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if "Rules: " in line]
    assert len(lines) == 1 and lines[0].endswith(f"[INFO] selfcheck.web.service: {SHIPPED_LINE}")


def test_flask_run_logs_the_rules_it_starts_with():
    """`make run` is `flask run`: the command line makes the app, and it says which rules it
    serves, as a server process does (issue 22: it said nothing)."""
    flask = Path(sys.executable).with_name("flask")
    server = subprocess.Popen(
        [flask, "--app", "selfcheck", "run", "--host", "127.0.0.1", "--port", "0"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "SELFCHECK_SECRET_KEY": "k"},
    )
    try:
        assert server.stderr is not None
        lines = []
        for line in server.stderr:
            lines.append(line)
            if "Running on" in line:  # after the app is made
                break
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stderr is not None:
            server.stderr.close()
    said = [line for line in lines if "Rules: " in line]
    assert said and said[0].rstrip().endswith(f"selfcheck.web.service: {SHIPPED_LINE}"), lines


def test_diff_says_when_the_approved_copy_is_missing_or_not_the_approved_content(runner, folder):
    path = folder / "rules.yaml"
    assert approve(runner, path, "--date", "2026-01-31").exit_code == 0
    copy = folder / "approved" / "rules.yaml"
    copy.write_text(edited(copy.read_text(), ("should be checked today", "can wait")))
    result = runner.invoke(args=["rules", "diff", str(path)])
    assert result.exit_code == 1
    assert f"{copy} is not the content approved last" in result.output
    copy.unlink()
    result = runner.invoke(args=["rules", "diff", str(path)])
    assert result.exit_code == 1
    assert f"the copy of that content, {copy}, is missing" in result.output
