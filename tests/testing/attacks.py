"""Attacks on a server of ours on loopback, each bounded in time, and a visitor who measures what
a person would notice meanwhile: how long a page takes.

- :func:`slow_clients`: connections that send their headers a byte at a time and never finish,
  opened again as soon as the server closes one (the "slowloris" attack);
- :func:`half_open`: thousands of connections from many loopback addresses that send one line
  of a request and wait, opened again as soon as the server closes one;
- :func:`pdf_flood`: clients that download the summary PDF again and again (wrk);
- :func:`page_flood`: clients that ask for one page again and again (wrk), such as /rules;
- :func:`visitor`: one person's page requests, a few a second, each on a new connection;
- :func:`pdf_times`: one person downloading the summary PDF again and again, one at a time.

Used by tests/test_stack.py (with bounds the issue sets) and tests/attack.py (the figures).
"""

from __future__ import annotations

import http.client
import os
import re
import selectors
import socket
import statistics
import subprocess
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .servers import program

LUA = Path(__file__).resolve().parents[1] / "load.lua"


@dataclass
class Timings:
    """What a visitor saw: each page's time in milliseconds, and the failures."""

    times: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def percentile(self, p: float) -> float:
        if not self.times:
            return float("inf")
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]

    @property
    def p50(self) -> float:
        return statistics.median(self.times) if self.times else float("inf")

    @property
    def p99(self) -> float:
        return self.percentile(99)

    def __str__(self) -> str:
        return (
            f"{len(self.times)} pages, p50 {self.p50:.1f} ms, p99 {self.p99:.1f} ms, "
            f"max {max(self.times, default=0):.1f} ms, {len(self.failures)} failures"
        )


def _address(base: str) -> tuple[str, int]:
    parts = urllib.parse.urlsplit(base)
    return parts.hostname or "127.0.0.1", parts.port or 80


def visitor(
    base: str,
    seconds: float,
    per_second: float = 10,
    paths: tuple[str, ...] = ("/", "/check"),
    timeout: float = 30,
    source: str = "",
) -> Timings:
    """A person opening pages, ``per_second`` of them, each on a new connection, for
    ``seconds``; a page counts only if it is a 200. ``source``: the loopback address the person
    comes from (127.0.0.2, say), when the attack comes from 127.0.0.1."""
    host, port = _address(base)
    timings = Timings()
    deadline = time.monotonic() + seconds
    number = 0
    while time.monotonic() < deadline:
        path = paths[number % len(paths)]
        number += 1
        started = time.monotonic()
        try:
            connection = http.client.HTTPConnection(
                host, port, timeout=timeout, source_address=(source, 0) if source else None
            )
            connection.request("GET", path, headers={"Host": f"{host}:{port}"})
            response = connection.getresponse()
            response.read()
            connection.close()
            if response.status != 200:
                timings.failures.append(f"{path}: {response.status}")
                continue
            timings.times.append((time.monotonic() - started) * 1000)
        except OSError as error:
            timings.failures.append(f"{path}: {error!r}")
        time.sleep(max(0.0, 1 / per_second - (time.monotonic() - started)))
    return timings


def pdf_times(base: str, body: str, cookie: str, count: int = 21) -> tuple[list[float], bytes]:
    """One person asking for the summary PDF ``count`` times in turn, each on a new
    connection: each one's time in milliseconds, and the last PDF."""
    host, port = _address(base)
    headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
    times = []
    pdf = b""
    for _ in range(count):
        started = time.monotonic()
        connection = http.client.HTTPConnection(host, port, timeout=30)
        connection.request("POST", "/summary.pdf", body=body, headers=headers)
        response = connection.getresponse()
        pdf = response.read()
        connection.close()
        times.append((time.monotonic() - started) * 1000)
        if response.status != 200 or not pdf.startswith(b"%PDF"):
            raise AssertionError(f"not a PDF: {response.status}")
    return times, pdf


@dataclass
class SlowClients:
    """What the slow clients did: connections opened, and bytes sent."""

    opened: int = 0
    sent: int = 0
    alive: int = 0


@contextmanager
def slow_clients(base: str, count: int, interval: float = 1.0) -> Iterator[SlowClients]:
    """``count`` connections, each sending its request's headers one byte every ``interval``
    seconds, never finishing; each one the server closes is opened again at once. They stop
    when the ``with`` block ends."""
    host, port = _address(base)
    header = f"GET / HTTP/1.1\r\nHost: {host}:{port}\r\n" + "X-Slow: " + "s" * 100_000
    figures = SlowClients()
    stop = threading.Event()

    def connect() -> tuple[socket.socket, int] | None:
        try:
            sock = socket.create_connection((host, port), timeout=2)
            sock.settimeout(0.01)
            figures.opened += 1
            return sock, 0
        except OSError:
            return None

    def attack() -> None:
        clients = [connect() for _ in range(count)]
        while not stop.wait(interval):
            for index, client in enumerate(clients):
                if client is None:
                    clients[index] = connect()
                    continue
                sock, position = client
                try:
                    sock.send(header[position].encode())
                    figures.sent += 1
                    clients[index] = (sock, position + 1)
                except OSError:
                    sock.close()
                    clients[index] = connect()
            figures.alive = sum(client is not None for client in clients)
        for client in clients:
            if client is not None:
                client[0].close()

    with in_background(attack, stop):
        yield figures


