"""`make serve`, the production stack (selfcheck/ops/supervisor.py): nginx in front of a pool of
gunicorn workers for the pages and one for the PDFs, as an operator and an attacker meet it.

Every server listens on 127.0.0.1 and is stopped by its PID; every attack is bounded in time.
The two bounds the issue sets are tested with room to spare but honestly: with 200 slow clients
a visitor's page p99 stays under 1 s, and with 16 clients downloading PDFs non-stop under
250 ms. The figures themselves come from `python -m tests.attack` and `make load`
(docs/benchmarks.md).
"""

from __future__ import annotations

import itertools
import os
import pwd
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from babel.support import Translations
from flask import Flask
from werkzeug.datastructures import MultiDict

from selfcheck import create_app
from selfcheck.ops.nginx_config import Settings, configuration
from selfcheck.ops.supervisor import runs_python
from selfcheck.rules import Rules
from selfcheck.web.language import CATALOGS
from selfcheck.web.security import HEADERS

from .load import journey
from .testing.answers import BY_LEVEL, SOON, Given
from .testing.attacks import (
    half_open,
    page_flood,
    pdf_flood,
    pdf_times,
    slow_clients,
    visitor,
)
from .testing.pages import headings, in_layout, pdf_info
from .testing.privacy import STATUSES, leaks, whole_journey
from .testing.servers import (
    ROOT,
    HttpClient,
    Server,
    free_port,
    gunicorn,
    in_thread,
    nginx,
    program,
    stack,
)
from .testing.visitor import Journey

pytestmark = pytest.mark.production


def children(pid: int) -> list[int]:
    """Every process started by ``pid``, and by those, from /proc."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            listed = (task / "children").read_text().split()
        except FileNotFoundError:  # the task ended meanwhile
            continue
        for child in listed:
            found += [int(child), *children(int(child))]
    return found


def raw(url: str, request: bytes, read: int = 1 << 20) -> bytes:
    """Send ``request`` as it is and return whatever comes back before the server closes (or
    resets) the connection."""
    host, port = url.removeprefix("http://").split(":")
    answer = b""
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        try:
            while not whole(answer) and (chunk := sock.recv(read)):
                answer += chunk
        except ConnectionResetError:
            pass
    return answer


def whole(answer: bytes) -> bool:
    """Whether ``answer`` holds a whole response of known length: then there is no need to wait
    for the server to close (after a 413, nginx waits up to 5 s for the rest of the body)."""
    head, found, body = answer.partition(b"\r\n\r\n")
    length = re.search(rb"^content-length: *([0-9]+)\r?$", head, re.I | re.M)
    return bool(found and length and len(body) >= int(length.group(1)))


def request(
    target: str = "/", host: str = "localhost", *headers: str, method: str = "GET"
) -> bytes:
    """A request as a client would write it, closing the connection after the answer."""
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}", *headers, "Connection: close"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


@pytest.fixture(scope="module")
def served() -> Iterator[Server]:
    """One stack, as `make serve` starts it, for the tests that only send it requests and look
    at the answers (starting one takes seconds of both cores). Addresses of 127.0.0.1 are not
    limited here: these tests send many requests one after another, and none is about limits
    (those start stacks of their own)."""
    with stack(proxy_unlimited="127.0.0.1") as server:
        yield server


def status_and_page(answer: bytes) -> tuple[int, dict[str, str], str]:
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, body.decode(errors="replace")


# --------------------------------------------------------------------------------------------
# One command


def test_make_serve_serves_a_journey_and_stopping_it_stops_everything(rules: Rules):
    with stack() as server:
        journey_ = Journey(HttpClient(server.url), rules)
        responses = whole_journey(journey_, late=False)
        started = children(server.pid)
        assert len(started) >= 2 + 1 + 1 + 2, "nginx and its workers, two pools and workers"
        folder = re.search(r"unix:(\S+)/pages\.sock", server.log.read_text())
        os.kill(server.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        while any(Path(f"/proc/{pid}").exists() for pid in started):
            assert time.monotonic() < deadline, "every process the stack started has stopped"
            time.sleep(0.1)
        log = server.log.read_text()
    assert [r.status_code for r in responses] == STATUSES[:-1]
    assert responses[7].mimetype == "application/pdf", "the PDF came from the PDF pool"
    assert "serving on http://127.0.0.1:" in log
    # Each pool's workers say which rules they serve: file, version, status and fingerprint.
    said = re.findall(r"selfcheck\.web\.service: (Rules: .*)", log)
    assert said and set(said) == {
        f"Rules: {rules.path} (version {rules.version}, {rules.status}, "
        f"fingerprint {rules.short_fingerprint})"
    }, said
    assert folder is not None and not Path(folder.group(1)).exists(), "its folder is removed"
    assert not leaks(log, rules), "no answer in any server's log"


def exit_status(pid: int, seconds: float = 60) -> int | None:
    """The exit status of ``pid``, a child of this process not yet waited for, once it has
    stopped (from /proc: a stopped child stays there until waited for); None if it has not
    stopped within ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        if fields[0] == "Z":
            return int(fields[-1]) >> 8
        time.sleep(0.1)
    return None


