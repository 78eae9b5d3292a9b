"""``make serve``: the app as it runs in production on one machine, in one command.

    python -m selfcheck.ops.supervisor                 # serve until stopped (Ctrl-C, SIGTERM)
    python -m selfcheck.ops.supervisor --print-config  # print nginx's configuration and exit
    python -m selfcheck.ops.supervisor --write-pages DIR  # write nginx's error pages and exit

It starts three things, each as its own process, and stops all three when it is stopped:

- a pool of gunicorn workers for the pages, on a Unix socket of the stack's own folder;
- a small pool for the PDFs (one worker by default), on another socket, so that however many
  PDFs are asked for, they take at most that many cores and never a page's worker;
- nginx in front of both (selfcheck/ops/nginx_config.py): it listens on SELFCHECK_BIND,
  buffers every request and answer, drops unknown Host names, limits each client, and sends
  every PDF (every address ending in .pdf, in every language) to the PDF pool through a bounded
  queue.

With SELFCHECK_METRICS_BIND set, the pages' pool also listens there for /metrics alone, and
both pools' workers count into one folder of the stack's own, emptied at start (metrics.py).

A pool whose gunicorn master stops is started again, while nginx answers with the app's "call
999" page; a pool that stops again and again (more than RESTARTS times a minute), or nginx
stopping, stops the whole stack with status 1, for its supervisor (systemd:
deploy/systemd/selfcheck.service) to start it again.

The folder (SELFCHECK_RUN_DIR, else a new temporary one, removed at the end) is readable only by
the user the servers run as. Nothing needs root but opening a port under 1024, which nginx's
master process does: start the stack as a user of its own (the systemd unit does, with the
capability to bind a low port). Started as root, it refuses to start (status 2) unless
SELFCHECK_USER names the user that nginx's workers and the app's workers are to run as: the
app's workers never run as root.
"""

from __future__ import annotations

import argparse
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from flask import Flask

from selfcheck.ops.nginx_config import Settings, configuration
from selfcheck.paths import shipped
from selfcheck.web.refused import write_pages

#: Niceness of the PDF pool (SELFCHECK_PDF_NICENESS). 0: when pages alone fill the CPU, PDFs
#: still get a fair share of it; 10 favours the pages further, but then PDFs wait so long that
#: some time out (docs/benchmarks.md).
PDF_NICENESS = 0

#: A pool that stops is started again, unless it stopped more than so many times in a minute:
#: then something is wrong that starting it again does not mend, and the stack stops.
RESTARTS = 5

#: The status the stack exits with when it refuses its settings: the systemd unit does not
#: start it again (RestartPreventExitStatus), as the same settings would be refused again.
REFUSED = 2


def nginx_program() -> str:
    found = shutil.which("nginx", path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin"]))
    if found is None:
        raise SystemExit("selfcheck: nginx is not installed (apt-get install nginx-light)")
    return found


def pool(
    settings: Settings, name: str, workers: int, env: Mapping[str, str], user: str
) -> subprocess.Popen[bytes]:
    """A pool of gunicorn workers for the app, on the stack's socket ``name``.sock."""
    options = [f"--name=selfcheck-{name}"]
    if user:
        options += [f"--user={user}", f"--group={user}"]
    pool_env = {
        **env,
        "SELFCHECK_BIND": f"unix:{settings.folder}/{name}.sock",
        "SELFCHECK_WORKERS": str(workers),
        # nginx keeps the access log, without addresses; the pools keep none.
        "SELFCHECK_ACCESS_LOG": "",
        "GUNICORN_CMD_ARGS": " ".join([env.get("GUNICORN_CMD_ARGS", ""), *options]).strip(),
        "TMPDIR": str(settings.folder),
    }
    if name != "pages":
        # The counts are served by the pages' pool alone, from the folder both pools write to.
        pool_env["SELFCHECK_METRICS_BIND"] = ""
        pool_env["SELFCHECK_POOL"] = name  # nginx sends it PDFs alone (gunicorn_config.py)
    niceness = int(env.get("SELFCHECK_PDF_NICENESS") or PDF_NICENESS) if name == "pdf" else 0
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "python:selfcheck.ops.gunicorn_config",
         "selfcheck:create_app()"],
        env=pool_env,
        preexec_fn=(lambda: os.nice(niceness)) if niceness else None,
        start_new_session=True,  # a group of its own: see end_group
    )  # fmt: skip


