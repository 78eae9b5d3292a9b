"""The attacks of issue 13, measured again: ``python -m tests.attack``.

Each row of the issue's table, sent on loopback, bounded in time, to one of two targets:

- ``--target stack`` (the default): `make serve` as it is now, the whole production stack;
- ``--target gunicorn``: gunicorn alone, as `make serve` ran before; with ``--source DIR`` the
  app's code from DIR (for example an export of an earlier commit), to measure "before".

It prints what it saw, row by row, as a Markdown table. The figures are written into
docs/benchmarks.md by hand, beside the ones before.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .load import journey, mixed_run
from .testing.attacks import pdf_flood, pdf_times, slow_clients, visitor
from .testing.servers import Server, gunicorn, stack


def raw(url: str, request: bytes) -> bytes:
    host, port = url.removeprefix("http://").split(":")
    answer = b""
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        try:
            while chunk := sock.recv(1 << 16):
                answer += chunk
        except (ConnectionResetError, TimeoutError):
            pass
    return answer


def head(answer: bytes) -> tuple[str, dict[str, str], str]:
    top, _, body = answer.partition(b"\r\n\r\n")
    lines = top.decode("latin-1").split("\r\n")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(": ")
        headers.setdefault(name.lower(), value)
    return (
        (lines[0] if lines[0] else "(connection closed, no answer)"),
        headers,
        body.decode(errors="replace"),
    )


def request(target: str, host: str = "localhost", *headers: str, method: str = "GET") -> bytes:
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}", *headers, "Connection: close"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def describe(answer: bytes) -> str:
    status, headers, body = head(answer)
    if not answer:
        return status
    layout = "the app's page" if 'class="service-name"' in body else "a bare page"
    if "Your result" in body:
        layout = "an outcome page"
    csp = "with" if "content-security-policy" in headers else "without"
    location = f", Location {headers['location']}" if "location" in headers else ""
    return f"{status.split(' ', 1)[1]}{location}; {layout}, {csp} the security headers"


@contextmanager
def target(kind: str, source: str, **settings: str) -> Iterator[Server]:
    if kind == "stack":
        with stack(secret_key="attack", **settings) as server:
            yield server
    else:
        if source:
            os.environ["BENCH_PYTHONPATH"] = source
        with gunicorn(workers=2, secret_key="attack", **settings) as server:
            yield server


def rows(kind: str, source: str) -> Iterator[tuple[str, str]]:
    def with_target(**settings: str) -> Any:
        return target(kind, source, **settings)

    # Slow clients.
    for count in (2, 4, 200, 540):
        with with_target() as server:
            with slow_clients(server.url, count=count) as attack:
                time.sleep(1)
                seen = visitor(server.url, seconds=12, per_second=5, timeout=40)
        yield (
            f"{count} slow clients (headers a byte a second, reconnecting)",
            (f"a visitor's page: {seen}; {attack.opened} connections opened"),
        )

    # PDFs: one at a time, then floods.
    with with_target() as server:
        steps, cookie = journey(server.url)
        times, _ = pdf_times(server.url, steps[-1][2], cookie)
    yield (
        "a PDF, one person asking 20 times in turn (after a first)",
        f"median {statistics.median(times[1:]):.1f} ms, max {max(times[1:]):.1f} ms",
    )
    for clients in (2, 16):
        unlimited = {"proxy_unlimited": "127.0.0.1"} if kind == "stack" else {}
        with with_target(**unlimited) as server:
            steps, cookie = journey(server.url)
            with pdf_flood(server.url, steps[-1][2], cookie, clients=clients, seconds=14) as flood:
                time.sleep(2)
                seen = visitor(server.url, seconds=10, per_second=10)
        got = flood[0]
        yield (
            f"{clients} clients downloading PDFs non-stop",
            (
                f"{got.pdfs_per_second:.1f} PDFs/s, {got.busy} told busy, {got.wrong} wrong, "
                f"PDF p50 {got.p50_ms:.0f} ms; a visitor's page: {seen}"
            ),
        )

    # Host names and redirects.
    with with_target() as server:
        doubled = raw(server.url, request("/rules//print.css", "evil.example"))
        plain = raw(server.url, request("/check", "evil.example"))
    yield "`Host: evil.example` + a path with `//` (`/rules//print.css`)", describe(doubled)
    yield "`Host: evil.example`", describe(plain)
    https = {"force_https": "true"}
    if kind == "stack" or not source:
        https["trusted_hosts"] = "localhost"
    with with_target(**https) as server:
        forced = raw(server.url, request("/check", "evil.example"))
        honest = raw(server.url, request("/check", "localhost"))
    yield "SELFCHECK_FORCE_HTTPS, `GET /check`, `Host: evil.example`", describe(forced)
    yield "SELFCHECK_FORCE_HTTPS, `GET /check`, `Host: localhost`", describe(honest)

    # Bodies and the errors the servers make themselves. The chunked body is a whole, valid
    # outcome form padded with empty fields ("&&&…"): cut at 64 KiB, the form alone is read.
    form = "Content-Type: application/x-www-form-urlencoded"
    with with_target() as server:
        steps, cookie = journey(server.url)
        outcome = [step for step in steps if step[1] == "/check"][-1][2]
        body = (outcome + "&" * 70_000).encode()
        parts = [body[i : i + 4096] for i in range(0, len(body), 4096)]
        chunks = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"
        sent = ["Transfer-Encoding: chunked", form, f"Cookie: {cookie}"]
        chunked = raw(server.url, request("/check", "localhost", *sent, method="POST") + chunks)
        errors = {
            "413": raw(
                server.url,
                request("/check", "localhost", "Content-Length: 70000", form, method="POST")
                + b"x" * 70000,
            ),
            "414": raw(server.url, request("/" + "a" * 9000)),
            "431": raw(server.url, request("/", "localhost", "Cookie: " + "c" * 9000)),
            "400": raw(server.url, request("/", "localhost", "Bad header")),
        }
    yield "a chunked body over 64 KiB", describe(chunked)
    for name, answer in errors.items():
        yield f"an error the servers make themselves ({name})", describe(answer)

    # Forged headers, the cookie, the Server header.
    with with_target(session_cookie_secure="true") as server:
        script = raw(server.url, request("/check", "localhost", "SCRIPT_NAME: /evil"))
        ssl = raw(server.url, request("/check", "localhost", "X-Forwarded-Ssl: on"))
        plain_answer = raw(server.url, request("/check"))
    yield "`SCRIPT_NAME: /evil` from a client", describe(script).split(";")[0]
    yield (
        "`X-Forwarded-Ssl: on` from a client",
        ("believed (HSTS sent)" if "strict-transport-security" in head(ssl)[1] else "ignored"),
    )
    headers = head(plain_answer)[1]
    yield "the cookie, Secure", headers.get("set-cookie", "").split("=", 1)[0]
    yield "`Server`", headers.get("server", "(none)")

    if kind == "stack":
        yield from stability()


def stability() -> Iterator[tuple[str, str]]:
    """Workers killed under load, and a reload (SIGHUP), during mixed journeys."""
    with stack(secret_key="attack", proxy_unlimited="127.0.0.1") as server:
        figures: dict[str, float] = {}

        def load() -> None:
            figures.update(mixed_run(server.url, seconds=20, connections=8))

        thread = threading.Thread(target=load)
        thread.start()
        time.sleep(4)
        killed = []
        for name in ("pages", "pdf"):
            pool = pool_pid(server.pid, name)
            worker = int(Path(f"/proc/{pool}/task/{pool}/children").read_text().split()[0])
            os.kill(worker, signal.SIGKILL)
            killed.append(worker)
            time.sleep(4)
        os.kill(server.pid, signal.SIGHUP)
        thread.join()
        log = server.log.read_text()
    booted = len(re.findall(r"Booting worker", log))
    yield (
        "workers killed under load (one of each pool), then SIGHUP, in 20 s of mixed journeys",
        (
            f"{figures['errors']:.0f} errors in {figures['requests']:.0f} requests; "
            f"{booted} workers booted in all"
        ),
    )


def pool_pid(stack_pid: int, name: str) -> int:
    """The master of the stack's pool ``name``: the one bound to its socket."""
    for child in Path(f"/proc/{stack_pid}/task/{stack_pid}/children").read_text().split():
        if f"/{name}.sock" in Path(f"/proc/{child}/environ").read_text(errors="replace"):
            return int(child)
    raise LookupError(name)


def audit() -> tuple[str, str]:
    run = subprocess.run([sys.executable, "-m", "tests.audit"], capture_output=True, text=True)
    return (
        "dependency audit (`make audit`)",
        f"status {run.returncode}: {run.stdout.splitlines()[0]}",
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", choices=["stack", "gunicorn"], default="stack")
    parser.add_argument("--source", default="", help="the app's code for --target gunicorn")
    parser.add_argument("--json", type=Path, help="also write the rows here")
    options = parser.parse_args()
    found: list[tuple[str, str]] = []
    for row in rows(options.target, options.source):
        print(f"| {row[0]} | {row[1]} |", flush=True)
        found.append(row)
    if options.target == "stack":
        found.append(audit())
        print(f"| {found[-1][0]} | {found[-1][1]} |")
    if options.json:
        options.json.write_text(json.dumps(found, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
