"""The broken rules files in tests/rules_corpus/: every problem is named with its line.

Each file says in its first comments what must be reported (see tests/rules_corpus/README.md).
The loader, the `rules check` command and the app's start-up must each report exactly that, so
a clinician is told the same thing wherever the file is read.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from selfcheck import create_app
from selfcheck.rules import Problem, RulesError, load

CORPUS = Path(__file__).resolve().parent / "rules_corpus"
FILES = sorted(CORPUS.glob("*.yaml"))
EXPECT = re.compile(rb"^# expect( warning)?: (\d+):(\d+): (.*)$", re.M)

Expected = tuple[str, int, int, str]


def expected(path: Path) -> list[Expected]:
    return [
        ("warning" if kind else "error", int(line), int(column), message.decode())
        for kind, line, column, message in EXPECT.findall(path.read_bytes())
    ]


def found(path: Path) -> list[Expected]:
    try:
        problems: list[Problem] = list(load(path).warnings)
    except RulesError as error:
        problems = error.problems
    return [(p.severity, p.line, p.column, p.message) for p in problems]


def shown(problem: Expected, path: Path) -> str:
    severity, line, column, message = problem
    prefix = "warning: " if severity == "warning" else ""
    return f"{path}:{line}:{column}: {prefix}{message}"


def test_the_corpus_covers_every_kind_of_mistake():
    names = {path.stem for path in FILES}
    errors = [path for path in FILES if any(e[0] == "error" for e in expected(path))]
    assert len(errors) >= 15
    for kind in [
        "yaml-syntax-error",
        "empty",
        "wrong-type-version",
        "unknown-key",
        "duplicate-cause-id",
        "unknown-question",
        "missing-question-text",
        "unknown-urgency-level",
        "red-flag-not-emergency",
        "warning-draft",
        "warning-unused-question",
        "warning-no-source",
        "warning-cause-never-listed",
        "warning-level-never-used",
        "ask-when-same-page",
        "ask-when-later-page",
        "contradiction-across-pages",
        "missing-default-reason",
        "red-flag-id-not-sure",
        "warning-question-never-asked",
        "approval-bad-date",
        "approval-not-a-day",
        "approval-without-name",
        "approval-bad-fingerprint",
        "old-review-record",
        "warning-changed-since-approval",
        "warning-version-not-raised",
    ]:
        assert kind in names


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_the_loader_reports_exactly_the_expected_lines_and_messages(path: Path):
    want = expected(path)
    assert want, f"{path.name} must say what it expects"
    assert found(path) == want


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_rules_check_prints_every_problem_and_sets_the_exit_status(runner, path: Path):
    want = expected(path)
    result = runner.invoke(args=["rules", "check", str(path)])
    lines = result.output.splitlines()
    errors = sum(1 for problem in want if problem[0] == "error")
    # First, which file was checked; with errors, no version or fingerprint can be told.
    said = "(it has errors, listed below)" if errors else "(version 1.0, "
    assert lines[0].startswith(f"Rules: {path.resolve()} {said}"), lines[0]
    assert lines[1:-1] == [shown(problem, path) for problem in want]
    assert result.exit_code == (1 if errors else 0), result.output
    assert lines[-1].startswith(f"{path}: ")


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_the_app_refuses_to_start_on_exactly_the_same_errors(path: Path):
    want = expected(path)
    config = {"TESTING": True, "SECRET_KEY": "k", "RULES_FILE": str(path)}
    if any(problem[0] == "error" for problem in want):
        with pytest.raises(RulesError) as caught:
            create_app(config)
        assert [(p.severity, p.line, p.column, p.message) for p in caught.value.problems] == want
    else:
        rules = create_app(config).extensions["selfcheck"].rules
        assert [(p.severity, p.line, p.column, p.message) for p in rules.warnings] == want