@contextmanager
def in_background(attack: Callable[[], None], stop: threading.Event) -> Iterator[None]:
    """``attack`` in a thread of its own while the ``with`` block runs; then ``stop`` is set
    and the thread waited for."""
    thread = threading.Thread(target=attack, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=60)


@dataclass
class HalfOpen:
    """What the half-open connections met: how many were opened, and how many nginx dropped."""

    opened: int = 0
    #: Connections that nginx closed within a second of their opening, well before their time
    #: to send a head ran out: nginx could not hold them.
    dropped: int = 0


@contextmanager
def half_open(url: str, count: int, addresses: int = 200) -> Iterator[HalfOpen]:
    """``count`` connections from ``addresses`` addresses of the loopback network (127.0.1.1,
    …: nginx counts per address), each sending a request's first line and nothing more, each
    opened again as soon as nginx closes it, until the ``with`` block ends."""
    host, port = _address(url)
    figures = HalfOpen()
    stop = threading.Event()
    selector = selectors.DefaultSelector()
    opened_at: dict[int, float] = {}

    def connect(index: int) -> None:
        sock = socket.socket()
        sock.setblocking(False)
        sock.bind((f"127.0.1.{index % addresses + 1}", 0))
        sock.connect_ex((host, port))
        selector.register(sock, selectors.EVENT_WRITE, index)
        opened_at[index] = time.monotonic()
        figures.opened += 1

    def attack() -> None:
        for index in range(count):
            connect(index)
        while not stop.is_set():
            for key, events in selector.select(timeout=0.2):
                sock = key.fileobj
                assert isinstance(sock, socket.socket)
                if events & selectors.EVENT_WRITE:
                    try:
                        sock.send(b"GET / HTTP/1.1\r\n")
                        selector.modify(sock, selectors.EVENT_READ, key.data)
                        continue
                    except OSError:
                        pass
                else:
                    try:
                        if sock.recv(4096):
                            continue
                    except OSError:
                        pass
                selector.unregister(sock)
                sock.close()
                if time.monotonic() - opened_at[key.data] < 1:
                    figures.dropped += 1
                connect(key.data)
        for key in list(selector.get_map().values()):
            key.fileobj.close()  # type: ignore[union-attr]
        selector.close()

    with in_background(attack, stop):
        yield figures


@dataclass
class Flood:
    """What the flood's clients got."""

    requests: int
    pdfs: int
    busy: int
    wrong: int
    socket_errors: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def pdfs_per_second(self) -> float:
        return self.pdfs / self.seconds


@contextmanager
def pdf_flood(
    base: str, body: str, cookie: str, clients: int, seconds: int, busy_pause_ms: int = 1000
) -> Iterator[list[Flood]]:
    """``clients`` connections asking for the summary PDF non-stop for ``seconds`` (wrk), in
    the background of the ``with`` block; the list holds the figures once it has ended. A
    client told "busy, try again" waits ``busy_pause_ms`` before it asks again, as a person
    would (0: at once, as an attacker would)."""
    steps = {
        "SELFCHECK_LOAD_COOKIE": cookie,
        "SELFCHECK_STEP_1": "POST /summary.pdf",
        "SELFCHECK_STEP_1_BODY": body,
        "SELFCHECK_BUSY_PAUSE": str(busy_pause_ms),
    }
    with _flood(base, steps, clients, seconds) as result:
        yield result


@contextmanager
def page_flood(
    base: str, path: str, expect: str, clients: int, seconds: int
) -> Iterator[list[Flood]]:
    """``clients`` connections asking for the page at ``path`` non-stop for ``seconds`` (wrk),
    as :func:`pdf_flood` does; a 200 that holds ``expect`` is right, anything else (a "too many
    requests" page) counts as ``wrong``."""
    steps = {"SELFCHECK_STEP_1": f"GET {path}", "SELFCHECK_EXPECT": expect}
    with _flood(base, steps, clients, seconds) as result:
        yield result


@contextmanager
def _flood(base: str, steps: dict[str, str], clients: int, seconds: int) -> Iterator[list[Flood]]:
    """wrk sending the one step of ``steps`` (tests/load.lua's variables) non-stop."""
    env = {
        **os.environ,
        "SELFCHECK_LOAD_HOST": urllib.parse.urlsplit(base).netloc,
        "SELFCHECK_STEPS": "1",
        **steps,
    }
    threads = min(clients, 2)
    process = subprocess.Popen(
        [program("wrk"), f"--threads={threads}", f"--connections={clients}",
         f"--duration={seconds}s", "--timeout=20s", f"--script={LUA}", base],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    result: list[Flood] = []
    try:
        yield result
        output, _ = process.communicate(timeout=seconds + 30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    found = {name: float(v) for name, v in re.findall(r"^load: (\S+) (\S+)$", output, re.M)}
    result.append(
        Flood(
            requests=int(found["requests"]),
            pdfs=int(found["pdfs"]),
            busy=int(found["busy"]),
            wrong=int(found["wrong"]),
            socket_errors=int(found["socket_errors"]),
            seconds=found["duration_us"] / 1e6,
            p50_ms=found["p50"],
            p99_ms=found["p99"],
        )
    )
