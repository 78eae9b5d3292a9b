"""Real servers on loopback ports for the production tests and `make load`: gunicorn, nginx.

Each server is started as its own process and stopped by its PID when the ``with`` block ends.
A missing program fails loudly (`make test` installs nginx, wrk and curl with apt).
"""

from __future__ import annotations

import functools
import http.cookiejar
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def program(name: str) -> str:
    """The path of a program that `make test` installs; a missing one fails the test."""
    found = shutil.which(name, path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin"]))
    if found is None:
        raise RuntimeError(f"{name} is not installed: run `make test`, which installs it")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    """Wait until something listens on ``port``; fail with the server's log if it died."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped at start:\n{log.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listened on port {port} within 30 s:\n{log.read_text()}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a server we started, by its PID: politely, then firmly."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def read_whole(app: Any) -> Any:
    """``app`` with each answer's body read whole, and its file closed, before werkzeug's
    server writes it. A browser that drops a connection mid-answer (Chromium cancels a
    favicon it no longer needs) made the server stop writing without closing the static file
    it was sending: a ResourceWarning later, in whichever test the collector ran, failed it."""

    def whole(environ: Any, start_response: Any) -> list[bytes]:
        answer = app(environ, start_response)
        try:
            return [b"".join(answer)]
        finally:
            if hasattr(answer, "close"):
                answer.close()

    return whole


@contextmanager
def in_thread(app: Any, quiet: bool = False) -> Iterator[str]:
    """``app`` under werkzeug's own server, in a thread of this process, on a free port.
    ``quiet`` leaves out werkzeug's line for each request."""
    from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler

    class QuietHandler(WSGIRequestHandler):
        def log_request(self, *args: Any, **kwargs: Any) -> None:
            pass

    class PooledServer(BaseWSGIServer):
        """Each request in one of a few threads started once, rather than a new thread per
        request: under coverage, starting many threads on a busy machine now and then hits a
        CPython race in installing the trace function ("Cannot install a trace function while
        another trace function is being installed"), which kills the request's thread."""

        def process_request(self, request: Any, client_address: Any) -> None:
            pool.submit(self._handle, request, client_address)

        def _handle(self, request: Any, client_address: Any) -> None:
            try:
                self.finish_request(request, client_address)
            except Exception:
                self.handle_error(request, client_address)
            finally:
                self.shutdown_request(request)

    pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="test-server")
    gate = threading.Event()

    def hold(running: threading.Event) -> None:
        running.set()
        gate.wait()

    for _ in range(8):  # start every thread now, each once the one before runs
        running = threading.Event()
        pool.submit(hold, running)
        running.wait()
    gate.set()
    handler = QuietHandler if quiet else WSGIRequestHandler
    server = PooledServer("127.0.0.1", 0, read_whole(app), handler=handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
        pool.shutdown(wait=True, cancel_futures=True)


@dataclass
class Server:
    url: str
    log: Path  # what the server wrote to its standard output and error
    home: Path  # its HOME, TMPDIR and working directory: an empty folder of its own
    pid: int = 0  # the main process (gunicorn's master)


@contextmanager
def serving(
    command: list[str], env: dict[str, str], prefix: str, own_tmp: bool = True
) -> Iterator[Server]:
    """``command`` as a server on a free port of 127.0.0.1 (``SELFCHECK_BIND``), with an empty
    folder of its own as its HOME and working directory, and as its TMPDIR if ``own_tmp``;
    stopped by its PID at the end. ``env`` adds to this process's environment."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix=prefix) as folder:
        home = Path(folder) / "home"
        home.mkdir()
        log = Path(folder) / "server.log"
        environment = {
            **os.environ,
            "HOME": str(home),
            **({"TMPDIR": str(home)} if own_tmp else {}),
            "SELFCHECK_BIND": f"127.0.0.1:{port}",
            **env,
        }
        with log.open("wb") as out:
            process = subprocess.Popen(
                command, env=environment, cwd=home, stdout=out, stderr=subprocess.STDOUT
            )
        try:
            wait_for(port, process, log)
            yield Server(f"http://127.0.0.1:{port}", log, home, process.pid)
        finally:
            stop(process)


def selfcheck_settings(settings: dict[str, str]) -> dict[str, str]:
    """Keyword settings as SELFCHECK_* variables: ``pdf_queue="3"`` → SELFCHECK_PDF_QUEUE."""
    return {f"SELFCHECK_{name.upper()}": value for name, value in settings.items()}


@contextmanager
def gunicorn(
    workers: int = 1,
    secret_key: str = "loopback tests",
    instance: str = "",
    options: str = "",
    app: str = "selfcheck:create_app()",
    **settings: str,
) -> Iterator[Server]:
    """The app under gunicorn, configured by ``make serve``'s settings
    (selfcheck/ops/gunicorn_config.py), on a free port of 127.0.0.1. Extra ``settings`` become
    SELFCHECK_* variables; ``options`` are more of gunicorn's own (GUNICORN_CMD_ARGS). ``app`` lets
    the benchmarks serve another WSGI app with exactly the same settings."""
    env = {
        "PYTHONPATH": os.environ.get("BENCH_PYTHONPATH", str(ROOT)),
        "SELFCHECK_WORKERS": str(workers),
        "SELFCHECK_SECRET_KEY": secret_key,
        "SELFCHECK_INSTANCE": instance,
        "GUNICORN_CMD_ARGS": options,
        **selfcheck_settings(settings),
    }
    config = "python:selfcheck.ops.gunicorn_config"
    command = [sys.executable, "-m", "gunicorn", "--config", config, app]
    with serving(command, env, "selfcheck-gunicorn-") as server:
        yield server


@contextmanager
def nginx(
    upstreams: list[str], pdf_upstreams: list[str] | None = None, **proxy: Any
) -> Iterator[str]:
    """nginx on a free port of 127.0.0.1, configured as `make serve` configures it (one
    template, selfcheck/ops/nginx_config.py), sharing requests round-robin among ``upstreams``, and
    the PDFs among ``pdf_upstreams`` (the same ones unless given). Extra ``proxy`` settings
    are :class:`~selfcheck.ops.nginx_config.Settings` fields.

    One worker process keeps one round-robin turn, so requests from a visitor go to each
    upstream in turn.
    """
    from selfcheck import create_app
    from selfcheck.ops.nginx_config import Settings
    from selfcheck.ops.supervisor import nginx_command, prepare, server_user

    port = free_port()
    with tempfile.TemporaryDirectory(prefix="selfcheck-nginx-") as folder:
        addresses = [url.removeprefix("http://") for url in upstreams]
        pdf_addresses = [url.removeprefix("http://") for url in pdf_upstreams or upstreams]
        settings = Settings(
            Path(folder),
            bind=f"127.0.0.1:{port}",
            pages_upstreams=addresses,
            pdf_upstreams=pdf_addresses,
            proxy_workers="1",
            nginx_user=server_user(),
            **proxy,
        )
        prepare(settings, create_app({"SECRET_KEY": "pages only"}))
        log = Path(folder) / "error.log"
        with log.open("wb") as out:
            process = subprocess.Popen(nginx_command(Path(folder)), stdout=out, stderr=out)
        try:
            wait_for(port, process, log)
            yield f"http://127.0.0.1:{port}"
        finally:
            stop(process)


@functools.cache
def workers_user() -> str:
    """Whom the tests' stack, started as root, runs the app's workers as: SELFCHECK_USER if
    set, else www-data if it can run this Python, else root (said, and never in production)."""
    from selfcheck.ops.supervisor import runs_python

    return os.environ.get("SELFCHECK_USER") or ("www-data" if runs_python("www-data") else "root")


@contextmanager
def stack(secret_key: str = "loopback tests", **settings: str) -> Iterator[Server]:
    """`make serve`: the whole production stack (selfcheck/ops/supervisor.py) on a free port of
    127.0.0.1, stopped by its PID (SIGTERM), as an operator stops it. Extra ``settings``
    become SELFCHECK_* variables. Started as root, the stack needs SELFCHECK_USER, the user its
    workers run as: unless given, www-data, or root where only root can run this Python (the
    stack refuses a user who cannot)."""
    env = {
        "PYTHONPATH": str(ROOT),
        "SELFCHECK_SECRET_KEY": secret_key,
        **({"SELFCHECK_USER": workers_user()} if os.geteuid() == 0 else {}),
        **selfcheck_settings(settings),
    }
    # The stack makes its own folder in the system's temporary folder, where nginx's workers,
    # which may run as another user, can reach it.
    command = [sys.executable, "-m", "selfcheck.ops.supervisor"]
    with serving(command, env, "selfcheck-stack-test-", own_tmp=False) as server:
        yield server


class Response:
    """What the Flask test client's responses offer the tests, for a real HTTP response."""

    def __init__(self, status: int, headers: Any, data: bytes) -> None:
        self.status_code = status
        self.headers = headers
        self.data = data
        self.mimetype = headers.get_content_type()

    def get_data(self, as_text: bool = False) -> Any:
        return self.data.decode() if as_text else self.data


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect as a browser does, and notes it among the client's responses."""

    def __init__(self, client: HttpClient) -> None:
        self.client = client

    def redirect_request(
        self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> Any:
        self.client.responses.append(Response(code, headers, b""))
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class HttpClient:
    """A visitor's browser over real HTTP, with a cookie jar: serves :class:`tests.forms.Visitor`
    as the Flask test client does. ``responses`` holds every response, redirects too."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _Redirects(self)
        )
        self.responses: list[Response] = []

    def _send(self, request: urllib.request.Request) -> Response:
        try:
            with self.opener.open(request, timeout=30) as answer:
                response = Response(answer.status, answer.headers, answer.read())
        except urllib.error.HTTPError as error:
            response = Response(error.code, error.headers, error.read())
        self.responses.append(response)
        return response

    def get(self, path: str) -> Response:
        return self._send(urllib.request.Request(self.base + path))

    def post(
        self,
        path: str,
        data: Any,
        headers: dict[str, str] | None = None,
        follow_redirects: bool = True,
    ) -> Response:
        """Send a form, and follow the redirect that answers it (urllib always does)."""
        body = urllib.parse.urlencode(list(data.items(multi=True))).encode()
        request = urllib.request.Request(
            self.base + path, data=body, method="POST", headers=headers or {}
        )
        return self._send(request)