def running(pid: int) -> bool:
    """Whether ``pid`` runs: it exists, and has not stopped (a zombie waiting to be reaped)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def pool_masters(pid: int) -> dict[str, int]:
    """The stack's two pools, by name (pages, pdf): each its gunicorn master's PID."""
    found = {}
    for child in children(pid):
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
            parent = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()[1]
            environ = Path(f"/proc/{child}/environ").read_bytes()
        except (FileNotFoundError, ProcessLookupError):  # it ended meanwhile
            continue
        if b"gunicorn" in command and parent == str(pid):
            name = environ.split(b"SELFCHECK_BIND=unix:")[1].split(b"\0")[0]
            found[name.rsplit(b"/", 1)[1].removesuffix(b".sock").decode()] = child
    return found


def test_if_nginx_stops_the_stack_stops_at_once_with_a_failure():
    """Without nginx nobody reaches the site: the stack stops everything it started and exits
    with a failure, so that its supervisor (systemd, deploy/systemd/selfcheck.service)
    starts it again."""
    with stack() as server:
        proxy = [
            pid
            for pid in children(server.pid)
            if Path(f"/proc/{pid}/cmdline").read_bytes().startswith(b"nginx: master")
        ]
        started = children(server.pid)
        os.kill(proxy[0], signal.SIGKILL)
        status = exit_status(server.pid)
        log = server.log.read_text()
        deadline = time.monotonic() + 20
        while left := [pid for pid in started if running(pid)]:
            if time.monotonic() > deadline:
                break
            time.sleep(0.1)
    assert status == 1, "a failure, for the supervisor"
    assert "nginx stopped" in log
    assert left == [], "every process the stack started has stopped, nginx's workers too"


def test_a_pool_whose_master_dies_is_started_again(rules: Rules):
    """A pool's gunicorn master killed: the stack used to stop whole (no page, no emergency
    number) and nothing started it again. Now it starts that pool again: pages, then PDFs,
    come back within seconds, and meanwhile nginx answers with the app's "call 999" page.
    (Journeys one after another go faster than one address may: 127.0.0.1 is not limited.)"""
    with stack(proxy_unlimited="127.0.0.1") as server:
        client = HttpClient(server.url)
        before = pool_masters(server.pid)
        assert set(before) == {"pages", "pdf"}
        meanwhile = []
        for name in ("pages", "pdf"):
            killed = pool_masters(server.pid)[name]
            os.kill(killed, signal.SIGKILL)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                # Until the stack sees it, the killed master's workers may still answer.
                restarted = pool_masters(server.pid).get(name, killed) != killed
                if name == "pages":
                    response = client.get("/")
                else:
                    journey = Journey(HttpClient(server.url), rules)
                    journey.complete(SOON)
                    response = journey.submit("pdf")
                if response.status_code != 200:
                    meanwhile.append(response)
                elif restarted:
                    break
                time.sleep(0.2)
            assert response.status_code == 200 and restarted, name
        after = pool_masters(server.pid)
        alive = Path(f"/proc/{server.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        log = server.log.read_text()
    assert response.mimetype == "application/pdf"
    assert set(after) == {"pages", "pdf"} and not set(after.values()) & set(before.values())
    assert alive != "Z", "the stack still runs"
    assert "the pages pool stopped" in log and "the pdf pool stopped" in log
    for refused in meanwhile:
        assert refused.status_code == 502 and "call 999" in refused.get_data(as_text=True)


@pytest.mark.skipif(os.geteuid() != 0, reason="started as root only")
def test_started_as_root_no_worker_runs_as_root():
    """As root with SELFCHECK_USER: every worker of nginx and of both pools runs as that user;
    only the masters keep root, to bind and to start the workers. Where that user cannot run
    this Python (here, a Python under /root), the stack refuses to start instead (2), with a
    clear message: its workers used to start and then fail on each result page (a 500)."""
    if not runs_python("www-data"):
        with pytest.raises(RuntimeError, match="cannot run this Python"):
            with stack(user="www-data"):
                pass
        return
    with stack(user="www-data") as server:
        masters = {*pool_masters(server.pid).values()}
        started = children(server.pid)
        uids = {
            pid: Path(f"/proc/{pid}/status").read_text().split("\nUid:")[1].split()[0]
            for pid in started
        }
        proxy = [
            pid
            for pid in started
            if Path(f"/proc/{pid}/cmdline").read_bytes().startswith(b"nginx: master")
        ]
    workers = [pid for pid in started if pid not in {*masters, *proxy}]
    assert len(masters) == 2 and len(proxy) == 1
    assert len(workers) >= 2 + 2 + 1, "nginx's workers and each pool's"
    assert {uids[pid] for pid in workers} == {str(pwd.getpwnam("www-data").pw_uid)}


# --------------------------------------------------------------------------------------------
# Hosts, forged headers, limits


def test_an_unknown_host_gets_no_answer_at_all(served: Server):
    answer = raw(served.url, request("/check", "evil.example"))
    doubled = raw(served.url, request("//check", "evil.example"))
    known = raw(served.url, request("/check", "localhost"))
    assert answer == b"" and doubled == b"", "the connection is closed: no redirect to evil"
    assert status_and_page(known)[0] == 200


def test_forwarding_headers_a_client_sends_are_dropped_by_the_proxy(served: Server):
    forged = {
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Ssl": "on",
        "X-Forwarded-Protocol": "https",
        "Forwarded": "proto=https",
        "X-Forwarded-Host": "evil.example",
    }
    client = HttpClient(served.url)
    client.opener.addheaders = list(forged.items())
    response = client.get("/check")
    assert "Strict-Transport-Security" not in response.headers, "the app saw plain HTTP"
    assert "Secure" not in response.headers["Set-Cookie"]
    assert "evil.example" not in response.get_data(as_text=True)


def test_gunicorn_believes_only_x_forwarded_proto_and_no_script_name():
    """Straight to gunicorn from 127.0.0.1 (its trusted proxy address): SCRIPT_NAME used to
    give a 500 "Configuration problem", X-Forwarded-Ssl used to count as HTTPS."""
    with gunicorn() as server:
        script = raw(server.url, request("/check", "x", "SCRIPT_NAME: /evil"))
        ssl = raw(server.url, request("/check", "x", "X-Forwarded-Ssl: on"))
        proto = raw(server.url, request("/check", "x", "X-Forwarded-Proto: https"))
    status, _, page = status_and_page(script)
    assert status == 200 and 'action="/check"' in page, "links are not moved under /evil"
    assert "Strict-Transport-Security" not in status_and_page(ssl)[1]
    assert "Strict-Transport-Security" in status_and_page(proto)[1], "from its proxy: believed"


FORM = "Content-Type: application/x-www-form-urlencoded"


def chunked(path: str, body: bytes) -> bytes:
    """A POST of ``body`` in chunks of 4 KiB, with no Content-Length."""
    parts = [body[i : i + 4096] for i in range(0, len(body), 4096)]
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in parts)
    head = request(path, "localhost", "Transfer-Encoding: chunked", FORM, method="POST")
    return head + chunks + b"0\r\n\r\n"


@pytest.mark.parametrize("through", ["gunicorn", "the stack"])
def test_a_chunked_body_over_the_limit_gets_413(through: str, served: Server):
    body = b"red_flags=none&go=next&" + b"x" * 70_000
    with gunicorn() if through == "gunicorn" else nullcontext(served) as server:
        status, _, page = status_and_page(raw(server.url, chunked("/check", body)))
    assert status == 413 and headings(page) == ["Too much was sent"]


SECURITY = [name for name in HEADERS] + ["Cache-Control"]


@pytest.mark.parametrize(
    "request_,status,heading",
    [
        (request("/check", "localhost", "Content-Length: 70000", FORM, method="POST"), 413,
         "Too much was sent"),
        (request("/" + "a" * 9000), 414, "That web address is too long"),
        (request("/", "localhost", "Cookie: " + "c" * 9000), 431, "Too much was sent"),
        (request("/", "localhost", "Bad header"), 400, "Something went wrong with that page"),
    ],
    ids=["413", "414", "431", "400"],
)  # fmt: skip
def test_errors_the_proxy_makes_are_the_apps_pages(served: Server, request_, status, heading):
    got, headers, page = status_and_page(raw(served.url, request_))
    assert got == status
    assert in_layout(page) and headings(page) == [heading]
    for name in SECURITY:
        assert name in headers, name
    assert headers["Server"] == "nginx", "no version"


def test_an_app_that_does_not_answer_gets_the_apps_page_too():
    """In layout too: the page's stylesheets, script and icon come from the proxy's own copy
    when the app does not answer (Chromium drew the page unstyled before)."""
    with nginx(["127.0.0.1:9"]) as proxy:
        status, headers, page = status_and_page(raw(proxy, request("/", "127.0.0.1")))
        linked = re.findall(r'(?:href|src)="(/static/[^"?]+)', page)
        served = {path: status_and_page(raw(proxy, request(path, "127.0.0.1"))) for path in linked}
    assert status == 502
    assert headings(page) == ["Sorry, there is a problem with the service"]
    assert "call 999" in page and "Content-Security-Policy" in headers
    assert {"/static/selfcheck.css", "/static/print.css", "/static/selfcheck.js"} <= set(served)
    for path, (status, headers, body) in served.items():
        assert status == 200, path
        assert body == (ROOT / path.lstrip("/")).read_text(), path
        assert "Content-Security-Policy" in headers and "Server: nginx/" not in headers, path


@pytest.mark.timed
def test_one_client_sending_too_fast_gets_told_to_wait():
    with stack(client_rate="5", client_burst="10") as server:
        statuses = [status_and_page(raw(server.url, request("/"))) for _ in range(30)]
    refused = [page for status, _, page in statuses if status == 429]
    assert 10 <= len(statuses) - len(refused) < 30
    assert headings(refused[0]) == ["Too many requests at once"]


# --------------------------------------------------------------------------------------------
# Under attack


@pytest.mark.timed
def test_slow_clients_cannot_take_the_site_down():
    """200 connections sending their headers a byte a second, reopened as soon as nginx closes
    them; a person meanwhile opens pages. Idle, a page takes about a millisecond."""
    with stack(client_timeout="5") as server:
        with slow_clients(server.url, count=200) as attack:
            time.sleep(1)
            seen = visitor(server.url, seconds=12, per_second=10)
    assert attack.opened > 200, "nginx closed slow clients and they came back"
    assert seen.failures == [], seen.failures[:5]
    assert len(seen.times) >= 60
    assert seen.p99 < 1000, str(seen)


@pytest.mark.timed
def test_pdfs_never_hold_up_pages(rules: Rules):
    """16 clients download PDFs non-stop; a person's pages keep a p99 under 250 ms. PDFs over
    the queue get the friendly "busy" page, never an error or a wait for a page."""
    with stack(proxy_unlimited="127.0.0.1") as server:
        steps, cookie = journey(server.url)
        method, path, body = steps[-1]
        assert path == "/summary.pdf"
        with pdf_flood(server.url, body, cookie, clients=16, seconds=12) as flood:
            time.sleep(1)
            seen = visitor(server.url, seconds=10, per_second=10)
    assert flood[0].pdfs > 10 and flood[0].busy > 0
    assert flood[0].wrong == 0 and flood[0].socket_errors == 0
    assert seen.failures == [] and len(seen.times) >= 50
    assert seen.p99 < 250, str(seen)


@pytest.mark.timed
def test_one_address_asking_for_the_review_page_non_stop_cannot_slow_pages_for_others():
    """One address (127.0.0.1) asks for /rules, the costliest page, on 8 connections non-stop;
    a person at another (127.0.0.2) opens pages meanwhile: their p99 stays under 250 ms.
    Past the review page's own burst and rate, that address gets "too many requests"."""
    with stack(costly_rate="30", costly_burst="10") as server:
        with page_flood(server.url, "/rules", "The clinical rules", clients=8, seconds=12) as flood:
            time.sleep(1)
            seen = visitor(server.url, seconds=10, per_second=10, source="127.0.0.2")
    served = flood[0].requests - flood[0].wrong
    # The burst and one, then 30 a minute: 17 in 12 s, and a little room for the clock.
    assert 10 <= served <= 20, flood[0]
    assert flood[0].wrong > 100 and flood[0].socket_errors == 0, flood[0]
    assert seen.failures == [] and len(seen.times) >= 50
    assert seen.p99 < 250, str(seen)


