"""`make test` measures coverage over two pytest-xdist workers, and leaves the tests marked
``no_cover`` (those that run the rules tens of thousands of times) untraced, which halves their
time. pytest-cov alone did not manage that in a worker (tests/conftest.py says why)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MARKED = """
import sys
import pytest

def test_traced():
    assert sys.gettrace() is not None, "coverage should trace an ordinary test"

@pytest.mark.no_cover
def test_untraced():
    assert sys.gettrace() is None, "a no_cover test is traced"

def test_traced_again():
    assert sys.gettrace() is not None, "coverage should trace again after a no_cover test"
"""


def test_a_no_cover_test_runs_untraced_in_an_xdist_worker(tmp_path: Path):
    (tmp_path / "test_marked.py").write_text(MARKED)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-p",
            "tests.conftest",
            "-c",
            os.devnull,
            "--rootdir",
            str(tmp_path),
            "-n",
            "1",
            "-p",
            "no:randomly",
            "--cov=selfcheck",
            "--cov-report=",
            "--cov-fail-under=0",
            "-q",
            str(tmp_path / "test_marked.py"),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "COVERAGE_FILE": str(tmp_path / ".coverage")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "3 passed" in run.stdout
