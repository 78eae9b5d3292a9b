"""gunicorn's settings for selfcheck, read from SELFCHECK_* environment variables.

Used by each pool of ``make serve`` (selfcheck/ops/supervisor.py), by the container image, and in
production as::

    gunicorn --config python:selfcheck.ops.gunicorn_config 'selfcheck:create_app()'

=======================  ==================  ================================================
variable                 default             what it does
=======================  ==================  ================================================
SELFCHECK_BIND           127.0.0.1:8000      the address and port to listen on
SELFCHECK_WORKERS        1 per CPU core, 2   how many worker processes answer requests
                         at the least
SELFCHECK_ACCESS_LOG     (none)              a file for gunicorn's access log, ``-`` for
                                             standard output; unset, no access log is kept
SELFCHECK_FORWARDED_     127.0.0.1,::1       the proxies whose X-Forwarded-Proto is believed
ALLOW_IPS                                    (a Unix socket's peer always is)
SELFCHECK_METRICS_BIND   (none)              an address of its own where gunicorn also
                                             listens, for /metrics alone (metrics.py)
SELFCHECK_POOL           pages               ``pdf`` for a pool that the proxy sends only
                                             PDFs to: it skips working out the review page
                                             at start (about a second of the master's time)
=======================  ==================  ================================================

Only the proxy says whether a request came over HTTPS, in ``X-Forwarded-Proto`` alone; gunicorn
believes it only from the addresses above. Every other forwarding header, and any header with an
underscore (such as ``SCRIPT_NAME``, which gunicorn would otherwise take as the address the app
is mounted under), is dropped.

gunicorn takes any request's head that the proxy in front passes on (a request line and header
lines of up to 8,190 bytes, over 11,000 headers; nginx takes lines of at most 8,000 bytes), so
that the proxy, which answers with the app's own page, is the one that refuses a head too large:
gunicorn must never be reached but through that proxy. What gunicorn still refuses itself (a
control character in a header's value, a raw byte over 127 in the address: nginx passes both on)
gets the app's error page, as nginx's refusals do, never gunicorn's bare one.

The app is made once, before the workers start (``preload_app``), so every worker shares the
rules and the secret key, even when SELFCHECK_SECRET_KEY is not set: a form sent from a page that
one worker served is accepted by any other.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from typing import Any


def default_workers() -> int:
    """One worker per core: a page is work for the CPU, not waiting, so more workers than cores
    only take turns (docs/benchmarks.md). At least two, so a PDF being made holds up no page."""
    return max(2, os.cpu_count() or 1)


#: What the proxy in front takes of a request's head (nginx: client_header_buffer_size and
#: large_client_header_buffers, deploy/nginx/selfcheck.conf.j2): a request line and each header
#: line, with its line end, must fit one buffer of ``HEADER_LINE`` bytes, and the whole head the
#: first buffer and ``HEADER_BUFFERS`` of those. ingress-nginx's ConfigMap should say the same.
HEADER_FIRST = 1024
HEADER_LINE = 8000
HEADER_BUFFERS = 4

#: gunicorn's largest request line (and its default largest header line): the proxy's line is
#: shorter, by more than the space nginx adds after a header's colon and the line end.
GUNICORN_LINE = 8190


def most_headers() -> int:
    """As many header lines as the proxy can pass on: the shortest (``a:`` and a line end)
    filling every buffer, and the few that nginx adds (Host, X-Forwarded-For, …)."""
    return (HEADER_FIRST + HEADER_BUFFERS * HEADER_LINE) // len("a:\n") + 32


#: Where gunicorn also listens, for /metrics and nothing else (selfcheck/web/metrics.py).
metrics_bind = os.environ.get("SELFCHECK_METRICS_BIND", "")
#: "pdf" for a pool the proxy sends PDFs alone (make serve's second pool, the PDF pods): it
#: never serves the review page, so its master does not work it out.
serves_pdfs_only = os.environ.get("SELFCHECK_POOL", "pages") == "pdf"
bind = [
    os.environ.get("SELFCHECK_BIND", "127.0.0.1:8000"),
    *([metrics_bind] if metrics_bind else []),
]
#: The folder where each worker writes its counts (prometheus-client's multiprocess mode): a new,
#: empty one, readable by the servers' user alone, made here unless given (``make serve`` gives
#: one for both of its pools); removed when gunicorn stops. Set before the app is loaded, as
#: prometheus-client reads it when first imported; made only when gunicorn loads this module as
#: its configuration (the stack and nginx_config.py import it for its constants).
own_metrics_folder = ""
if metrics_bind and not os.environ.get("PROMETHEUS_MULTIPROC_DIR") and "gunicorn" in sys.modules:
    own_metrics_folder = tempfile.mkdtemp(prefix="selfcheck-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = own_metrics_folder
workers = int(os.environ.get("SELFCHECK_WORKERS") or default_workers())
preload_app = True
# An access log notes the path, time and address of each request, never a form's answers;
# even so, none is kept unless asked for.
accesslog = os.environ.get("SELFCHECK_ACCESS_LOG") or None
proc_name = "selfcheck"
# Who may say that a request came over HTTPS, and how: X-Forwarded-Proto from the proxy, and
# nothing else (gunicorn also believes X-Forwarded-Protocol and X-Forwarded-Ssl by default).
forwarded_allow_ips = os.environ.get("SELFCHECK_FORWARDED_ALLOW_IPS") or "127.0.0.1,::1"
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}
# No header may set SCRIPT_NAME or PATH_INFO (gunicorn's default lets a trusted peer set both).
forwarder_headers = ""
header_map = "drop"
# gunicorn takes every request the proxy passes on, so that the proxy is the one that refuses
# one too long (with the app's own page, in its layout), never gunicorn with its own bare 414 or
# 431: its defaults (4,094 bytes a request line, 100 headers) were below nginx's. The proxy
# bounds a request's head; gunicorn is never reached but through it.
limit_request_line = GUNICORN_LINE
limit_request_field_size = GUNICORN_LINE
limit_request_fields = most_headers()
# gunicorn 23 and later make a control socket in ~/.gunicorn; the app needs none, and two copies
# on one host would fight over it.
control_socket_disable = True


def _is_selfcheck(app: object) -> bool:
    """Whether gunicorn serves selfcheck's app (the benchmarks serve others with these settings)."""
    from flask import Flask

    return isinstance(app, Flask) and "selfcheck" in app.extensions


