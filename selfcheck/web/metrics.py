"""Counts an operator can use, and nothing more, in Prometheus's text format (prometheus-client).

What is counted, each a total over every visitor since the counts began:

- requests and the time the app took to answer them, by route: the URL rule
  (``/check/<int:number>``), never the address asked for, and by method and status;
- results shown, by level of urgency and language;
- summaries asked for as PDF: made, or refused (answers not finished, a form refused);
- the rules served: their version, fingerprint and status, as the labels of an info metric.

Never an answer, a cause, a red flag, a page of questions by its name, nor anything of one
visit: no label holds a value a visitor chose, so no two counts can be joined into one person's
answers (``tests/test_metrics.py`` walks journeys and reads every label).

Where: never through the public site. gunicorn listens on ``SELFCHECK_METRICS_BIND`` (an
address of its own, such as ``127.0.0.1:9464``) as well as on its public address, and a request
that comes in on that address gets ``/metrics`` and nothing else (:func:`on_own_address`,
wired by ops/gunicorn_config.py); the app has no such page, and nginx never passes ``/metrics``
on either (ops/nginx_config.py). Nothing is counted unless metrics are on: prometheus-client is
not even imported.

gunicorn's workers are processes of their own, each counting its share: in prometheus-client's
multiprocess mode each writes its counts to files in ``PROMETHEUS_MULTIPROC_DIR``, a private
folder emptied when the servers start (ops/gunicorn_config.py makes one; ``make serve`` makes
one for both pools, ops/supervisor.py), and whichever worker answers ``/metrics`` adds up the
files of every worker, those that have stopped too: a count never goes down while the servers run.
"""

from __future__ import annotations

import functools
import os
import socket
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, g, request

from selfcheck.web.language import page_language

#: Where prometheus-client's multiprocess mode keeps each worker's counts.
FOLDER = "PROMETHEUS_MULTIPROC_DIR"

#: The methods counted by name; any other is counted as "other", so that a client cannot add
#: labels by making methods up.
METHODS = frozenset({"GET", "HEAD", "POST", "OPTIONS"})

#: The limits, in seconds, of the answer times counted: a page takes a few milliseconds, a PDF
#: tens of them.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)

#: The endpoint that makes the summary as a PDF.
PDF = "selfcheck.summary_pdf"

WSGI = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


@dataclass(frozen=True)
class Counts:
    """The metrics this process counts into."""

    requests: Any
    seconds: Any
    results: Any
    pdfs: Any


@functools.cache
def counts() -> Counts:
    """The metrics, made once per process, when metrics are first on."""
    from prometheus_client import Counter, Histogram

    return Counts(
        requests=Counter(
            "selfcheck_requests",
            "Requests the app answered, by route (the URL rule), method and status.",
            ["route", "method", "status"],
        ),
        seconds=Histogram(
            "selfcheck_request_seconds",
            "Time the app took to answer, by route (the URL rule).",
            ["route"],
            buckets=BUCKETS,
        ),
        results=Counter(
            "selfcheck_results",
            "Results shown, by level of urgency and the page's language.",
            ["level", "language"],
        ),
        pdfs=Counter(
            "selfcheck_pdfs",
            "Summaries asked for as PDF: made, or refused (answers not finished, form refused).",
            ["outcome"],
        ),
    )


def on() -> bool:
    """Whether this process counts: when the servers keep counts for /metrics
    (ops/gunicorn_config.py sets the folder whenever SELFCHECK_METRICS_BIND is set; ``make
    serve`` for both pools)."""
    return bool(os.environ.get(FOLDER))


def init_app(app: Flask, counting: bool | None = None) -> None:
    """Count ``app``'s requests, if metrics are on (``counting``: whatever :func:`on` says)."""
    if not (on() if counting is None else counting):
        return
    app.extensions["selfcheck-metrics"] = counts()
    app.before_request(_started)
    app.after_request(_answered)


def _started() -> None:
    g.selfcheck_started = time.perf_counter()


def _answered(response: Response) -> Response:
    found = counts()
    route = request.url_rule.rule if request.url_rule is not None else "(no route)"
    method = request.method if request.method in METHODS else "other"
    found.requests.labels(route, method, str(response.status_code)).inc()
    started = g.get("selfcheck_started")
    if started is not None:
        found.seconds.labels(route).observe(time.perf_counter() - started)
    if request.endpoint == PDF:
        made = response.status_code == 200 and response.mimetype == "application/pdf"
        found.pdfs.labels("made" if made else "refused").inc()
    return response


def result_shown(app: Flask, level: str) -> None:
    """Count a result shown at ``level``, in the page's language (if ``app`` counts)."""
    found = app.extensions.get("selfcheck-metrics")
    if found is not None:
        found.results.labels(level, page_language()).inc()


def exposition(app: Flask) -> bytes:
    """Every count in Prometheus's text format: of every worker, in multiprocess mode (of this
    process alone otherwise), and the rules ``app`` serves."""
    from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, values
    from prometheus_client.multiprocess import MultiProcessCollector

    registry = REGISTRY
    if getattr(values.ValueClass, "_multiprocess", False):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    served = CollectorRegistry()
    served.register(_Rules(app))
    return generate_latest(registry) + generate_latest(served)


class _Rules:
    """The rules the app serves, as the labels of ``selfcheck_rules_info``."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import InfoMetricFamily

        from selfcheck.web.service import KEY

        rules = self.app.extensions[KEY].rules
        yield InfoMetricFamily(
            "selfcheck_rules",
            "The rules served: their version, fingerprint and status.",
            value={
                "version": str(rules.version),
                "fingerprint": str(rules.fingerprint),
                "status": str(rules.status),
            },
        )


def on_own_address(app: Flask, port: int) -> WSGI:
    """``app`` as gunicorn serves it, but for requests that come in on the metrics address
    (the listening socket's port is ``port``): those get /metrics, and nothing else."""

    def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        connection = environ.get("gunicorn.socket")
        if connection is None or connection.family not in (socket.AF_INET, socket.AF_INET6):
            return app(environ, start_response)
        if connection.getsockname()[1] != port:
            return app(environ, start_response)
        if environ.get("PATH_INFO") != "/metrics" or environ.get("REQUEST_METHOD") != "GET":
            start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"Only /metrics is served here.\n"]
        from prometheus_client import CONTENT_TYPE_LATEST

        with app.app_context():
            body = exposition(app)
        start_response(
            "200 OK",
            [
                ("Content-Type", CONTENT_TYPE_LATEST),
                ("Content-Length", str(len(body))),
                ("Cache-Control", "no-store"),
            ],
        )
        return [body]

    return serve
