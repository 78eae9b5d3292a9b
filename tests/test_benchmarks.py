"""`make bench` runs every part again: the whole report on tiny settings (one second of wrk per
page, two runs of each timing, a few requests), so that a change cannot break the benchmark
unnoticed. The figures themselves mean nothing at this size and are not checked; the report's
sections and rows are."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from .benchmarks.bench import END, START, TINY, report


def test_every_part_of_the_benchmark_runs_and_reports(tmp_path: Path):
    section = report(dataclasses.replace(TINY, pictures=tmp_path / "pdf-engines"))
    assert section.startswith(START) and section.endswith(END)
    for heading in (
        "## Throughput against a bare Flask app",
        "## Rule evaluation, start-up and PDF",
        "## PDF engines",
        "## Page weight",
        "## Memory",
    ):
        assert heading in section
    table_rows = re.findall(r"^\| (?!---)(?!page |what |engine |after )(.+) \|$", section, re.M)
    # 7 throughput rows, 7 in-process figures, 4 PDF engines, 6 pages, 1 memory reading
    assert len(table_rows) == 25, table_rows
    assert "nan" not in section.lower()
    assert sorted(p.name for p in (tmp_path / "pdf-engines").iterdir())[0] == "engine-1-1.png"


def test_the_profile_of_a_journey_runs_and_names_each_view(capsys):
    """`python -m tests.benchmarks.profile_pages`, whose table docs/benchmarks.md quotes, on
    one journey: a row for each view and for the drawing of the QR code."""
    import sys
    from unittest import mock

    from .benchmarks import profile_pages

    with mock.patch.object(sys, "argv", ["profile_pages", "--journeys", "2"]):
        assert profile_pages.main() == 0
    table = capsys.readouterr().out
    for row in profile_pages.ROWS:
        assert f"| {row[1]} |" in table, row[1]