def when_ready(server: Any) -> None:
    """In gunicorn's master, once the app is loaded and before a worker starts: the review
    page (/rules) is worked out here, once, and every worker starts with it (not in a pool that
    serves PDFs alone: should one still be asked for /rules, it works the page out then). The
    counts' folder
    made here is given to the user the workers run as."""
    if own_metrics_folder:
        os.chown(own_metrics_folder, server.cfg.uid, server.cfg.gid)
    app = server.app.wsgi()
    if _is_selfcheck(app) and not serves_pdfs_only:
        from selfcheck.web.views import work_out_review

        try:
            work_out_review(app)
        except Exception:  # the page is then worked out on its first visit, as it can be
            server.log.exception("selfcheck: the review page could not be worked out at start")


def on_reload(server: Any) -> None:
    """SIGHUP: the master makes the app again before it starts the new workers, so that the
    rules file, its scenarios, vignettes and translations are read again, and the review page
    worked out again for the new rules (without this, ``preload_app`` would keep the app of the
    first start). A rules file with an error is said in the log and the app loaded before goes
    on serving."""
    loaded = server.app.callable
    if not _is_selfcheck(loaded):
        return
    server.app.callable = None
    try:
        server.app.wsgi()
    except Exception:
        server.app.callable = loaded
        server.log.exception("selfcheck: not reloaded; the rules loaded before are still served")
        return
    when_ready(server)


def post_worker_init(worker: Any) -> None:
    """In each worker: what gunicorn refuses itself gets the app's page; requests that come in
    on the metrics address get /metrics alone."""
    if _is_selfcheck(worker.wsgi):
        from selfcheck.web.refused import answer_for_gunicorn

        answer_for_gunicorn(worker)
    if metrics_bind and _is_selfcheck(worker.wsgi):
        from selfcheck.web.metrics import on_own_address

        worker.wsgi = on_own_address(worker.wsgi, int(metrics_bind.rsplit(":", 1)[1]))


def on_exit(server: Any) -> None:
    """gunicorn stops: the counts' folder it made goes with it."""
    if own_metrics_folder:
        shutil.rmtree(own_metrics_folder, ignore_errors=True)