@pytest.mark.timed
def test_the_review_pages_own_limit_leaves_the_other_pages_open():
    with stack(costly_rate="1", costly_burst="2") as server:
        review = [raw(server.url, request("/rules")) for _ in range(5)]
        others = [status_and_page(raw(server.url, request("/")))[0] for _ in range(5)]
        spanish = status_and_page(raw(server.url, request("/es/rules")))
    statuses = [status_and_page(answer)[0] for answer in review]
    assert statuses == [200, 200, 200, 429, 429]
    assert headings(status_and_page(review[-1])[2]) == ["Too many requests at once"]
    assert others == [200] * 5
    assert spanish[0] == 429, "the same limit in every language"


@pytest.mark.timed
def test_a_pdf_through_the_stack_takes_at_most_60_ms_in_the_median():
    """One person downloads the summary 20 times in turn, through nginx and the PDF pool: the
    median is within the issue's 60 ms (the first, which loads Typst and its fonts, aside)."""
    with stack() as server:
        steps, cookie = journey(server.url)
        times, pdf = pdf_times(server.url, steps[-1][2], cookie)
    assert pdf_info(pdf)["Tagged"] == "yes"
    assert statistics.median(times[1:]) <= 60, sorted(times)


# --------------------------------------------------------------------------------------------
# The counts an operator reads (/metrics)


