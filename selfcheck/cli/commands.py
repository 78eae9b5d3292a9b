"""The command line for clinicians: ``flask --app selfcheck rules check|show|test|diff|
fingerprint|approve``.

:func:`selfcheck.create_app` adds the ``rules`` group to the app's commands. Each command
reads the files it is given itself, with the same loader the app uses at start-up, so the app
and the command line never disagree, and ``rules check FILE`` works on a file the app could
never load. Every command takes the rules file the same way, as its first argument FILE, the
app's configured rules file without it; finds scenarios.yaml and vignettes.yaml beside it; and
says first which file it used (:func:`rules_in_use`): on stdout, or on stderr for a command
whose stdout is data.

If the configured rules file has errors, the app cannot be made, so no ``flask`` command can
run: :class:`RulesFileInvalid` then prints the problems, one a line, and exits with status 1.
``selfcheck rules …`` (the script this package installs) runs the same commands without making
the app first, so it can check another file even then.
"""

from __future__ import annotations

import datetime
import os
import shutil
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click
from flask import Flask, current_app, has_app_context
from flask.cli import ScriptInfo

from selfcheck.paths import VIGNETTES, scenarios_for
from selfcheck.rules import (
    Approval,
    Missing,
    NoApprovedContent,
    Problem,
    Rules,
    RulesError,
    approved_content,
    load,
)
from selfcheck.rules.approval import approved_copy, read_date, with_approval
from selfcheck.rules.document import parse

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


def _fail(error: RulesError, err: bool = False) -> None:
    for problem in error.problems:
        click.echo(str(problem), err=err)
    click.echo(f"{error.problems[0].file}: {_counted(error.problems)}.", err=err)
    raise SystemExit(1)


def _load(file: str, err: bool = False) -> Rules:
    """The rules in ``file``, or its problems printed and exit status 1."""
    try:
        return load(file)
    except RulesError as error:
        _fail(error, err)
        raise  # pragma: no cover - _fail always exits


def described(rules: Rules) -> str:
    """ "version 0.1.0, draft, fingerprint 1a2b3c4d5e6f": what a first line says of the rules."""
    return f"version {rules.version}, {rules.status}, fingerprint {rules.short_fingerprint}"


def rules_in_use(file: str | None, *, data: bool = False) -> tuple[str, Rules]:
    """The rules file a command was given (or the app's), loaded, and said first:
    ``Rules: /path/rules.yaml (version 0.1.0, draft, fingerprint 1a2b3c4d5e6f)``.

    For a command whose stdout is data (``data``), that line and any problem go to stderr. A
    file with errors has its problems printed, and the command exits with status 1.
    """
    file = _rules_file(file)
    where = os.path.abspath(file)
    try:
        rules = load(file)
    except RulesError as error:
        click.echo(f"Rules: {where} (it has errors, listed below)", err=data)
        _fail(error, data)
        raise  # pragma: no cover - _fail always exits
    click.echo(f"Rules: {where} ({described(rules)})", err=data)
    return file, rules


def _load_scenarios(file: str, rules: Rules) -> Scenarios:
    from selfcheck.scenarios import ScenariosError, load_scenarios

    try:
        return load_scenarios(file, rules)
    except ScenariosError as error:
        _fail(error)
        raise  # pragma: no cover - _fail always exits


def _holds_scenarios(file: str) -> bool:
    """Whether ``file`` is a file of scenarios or vignettes rather than of rules."""
    try:
        data = parse(Path(file).read_text(encoding="utf-8"), file).data
    except (OSError, UnicodeDecodeError, RulesError):
        return False
    return ("scenarios" in data or "vignettes" in data) and "pages" not in data


# --------------------------------------------------------------------------------------------
# Commands


@click.group("rules")
def rules_cli() -> None:
    """Check, show, test, compare, fingerprint and approve rules files. See docs/rules.md.

    Every command takes the rules file as its first argument, FILE (the app's rules file
    without it), and says first which file it used.
    """


#: The rules file, as every command takes it.
rules_argument = click.argument("file", required=False)

#: Where the FHIR commands' canonical addresses start.
base_option = click.option(
    "--base",
    metavar="URL",
    envvar="SELFCHECK_FHIR_BASE",
    help="Where the canonical addresses start (default: the FHIR_BASE setting).",
)


