"""`make load`: drive the app with wrk, and write the figures down. Two runs:

- **the outcome page under gunicorn**: every request is the POST a person sends from the last
  question page (a realistic answer set, a valid CSRF token and its cookie), straight to
  gunicorn as `make serve` used to run it, comparable with the figures before;
- **mixed journeys through the production stack** (`make serve`: nginx, a pool for the pages,
  one for the PDFs): each connection walks whole journeys, the start page, the emergency check,
  each question page and the outcome, with the PDF in one journey of three.

The requests are recorded from a real journey first (tests/testing/servers.HttpClient), then
sent by wrk (tests/load.lua). The app keeps nothing between requests, so each recorded request
stands alone. A response counts as an error unless it is a 200 page in the app's layout with no
problem shown (for the outcome run, one that shows a result), or a PDF; a PDF refused with the
proxy's "busy, try again" page is counted apart, as busy. The load comes from one address, so
the stack runs with 127.0.0.1 exempt from its limits per client (SELFCHECK_PROXY_UNLIMITED).

The figures replace only the part of docs/benchmarks.md between ``<!-- make load -->`` and
``<!-- /make load -->``. This is a benchmark, not a timed test: tests/test_production.py runs it
for a few seconds and checks only that nothing failed.

Run from the repository root: ``python -m tests.load [--seconds 60] [--connections 64]``.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import subprocess
import sys
import urllib.parse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from selfcheck.ops.gunicorn_config import default_workers
from selfcheck.rules import load as load_rules

from .testing.answers import SOON
from .testing.rules import RULES_FILE
from .testing.servers import ROOT, HttpClient, gunicorn, program, stack
from .testing.visitor import Journey

DOC = ROOT / "docs" / "benchmarks.md"
SCRIPT = Path(__file__).resolve().parent / "load.lua"
START, END = "<!-- make load -->", "<!-- /make load -->"
PERCENTILES = ("p50", "p75", "p90", "p99", "p99.9", "max")

#: One request as wrk sends it: method, path, and the form's body ("" for a GET).
Step = tuple[str, str, str]


class Recorder(HttpClient):
    """A visitor's browser that notes each request it sends, to play them again."""

    def __init__(self, base: str) -> None:
        super().__init__(base)
        self.steps: list[Step] = []

    def get(self, path: str) -> Any:
        self.steps.append(("GET", path, ""))
        return super().get(path)

    def post(
        self,
        path: str,
        data: Any,
        headers: dict[str, str] | None = None,
        follow_redirects: bool = True,
    ) -> Any:
        self.steps.append(("POST", path, urllib.parse.urlencode(list(data.items(multi=True)))))
        before = len(self.responses)
        response = super().post(path, data, headers, follow_redirects)
        for hop in self.responses[before:-1]:  # the redirects followed: each page a GET of its own
            location = hop.headers.get("Location", "")
            self.steps.append(("GET", urllib.parse.urlsplit(location).path, ""))
        return response

    @property
    def cookie(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.cookies)


def journey(base: str) -> tuple[list[Step], str]:
    """The requests of a whole journey, from the start page to the PDF, and its cookie."""
    recorder = Recorder(base)
    person = Journey(recorder, load_rules(RULES_FILE))
    recorder.get("/")
    person.complete(SOON)
    assert "Your result" in person.html, "the journey reached the outcome"
    person.submit("pdf")
    assert person.response.mimetype == "application/pdf"
    return recorder.steps, recorder.cookie


