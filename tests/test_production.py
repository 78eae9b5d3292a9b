"""The app as it runs in production: gunicorn as `make serve` starts it, under load, and two
copies behind nginx. Each server is a real process on a loopback port, stopped by its PID."""

from __future__ import annotations

import itertools
import os
import re
import signal
import time
from typing import Any

import pytest

from selfcheck.answers import shown_pages
from selfcheck.rules import Rules

from .load import mixed_run, outcome_run
from .testing.answers import SOON, as_sets
from .testing.pages import headings, title
from .testing.privacy import STATUSES, leaks, whole_journey
from .testing.rules import edited
from .testing.servers import HttpClient, free_port, gunicorn, nginx, stack
from .testing.visitor import Journey

#: Real servers (gunicorn, nginx) and wrk: `make test` installs them, `make test-fast` leaves
#: these tests out.
pytestmark = pytest.mark.production


def booted(log: str) -> set[str]:
    """The workers gunicorn's log says it booted."""
    return set(re.findall(r"Booting worker with pid: (\d+)", log))


def test_make_serve_runs_gunicorn_with_the_address_and_workers_set(rules: Rules):
    with gunicorn(workers=3, access_log="-", options="--log-level debug") as server:
        journey = Journey(HttpClient(server.url), rules)
        responses = whole_journey(journey, late=False)
        # gunicorn listens before its workers have booted, and a journey can end before the
        # last one says so (a PDF takes a few milliseconds): wait for it, 10 s at most.
        deadline = time.monotonic() + 10
        while len(booted(server.log.read_text())) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        log = server.log.read_text()
        left = sorted(p.name for p in server.home.rglob("*"))
    assert [r.status_code for r in responses] == STATUSES[:-1]
    assert f"Listening at: {server.url}" in log
    assert len(booted(log)) == 3
    assert '"POST /summary.pdf HTTP/1.1" 200' in log, "the access log was on, at debug level"
    assert not leaks(log, rules), "no answer in gunicorn's log"
    assert left == [], "nothing written to the server's home, temporary or working folder"