@rules_cli.command("check")
@rules_argument
def check_command(file: str | None) -> None:
    """Check a rules file: every problem as FILE:LINE:COLUMN: message.

    Then each translation beside it (rules.LANG.po): every text without a current translation,
    at the line of its English text, and whether the language is offered or withheld. FILE
    defaults to the app's rules file. Exit status 1 if there is any error; warnings alone
    give exit status 0.
    """
    file, rules = rules_in_use(file)
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
@rules_argument
def show_command(file: str | None) -> None:
    """Show a rules file in plain words: every question, red flag, rule and cause, with sources.

    FILE defaults to the app's rules file.
    """
    from selfcheck.outline import as_text, outline

    file, rules = rules_in_use(file)
    click.echo(as_text(outline(rules), file), nl=False)


@rules_cli.command("test")
@rules_argument
@click.option(
    "--scenarios",
    metavar="SCENARIOS",
    help="One file of scenarios or vignettes to run instead of those beside FILE.",
)
@click.option("--rules", "old_rules", metavar="FILE", hidden=True)
def test_command(file: str | None, scenarios: str | None, old_rules: str | None) -> None:
    """Run the clinicians' scenarios and vignettes and print a pass/FAIL table of each.

    By default: scenarios.yaml, vignettes.yaml and vignettes-blind.yaml beside FILE (or those
    shipped with the app), each reported on its own. Exit status 1 if any fails; in the blind
    vignettes, written by someone who had not read the rules, advice more urgent than expected
    is marked "over" and counted as over-triage, not as a failure.
    """
    from selfcheck.scenarios import report, run

    if file is not None and scenarios is None and (old_rules or _holds_scenarios(file)):
        # The older form, "rules test SCENARIOS [--rules FILE]", still works.
        click.echo(
            f"Note: {file} holds scenarios; the rules file comes first now: "
            f"rules test [FILE] --scenarios {file}",
            err=True,
        )
        file, scenarios = old_rules, file
    file, rules = rules_in_use(file or old_rules)
    files = (
        [scenarios]
        if scenarios is not None
        else [_shown(scenarios_for(file, name)) for name in ("scenarios.yaml", *VIGNETTES)]
    )
    failed = False
    for i, name in enumerate(files):
        found = _load_scenarios(name, rules)
        results = run(rules, found)
        click.echo(("\n" if i else "") + report(rules, found, results), nl=False)
        if found.kind == "vignette":
            from selfcheck.accuracy import measure, summary_lines

            click.echo("\n".join(["Triage accuracy:", *summary_lines(measure(rules, found))]))
        failed = failed or not all(result.passed for result in results)
    if failed:
        raise SystemExit(1)


def _approved_content(file: str, rules: Rules) -> Rules:
    """The content approved last (:func:`selfcheck.rules.approved_content`), or why it cannot
    be compared with, as a click error; a copy with errors prints them and exits with 1."""
    try:
        return approved_content(rules)
    except RulesError as error:
        _fail(error)
        raise  # pragma: no cover - _fail always exits
    except NoApprovedContent as missing:
        last, copy = rules.last_approval, _shown(missing.copy)
        older = "Give an older file: rules diff FILE --against OLD"
        if missing.why is Missing.NO_APPROVAL or last is None:
            why = f"{file} has no approval yet, so there is nothing to compare it with."
        elif missing.why is Missing.NO_COPY:
            why = (
                f"{file} was last approved by {last}, but the copy of that content, {copy}, "
                "is missing."
            )
        else:
            why = (
                f"{copy} is not the content approved last (its fingerprint is {missing.found}, "
                f"the approval's {last.short_fingerprint})."
            )
        raise click.ClickException(f"{why} {older}") from None


@rules_cli.command("fhir")
@rules_argument
@base_option
def fhir_command(file: str | None, base: str | None) -> None:
    """Print the rules as a FHIR R4 Questionnaire, in JSON (see docs/fhir.md).

    FILE defaults to the app's rules file. Which file was used, and any problem, is said on
    stderr, so that stdout is the JSON alone.
    """
    import json

    from selfcheck.fhir import DEFAULT_BASE, questionnaire

    file, rules = rules_in_use(file, data=True)
    made = questionnaire(rules, base or DEFAULT_BASE)
    click.echo(json.dumps(made, ensure_ascii=False, indent=2))