def run(
    base: str,
    steps: Sequence[Step],
    cookie: str,
    seconds: int,
    connections: int,
    expect: str = "",
    threads: int = 2,
) -> dict[str, float]:
    """Run wrk over ``steps`` in turn; return its figures (latencies in milliseconds)."""
    env = {
        **os.environ,
        "SELFCHECK_LOAD_HOST": urllib.parse.urlsplit(base).netloc,
        "SELFCHECK_LOAD_COOKIE": cookie,
        "SELFCHECK_STEPS": str(len(steps)),
    }
    if expect:
        env["SELFCHECK_EXPECT"] = expect
    for number, (method, path, body) in enumerate(steps, start=1):
        env[f"SELFCHECK_STEP_{number}"] = f"{method} {path}"
        env[f"SELFCHECK_STEP_{number}_BODY"] = body
    output = subprocess.run(
        [
            program("wrk"),
            f"--threads={threads}",
            f"--connections={connections}",
            f"--duration={seconds}s",
            "--timeout=10s",
            f"--script={SCRIPT}",
            base,
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    figures = {
        name: float(value) for name, value in re.findall(r"^load: (\S+) (\S+)$", output, re.M)
    }
    figures["errors"] = figures["wrong"] + figures["socket_errors"]
    figures["per_second"] = figures["requests"] / (figures["duration_us"] / 1e6)
    return figures


def outcome_run(base: str, seconds: int, connections: int) -> dict[str, float]:
    """The last answers sent and the result page they lead to, again and again."""
    steps, cookie = journey(base)
    last = max(i for i, step in enumerate(steps) if step[:2] == ("POST", "/check"))
    outcome = steps[last : last + 2]  # the last answers sent, and the result they lead to
    assert outcome[-1][:2] == ("GET", "/result"), outcome
    return run(base, outcome, cookie, seconds, connections, expect="Your result")


def mixed_run(base: str, seconds: int, connections: int) -> dict[str, float]:
    """Whole journeys, the PDF in one of three."""
    steps, cookie = journey(base)
    pages = steps[:-1]
    cycle = [*pages, *pages, *steps]
    figures = run(base, cycle, cookie, seconds, connections)
    figures["journeys_per_second"] = figures["per_second"] / len(cycle) * 3
    figures["pdfs_per_second"] = figures["pdfs"] / (figures["duration_us"] / 1e6)
    figures["journey_steps"] = len(pages)
    return figures


def latency_rows(figures: dict[str, float]) -> str:
    return "\n".join(f"| {name} | {figures[name]:.1f} ms |" for name in PERCENTILES)


def section(
    outcome: dict[str, float], mixed: dict[str, float], seconds: int, connections: int,
    workers: int,
) -> str:  # fmt: skip
    return f"""{START}
## Load (`make load`)

Measured on {datetime.date.today().isoformat()}, {os.cpu_count()} CPU cores,
Python {platform.python_version()}; other work may share the machine. Each run lasts
{seconds} s over {connections} connections (wrk, tests/load.lua); the requests are recorded
from a real journey first (tests/load.py).

### The outcome page under gunicorn alone

gunicorn as the stack runs its page pool ({workers} sync workers, `selfcheck.ops.gunicorn_config`),
on 127.0.0.1, no proxy; every request is the POST that shows the outcome page, with a full answer
set, a valid CSRF token and its session cookie. A response counts as an error unless it is a 200
that shows a result.

| figure | value |
| --- | --- |
| requests | {outcome["requests"]:.0f} |
| requests per second | {outcome["per_second"]:.1f} |
| errors (wrong status or page, socket errors, timeouts) | {outcome["errors"]:.0f} |

| latency percentile | time |
| --- | --- |
{latency_rows(outcome)}

### Mixed journeys through the production stack

`make serve`'s stack (nginx; {workers} page workers; 1 PDF worker behind a queue of 8), with
127.0.0.1 exempt from the limits per client, since all the load comes from that one address.
Each connection walks whole journeys: the start page, the emergency check, each question page
and the outcome ({mixed["journey_steps"]:.0f} requests), and in one journey of three the PDF.
A PDF refused with the "busy, try again" page is counted as busy, not as an error, and its
journey as walked. With {connections} connections the CPU is full; when more PDFs are asked for
than the PDF pool's queue holds, the rest are turned away at once, so that the pages keep their
pace.

| figure | value |
| --- | --- |
| journeys per second (a PDF made or refused as busy) | {mixed["journeys_per_second"]:.1f} |
| requests per second | {mixed["per_second"]:.1f} |
| PDFs made per second | {mixed["pdfs_per_second"]:.1f} |
| PDFs refused as busy | {mixed["busy"]:.0f} |
| errors (wrong status or page, socket errors, timeouts) | {mixed["errors"]:.0f} |

| latency percentile (every request) | time |
| --- | --- |
{latency_rows(mixed)}
{END}"""


def write(text: str, doc: Path = DOC) -> None:
    """Replace this benchmark's section of ``doc``, keeping every other section as it is."""
    old = doc.read_text() if doc.exists() else "# Benchmarks\n"
    if START in old and END in old:
        before, rest = old.split(START, 1)
        after = rest.split(END, 1)[1]
        new = before + text + after
    else:
        new = old.rstrip("\n") + "\n\n" + text + "\n"
    doc.write_text(new)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--no-write", action="store_true", help="print, leave the docs alone")
    options = parser.parse_args()
    with gunicorn(workers=options.workers, secret_key="make load") as server:
        outcome = outcome_run(server.url, options.seconds, options.connections)
    with stack(
        secret_key="make load", workers=str(options.workers), proxy_unlimited="127.0.0.1"
    ) as server:
        mixed = mixed_run(server.url, options.seconds, options.connections)
    text = section(outcome, mixed, options.seconds, options.connections, options.workers)
    print(text)
    if not options.no_write:
        write(text)
        print(f"written to {DOC.relative_to(ROOT)}")
    errors = outcome["errors"] + mixed["errors"]
    if errors:
        print(f"load: {errors:.0f} errors", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