def test_behind_a_proxy_that_ends_https_the_cookie_is_secure(rules: Rules):
    """gunicorn trusts X-Forwarded-Proto from a proxy on 127.0.0.1 (forwarded_allow_ips)."""
    with gunicorn() as server:
        plain = HttpClient(server.url).get("/check")
        client = HttpClient(server.url)
        client.opener.addheaders = [("X-Forwarded-Proto", "https")]
        https = client.get("/check")
    assert "Secure" not in plain.headers["Set-Cookie"]
    assert "Strict-Transport-Security" not in plain.headers
    assert "; Secure" in https.headers["Set-Cookie"]
    assert https.headers["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.timed
def test_the_outcome_holds_a_short_load_without_an_error():
    """`make load` for a few seconds: every response is a 200 that shows a result."""
    with gunicorn(workers=2) as server:
        figures = outcome_run(server.url, seconds=3, connections=8)
    assert figures["requests"] > 0
    assert figures["errors"] == 0, figures


@pytest.mark.timed
def test_mixed_journeys_through_the_stack_hold_a_short_load_without_an_error():
    """`make load`'s mixed run for a few seconds: pages, outcomes and PDFs, none wrong."""
    with stack(proxy_unlimited="127.0.0.1") as server:
        figures = mixed_run(server.url, seconds=4, connections=8)
    assert figures["journeys_per_second"] > 0 and figures["pdfs"] > 0
    assert figures["errors"] == 0, figures


def journey_behind_nginx(rules: Rules, keys: tuple[str, str]) -> tuple[list[Any], list[str]]:
    """A person's journey through nginx in front of two copies, "a" and "b", with the given
    secret keys, until the PDF or a refusal; returns every response and which copy sent it."""
    with (
        gunicorn(instance="a", secret_key=keys[0]) as a,
        gunicorn(instance="b", secret_key=keys[1]) as b,
        nginx([a.url, b.url]) as proxy,
    ):
        client = HttpClient(proxy)
        journey = Journey(client, rules)
        journey.open("/check")
        while journey.response.status_code == 200 and "Your result" not in journey.html:
            journey.answer_page(SOON)
        if "Your result" in journey.html:
            journey.submit("pdf")
    return client.responses, [r.headers["X-Selfcheck-Instance"] for r in client.responses]


def test_two_copies_behind_nginx_serve_one_journey_in_turn(rules: Rules):
    responses, served_by = journey_behind_nginx(rules, ("shared key", "shared key"))
    # The first page; for each page answered, its redirect (303) and the page it leads to; the PDF.
    pages = (len(responses) - 2) // 2
    assert [r.status_code for r in responses] == [200] + [303, 200] * pages + [200]
    asked = len(shown_pages(rules, as_sets(SOON)))  # the emergency check and those asked
    assert pages == asked, "every page asked of an adult who is not pregnant"
    assert set(served_by) == {"a", "b"}
    # The PDF goes through nginx's PDF upstream, which takes its own turns.
    pages_served_by = served_by[:-1]
    assert all(one != then for one, then in itertools.pairwise(pages_served_by)), (
        f"each request went to the other copy than the one before: {served_by}"
    )
    outcome = responses[-2].get_data(as_text=True)
    assert headings(outcome) == ["Book an appointment with a doctor in the next few days or weeks"]
    assert responses[-1].mimetype == "application/pdf"


def test_without_a_shared_secret_key_the_other_copy_refuses_the_form(rules: Rules):
    """What makes the journey above work: a page from one copy carries a token signed with its
    key, which the other copy can check only if it has the same key."""
    responses, served_by = journey_behind_nginx(rules, ("key of a", "key of b"))
    assert len(responses) == 2 and served_by[0] != served_by[1]
    assert [r.status_code for r in responses] == [200, 400]
    assert headings(responses[1].get_data(as_text=True)) == ["Please confirm your answers"]


def rules_version(server_url: str) -> str:
    """The version of the rules that the review page of a worker names."""
    found = re.search(r"The clinical rules, version (\S+) ", title(HttpClient(server_url).get(
        "/rules").get_data(as_text=True)))  # fmt: skip
    return found.group(1) if found else ""


def test_told_to_reload_gunicorn_serves_the_rules_file_as_it_is_now(edited_rules):
    """SIGHUP (`systemctl reload`): the master reads the rules file again and its new workers
    serve it, the review page too. A file that now has an error leaves the rules loaded
    before in service, and the log says so."""
    path = edited_rules()
    with gunicorn(workers=2, rules_file=str(path)) as server:
        assert rules_version(server.url) == "0.1.0"
        path.write_text(edited(path.read_text(), ('version: "0.1.0"', 'version: "0.2.0"')))
        os.kill(server.pid, signal.SIGHUP)
        seen: list[str] = []
        deadline = time.monotonic() + 30
        # Every worker: the old ones finish what they have in hand, then stop.
        while seen[-6:] != ["0.2.0"] * 6 and time.monotonic() < deadline:
            seen.append(rules_version(server.url))
            time.sleep(0.1)
        assert seen[-6:] == ["0.2.0"] * 6, seen
        path.write_text("version: [\n")
        os.kill(server.pid, signal.SIGHUP)
        deadline = time.monotonic() + 30
        while "not reloaded" not in server.log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1)
        after = [rules_version(server.url) for _ in range(6)]
        log = server.log.read_text()
    assert "selfcheck: not reloaded; the rules loaded before are still served" in log
    assert after == ["0.2.0"] * 6


def test_gunicorn_alone_counts_over_its_workers_in_a_private_folder(rules: Rules):
    """As in the container image: gunicorn with SELFCHECK_METRICS_BIND makes its own folder for
    the workers' counts, readable by its user alone, and serves them there, and only there."""
    port = free_port()
    with gunicorn(workers=2, metrics_bind=f"127.0.0.1:{port}") as server:
        for _ in range(3):
            Journey(HttpClient(server.url), rules).complete(SOON)
        counts = HttpClient(f"http://127.0.0.1:{port}")
        text = counts.get("/metrics").get_data(as_text=True)
        other = counts.get("/")
        public = HttpClient(server.url).get("/metrics")
        [folder] = server.home.glob("selfcheck-metrics-*")
        mode = folder.stat().st_mode & 0o777
        writers = {path.stem.rsplit("_", 1)[1] for path in folder.glob("*.db")}
    assert 'selfcheck_results_total{language="en",level="soon"} 3.0' in text
    assert "selfcheck_rules_info{" in text
    assert other.status_code == 404 and b"<html" not in other.data
    assert public.status_code == 404 and b"selfcheck_" not in public.data
    assert mode == 0o700 and writers