@rules_cli.command("evaluate")
@click.argument("file", nargs=-1, metavar="[FILE] RESPONSE")
@base_option
def evaluate_command(file: tuple[str, ...], base: str | None) -> None:
    """Print the advice for a FHIR QuestionnaireResponse as a Bundle, in JSON (docs/fhir.md).

    RESPONSE is a file (- for stdin) holding the response's JSON, or the text of the summary's
    QR code (SELFCHECK:…). It does what POST /fhir/QuestionnaireResponse/$evaluate does, with
    no server. A response that cannot be evaluated gets an OperationOutcome naming each
    problem, and exit status 1. FILE defaults to the app's rules file; which file was used is
    said on stderr, so that stdout is the JSON alone.
    """
    import json
    import zlib

    from selfcheck.fhir import DEFAULT_BASE, read_qr_payload
    from selfcheck.fhir_evaluate import Refused, evaluate, parse, refused

    if not 1 <= len(file) <= 2:
        raise click.UsageError("give the response to evaluate: rules evaluate [FILE] RESPONSE")
    rules_file, response = (None, file[0]) if len(file) == 1 else file
    _, rules = rules_in_use(rules_file, data=True)
    app = _app()
    number = str(app.config["EMERGENCY_NUMBER"])
    with click.open_file(response, "rb") as body:
        sent = body.read()
    try:
        if sent.lstrip().startswith(b"SELFCHECK:"):
            try:
                resource = read_qr_payload(sent.strip().decode("ascii"))
            except (ValueError, zlib.error) as error:
                text = f"The QR code's text cannot be read: {error}."
                raise refused(400, "structure", text) from None
        else:
            resource = parse(sent)
        made = evaluate(
            rules,
            resource,
            base or app.config["FHIR_BASE"] or DEFAULT_BASE,
            lambda text: text.replace("{emergency_number}", number),
        )
    except Refused as error:
        click.echo(json.dumps(error.outcome(), ensure_ascii=False, indent=2))
        raise SystemExit(1) from None
    click.echo(json.dumps(made, ensure_ascii=False, indent=2))


@rules_cli.command("diff")
@click.argument("file", nargs=-1, metavar="[FILE]")
@click.option(
    "--against",
    metavar="OLD",
    help="The older rules file to compare with (default: the content approved last).",
)
@click.option(
    "--scenarios",
    metavar="SCENARIOS",
    help="Scenarios to compare (default: scenarios.yaml beside FILE, or the shipped ones).",
)
def diff_command(file: tuple[str, ...], against: str | None, scenarios: str | None) -> None:
    """Say what changes for patients from the content approved last (or OLD) to FILE.

    FILE defaults to the app's rules file. "rules diff OLD NEW" compares two files, as before.
    Exit status 1 if either file has errors.
    """
    from selfcheck.changes import as_text, compare
    from selfcheck.scenarios import ScenariosError, load_scenarios

    if len(file) > 2 or (len(file) == 2 and against is not None):
        raise click.UsageError("give one rules file and --against OLD, or two files: OLD NEW")
    if len(file) == 2:
        against, file = file[0], file[1:]
    new, after = rules_in_use(file[0] if file else None)
    before = _load(against) if against is not None else _approved_content(new, after)
    scenarios = _scenarios_file(scenarios, new)
    found: Scenarios | None = None
    problems = []
    # Scenarios are written for the new rules; they may still fit only the old ones.
    for rules in (after, before):
        try:
            found = load_scenarios(scenarios, rules)
            break
        except ScenariosError as error:
            problems.append(str(error.problems[0]))
    if found is not None:
        problems = []
    else:
        problems = [
            f"The scenarios in {scenarios} fit neither file, so none were run: {problems[0]}"
        ]
    click.echo(as_text(compare(before, after, found, problems)), nl=False)


@rules_cli.command("fingerprint")
@rules_argument
@click.option(
    "--canonical",
    is_flag=True,
    help="Print the content the fingerprint is the SHA-256 of, instead of the fingerprint.",
)
def fingerprint_command(file: str | None, canonical: bool) -> None:
    """Print the fingerprint of a rules file: the SHA-256 of its content, 64 hex digits.

    The content is everything the app reads but the approvals; comments and layout do not
    count. "rules fingerprint --canonical FILE | sha256sum" computes it again.
    """
    from selfcheck.rules.approval import canonical as content

    file, rules = rules_in_use(file, data=True)
    if canonical:
        text = Path(file).read_text(encoding="utf-8")
        click.echo(content(parse(text, file).data), nl=False)
    else:
        click.echo(rules.fingerprint)


def _text(value: str, what: str) -> str:
    words = " ".join(value.split())
    if not words:
        raise click.BadParameter(f"write {what}; it cannot be empty")
    return words


def _day(value: str | None) -> str:
    if value is None:
        return datetime.date.today().isoformat()
    day = read_date(value)
    if day is None:
        raise click.BadParameter(f'"{value}" is not a day written as YYYY-MM-DD, e.g. 2026-01-31')
    if day > datetime.date.today():
        raise click.BadParameter(f"{value} is in the future; give the day of the approval")
    return day.isoformat()


