from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from selfcheck import create_app
from selfcheck.rules import Rules, load

from .answers import on_page
from .forms import Visitor

ROOT = Path(__file__).resolve().parent.parent
RULES_FILE = ROOT / "rules.yaml"


@pytest.fixture(scope="session")
def rules() -> Rules:
    return load(RULES_FILE)


@pytest.fixture
def app() -> Iterator[Flask]:
    yield create_app({"TESTING": True, "SECRET_KEY": "test key", "EMERGENCY_NUMBER": "999"})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


class Journey(Visitor):
    """A visitor who knows the pages of the shipped rules and answers them in order."""

    def __init__(self, client: FlaskClient, rules: Rules) -> None:
        super().__init__(client)
        self.rules = rules

    def answer_page(self, answers: dict[str, Any]) -> Any:
        """Answer the questions of the page on screen from ``answers``, then Continue."""
        page = self.form().fields
        shown = dict(page).get("page", "")
        return self.submit("next", on_page(answers, shown, self.rules))

    def complete(self, answers: dict[str, Any]) -> Any:
        """Answer every page in turn until the outcome page."""
        self.open("/check")
        for _ in self.rules.pages:
            self.answer_page(answers)
            if "Your result" in self.html:
                break
        return self.response


@pytest.fixture
def journey(client: FlaskClient, rules: Rules) -> Journey:
    return Journey(client, rules)
