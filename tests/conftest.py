"""The fixtures every test may ask for: the rules, the app and its clients, a visitor, and
copies of the shipped rules with an edit. Helpers live in tests/testing/."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from selfcheck import create_app
from selfcheck.rules import Rules, load

from .testing.rules import RULES_FILE, SCENARIOS, SHIPPED, Edit, edited
from .testing.visitor import Journey


@pytest.fixture(scope="session")
def rules() -> Rules:
    return load(RULES_FILE)


@pytest.fixture
def app() -> Flask:
    return create_app({"TESTING": True, "SECRET_KEY": "test key", "EMERGENCY_NUMBER": "999"})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def journey(client: FlaskClient, rules: Rules) -> Journey:
    return Journey(client, rules)


@pytest.fixture
def edited_rules(tmp_path: Path) -> Callable[..., Path]:
    """Write the shipped rules with some edits into a folder of the test's own, and give its
    path: ``edited_rules(("status: draft", "status: approved"), name="approved.yaml")``."""

    def write(*edits: Edit, name: str = "rules.yaml") -> Path:
        path = tmp_path / name
        path.write_text(edited(SHIPPED, *edits), encoding="utf-8")
        return path

    return write


@pytest.fixture
def edited_scenarios(tmp_path: Path) -> Callable[..., Path]:
    """Write the shipped scenarios with some edits into a folder of the test's own, and give
    its path, as :func:`edited_rules` does for the rules."""

    def write(*edits: Edit, name: str = "scenarios.yaml") -> Path:
        path = tmp_path / name
        path.write_text(edited(SCENARIOS, *edits), encoding="utf-8")
        return path

    return write
