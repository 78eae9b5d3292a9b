"""The command line for clinicians: ``flask --app selfcheck rules check|show|test|diff``.

:func:`selfcheck.web.create_app` adds the ``rules`` group to the app's commands. Each command
reads the files it is given itself, with the same loader the app uses at start-up, so the app
and the command line never disagree, and ``rules check FILE`` works on a file the app could
never load. Without a FILE, a command uses the app's configured rules file.

If the configured rules file has errors, the app cannot be made, so no ``flask`` command can
run: :class:`RulesFileInvalid` then prints the problems, one a line, and exits with status 1.
``selfcheck rules …`` (the script this package installs) runs the same commands without making
the app first, so it can check another file even then.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click
from flask import Flask, current_app, has_app_context
from flask.cli import ScriptInfo

from selfcheck.paths import scenarios_for
from selfcheck.rules import Problem, Rules, RulesError, load

# create_app registers these commands on every start; what only a command needs is imported
# when that command runs, so that starting the app stays fast (docs/benchmarks.md).
if TYPE_CHECKING:
    from selfcheck.scenarios import Scenarios


def _counted(problems: list[Problem]) -> str:
    errors = sum(1 for p in problems if p.severity == "error")
    warnings = len(problems) - errors

    def plural(n: int, word: str) -> str:
        return f"{n or 'no'} {word}{'' if n == 1 else 's'}"

    return f"{plural(errors, 'error')}, {plural(warnings, 'warning')}"


class RulesFileInvalid(click.ClickException):
    """The app cannot start because its rules file has errors. Shown as the problems, one a
    line, with exit status 1, and never as a traceback."""

    def __init__(self, error: RulesError) -> None:
        super().__init__(str(error))
        self.problems = error.problems

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(
            f"Error: the app cannot start: its rules file has {_counted(self.problems)}.", err=True
        )
        for problem in self.problems:
            click.echo(str(problem), err=True)
        click.echo("Mend the lines above, then run: flask --app selfcheck rules check", err=True)


# --------------------------------------------------------------------------------------------
# Files


def _app() -> Flask:
    """The app, made from its settings if no command has made it yet."""
    if has_app_context():
        return current_app._get_current_object()  # type: ignore[attr-defined, no-any-return]
    return click.get_current_context().ensure_object(ScriptInfo).load_app()


def _shown(path: str | Path) -> str:
    """A path as a person would type it: relative to here when it is below here."""
    relative = os.path.relpath(path)
    return relative if not relative.startswith("..") else str(path)


def _rules_file(given: str | None) -> str:
    return given if given is not None else _shown(_app().config["RULES_FILE"])


def _scenarios_file(given: str | None, rules_file: str) -> str:
    """The scenarios given, else scenarios.yaml beside the rules file, else the shipped ones."""
    return given if given is not None else _shown(scenarios_for(rules_file))


def _fail(error: RulesError) -> None:
    for problem in error.problems:
        click.echo(str(problem))
    click.echo(f"{error.problems[0].file}: {_counted(error.problems)}.")
    raise SystemExit(1)


def _load(file: str) -> Rules:
    """The rules in ``file``, or its problems printed and exit status 1."""
    try:
        return load(file)
    except RulesError as error:
        _fail(error)
        raise  # pragma: no cover - _fail always exits


def _load_scenarios(file: str, rules: Rules) -> Scenarios:
    from selfcheck.scenarios import ScenariosError, load_scenarios

    try:
        return load_scenarios(file, rules)
    except ScenariosError as error:
        _fail(error)
        raise  # pragma: no cover - _fail always exits


# --------------------------------------------------------------------------------------------
# Commands


@click.group("rules")
def rules_cli() -> None:
    """Check, show, test and compare rules files. See docs/rules.md."""


@rules_cli.command("check")
@click.argument("file", required=False)
def check_command(file: str | None) -> None:
    """Check a rules file: every problem as FILE:LINE:COLUMN: message.

    Then each translation beside it (rules.LANG.po): every text without a current translation,
    at the line of its English text, and whether the language is offered or withheld. FILE
    defaults to the app's rules file. Exit status 1 if there is any error; warnings alone
    give exit status 0.
    """
    file = _rules_file(file)
    try:
        rules = load(file)
    except RulesError as error:
        _fail(error)
    from selfcheck.rules.translations import translations

    found = list(rules.warnings)
    for warning in rules.warnings:
        click.echo(str(warning))
    # Each language beside the file: what keeps it from patients, then its state.
    for language in translations(rules).values():
        for problem in language.problems:
            click.echo(str(problem))
        click.echo(language.report())
        found += language.problems
    click.echo(f"{file}: {_counted(found)}.")


@rules_cli.command("show")
@click.argument("file", required=False)
def show_command(file: str | None) -> None:
    """Show a rules file in plain words: every question, red flag, rule and cause, with sources.

    FILE defaults to the app's rules file.
    """
    from selfcheck.outline import as_text, outline

    file = _rules_file(file)
    click.echo(as_text(outline(_load(file)), file), nl=False)


@rules_cli.command("test")
@click.argument("scenarios", required=False)
@click.option(
    "--rules",
    "rules_file",
    metavar="FILE",
    help="The rules to test (default: the app's rules file).",
)
def test_command(scenarios: str | None, rules_file: str | None) -> None:
    """Run the clinicians' scenarios and vignettes and print a pass/FAIL table of each.

    SCENARIOS is one file of scenarios or vignettes to run instead. By default: scenarios.yaml
    and vignettes.yaml beside the rules file (or those shipped with the app). Exit status 1 if
    any fails.
    """
    from selfcheck.scenarios import report, run

    rules_file = _rules_file(rules_file)
    rules = _load(rules_file)
    files = (
        [scenarios]
        if scenarios is not None
        else [
            _shown(scenarios_for(rules_file, name)) for name in ("scenarios.yaml", "vignettes.yaml")
        ]
    )
    failed = False
    for i, file in enumerate(files):
        found = _load_scenarios(file, rules)
        results = run(rules, found)
        click.echo(("\n" if i else "") + report(rules, found, results), nl=False)
        if found.kind == "vignette":
            from selfcheck.accuracy import measure, summary_lines

            click.echo("\n".join(["Triage accuracy:", *summary_lines(measure(rules, found))]))
        failed = failed or not all(result.passed for result in results)
    if failed:
        raise SystemExit(1)


@rules_cli.command("diff")
@click.argument("old")
@click.argument("new")
@click.option(
    "--scenarios",
    metavar="FILE",
    help="Scenarios to compare (default: scenarios.yaml beside NEW, or the shipped ones).",
)
def diff_command(old: str, new: str, scenarios: str | None) -> None:
    """Say what changes for patients from the rules file OLD to the rules file NEW.

    Exit status 1 if either file has errors.
    """
    from selfcheck.changes import as_text, compare
    from selfcheck.scenarios import ScenariosError, load_scenarios

    before, after = _load(old), _load(new)
    file = _scenarios_file(scenarios, new)
    found: Scenarios | None = None
    problems = []
    # Scenarios are written for the new rules; they may still fit only the old ones.
    for rules in (after, before):
        try:
            found = load_scenarios(file, rules)
            break
        except ScenariosError as error:
            problems.append(str(error.problems[0]))
    if found is not None:
        problems = []
    else:
        problems = [f"The scenarios in {file} fit neither file, so none were run: {problems[0]}"]
    click.echo(as_text(compare(before, after, found, problems)), nl=False)
