"""`make load`: drive the outcome page under gunicorn with wrk, and write the figures down.

Every request is the POST a person sends from the last question page: a realistic answer set,
with a valid CSRF token and its session cookie, fetched first with curl as a browser would. Any
response but a 200 showing a result counts as an error, and so does any socket error or timeout.
The figures replace only the part of docs/benchmarks.md between the lines ``<!-- make load -->``
and ``<!-- /make load -->``. This is a benchmark, not a timed test: tests/test_production.py
runs it for a few seconds and checks only that nothing failed.

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
from pathlib import Path

from selfcheck.web.serving import default_workers

from .testing.answers import SOON
from .testing.servers import ROOT, gunicorn, program

DOC = ROOT / "docs" / "benchmarks.md"
SCRIPT = Path(__file__).resolve().parent / "load.lua"
START, END = "<!-- make load -->", "<!-- /make load -->"
PERCENTILES = ("p50", "p75", "p90", "p99", "p99.9", "max")


def outcome_request(base: str) -> tuple[str, str]:
    """The body and the Cookie header of the outcome POST, with a fresh token from curl."""
    fetched = subprocess.run(
        [
            program("curl"),
            "--silent",
            "--show-error",
            "--fail",
            "--dump-header",
            "-",
            f"{base}/check",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    cookie = re.search(r"^set-cookie: ([^;]+)", fetched, re.I | re.M)
    token = re.search(r'name="csrf_token" value="([^"]+)"', fetched)
    assert cookie and token, "the first question page sets a cookie and holds a token"
    fields = [("csrf_token", token.group(1)), ("page", "background")]
    for name, value in SOON.items():
        fields.extend((name, one) for one in ([value] if isinstance(value, str) else value))
    fields.append(("go", "next"))
    return urllib.parse.urlencode(fields), cookie.group(1)


def run(base: str, seconds: int, connections: int, threads: int = 2) -> dict[str, float]:
    """Run wrk against the outcome POST; return its figures (latencies in milliseconds)."""
    body, cookie = outcome_request(base)
    env = {**os.environ, "SELFCHECK_LOAD_BODY": body, "SELFCHECK_LOAD_COOKIE": cookie}
    output = subprocess.run(
        [
            program("wrk"),
            f"--threads={threads}",
            f"--connections={connections}",
            f"--duration={seconds}s",
            "--timeout=10s",
            f"--script={SCRIPT}",
            f"{base}/check",
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


def section(figures: dict[str, float], seconds: int, connections: int, workers: int) -> str:
    rows = "\n".join(f"| {name} | {figures[name]:.1f} ms |" for name in PERCENTILES)
    return f"""{START}
## Load: the outcome page under gunicorn (`make load`)

`make load` runs gunicorn as `make serve` does ({workers} sync workers, `selfcheck.web.serving`)
on 127.0.0.1 and sends it, with wrk, the POST that shows the outcome page: a full answer set
with a valid CSRF token and its session cookie, for {seconds} s over {connections} connections.
A response counts as an error unless it is a 200 that shows a result.

Measured on {datetime.date.today().isoformat()}, {os.cpu_count()} CPU cores,
Python {platform.python_version()}; other work may share the machine.

| figure | value |
| --- | --- |
| requests | {figures["requests"]:.0f} |
| requests per second | {figures["per_second"]:.1f} |
| errors (wrong status or page, socket errors, timeouts) | {figures["errors"]:.0f} |

| latency percentile | time |
| --- | --- |
{rows}
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
        figures = run(server.url, options.seconds, options.connections)
    text = section(figures, options.seconds, options.connections, options.workers)
    print(text)
    if not options.no_write:
        write(text)
        print(f"written to {DOC.relative_to(ROOT)}")
    if figures["errors"]:
        print(f"load: {figures['errors']:.0f} errors", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