def _write_approved(file: str, rules: Rules, approval: Approval) -> None:
    """Add ``approval`` to ``file``, once sure that nothing else in it changes, and keep the
    approved file's copy beside it: the copy first, so a recorded approval always has one."""
    try:
        text = with_approval(Path(file).read_text(encoding="utf-8"), approval)
        written = load(file, text)
    except (ValueError, RulesError) as error:
        raise click.ClickException(f"the approval could not be added to {file}: {error}") from None
    # Adding an approval changes nothing else: the content, and so its fingerprint, stays.
    if written.fingerprint != rules.fingerprint or written.approval != approval:
        raise click.ClickException(
            f"the approval could not be added to {file} without changing its content; nothing "
            "was written"
        )
    copy = approved_copy(file)
    copy.parent.mkdir(exist_ok=True)
    for path in (copy, Path(file)):
        part = path.with_name(f".{path.name}.part")
        part.write_text(text, encoding="utf-8")
        if path.exists():
            shutil.copymode(path, part)
        part.replace(path)


def _what_blocks_approval(file: str, rules: Rules) -> list[str]:
    """Why ``rules`` should not be approved as they are, one line each: scenarios or
    vignettes beside ``file`` that fail or cannot run, and answers that get less urgent advice
    than the content approved last (when there is one)."""
    from selfcheck.changes import lowered
    from selfcheck.scenarios import ScenariosError, load_scenarios, run

    found = []
    for name in ("scenarios.yaml", *VIGNETTES):
        path = _shown(scenarios_for(file, name))
        try:
            failing = [
                r.scenario.id for r in run(rules, load_scenarios(path, rules)) if not r.passed
            ]
        except ScenariosError as error:
            found.append(f"{path} cannot be run: {error.problems[0].message}")
            continue
        if failing:
            found.append(f"{len(failing)} failing in {path} ({', '.join(failing)})")
    last = rules.last_approval
    if last is not None:
        try:
            before = _approved_content(file, rules)
        except click.ClickException as error:
            found.append(f"cannot compare with the approved copy: {error.message}")
        else:
            found += [change.says for change in lowered(before, rules)]
    return found


@rules_cli.command("approve")
@rules_argument
@click.option("--by", "by", required=True, metavar="NAME", help="The clinician who approves.")
@click.option(
    "--role", required=True, metavar="ROLE", help="Their role, e.g. consultant neurologist."
)
@click.option(
    "--date", "date", metavar="YYYY-MM-DD", help="The day they approved (default: today)."
)
@click.option(
    "--accept",
    "reason",
    metavar="REASON",
    help="Approve even though scenarios or vignettes fail, or some answers get less urgent "
    "advice than in the approved copy; REASON is recorded with the approval.",
)
def approve_command(
    file: str | None, by: str, role: str, date: str | None, reason: str | None
) -> None:
    """Record that NAME (ROLE) approved the content of a rules file, by its fingerprint.

    Adds the approval to the file's approvals and changes nothing else in it; keeps an exact
    copy of the approved file in the folder "approved" beside it (approved/rules.yaml for
    rules.yaml), which "rules diff" compares with. A file with errors cannot be approved.
    Nor can one whose scenarios or vignettes fail ("rules test"), or that gives some answers
    less urgent advice than the approved copy ("rules diff"), unless --accept says why.
    """
    by, role, day = _text(by, "the name of the clinician"), _text(role, "their role"), _day(date)
    if reason is not None:
        reason = _text(reason, "why you accept it")
    file, rules = rules_in_use(file)
    if rules.approval is not None:
        click.echo(f"{file} is already approved, by {rules.approval}: nothing to record.")
        return
    last = rules.last_approval
    if last is not None and last.version == rules.version:
        raise click.ClickException(
            f'version "{rules.version}" was approved by {last} with other content: raise '
            '"version" before this content is approved'
        )
    blockers = _what_blocks_approval(file, rules)
    if blockers and reason is None:
        raise click.ClickException(
            "\n".join(
                [
                    "not approved, and nothing was written:",
                    *(f"  - {line}" for line in blockers),
                    'To approve it anyway, say why: rules approve ... --accept "REASON"',
                ]
            )
        )
    accepted = ""
    if blockers and reason is not None:
        accepted = f"{reason} ({'; '.join(blockers)})"
    elif reason is not None:
        click.echo("Nothing needed --accept: its reason is not recorded.")
    approval = Approval(rules.fingerprint, rules.version, by, role, day, accepted)
    _write_approved(file, rules, approval)
    copy = approved_copy(file)
    click.echo(
        f"Approved: version {rules.version}, fingerprint {rules.short_fingerprint}, by "
        f"{approval}. Recorded in {file}; the approved content is kept in {_shown(copy)}."
    )
