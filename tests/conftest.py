"""The fixtures every test may ask for: the rules, the app and its clients, a visitor, and
copies of the shipped rules with an edit. Helpers live in tests/testing/."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
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


#: The settings of the tests' apps.
SETTINGS = {"TESTING": True, "SECRET_KEY": "test key", "EMERGENCY_NUMBER": "999"}


@pytest.fixture(scope="session")
def shared_app() -> Flask:
    """One app for every test that only sends it requests (through ``client``, ``journey`` or
    ``runner``): making one takes a tenth of a second or more, and no request changes it."""
    return create_app(SETTINGS)


@pytest.fixture
def app() -> Flask:
    """An app of the test's own, which it may look into or change. ``client``, ``journey``
    and ``runner`` use it in a test that asks for it."""
    return create_app(SETTINGS)


def what_can_change(app: Flask) -> object:
    """What a test could change of an app: its settings, extensions, addresses and views."""
    return (
        dict(app.config),
        {n: id(value) for n, value in app.extensions.items()},
        sorted(map(str, app.url_map.iter_rules())),
        dict(app.view_functions),
        app.secret_key,
    )


@pytest.fixture
def app_of_test(request: pytest.FixtureRequest) -> Iterator[Flask]:
    """The test's own app if it asks for ``app``; otherwise the shared one, which the test must
    leave as it found it (it fails if not: it should ask for ``app``)."""
    if "app" in request.fixturenames:
        yield request.getfixturevalue("app")
        return
    shared: Flask = request.getfixturevalue("shared_app")
    before = what_can_change(shared)
    yield shared
    assert what_can_change(shared) == before, "the test changed the shared app: ask for `app`"


@pytest.fixture
def client(app_of_test: Flask) -> FlaskClient:
    return app_of_test.test_client()


@pytest.fixture
def runner(app_of_test: Flask) -> FlaskCliRunner:
    return app_of_test.test_cli_runner()


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


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist (`make test`), the tests that share a fixture made once per module
    run on one worker, so that it is made once: the wheel of test_packaging.py, each page state
    of test_accessibility.py (one group per state and width). First of the hooks: pytest-xdist
    reads the groups in its own (it adds each to the test's id), which otherwise runs before
    this one and finds none."""
    for item in items:
        shares = shared_fixtures(item)
        if shares:
            module = item.nodeid.split("::")[0]
            item.add_marker(pytest.mark.xdist_group("|".join([module, *shares])))
        if item.get_closest_marker("browser"):
            # What a page runs in the app is measured by the tests that ask the app for it
            # (branch coverage of selfcheck/ is 91 % without any browser test); tracing the
            # app's thread behind Chromium only slowed these tests.
            item.add_marker(pytest.mark.no_cover)


def shared_fixtures(item: pytest.Item) -> list[str]:
    """The fixtures made once per module or class that ``item`` uses, each with its parameter
    if it has one: the parameter's value if it is a string or a number, else its number in the
    list it is taken from. By value, tests that take the same parameter from different lists
    (test_accessibility.py: some checks take a part of the states) share a group, as pytest,
    which compares the values, shares the fixture between them."""
    if not isinstance(item, pytest.Function):
        return []
    definitions = item._fixtureinfo.name2fixturedefs
    callspec = getattr(item, "callspec", None)
    params = callspec.params if callspec else {}
    indices = callspec.indices if callspec else {}
    found = []
    for name in item.fixturenames:
        chain = definitions.get(name)
        if chain and chain[-1].scope in ("module", "class"):
            value = params.get(name)
            found.append(
                f"{name}{value if isinstance(value, str | int) else indices.get(name, '')}"
            )
    return found


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Under `--dist loadgroup`, pytest-xdist adds each test's group to its id, and keeps the
    tests of one group on one worker by it. Should it fail to (as with pytest 9.2), each test
    of a group fails, rather than run apart from the others, each making the shared fixture
    again (a page state of test_accessibility.py opened up to six times)."""
    grouped = item.get_closest_marker("xdist_group")
    if grouped and getattr(item.config.option, "loadgroup", False) and "@" not in item.nodeid:
        pytest.fail(f"pytest-xdist did not add its group to the test's id: {grouped.args[0]}")


@pytest.hookimpl(hookwrapper=True, trylast=True)  # inside pytest-cov's own wrapper
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """A test marked ``no_cover`` runs untraced, under pytest-xdist too. pytest-cov 7.1 pauses
    the Coverage object of its controller, but an xdist worker traces with two (a second one
    started above the first), and stopping the upper one resumes the lower: the marked tests
    still ran traced, at twice their time. After that pause, this takes the trace function
    away, from this thread and from threads the test starts, and puts it back after the
    test."""
    if not item.get_closest_marker("no_cover") or sys.gettrace() is None:
        yield
        return
    here, threads = sys.gettrace(), threading.gettrace()
    sys.settrace(None)
    threading.settrace(None)
    try:
        yield
    finally:
        threading.settrace(threads)
        sys.settrace(here)
