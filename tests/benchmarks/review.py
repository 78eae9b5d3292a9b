"""What the review page (/rules) costs against a question page, once its body is worked out:
in the app alone (Flask's test client) and through the stack (nginx and gunicorn), one request
at a time. Prints the figures for docs/benchmarks.md; not a timed test.

    python -m tests.benchmarks.review
"""

from __future__ import annotations

import http.client
import statistics
import time
import urllib.parse

from selfcheck import create_app

from ..testing.servers import stack

#: A question page: the first step, as every person sees it.
QUESTION = "/check"


def in_app(runs: int = 200) -> dict[str, float]:
    """Milliseconds in the app alone: the first /rules (which works its body out), then the
    median of ``runs`` of /rules and of the question page, and their sizes."""
    app = create_app({"SECRET_KEY": "bench"})
    client = app.test_client()
    started = time.perf_counter()
    first = client.get("/rules")
    figures = {"first_ms": (time.perf_counter() - started) * 1000}
    for name, path in (("rules", "/rules"), ("question", QUESTION)):
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        figures[f"{name}_ms"] = statistics.median(times)
        figures[f"{name}_bytes"] = len(response.data)
    assert first.data == client.get("/rules").data
    return figures


def through_stack(runs: int = 100) -> dict[str, float]:
    """Median milliseconds of /rules and of the question page through `make serve`'s stack,
    one request at a time on a new connection each, after one of each uncounted."""
    figures = {}
    with stack(proxy_unlimited="127.0.0.1") as server:
        parts = urllib.parse.urlsplit(server.url)
        for name, path in (("rules", "/rules"), ("question", QUESTION)):
            times = []
            for number in range(runs + 1):
                started = time.perf_counter()
                connection = http.client.HTTPConnection(parts.netloc, timeout=30)
                connection.request("GET", path, headers={"Host": parts.netloc})
                answer = connection.getresponse()
                answer.read()
                connection.close()
                assert answer.status == 200, (path, answer.status)
                if number:
                    times.append((time.perf_counter() - started) * 1000)
            figures[f"{name}_ms"] = statistics.median(times)
    return figures


def main() -> None:
    app = in_app()
    served = through_stack()
    print(f"in the app: first /rules {app['first_ms']:.0f} ms (its body worked out)")
    for name in ("rules", "question"):
        print(
            f"{name}: in the app {app[f'{name}_ms']:.2f} ms, through the stack "
            f"{served[f'{name}_ms']:.2f} ms, {app[f'{name}_bytes'] / 1000:.1f} KB"
        )
    print(
        f"/rules against a question page: {app['rules_ms'] / app['question_ms']:.1f}x in the "
        f"app, {served['rules_ms'] / served['question_ms']:.1f}x through the stack, "
        f"{app['rules_bytes'] / app['question_bytes']:.0f}x the bytes"
    )


if __name__ == "__main__":
    main()
