"""`pip install .` gives a wheel that carries rules.yaml and templates/ and works anywhere."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .testing.rules import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (found,) = out.glob("selfcheck-*.whl")
    return found


def test_the_wheel_carries_the_rules_and_templates(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "selfcheck/rules.yaml" in names
    assert "selfcheck/scenarios.yaml" in names
    assert {"selfcheck/rules.es.po", "selfcheck/rules.ar.po"} <= names
    # The folder where "rules approve" keeps the approved content, for rules diff and /rules.
    assert "selfcheck/approved/README.md" in names
    for template in (ROOT / "templates").glob("*.html"):
        assert f"selfcheck/templates/{template.name}" in names
    for asset in ("selfcheck.css", "print.css", "selfcheck.js"):
        assert f"selfcheck/static/{asset}" in names
    assert not any(name.startswith("tests/") for name in names)


def test_the_wheel_carries_the_compiled_catalogs_of_the_pages(wheel, site, tmp_path):
    """Each translated language's messages.mo, compiled from its messages.po, and the
    messages.pot the app checks them against, are in the wheel: installed, the pages of a
    language whose catalog is complete come out in it."""
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "selfcheck/translations/messages.pot" in names
    for code in ("es", "ar"):
        assert f"selfcheck/translations/{code}/LC_MESSAGES/messages.mo" in names
    code = (
        "from selfcheck.web import language; "
        "print(language.CATALOGS); print(language.catalog_problems('es'), "
        "language.catalog_problems('ar'))"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(site / "selfcheck" / "translations"), "[]", "[]"]


@pytest.fixture(scope="module")
def site(wheel, tmp_path_factory) -> Path:
    """The wheel installed into a folder of its own, away from the checkout."""
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    return target


def installed(site: Path, elsewhere: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Python run with the installed wheel only, from a folder away from the checkout."""
    env = {**os.environ, "PYTHONPATH": str(site), "SELFCHECK_SECRET_KEY": "k"}
    return subprocess.run(
        [sys.executable, *args], cwd=elsewhere, env=env, capture_output=True, text=True
    )


def test_the_installed_app_works_from_any_directory(site, tmp_path):
    target = site
    code = (
        "import selfcheck; from selfcheck import create_app; "
        "app = create_app({'SECRET_KEY': 'k'}); c = app.test_client(); "
        "assert c.get('/').status_code == 200; assert c.get('/check').status_code == 200; "
        "print(selfcheck.__file__); print(app.config['RULES_FILE'])"
    )
    result = installed(site, tmp_path, "-c", code)
    assert result.returncode == 0, result.stderr
    module, rules_file = result.stdout.split()
    assert module.startswith(str(target))
    assert rules_file == str(target / "selfcheck" / "rules.yaml")


def test_the_installed_rules_commands_find_the_shipped_files(site, tmp_path):
    target = site
    result = installed(site, tmp_path, "-m", "flask", "--app", "selfcheck", "rules", "test")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (
        f"Scenarios in {target / 'selfcheck' / 'scenarios.yaml'}, run against "
        f"{target / 'selfcheck' / 'rules.yaml'}" in result.stdout
    )
    assert " 0 failed." in result.stdout


def test_the_installed_rules_check_offers_the_shipped_translations(site, tmp_path):
    result = installed(site, tmp_path, "-m", "flask", "--app", "selfcheck", "rules", "check")
    assert result.returncode == 0, result.stdout + result.stderr
    for catalog in ("rules.es.po: Spanish (español)", "rules.ar.po: Arabic (العربية)"):
        assert f"{catalog}: complete, offered to patients;" in result.stdout
