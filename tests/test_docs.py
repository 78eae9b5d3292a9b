"""The clinicians' documents stay true: docs/rules.md and docs/clinical-safety.md.

A key of the rules or scenarios schema, a command or an option that docs/rules.md does not
describe fails here; so does a test named by the hazard log that no longer exists, and a risk
rating that does not follow the log's own matrix.
"""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from selfcheck.accuracy import FILES, as_markdown, measure, rewrite
from selfcheck.cli.commands import rules_cli
from selfcheck.rules import load
from selfcheck.rules.shape import RULES_SCHEMA, SCENARIOS_SCHEMA, VIGNETTES_SCHEMA
from selfcheck.scenarios import load_scenarios

from .test_inventory import GAPS, ROWS
from .testing.rules import ROOT

RULES_DOC = (ROOT / "docs" / "rules.md").read_text()
SAFETY_DOC = (ROOT / "docs" / "clinical-safety.md").read_text()


def schema_keys(node: Any) -> set[str]:
    """Every key a file can use, walking the whole schema."""
    found: set[str] = set()
    if isinstance(node, dict):
        found |= set(node.get("properties", {}))
        for value in node.values():
            found |= schema_keys(value)
    elif isinstance(node, list):
        for value in node:
            found |= schema_keys(value)
    return found


@pytest.mark.parametrize(
    "key",
    sorted(
        schema_keys(RULES_SCHEMA) | schema_keys(SCENARIOS_SCHEMA) | schema_keys(VIGNETTES_SCHEMA)
    ),
)
def test_every_key_of_the_files_is_documented(key: str):
    assert f"`{key}`" in RULES_DOC, f"docs/rules.md does not describe the key {key!r}"


@pytest.mark.parametrize("name", sorted(rules_cli.commands))
def test_every_command_and_option_is_documented(name: str):
    command = rules_cli.commands[name]
    assert f"`flask --app selfcheck rules {name}" in RULES_DOC
    assert f"### `rules {name}`" in RULES_DOC, "each command has a section of its own"
    for param in command.params:
        if isinstance(param, click.Option):
            for flag in param.opts:
                assert flag in RULES_DOC, f"rules {name} {flag}"
        else:
            assert (param.name or "").upper() in RULES_DOC, f"rules {name} {param.name}"


def test_the_yaml_examples_in_the_guide_are_valid_yaml():
    blocks = re.findall(r"```yaml\n(.*?)```", RULES_DOC, re.S)
    assert len(blocks) >= 10
    for block in blocks:
        yaml.safe_load(block.replace("...", "x"))


def test_the_guide_links_to_files_that_exist():
    targets = re.findall(
        r"\]\((\.\./[^)#]+|[a-z-]+\.md|screenshots/[^)]+)\)", RULES_DOC + SAFETY_DOC
    )
    assert len(targets) >= 5, "the guides link to the files beside them: the pattern finds none"
    for target in targets:
        assert (ROOT / "docs" / target).resolve().exists(), target


# --------------------------------------------------------------------------------------------
# The hazard log

CITED = re.compile(r"`(tests/[\w/]+\.py)::(test_\w+)(?:\[([^\]]+)\])?`")


@functools.cache
def functions_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
    }


@functools.cache
def known_parameters(file: str, name: str) -> set[str] | None:
    """The parameter ids a cited test can take, for the tests whose ids come from data."""
    if file == "tests/test_rules_corpus.py":
        return {p.stem for p in (ROOT / "tests" / "rules_corpus").glob("*.yaml")}
    if file == "tests/test_scenarios.py" and name in (
        "test_scenario",
        "test_scenario_through_the_pages",
    ):
        scenarios = yaml.safe_load((ROOT / "scenarios.yaml").read_text())["scenarios"]
        vignettes = yaml.safe_load((ROOT / "vignettes.yaml").read_text())["vignettes"]
        return {s["id"] for s in scenarios} | {v["id"] for v in vignettes}
    if file == "tests/test_inventory.py" and name in ("test_row", "test_gap"):
        # The rows and gaps of the red-flag inventory, read from this same document.
        return set(ROWS) if name == "test_row" else set(GAPS)
    return None


def test_every_test_the_hazard_log_names_exists():
    cited = CITED.findall(SAFETY_DOC)
    assert len(cited) >= 30
    for file, name, parameter in cited:
        path = ROOT / file
        assert path.exists(), file
        assert name in functions_in(path), f"{file}::{name} does not exist"
        if parameter:
            known = known_parameters(file, name)
            assert known is not None, (
                f"{file}::{name}[{parameter}]: cite a parameter that this test can check, or none"
            )
            assert parameter in known, f"{file}::{name}[{parameter}] does not exist"


HAZARD = re.compile(r"^### (H\d+)\. (.+?)$(.*?)(?=^### |^## |\Z)", re.M | re.S)
MATRIX_ROW = re.compile(r"^\| (Very high|High|Medium|Low|Very low) \| (.*) \|$", re.M)
SEVERITIES = ["minor", "significant", "considerable", "major", "catastrophic"]


def test_every_hazard_has_causes_controls_a_test_and_ratings_that_follow_the_matrix():
    matrix = {
        row.lower(): [int(n) for n in cells.split(" | ")]
        for row, cells in MATRIX_ROW.findall(SAFETY_DOC)
    }
    assert len(matrix) == 5
    rows = re.findall(r"^\| (H\d+) \| [^|]+ \| (\d) \| (\d) \|$", SAFETY_DOC, re.M)
    summary = {ident: (int(before), int(after)) for ident, before, after in rows}
    hazards = HAZARD.findall(SAFETY_DOC)
    assert [h[0] for h in hazards] == [f"H{i}" for i in range(1, len(hazards) + 1)]
    assert set(summary) == {h[0] for h in hazards}
    for ident, _, body in hazards:
        for part in ("**Hazard:**", "**Causes:**", "**Harm:**", "Controls", "**Tests:**"):
            assert part in body, f"{ident} has no {part}"
        assert CITED.search(body), f"{ident} names no test"
        ratings = []
        for when in ("before", "after"):
            found = re.search(
                rf"\*\*Risk {when} controls:\*\* (\w+), ([\w ]+?) likelihood"
                rf"(?: \([^)]*\))?: \*\*(\d)\*\*",
                body,
            )
            assert found, f"{ident}: no risk {when} controls"
            severity, likelihood, rating = found.groups()
            expected = matrix[likelihood.lower()][SEVERITIES.index(severity.lower())]
            assert int(rating) == expected, f"{ident} {when}: {severity}/{likelihood}"
            ratings.append(int(rating))
        assert tuple(ratings) == summary[ident], f"{ident}: the summary table differs"


@pytest.mark.parametrize("name", FILES)
def test_the_triage_accuracy_page_is_current(name):
    """docs/triage-accuracy.md gives the figures each file of vignettes gets from today's rules
    (make triage-accuracy writes them)."""
    rules = load(ROOT / "rules.yaml")
    found = measure(rules, load_scenarios(ROOT / name, rules))
    page = (ROOT / "docs" / "triage-accuracy.md").read_text()
    assert as_markdown(found, name) in page, "run make triage-accuracy"
    assert rewrite(page, as_markdown(found, name), name) == page
