"""gunicorn's settings for selfcheck, read from SELFCHECK_* environment variables.

Used by ``make serve``, and in production as::

    gunicorn --config python:selfcheck.serving 'selfcheck:create_app()'

=======================  ==================  ================================================
variable                 default             what it does
=======================  ==================  ================================================
SELFCHECK_BIND           127.0.0.1:8000      the address and port to listen on
SELFCHECK_WORKERS        1 per CPU core, 2   how many worker processes answer requests
                         at the least
SELFCHECK_ACCESS_LOG     (none)              a file for gunicorn's access log, ``-`` for
                                             standard output; unset, no access log is kept
=======================  ==================  ================================================

The app is made once, before the workers start (``preload_app``), so every worker shares the
rules and the secret key, even when SELFCHECK_SECRET_KEY is not set: a form sent from a page that
one worker served is accepted by any other.
"""

from __future__ import annotations

import os


def default_workers() -> int:
    """One worker per core: a page is work for the CPU, not waiting, so more workers than cores
    only take turns (docs/benchmarks.md). At least two, so a PDF being made holds up no page."""
    return max(2, os.cpu_count() or 1)


bind = [os.environ.get("SELFCHECK_BIND", "127.0.0.1:8000")]
workers = int(os.environ.get("SELFCHECK_WORKERS") or default_workers())
preload_app = True
# An access log notes the path, time and address of each request, never a form's answers;
# even so, none is kept unless asked for.
accesslog = os.environ.get("SELFCHECK_ACCESS_LOG") or None
proc_name = "selfcheck"
# gunicorn 23 and later make a control socket in ~/.gunicorn; the app needs none, and two copies
# on one host would fight over it.
control_socket_disable = True