def wait_for_socket(path: Path, process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    """Wait until the pool answers on its socket; fail if it stopped."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"selfcheck: the pool on {path.name} stopped at start")
        try:
            with socket.socket(socket.AF_UNIX) as sock:
                sock.connect(str(path))
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"selfcheck: nothing answered on {path} within {seconds:.0f} s")


def end_group(process: subprocess.Popen[bytes]) -> None:
    """Kill whatever is left of the process group that the stack started ``process`` in (each
    server is started in a group of its own), once ``process`` has stopped: the workers of a
    master that was killed, which would otherwise go on (nginx's keep the port)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass  # none left


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    """Stop every process started, the proxy first, politely then firmly, by PID, and then
    what is left of their groups."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        end_group(process)


def server_user() -> str:
    """Whom nginx's workers run as: the caller, or as root SELFCHECK_USER (default, and
    instead of root, www-data: nginx's workers never run as root)."""
    if os.geteuid() != 0:
        return ""
    user = os.environ.get("SELFCHECK_USER", "")
    try:
        return user if user and pwd.getpwnam(user).pw_uid != 0 else "www-data"
    except KeyError:  # no such user: nginx says so
        return user


def app_user() -> str:
    """Whom the app's workers run as: the caller, or as root the SELFCHECK_USER, which the
    stack started as root requires (the Python that runs the app must be readable by that
    user)."""
    return os.environ.get("SELFCHECK_USER", "") if os.geteuid() == 0 else ""


def runs_python(user: str) -> bool:
    """Whether ``user`` can run the app's Python: its interpreter, its standard library and the
    app (a worker that cannot read them fails on its first lazy import, a result page)."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", "import json, xml.etree.ElementTree, selfcheck"],
            user=user, group=pwd.getpwnam(user).pw_gid, extra_groups=[], cwd="/",
            capture_output=True, timeout=120,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def refused_as_root(env: Mapping[str, str]) -> str:
    """Why the stack will not start with ``env`` as root: without SELFCHECK_USER its workers
    would run as root; with a user who cannot run the app's Python, they would fail. "" if
    it may start (not as root, or with a user who can)."""
    user = env.get("SELFCHECK_USER", "")
    if os.geteuid() != 0:
        return ""
    if not user:
        return (
            "selfcheck: started as root, the app's workers would run as root: start the stack "
            "as a user of its own (deploy/systemd/selfcheck.service does), or set "
            "SELFCHECK_USER to the unprivileged user its workers are to run as (docs/deploy.md)"
        )
    try:
        uid = pwd.getpwnam(user).pw_uid
    except KeyError:
        return f"selfcheck: SELFCHECK_USER={user}: there is no such user"
    if uid != 0 and not runs_python(user):
        return (
            f"selfcheck: SELFCHECK_USER={user} cannot run this Python ({sys.executable}) or "
            "import the app: install them where that user can read them"
        )
    return ""


def prepare(settings: Settings, app: Flask) -> None:
    """The proxy's pages, a copy of the app's static files (for those pages when the app does
    not answer) and the configuration in the stack's folder, which only the user the servers
    run as may read."""
    folder = settings.folder
    write_pages(app, folder / "pages", settings.canonical_host)
    shutil.copytree(shipped("static"), folder / "static", dirs_exist_ok=True)
    (folder / "nginx.conf").write_text(configuration(settings))
    if settings.nginx_user:
        account = pwd.getpwnam(settings.nginx_user)
        for path in [folder, *folder.rglob("*")]:
            os.chown(path, account.pw_uid, account.pw_gid)
    folder.chmod(0o700)


def nginx_command(folder: Path) -> list[str]:
    """nginx in the foreground with the stack's configuration, its errors on standard error."""
    return [nginx_program(), "-p", str(folder), "-c", str(folder / "nginx.conf"),
            "-e", "stderr", "-g", "daemon off;"]  # fmt: skip


#: What nginx writes at its "error" level when a client's request is merely refused (a body
#: over the limit, with a length or in chunks, a broken chunked body): ordinary refusals, which
#: the stack does not pass on. Other refusals nginx writes at lower levels, which it keeps out.
REFUSALS = re.compile(
    rb"client intended to send too large (?:chunked )?body|client sent invalid chunked body"
)
#: The client's address in nginx's error lines ("…, client: 192.0.2.1, server: …").
ADDRESS = re.compile(rb", client: [^,\n]*")


def without_clients(line: bytes) -> bytes:
    """One line of nginx's error log as the stack writes it: without the client's address, or
    nothing for an ordinary refusal."""
    return b"" if REFUSALS.search(line) else ADDRESS.sub(b"", line)


#: One line of nginx's error log: its level and its message up to the first comma, without
#: the time, the process and the connection's number ("… [alert] 41#41: *7 message, …").
MESSAGE = re.compile(rb"^\S+ \S+ \[(\w+)\] \d+#\d+: (?:\*\d+ )?([^,\n]*)")

#: The same message of nginx's is passed on at most once in so many seconds: a flood of
#: connections makes nginx write a line for each one it cannot take ("worker_connections are
#: not enough": 38 MB in 30 s), which would fill the operator's disk and hide everything else.
REPEAT_SECONDS = 10.0


class Repeats:
    """Which of nginx's messages were passed on lately, and how many like each were left out
    since; the count is said with the next one passed on."""

    def __init__(
        self, seconds: float = REPEAT_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.seconds = seconds
        self.clock = clock
        self.passed_at: dict[bytes, float] = {}
        self.left_out: dict[bytes, int] = {}

    def filter(self, line: bytes) -> bytes:
        """``line``, or nothing when a message like it was passed on less than ``seconds`` ago."""
        found = MESSAGE.match(line)
        if found is None:
            return line
        key = found.group(1) + b" " + found.group(2)
        now = self.clock()
        if now - self.passed_at.get(key, now - self.seconds) < self.seconds:
            self.left_out[key] = self.left_out.get(key, 0) + 1
            return b""
        if len(self.passed_at) > 1000:  # messages that name what a client sent vary: forget old
            self.passed_at = {k: t for k, t in self.passed_at.items() if now - t < self.seconds}
        self.passed_at[key] = now
        count = self.left_out.pop(key, 0)
        said = b"selfcheck: %d more like the next line were left out\n" % count if count else b""
        return said + line


def relay_errors(nginx: subprocess.Popen[bytes]) -> threading.Thread:
    """Pass on nginx's error log (its standard error) to the stack's, line by line, through
    :func:`without_clients` and :class:`Repeats`, until nginx stops."""
    source = nginx.stderr
    assert source is not None
    repeats = Repeats()

    def relay() -> None:
        with source:
            for line in iter(source.readline, b""):
                if kept := repeats.filter(without_clients(line)):
                    sys.stderr.buffer.write(kept)
                    sys.stderr.buffer.flush()

    thread = threading.Thread(target=relay, name="nginx-errors", daemon=True)
    thread.start()
    return thread


def serve(env: dict[str, str]) -> int:
    """Run the stack until a signal, until nginx stops, or until a pool stops too often;
    return the status (0 when stopped by a signal)."""
    if refusal := refused_as_root(env):
        print(refusal, file=sys.stderr, flush=True)
        return REFUSED
    if os.geteuid() == 0 and pwd.getpwnam(env["SELFCHECK_USER"]).pw_uid == 0:
        print(
            "selfcheck: SELFCHECK_USER is root: the app's workers run as root, as asked. Never "
            "in production (the tests do it where only root can read the Python)",
            file=sys.stderr,
            flush=True,
        )
    own_folder = not env.get("SELFCHECK_RUN_DIR")
    folder = Path(env.get("SELFCHECK_RUN_DIR") or tempfile.mkdtemp(prefix="selfcheck-stack-"))
    folder.mkdir(parents=True, exist_ok=True)
    if not env.get("SELFCHECK_SECRET_KEY"):
        # Both pools must sign and check forms with one key; this one lasts until a restart.
        print("selfcheck: SELFCHECK_SECRET_KEY is not set: a new key until restart", flush=True)
        env["SELFCHECK_SECRET_KEY"] = secrets.token_hex(32)
    processes: list[subprocess.Popen[bytes]] = []
    stopping: list[int] = []

    def on_signal(number: int, frame: object) -> None:
        if number == signal.SIGHUP:
            # Reload: new workers for the pools, the configuration again for nginx.
            for process in processes:
                process.send_signal(signal.SIGHUP)
            return
        stopping.append(number)

    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(number, on_signal)
    try:
        from selfcheck import create_app

        settings = Settings.from_environment(folder, env)
        settings.nginx_user = server_user()
        # The app checks the Host header against the same names as nginx.
        if not env.get("SELFCHECK_TRUSTED_HOSTS"):
            env["SELFCHECK_TRUSTED_HOSTS"] = ",".join(settings.server_names)
        if env.get("SELFCHECK_METRICS_BIND"):
            # One folder for the counts of both pools' workers (metrics.py), emptied at start.
            counts = folder / "metrics"
            shutil.rmtree(counts, ignore_errors=True)
            counts.mkdir(mode=0o700)
            env["PROMETHEUS_MULTIPROC_DIR"] = str(counts)
        os.environ.update(env)
        prepare(settings, create_app())
        sizes = {"pages": settings.workers, "pdf": settings.pdf_workers}
        pools: dict[str, subprocess.Popen[bytes]] = {}
        for name, workers in sizes.items():  # both start at once, each on its own core
            pools[name] = pool(settings, name, workers, env, app_user())
            processes.append(pools[name])
        for name, started in pools.items():
            wait_for_socket(folder / f"{name}.sock", started)
        proxy = subprocess.Popen(
            nginx_command(folder), stderr=subprocess.PIPE, start_new_session=True
        )
        processes.insert(0, proxy)
        relay_errors(proxy)
        print(
            f"selfcheck: serving on {'https' if settings.tls else 'http'}://{settings.bind}/ "
            f"(nginx; {settings.workers} page workers, {settings.pdf_workers} PDF workers)",
            flush=True,
        )
        stopped: dict[str, list[float]] = {name: [] for name in pools}
        while not stopping:
            if proxy.poll() is not None:
                print(
                    f"selfcheck: nginx stopped (status {proxy.returncode}); stopping the stack",
                    file=sys.stderr,
                    flush=True,
                )
                return 1
            for name, process in pools.items():
                if process.poll() is None or stopping:
                    continue
                now = time.monotonic()
                stopped[name] = [*(t for t in stopped[name] if now - t < 60), now]
                if len(stopped[name]) > RESTARTS:
                    print(
                        f"selfcheck: the {name} pool stopped {len(stopped[name])} times in a "
                        "minute; stopping the stack",
                        file=sys.stderr,
                        flush=True,
                    )
                    return 1
                print(
                    f"selfcheck: the {name} pool stopped (status {process.returncode}); "
                    "starting it again",
                    file=sys.stderr,
                    flush=True,
                )
                end_group(process)
                pools[name] = pool(settings, name, sizes[name], env, app_user())
                processes[processes.index(process)] = pools[name]
                wait_for_socket(folder / f"{name}.sock", pools[name])
            time.sleep(0.2)
        return 0
    finally:
        stop(processes)
        if own_folder:
            shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--print-config", action="store_true", help="print nginx's configuration and exit"
    )
    parser.add_argument(
        "--write-pages",
        metavar="FOLDER",
        help="write nginx's error pages (FOLDER/LANG/CODE.html, for the settings) and exit",
    )
    options = parser.parse_args(argv)
    env = dict(os.environ)
    if options.write_pages:
        # For a proxy of the operator's own: the pages that the stack writes at each start.
        from selfcheck import create_app

        settings = Settings.from_environment(Path(options.write_pages), env)
        write_pages(create_app(), Path(options.write_pages), settings.canonical_host)
        return 0
    if options.print_config:
        folder = Path(env.get("SELFCHECK_RUN_DIR") or "/run/selfcheck")
        settings = Settings.from_environment(folder, env)
        settings.nginx_user = server_user()
        sys.stdout.write(configuration(settings))
        return 0
    return serve(env)


if __name__ == "__main__":
    sys.exit(main())