def scrape(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of /metrics, by name and labels."""
    from prometheus_client.parser import text_string_to_metric_families

    text = status_and_page(raw(url, request("/metrics", url.removeprefix("http://"))))[2]
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_ten_journeys_are_counted_over_every_worker_of_both_pools():
    """Three page workers and a PDF worker each count their share in a folder of the stack's
    own (prometheus-client's multiprocess mode); /metrics, on its own address, adds them up."""
    counts = f"http://127.0.0.1:{free_port()}"
    # In the system's temporary folder, where nginx's workers (as another user) can reach it.
    run = Path(tempfile.mkdtemp(prefix="selfcheck-stack-test-"))
    settings = {"workers": "3", "run_dir": str(run), "proxy_unlimited": "127.0.0.1"}
    try:
        with stack(metrics_bind=counts.removeprefix("http://"), **settings) as server:
            for _ in range(10):
                journey(server.url)
            found = scrape(counts)
            writers = {path.stem.rsplit("_", 1)[1] for path in (run / "metrics").glob("*.db")}
    finally:
        shutil.rmtree(run, ignore_errors=True)
    assert found[("selfcheck_results_total", (("language", "en"), ("level", "soon")))] == 10
    assert found[("selfcheck_pdfs_total", (("outcome", "made"),))] == 10
    result = (("method", "GET"), ("route", "/result"), ("status", "200"))
    assert found[("selfcheck_requests_total", result)] == 10
    assert found[("selfcheck_request_seconds_count", (("route", "/result"),))] == 10
    # The results are counted by the pages' workers, the PDFs by the PDF pool's: both added up.
    assert len(writers) >= 2, writers


def test_the_public_site_never_passes_metrics_on():
    counts = f"127.0.0.1:{free_port()}"
    with stack(metrics_bind=counts, proxy_unlimited="127.0.0.1") as server:
        answers = {
            path: status_and_page(raw(server.url, request(path)))
            for path in ["/metrics", "/metrics/", "//metrics", "/%6detrics", "/METRICS",
                         "/es/metrics", "/metrics?format=text", "/./metrics"]
        }  # fmt: skip
        elsewhere = status_and_page(raw(f"http://{counts}", request("/", counts)))
        found = scrape(f"http://{counts}")
    for path, (status, headers, page) in answers.items():
        assert status == 404, path
        # nginx's page, in the language of the address (/es/metrics: Spanish).
        heading = in_language("Page not found", "es" if path.startswith("/es/") else "en")
        assert headings(page) == [heading] and "Content-Security-Policy" in headers, path
        assert "selfcheck_" not in page, path
    assert not [key for key in found if dict(key[1]).get("status") == "404"], (
        "nginx answered each itself: none reached the app"
    )
    assert elsewhere[0] == 404 and "<html" not in elsewhere[2], "the counts' address: counts only"


# --------------------------------------------------------------------------------------------
# What the logs say


def lines_after(log: Path, start: int, count: int) -> list[str]:
    """The ``count`` lines written to ``log`` after its first ``start`` bytes; nginx writes a
    request's line once it has answered, so they may come a moment after the answer."""
    deadline = time.monotonic() + 10
    while True:
        lines = log.read_bytes()[start:].decode().splitlines()
        if len(lines) >= count or time.monotonic() > deadline:
            return lines
        time.sleep(0.05)


def test_the_access_log_cannot_tell_one_outcome_from_another(rules: Rules, tmp_path: Path):
    """With SELFCHECK_ACCESS_LOG on, four people reach the four outcomes, open their result
    page again and download its PDF. Each line the access log keeps of those is the same but
    for its time: the size of the answer used to tell the outcome (an emergency's page is a
    third the size of the others), and a PDF's size too."""
    log = tmp_path / "access.log"
    seen: dict[str, list[str]] = {}
    headings_: dict[str, list[str]] = {}
    outcomes: dict[str, Given] = {"emergency": {"red_flags": "stroke_signs"}, **BY_LEVEL}
    requests = 0  # so far, each of which nginx notes
    # One address makes every request here, faster than a person: the limit per client is
    # raised, so that no page is refused (429) on a fast machine. What is tested is the log.
    with stack(access_log=str(log), client_rate="1000", client_burst="1000") as server:
        # A first PDF loads the PDF engine and its fonts; the four that count come after it.
        for name, answers in [("first", SOON), *outcomes.items()]:
            client = HttpClient(server.url)
            journey = Journey(client, rules)
            journey.complete(answers)
            headings_[name] = headings(journey.html)
            requests += len(client.responses)
            assert len(lines_after(log, 0, requests)) == requests
            start = log.stat().st_size
            page = client.get("/result")
            pdf = journey.submit("pdf")
            assert page.status_code == 200 and pdf.mimetype == "application/pdf", name
            requests += 2
            seen[name] = lines_after(log, start, 2)
    assert len({tuple(headings_[name]) for name in outcomes}) == 4, "four different outcomes"
    for name in outcomes:
        assert [line.split(" ")[1:3] for line in seen[name]] == [
            ["GET", "/result"],
            ["POST", "/summary.pdf"],
        ], seen[name]
    but_time = {name: [line.split(" ", 1)[1] for line in seen[name]] for name in outcomes}
    assert len({tuple(lines) for lines in but_time.values()}) == 1, but_time


def test_ordinary_refusals_leave_no_address_in_the_error_log():
    """Bodies over the limit (with a length, or chunked) and a broken chunked body are
    refused as before, and the stack's log (nginx's errors) says nothing of them: nginx used
    to write each with the client's address, although the docs said refusals are not
    written."""
    too_large = (
        request("/check", "localhost", "Content-Length: 70000", FORM, method="POST") + b"x" * 70_000
    )
    broken = request("/check", "localhost", "Transfer-Encoding: chunked", FORM, method="POST")
    with stack() as server:
        start = server.log.stat().st_size
        statuses = [
            status_and_page(raw(server.url, sent))[0]
            for sent in (too_large, chunked("/check", b"x" * 70_000), broken + b"zz\r\nxx\r\n")
        ]
        time.sleep(1)
        written = server.log.read_bytes()[start:].decode()
    assert statuses == [413, 413, 400]
    assert "127.0.0.1" not in written and "client" not in written, written


# --------------------------------------------------------------------------------------------
# The configuration


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for localhost, valid for a day, and its key, in ``folder``."""
    certificate, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [program("openssl"), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(certificate)],
        check=True, capture_output=True,
    )  # fmt: skip
    return certificate, key


def test_nginx_accepts_the_configuration_with_https_and_a_redirect(tmp_path: Path):
    certificate, key = self_signed(tmp_path)
    settings = Settings(
        tmp_path,
        tls_certificate=str(certificate),
        tls_key=str(key),
        http_redirect_bind="127.0.0.1:8081",
        server_names=["check.example.org"],
    )
    (tmp_path / "nginx.conf").write_text(configuration(settings))
    conf = tmp_path / "nginx.conf"
    test = subprocess.run(
        [program("nginx"), "-t", "-p", str(tmp_path), "-c", str(conf), "-e", "stderr"],
        capture_output=True,
        text=True,
    )
    assert test.returncode == 0, test.stderr
    assert "return 301 https://check.example.org$request_uri;" in configuration(settings)


#: An OpenSSL configuration as lax as an old system's: TLS 1.0 and 1.1 and every cipher allowed.
#: nginx and openssl s_client run with it, so that only the stack's own configuration can refuse
#: an old protocol (OpenSSL 3's defaults already refuse TLS 1.1 at security level 1).
LAX_OPENSSL = """openssl_conf = lax
[lax]
ssl_conf = lax_ssl
[lax_ssl]
system_default = lax_default
[lax_default]
MinProtocol = TLSv1
CipherString = ALL@SECLEVEL=0
"""


def handshake(url: str, version: str, openssl_conf: Path) -> str:
    """The protocol that ``openssl s_client -{version}`` agrees with the server at ``url``
    (SNI localhost), or "" if the handshake fails."""
    done = subprocess.run(
        [program("openssl"), "s_client", "-brief", "-connect", url.removeprefix("http://"),
         "-servername", "localhost", f"-{version}", "-cipher", "ALL@SECLEVEL=0"],
        input=b"", capture_output=True, timeout=20,
        env={**os.environ, "OPENSSL_CONF": str(openssl_conf)},
    )  # fmt: skip
    found = re.search(rb"^Protocol version: (TLSv[0-9.]+)$", done.stdout + done.stderr, re.M)
    return found.group(1).decode() if found else ""


def test_https_offers_tls_1_3_and_1_2_and_refuses_1_1_and_older(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The handshake is decided by the default server: ssl_protocols used to sit in the named
    server only, so nginx offered its own defaults (TLS 1.0 to 1.2, no 1.3). nginx runs with an
    OpenSSL as lax as an old system's (LAX_OPENSSL): only the stack's configuration refuses."""
    certificate, key = self_signed(tmp_path)
    lax = tmp_path / "lax-openssl.cnf"
    lax.write_text(LAX_OPENSSL)
    monkeypatch.setenv("OPENSSL_CONF", str(lax))  # the stack's nginx inherits it
    with stack(tls_certificate=str(certificate), tls_key=str(key)) as server:
        agreed = {v: handshake(server.url, v, lax) for v in ("tls1_3", "tls1_2", "tls1_1", "tls1")}
    assert agreed == {"tls1_3": "TLSv1.3", "tls1_2": "TLSv1.2", "tls1_1": "", "tls1": ""}


UNIT = ROOT / "deploy" / "systemd" / "selfcheck.service"


def test_the_systemd_unit_is_valid_restarts_the_stack_and_confines_it(tmp_path: Path):
    """deploy/systemd/selfcheck.service, checked by systemd itself: `systemd-analyze verify`
    (with the app installed where the unit expects it: here a link to this Python), and
    `systemd-analyze security`, whose exposure score must be low. It runs the stack as a user
    of its own, starts it again when it fails, and not when it refused its settings (2)."""
    text = UNIT.read_text()
    prefix = tmp_path / "opt-selfcheck"
    (prefix / ".venv" / "bin").mkdir(parents=True)
    (prefix / ".venv" / "bin" / "python").symlink_to(sys.executable)
    installed = tmp_path / UNIT.name
    installed.write_text(text.replace("/opt/selfcheck", str(prefix)))
    verify = subprocess.run(
        [program("systemd-analyze"), "verify", str(installed)], capture_output=True, text=True
    )
    security = subprocess.run(
        [program("systemd-analyze"), "security", "--offline=true", "--no-pager", str(installed)],
        capture_output=True,
        text=True,
    )
    settings = dict(
        line.split("=", 1) for line in text.splitlines() if re.match(r"^[A-Z]\w+=", line)
    )
    assert verify.returncode == 0 and verify.stderr == "", verify.stderr
    score = re.search(r"Overall exposure level for \S+: ([0-9.]+)", security.stdout)
    assert score is not None, security.stdout + security.stderr
    assert float(score.group(1)) <= 2.5, security.stdout
    assert settings["User"] == "selfcheck"
    assert settings["ExecStart"].endswith("selfcheck.ops.supervisor")
    assert settings["Restart"] == "on-failure" and settings["RestartPreventExitStatus"] == "2"


# --------------------------------------------------------------------------------------------
# Which pool answers


def addresses(app: Flask) -> list[tuple[str, str]]:
    """Every (method, path) of every URL rule of ``app``: each value of an ``any`` converter
    (each language prefix: /es, /ar, and any added later), a sample value for the others; and
    each path once more with its last part percent-encoded, which nginx and the app decode."""
    samples = {"int": ["2"], "path": ["selfcheck.css"], "default": ["selfcheck.css"]}
    found = []
    for rule in app.url_map.iter_rules():
        parts = re.split(r"(<[^>]+>)", rule.rule)
        choices = []
        for part in parts:
            variable = re.fullmatch(r"<(?:(\w+)(?:\(([^)]*)\))?:)?\w+>", part)
            if variable is None:
                choices.append([part])
            elif variable.group(1) == "any":
                choices.append([value.strip() for value in variable.group(2).split(",")])
            else:
                choices.append(samples.get(variable.group(1) or "default", ["x"]))
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            for chosen in itertools.product(*choices):
                path = "".join(chosen)
                head, _, last = path.rpartition("/")
                found.append((method, path))
                if last:
                    found.append((method, f"{head}/%{ord(last[0]):02X}{last[1:]}"))
    return found


def pool_name(name: str) -> Callable[..., list[bytes]]:
    """A stand-in for one of the stack's pools: it answers every request with its name."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        start_response(
            "200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(name)))]
        )
        return [name.encode()]

    return app


def test_every_route_that_makes_a_pdf_goes_to_the_pdf_pool():
    """Every URL rule of the app, in every language, is asked of the app itself, which says
    whether it makes a PDF, and of nginx as `make serve` configures it, in front of two
    stand-in pools that say which they are. nginx used to send only /summary.pdf to the PDF
    pool: /es/summary.pdf and /ar/summary.pdf were made by the page workers, with no queue."""
    app = create_app({"SECRET_KEY": "k", "WTF_CSRF_ENABLED": False})
    answers = [
        (q, v) for q, given in SOON.items() for v in ([given] if isinstance(given, str) else given)
    ]
    finished = MultiDict([*answers, ("go", "pdf")])
    browser = app.test_client()
    walked = addresses(app)
    makes_pdf = {}
    for method, path in walked:
        with browser.open(path, method=method, data=finished) as response:
            makes_pdf[method, path] = response.mimetype == "application/pdf"
    pdfs = {path for (method, path), pdf in makes_pdf.items() if pdf}
    assert {"/summary.pdf", "/es/summary.pdf", "/ar/summary.pdf"} <= pdfs, "a PDF in each language"
    body = urlencode(list(finished.items(multi=True)))
    with (
        in_thread(pool_name("pages"), quiet=True) as pages,
        in_thread(pool_name("pdf"), quiet=True) as pdf,
        nginx([pages], [pdf], unlimited=["127.0.0.1"]) as proxy,
    ):
        served_by = {}
        for method, path in walked:
            headers = [FORM, f"Content-Length: {len(body)}"] if method == "POST" else []
            sent = request(path, "localhost", *headers, method=method)
            answer = raw(proxy, sent + (body.encode() if method == "POST" else b""))
            served_by[method, path] = status_and_page(answer)[2]
    wrong = {
        f"{method} {path}": served_by[method, path]
        for method, path in walked
        if served_by[method, path] != ("pdf" if makes_pdf[method, path] else "pages")
    }
    assert wrong == {}, "each PDF from the PDF pool, each page from the page pool"


# --------------------------------------------------------------------------------------------
# The Host and scheme the app sees


def test_a_red_flag_form_with_an_expired_token_on_another_port_still_shows_the_emergency_advice(
    served: Server,
):
    """On a port other than 80 or 443 a browser's Origin names the port. nginx used to pass
    the app a Host without it, so the app took its own page for another site's, and a person
    who ticked a red flag on a page left open too long was asked to "start the check again"
    instead of being told to call 999."""
    host = served.url.removeprefix("http://")
    body = urlencode(
        [
            ("csrf_token", "expired"),
            ("page", "emergency_check"),
            ("red_flags", "stroke_signs"),
            ("go", "next"),
        ]
    )
    headers = [FORM, f"Content-Length: {len(body)}", f"Origin: {served.url}"]
    sent = request("/check", host, *headers, method="POST") + body.encode()
    status, _, page = status_and_page(raw(served.url, sent))
    redirect = status_and_page(raw(served.url, request("/es", host)))
    # The port comes from the Host header only once nginx has checked its name: a request
    # line that names this site, with a Host header that names another, goes nowhere else.
    forged = status_and_page(raw(served.url, request(f"{served.url}/es", "evil.example:81")))
    assert status == 200 and headings(page) == ["Call 999 now"]
    assert "evil" not in forged[1].get("Location", "") and ":81" not in forged[1].get(
        "Location", ""
    )
    assert redirect[0] == 308 and redirect[1]["Location"] in (f"{served.url}/es/", "/es/"), (
        "the address keeps its port"
    )


def emergency_form(host: str, *headers: str) -> bytes:
    """A red-flag form whose token has expired, as a browser sends it."""
    body = urlencode(
        [("csrf_token", "expired"), ("page", "emergency_check"), ("red_flags", "stroke_signs"),
         ("go", "next")]
    )  # fmt: skip
    head = request("/check", host, FORM, f"Content-Length: {len(body)}", *headers, method="POST")
    return head + body.encode()


def test_behind_a_balancer_that_ends_https_the_emergency_advice_is_not_lost():
    """HTTPS ends at a load balancer in front (listed in SELFCHECK_TLS_PROXIES), which says so
    in X-Forwarded-Proto. nginx used to pass the app its own scheme, http, so a browser's
    Origin (https://…) looked like another site's, and a red flag on a refused form got "Please
    start the check again". A client that is not such a balancer is still not believed."""
    https = ("Origin: https://localhost", "X-Forwarded-Proto: https")
    with stack(tls_proxies="127.0.0.1") as server:
        status, headers, page = status_and_page(
            raw(server.url, emergency_form("localhost", *https))
        )
    with stack() as server:
        plain = status_and_page(raw(server.url, emergency_form("localhost", *https)))
    assert status == 200 and headings(page) == ["Call 999 now"]
    assert headers["Strict-Transport-Security"].startswith("max-age="), "the app saw HTTPS"
    assert "Strict-Transport-Security" not in plain[1], "from anyone else: not believed"
    assert headings(plain[2]) == ["Please start the check again"]


def longest(limit: int, fits: Callable[[int], bool]) -> int:
    """The largest ``n`` up to ``limit`` for which ``fits(n)``, by halving (fits is monotone)."""
    low, high = 0, limit
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if fits(middle) else (low, middle - 1)
    return low


@pytest.mark.parametrize("end", ["\r\n", "\n"], ids=["CRLF", "LF"])
def test_what_nginx_takes_gunicorn_takes_too(served: Server, end: str):
    """The longest address, the longest header and the most headers that nginx lets through
    reach the app, which answers with its own page: gunicorn used to refuse them first with its
    own bare 414 or 431 (a request line over 4,094 bytes, more than 100 headers). Lines end as
    browsers end them, and with a bare line feed, which nginx takes too (one byte shorter)."""

    def answer(*headers: str, path: str = "/") -> tuple[int, dict[str, str], str]:
        lines = [f"GET {path} HTTP/1.1", "Host: localhost", *headers, "Connection: close"]
        return status_and_page(raw(served.url, (end.join(lines) + end + end).encode()))

    def through(answered: tuple[int, dict[str, str], str]) -> bool:
        """Whether nginx passed it on: anything but nginx's own refusals (the app's pages,
        which the stack renders for nginx)."""
        status, _, page = answered
        return not (status in (400, 414, 431) and in_layout(page))

    address = longest(16_384, lambda n: through(answer(path="/" + "a" * n)))
    # nginx passes a header on with a space after its colon: sent without one, it grows.
    header = longest(16_384, lambda n: through(answer("X-Long:" + "b" * n)))
    count = longest(20_000, lambda n: through(answer(*["a:"] * n)))
    answers = {
        "address": answer(path="/" + "a" * address),
        "header": answer("X-Long:" + "b" * header),
        "headers": answer(*["a:"] * count),
    }
    assert address > 4094 and count > 100, "nginx takes more than gunicorn used to"
    for what, (status, headers, page) in answers.items():
        assert in_layout(page), (what, status, page[:200])
        assert "Content-Security-Policy" in headers, what
    assert answers["address"][0] == 404 and answers["header"][0] == answers["headers"][0] == 200


# --------------------------------------------------------------------------------------------
# Refused before the app: still its page, in the visitor's language, with the emergency number

LANGUAGES = ["en", "es", "ar"]


def under(language: str) -> str:
    """Where a language's pages are: /es/…, /ar/…, English at /."""
    return "" if language == "en" else f"/{language}"


def in_language(text: str, language: str) -> str:
    """``text`` as the app's catalog for ``language`` has it (read from the catalog itself)."""
    if language == "en":
        return text
    found = Translations.load(str(CATALOGS), [language]).gettext(text)
    assert found != text, f"the catalog of {language} has no translation of {text!r}"
    return found


@pytest.fixture(scope="module")
def app_headers() -> dict[str, str]:
    """The headers the app itself sends with a page (its security headers), but the page's
    own type and length."""
    answer = create_app({"SECRET_KEY": "headers"}).test_client().get("/")
    return {k: v for k, v in answer.headers if k not in ("Content-Type", "Content-Length")}


def assert_the_apps_page(
    answered: tuple[int, dict[str, str], str],
    status: int,
    heading: str,
    language: str,
    app_headers: dict[str, str],
) -> None:
    """``answered`` is the app's page for ``status``: in the app's layout and in ``language``
    (its heading from the app's catalog, its links to that language's pages), naming the
    emergency number, with every header the app sends with its own pages."""
    got, headers, page = answered
    assert got == status, page[:300]
    assert f'<html lang="{language}"' in page
    assert headings(page) == [in_language(heading, language)]
    assert 'class="service-name"' in page and f'href="{under(language)}/privacy"' in page
    assert "999" in page, "a person whose form was refused must still read the number to call"
    for name, value in app_headers.items():
        assert headers.get(name) == value, name
    assert headers["Server"] == "nginx", "no version"


def request_line(line: str, *headers: str) -> bytes:
    """A request with the request line ``line`` as it is (an HTTP version nginx refuses)."""
    return (
        "\r\n".join([line, "Host: localhost", *headers, "Connection: close"]) + "\r\n\r\n"
    ).encode()


#: Each request that nginx refuses before the app can see it: how it is made for the pages
#: under a prefix, the status, and the page's heading in English.
REFUSED: dict[str, tuple[Callable[[str], bytes], int, str]] = {
    "413": (lambda p: request(f"{p}/check", "localhost", "Content-Length: 70000", FORM,
                              method="POST"), 413, "Too much was sent"),
    "414": (lambda p: request(f"{p}/" + "a" * 9000), 414, "That web address is too long"),
    "431": (lambda p: request(f"{p}/", "localhost", "Cookie: " + "c" * 9000), 431,
            "Too much was sent"),
    "400": (lambda p: request(f"{p}/", "localhost", "Bad header"), 400,
            "Something went wrong with that page"),
    "405-TRACE": (lambda p: request(f"{p}/", method="TRACE"), 405,
                  "That page cannot be used like this"),
    "405-CONNECT": (lambda p: request(f"{p}/", method="CONNECT"), 405,
                    "That page cannot be used like this"),
    "501": (lambda p: request(f"{p}/check", "localhost", "Transfer-Encoding: gzip", FORM,
                              method="POST"), 501, "Something went wrong with that page"),
    "505": (lambda p: request_line(f"GET {p}/ HTTP/2.0"), 505,
            "Something went wrong with that page"),
}  # fmt: skip


@pytest.fixture(scope="module")
def refusing() -> Any:
    """nginx as the stack configures it, in front of an app that is not there: whatever
    answers is nginx alone. No limit per address (these tests send many requests at once)."""
    with nginx(["127.0.0.1:9"], unlimited=["127.0.0.1"]) as proxy:
        yield proxy


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("case", list(REFUSED))
def test_a_request_nginx_refuses_gets_the_apps_page_in_the_visitors_language(
    refusing: str, case: str, language: str, app_headers: dict[str, str]
):
    """nginx's pages were the English ones for /es/ and /ar/ visitors, and its bare 405, 501
    and 505 had neither the app's layout nor its headers."""
    make, status, heading = REFUSED[case]
    answered = status_and_page(raw(refusing, make(under(language))))
    assert_the_apps_page(answered, status, heading, language, app_headers)


@contextmanager
def silent_app() -> Iterator[str]:
    """An address that takes connections and never answers: an app too busy to reply."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(256)
        yield f"127.0.0.1:{sock.getsockname()[1]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_app_down_slow_or_busy_and_a_client_too_fast_get_the_apps_pages_too(
    language: str, app_headers: dict[str, str]
):
    """502 (the app not there), 504 (the app not answering in time), 503 (the PDF queue
    full) and 429 (one address too fast): each in the visitor's language, with 999."""
    p = under(language)
    with nginx(["127.0.0.1:9"], client_rate=1, client_burst=1) as proxy:
        down = status_and_page(raw(proxy, request(f"{p}/")))
        answers = [status_and_page(raw(proxy, request(f"{p}/"))) for _ in range(5)]
    assert_the_apps_page(down, 502, "Sorry, there is a problem with the service", language,
                         app_headers)  # fmt: skip
    too_fast = [answered for answered in answers if answered[0] == 429]
    assert too_fast, [status for status, _, _ in answers]
    assert_the_apps_page(too_fast[0], 429, "Too many requests at once", language, app_headers)
    assert too_fast[0][1]["Retry-After"] == "60"

    with (
        silent_app() as app,
        nginx([app], app_timeout=2, pdf_queue=1, unlimited=["127.0.0.1"]) as proxy,
    ):
        with ThreadPoolExecutor(1) as pool:
            waiting = pool.submit(raw, proxy, request(f"{p}/summary.pdf"))
            time.sleep(0.5)
            busy = status_and_page(raw(proxy, request(f"{p}/summary.pdf")))
            slow = status_and_page(waiting.result(timeout=20))
    assert_the_apps_page(busy, 503, "Busy: please try again in a minute", language, app_headers)
    assert busy[1]["Retry-After"] == "60"
    assert_the_apps_page(slow, 504, "Sorry, there is a problem with the service", language,
                         app_headers)  # fmt: skip


def test_a_language_without_its_slash_is_sent_to_it_on_the_same_port(served: Server):
    """``/es`` → ``/es/`` named the address without its port, so on port 8000 a person landed
    on a site that was not there."""
    port = served.url.rsplit(":", 1)[1]
    for host in (f"localhost:{port}", f"127.0.0.1:{port}"):
        for language in ("es", "ar"):
            status, headers, _ = status_and_page(raw(served.url, request(f"/{language}", host)))
            assert status == 308
            assert headers["Location"] in (f"http://{host}/{language}/", f"/{language}/")


def test_static_without_its_slash_is_the_apps_page_not_nginxs_redirect(
    app_headers: dict[str, str],
):
    """nginx answered ``/static`` itself with a bare 301 (no layout, no headers)."""
    with in_thread(create_app({"SECRET_KEY": "static"}), quiet=True) as app:
        with nginx([app]) as proxy:
            answered = status_and_page(raw(proxy, request("/static")))
    assert_the_apps_page(answered, 404, "Page not found", "en", app_headers)


@pytest.mark.parametrize("language", LANGUAGES)
def test_plain_http_on_the_https_port_gets_the_apps_page(
    tmp_path: Path, language: str, app_headers: dict[str, str]
):
    """nginx's bare "The plain HTTP request was sent to HTTPS port" (497, sent as a 400)."""
    certificate, key = self_signed(tmp_path)
    with nginx(["127.0.0.1:9"], tls_certificate=str(certificate), tls_key=str(key)) as proxy:
        answered = status_and_page(raw(proxy, request(f"{under(language)}/")))
    assert_the_apps_page(
        answered, 400, "Something went wrong with that page", language, app_headers
    )


# --------------------------------------------------------------------------------------------
# Connections that never finish their request


@pytest.mark.timed
def test_thousands_of_half_open_connections_leave_the_site_open():
    """9,000 connections from 200 addresses that send one line and wait (each one nginx
    closes is opened again at once) filled nginx's 2 × 4,096 connections: 40 of 582 visitors
    got a page. Sized for the machine, nginx holds them all, and a visitor's pages keep a p99
    under 1 s."""
    with stack() as server:
        with half_open(server.url, count=9000) as attack:
            time.sleep(3)
            seen = visitor(server.url, seconds=10, per_second=10)
    assert attack.dropped < 90, attack  # under 1 % of them
    assert seen.failures == [], seen.failures[:5]
    assert len(seen.times) >= 50
    assert seen.p99 < 1000, str(seen)


@pytest.mark.timed
def test_nginx_short_of_connections_cannot_flood_the_log():
    """With too few connections for the attack, nginx writes one alert for each connection it
    cannot take: the stack passes the message on once in ten seconds. The attack goes on for
    6 s after nginx first runs short (on a busy machine that can take a few seconds)."""
    alert = "worker_connections are not enough"
    with stack(worker_connections="256") as server:
        started = time.monotonic()
        with half_open(server.url, count=2000):
            deadline = started + 30
            while alert not in server.log.read_text(errors="replace"):
                assert time.monotonic() < deadline, "nginx never ran short of connections"
                time.sleep(0.2)
            time.sleep(6)
        log = server.log.read_text(errors="replace")
        took = time.monotonic() - started
    alerts = log.count(alert)
    assert 1 <= alerts <= 2 + took // 10, (alerts, took)


def test_what_gunicorn_refuses_itself_is_the_apps_page_in_the_visitors_language(
    served: Server,
    app_headers: dict[str, str],
):
    """nginx passes on a control character in a header's value and a raw byte over 127 in the
    address; gunicorn refused both with a bare page of its own (no layout, no headers, no
    number to call)."""
    answers = {
        (what, language): status_and_page(raw(served.url, make(under(language))))
        for language in LANGUAGES
        for what, make in {
            "control character": lambda p: request(f"{p}/", "localhost", "X-A: a\x01b"),
            "raw byte": lambda p: request(f"{p}/é"),
        }.items()
    }
    for (what, language), answered in answers.items():
        assert answered[0] == 400, (what, language)
        assert_the_apps_page(
            answered, 400, "Something went wrong with that page", language, app_headers
        )
