"""`make bench`: measure selfcheck and write the figures into docs/benchmarks.md.

Benchmarks print figures; they are not timed tests (the machines are shared and noisy). Each
figure comes with its target. Only the part of docs/benchmarks.md between the lines
``<!-- make bench -->`` and ``<!-- /make bench -->`` is rewritten; other sections are kept.

Run from the repository root: ``python -m tests.benchmarks.bench [--quick]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import http.cookiejar
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from werkzeug.datastructures import MultiDict

from ..testing.answers import SOON
from ..testing.servers import gunicorn

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
DOC = ROOT / "docs" / "benchmarks.md"
BIN = Path(sys.executable).parent
START, END = "<!-- make bench -->", "<!-- /make bench -->"
SECRET = "benchmarks only"


@dataclasses.dataclass(frozen=True)
class Settings:
    """How long each part runs. ``FULL`` for the figures, ``QUICK`` to try the harness, ``TINY``
    for the test that runs every part (tests/test_benchmarks.py)."""

    seconds: int  # each wrk run
    rounds: int  # wrk runs per page, alternating with the bare app
    warm_up: int  # seconds of wrk before a page is measured
    runs: int  # timed runs of start-up and of each PDF
    start_warm_ups: int  # untimed start-ups before those (they write the bytecode)
    evaluations: int  # evaluations per timed batch, 7 batches
    requests: int  # requests to the worker whose memory is read
    first_reading: int  # the memory reading that growth is measured from
    lighthouse: bool = True
    name: str = ""
    #: where the pages of the PDF engines are drawn (the test draws them in a folder of its own)
    pictures: Path = ROOT / "docs" / "pdf-engines"


FULL = Settings(seconds=10, rounds=3, warm_up=2, runs=20, start_warm_ups=3, evaluations=2000,
                requests=10000, first_reading=1000)  # fmt: skip
QUICK = dataclasses.replace(FULL, seconds=3, rounds=1, requests=2000, name=" --quick")
TINY = Settings(seconds=1, rounds=1, warm_up=0, runs=2, start_warm_ups=0, evaluations=10,
                requests=6, first_reading=3, lighthouse=False, name=" (tiny settings)")  # fmt: skip


# --------------------------------------------------------------------------------------------
# Servers and load


@contextmanager
def served(app: str, workers: int = 2) -> Iterator[tuple[str, int]]:
    """``app`` under gunicorn with ``make serve``'s settings and sync workers: (url, master PID)."""
    with gunicorn(
        workers=workers,
        secret_key=SECRET,
        app=app,
        options="--worker-class sync --log-level warning",
    ) as server:
        yield server.url, server.pid


def session_and_token(url: str) -> tuple[str, str]:
    """A session cookie and CSRF token from the questionnaire page, as a browser gets them."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(url + "/check").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert token, "no CSRF token on /check"
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return cookie, token.group(1)


def outcome_body(token: str) -> str:
    pairs = [("csrf_token", token), ("page", "background"), ("go", "next")]
    for name, value in SOON.items():
        for one in [value] if isinstance(value, str) else value:
            pairs.append((name, one))
    return urllib.parse.urlencode(pairs)


def next_body(token: str) -> str:
    """The emergency check answered "None of these": the symptoms page comes next."""
    pairs = [("csrf_token", token), ("page", "emergency_check"), ("red_flags", "none")]
    return urllib.parse.urlencode([*pairs, ("go", "next")])


def post_script(body: str, cookie: str, script: Path) -> Path:
    """A wrk script that sends the same form POST on every request."""
    script.write_text(
        'wrk.method = "POST"\n'
        f"wrk.body = {json.dumps(body)}\n"
        'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
        f'wrk.headers["Cookie"] = {json.dumps(cookie)}\n'
    )
    return script


def wrk(url: str, seconds: int, connections: int, script: Path | None = None) -> dict[str, float]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if script:
        command[1:1] = ["-s", str(script)]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50": _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)),  # type: ignore[union-attr]
        "p99": _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)),  # type: ignore[union-attr]
        "errors": _errors(out),
        "requests": float(re.search(r"(\d+) requests in", out).group(1)),  # type: ignore[union-attr]
    }


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def _errors(out: str) -> float:
    found = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    total = int(found.group(1)) if found else 0
    if socket_errors:
        total += sum(int(n) for n in socket_errors.groups())
    return float(total)


def throughput(settings: Settings) -> list[dict[str, Any]]:
    """selfcheck against a bare Flask app, same gunicorn settings, alternating runs."""
    rows = []
    with (
        served("selfcheck:create_app()") as (app_url, _),
        served("tests.benchmarks.hello:app") as (hello_url, _),
        served("tests.benchmarks.stack:app") as (stack_url, _),
        served("tests.benchmarks.no_pieces:app") as (plain_url, _),
        tempfile.TemporaryDirectory() as tmp,
    ):
        cookie, token = session_and_token(app_url)
        script = post_script(outcome_body(token), cookie, Path(tmp) / "selfcheck.lua")
        stack_cookie, stack_token = session_and_token(stack_url)
        stack_script = post_script(outcome_body(stack_token), stack_cookie, Path(tmp) / "stack.lua")
        next_page = post_script(next_body(token), cookie, Path(tmp) / "next.lua")
        plain_cookie, plain_token = session_and_token(plain_url)
        plain_next = post_script(next_body(plain_token), plain_cookie, Path(tmp) / "plain.lua")
        hello_post = post_script(outcome_body("x"), "", Path(tmp) / "hello.lua")
        pages = [
            ("start page (GET /)", app_url + "/", None, None),
            (QUESTIONNAIRE, app_url + "/check", None, None),
            (NEXT_PAGE, app_url + "/check", next_page, hello_post),
            (OUTCOME, app_url + "/check", script, hello_post),
            (STACK_ONLY, stack_url + "/check", stack_script, hello_post),
            (WITHOUT + QUESTIONNAIRE, plain_url + "/check", None, None),
            (WITHOUT + NEXT_PAGE, plain_url + "/check", plain_next, hello_post),
        ]
        for name, url, app_script, hello_script in pages:
            ours, floor = [], []
            if settings.warm_up:  # both
                wrk(url, settings.warm_up, 8, app_script)
                wrk(hello_url + "/", settings.warm_up, 8, hello_script)
            for _ in range(settings.rounds):
                ours.append(wrk(url, settings.seconds, 8, app_script))
                floor.append(wrk(hello_url + "/", settings.seconds, 8, hello_script))
            row, base = _median(ours), _median(floor)
            rows.append({"page": name, "ours": row, "floor": base})
            print(f"  {name}: {row['rps']:.0f} req/s against {base['rps']:.0f}", flush=True)
    return rows


QUESTIONNAIRE = "questionnaire (GET /check)"
NEXT_PAGE = "the next question page (POST /check: None of these, Continue)"
OUTCOME = "outcome (POST /check)"
#: Rows that are not pages as served, so they have no target: the POST with no page made
#: (see stack.py), and the pages with their pieces rendered for every request (no_pieces.py).
STACK_ONLY = (
    "the same POST with no page made: only the session, form, CSRF check and "
    "headers (tests/benchmarks/stack.py)"
)
WITHOUT = "without the pieces made at start-up (tests/benchmarks/no_pieces.py): "


def not_served(page: str) -> bool:
    return page == STACK_ONLY or page.startswith(WITHOUT)


def _median(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


# --------------------------------------------------------------------------------------------
# In-process figures


def worst_case_answers() -> dict[str, frozenset[str]]:
    """Every question answered, with every answer that triggers a cause or a rule."""
    from selfcheck.rules import RED_FLAGS, load

    rules = load(ROOT / "rules.yaml")
    answers = {}
    for question in rules.questions.values():
        if question.kind == "many":
            answers[question.id] = frozenset(
                a.value for a in question.answers if a.value != question.none_of_these
            )
        else:
            answers[question.id] = frozenset(
                ["yes" if "yes" in question.values else question.answers[0].value]
            )
    answers[RED_FLAGS] = frozenset(["none"])
    return answers


def evaluation(number: int) -> dict[str, Any]:
    from selfcheck.outcome import evaluate
    from selfcheck.rules import load

    rules = load(ROOT / "rules.yaml")
    answers = worst_case_answers()
    outcome = evaluate(rules, answers)
    linked = [c for c in outcome.causes if c.because]
    runs = timeit.repeat(lambda: evaluate(rules, answers), number=number, repeat=7)
    per_call = [run / number * 1e6 for run in runs]
    return {
        "best": min(per_call),
        "median": statistics.median(per_call),
        "causes": len(linked),
        "all_causes": len(rules.causes) - 1,
        "rules": len(outcome.reasons),
        "level": outcome.level.id,
    }


def cold_start(env: dict[str, str], settings: Settings) -> dict[str, float]:
    """A new Python process imports selfcheck and makes the app, timed by hyperfine."""
    code = "from selfcheck import create_app; create_app({'SECRET_KEY': 'k'})"
    with tempfile.TemporaryDirectory() as tmp:
        export = Path(tmp) / "startup.json"
        subprocess.run(
            ["hyperfine", "-N", "--warmup", str(settings.start_warm_ups), "--runs",
             str(settings.runs), "--export-json", str(export),
             f'{sys.executable} -c "{code}"'],
            check=True, capture_output=True, cwd=ROOT, env=env,
        )  # fmt: skip
        return dict(json.loads(export.read_text())["results"][0])


def startup(settings: Settings) -> dict[str, float]:
    # As installed: pip writes the bytecode of a package when it installs it. From source: each
    # process compiles selfcheck's modules again (as where PYTHONDONTWRITEBYTECODE is set).
    # The warm-up runs write the bytecode, into a folder of the benchmark's own.
    with tempfile.TemporaryDirectory() as bytecode:
        installed = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        cold = cold_start({**installed, "PYTHONPYCACHEPREFIX": bytecode}, settings)
    source = cold_start({**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}, settings)
    warm = subprocess.run(
        [
            sys.executable,
            "-c",
            "import time, statistics, selfcheck.web as a\n"
            "t=[]\n"
            f"for _ in range({settings.runs}):\n"
            "    s = time.perf_counter(); a.create_app({'SECRET_KEY': 'k'})\n"
            "    t.append(time.perf_counter() - s)\n"
            "print(statistics.median(t)*1000)\n"
            "import sys; print('typst' in sys.modules)",
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout.split()
    return {
        "cold_mean": cold["mean"] * 1000,
        "cold_stddev": cold["stddev"] * 1000,
        "source_mean": source["mean"] * 1000,
        "source_stddev": source["stddev"] * 1000,
        "warm_median": float(warm[0]),
        "typst_at_start": warm[1] == "True",
    }


def soon_form() -> MultiDict[str, str]:
    """The "soon" answer set as a browser sends it."""
    return MultiDict(
        [
            (k, v)
            for k, value in SOON.items()
            for v in ([value] if isinstance(value, str) else value)
        ]
    )


def pdf(runs: int) -> dict[str, float]:
    from selfcheck import create_app

    app = create_app({"SECRET_KEY": "k", "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    data = soon_form()
    imported_before = "typst" in sys.modules
    start = time.perf_counter()
    first = client.post("/summary.pdf", data=data)
    cold = (time.perf_counter() - start) * 1000
    assert first.mimetype == "application/pdf"
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.post("/summary.pdf", data=data)
        times.append((time.perf_counter() - start) * 1000)
        assert response.mimetype == "application/pdf"
    return {
        "median": statistics.median(times),
        "first": cold,
        "bytes": len(first.data),
        "imported_before_first": imported_before,
    }


def pdf_engines(runs: int, pictures: Path) -> list[str]:
    """The app's Typst PDF, Typst with a new compiler each time, WeasyPrint as the app ran it
    until issue 13 and WeasyPrint tuned, side by side (tests/benchmarks/engines.py); the pages of
    the app's PDF and of WeasyPrint's drawn into docs/pdf-engines/."""
    from .engines import compare

    shutil.rmtree(pictures, ignore_errors=True)
    with tempfile.TemporaryDirectory() as folder:
        rows = compare(soon_form(), Path(folder), runs)
        pictures.mkdir(parents=True)
        for number in (1, 3):
            for drawn in rows[number - 1]["pictures"]:
                shutil.copy(drawn, pictures / drawn.name)
    lines = [
        "",
        "## PDF engines",
        "",
        'The summary of the "soon" answers, as the app renders it for its PDF, made by each '
        f"engine {runs} times in one process after a first, uncounted PDF; each timed PDF is a "
        "summary of its own (a number in its heading). Typst gets that HTML turned into "
        "Typst's markup as the app turns it (selfcheck/web/pdf.py); WeasyPrint gets the HTML "
        "and the print stylesheet. Words: the PDF's words (pdftotext) against the summary's, "
        "each as often as it comes, page numbers, bullets and the stylesheet's semicolons "
        "aside. Target: a "
        "median of at most 60 ms, tagged, the same words. Pages of the app's PDF (Typst) and "
        "of WeasyPrint's, drawn by pdftoppm at 60 dpi: docs/pdf-engines/engine-1-*.png and "
        "engine-3-*.png.",
        "",
        "| engine | median ms | size | pages | tagged | words missing / added | target |",
        "| --- | ---: | ---: | ---: | --- | ---: | --- |",
    ]
    for row in rows:
        same = row["missing"] == 0 and row["extra"] == 0
        lines.append(
            f"| {row['engine']} | {row['median_ms']:.1f} | {row['bytes'] / 1024:.0f} KB | "
            f"{row['pages']} | {'yes' if row['tagged'] else 'no'} | "
            f"{row['missing']} / {row['extra']} | "
            f"{ok(row['median_ms'] <= 60 and row['tagged'] and same)} |"
        )
    return lines


def page_weight() -> list[dict[str, object]]:
    from selfcheck import create_app

    app = create_app({"SECRET_KEY": "k", "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    data = soon_form()
    pages = {
        "start": client.get("/").data,
        "emergency check": client.get("/check").data,
        "symptoms": client.post(
            "/check", data={"page": "emergency_check", "red_flags": "none"}
        ).data,
        "outcome": client.post(
            "/check", data=MultiDict([("page", "background"), *data.items(multi=True)])
        ).data,
        "emergency outcome": client.post(
            "/check", data={"page": "emergency_check", "red_flags": "stroke_signs"}
        ).data,
        "privacy": client.get("/privacy").data,
    }
    rows = []
    for name, html in pages.items():
        text = html.decode()
        assets = re.findall(r'<(?:link|script)[^>]+(?:href|src)="([^"]+)"', text)
        sizes = {}
        for asset in assets:
            with client.get(asset) as response:
                body = response.data
            sizes[asset] = len(body)
            assert b"@font-face" not in body, f"{asset} loads a web font"
        other_origin = re.findall(r'(?:href|src|action)="(?:https?:)?//', text)
        rows.append(
            {
                "page": name,
                "html": len(html),
                "css_js": sum(s for a, s in sizes.items() if a.endswith((".css", ".js"))),
                "requests": 1 + len(assets),
                "other_origin": len(other_origin),
            }
        )
    return rows


def first_worker(master: int, wait: float = 30.0) -> int:
    """The PID of gunicorn's first worker. The master listens before it forks its workers (and
    builds the rules' review page first, which takes a second or so on a busy machine), so
    the list of its children can still be empty when the address already answers."""
    children = Path(f"/proc/{master}/task/{master}/children")
    deadline = time.monotonic() + wait
    while not (found := children.read_text().split()):
        if time.monotonic() > deadline:
            raise RuntimeError(f"gunicorn {master} started no worker in {wait:.0f} s")
        time.sleep(0.05)
    return int(found[0])


def memory(total: int, first: int) -> dict[str, float]:
    """Resident memory of one gunicorn worker after ``first`` and after ``total`` requests."""

    def rss(pid: int) -> float:
        status = Path(f"/proc/{pid}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024  # type: ignore[union-attr]

    with served("selfcheck:create_app()", workers=1) as (url, master):
        worker = first_worker(master)
        cookie, token = session_and_token(url)
        body = outcome_body(token).encode()
        headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
        readings = {}
        for n in range(1, total + 1):
            if n % 3 == 0:
                request = urllib.request.Request(url + "/check", data=body, headers=headers)
            else:
                request = urllib.request.Request(url + ("/" if n % 3 == 1 else "/check"))
            with urllib.request.urlopen(request) as response:
                response.read()
                assert response.status == 200
            if n in (first, total):
                readings[n] = rss(worker)
    return {
        "at_first": readings[first],
        "at_total": readings[total],
        "growth": readings[total] - readings[first],
        "total": total,
        "first": first,
    }


def lighthouse() -> dict[str, dict[str, object]]:
    if not (HERE / "node_modules" / "lighthouse").exists():
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--silent"], cwd=HERE, check=True
        )
    with served("selfcheck:create_app()") as (url, _):
        out = subprocess.run(
            ["node", str(HERE / "lighthouse.mjs"), url],
            capture_output=True,
            text=True,
            check=True,
            timeout=600,
        ).stdout
    return dict(json.loads(out))


# --------------------------------------------------------------------------------------------
# Report


def machine() -> str:
    cpu = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
    memory_kb = re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())
    gib = int(memory_kb.group(1)) / 1024 / 1024 if memory_kb else 0
    return (
        f"{os.cpu_count()} cores ({cpu.group(1).strip() if cpu else 'unknown CPU'}), "
        f"{gib:.0f} GiB, Python {platform.python_version()}, {platform.platform()}"
    )


def ok(met: bool) -> str:
    return "met" if met else "**not met**"


def report(settings: Settings) -> str:
    lines = [
        START,
        "",
        f"Made by `make bench` (`python -m tests.benchmarks.bench{settings.name}`) on "
        f"{datetime.date.today().isoformat()}.",
        f"Machine: {machine()}.",
        "",
    ]

    print("throughput …", flush=True)
    rows = throughput(settings)
    lines += [
        "## Throughput against a bare Flask app",
        "",
        f"gunicorn, 2 sync workers each, over 127.0.0.1; wrk `-t2 -c8 -d{settings.seconds}s "
        f"--latency`, selfcheck and hello world alternating, median of {settings.rounds} runs. "
        "The outcome POST sends a realistic answer set with a valid CSRF token and cookie. "
        "Target: ratio at least 0.5.",
        "",
        "| page | selfcheck req/s | p50 ms | p99 ms | errors | hello world req/s | "
        "p50 ms | p99 ms | ratio | target |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in rows:
        ours, floor = row["ours"], row["floor"]
        assert isinstance(ours, dict) and isinstance(floor, dict)
        ratio = ours["rps"] / floor["rps"]
        lines.append(
            f"| {row['page']} | {ours['rps']:.0f} | {ours['p50']:.2f} | "
            f"{ours['p99']:.2f} | {ours['errors']:.0f} | {floor['rps']:.0f} | "
            f"{floor['p50']:.2f} | {floor['p99']:.2f} | {ratio:.2f} | "
            f"{'(no target)' if not_served(row['page']) else ok(ratio >= 0.5)} |"
        )
    rps = {row["page"]: row["ours"]["rps"] for row in rows}
    first = rps[QUESTIONNAIRE] / rps[WITHOUT + QUESTIONNAIRE] - 1
    after = rps[NEXT_PAGE] / rps[WITHOUT + NEXT_PAGE] - 1
    lines += [
        "",
        "What the pieces made at start-up (selfcheck/web/pieces.py) save: with them the "
        f"questionnaire serves {first:+.0%} requests a second, the next question page "
        f"{after:+.0%} (a piece stays only where it saves at least 10 %).",
    ]

    print("evaluation, start-up, PDF, page weight …", flush=True)
    ev = evaluation(settings.evaluations)
    st = startup(settings)
    pd = pdf(settings.runs)
    lines += [
        "",
        "## Rule evaluation, start-up and PDF",
        "",
        "| what | figure | target | |",
        "| --- | ---: | ---: | --- |",
        f"| one evaluation of the shipped rules, worst case ({ev['causes']:.0f} of "
        f"{ev['all_causes']:.0f} causes and {ev['rules']:.0f} urgency rules triggered, every "
        f"question answered): best of 7 × {settings.evaluations:,} | {ev['best']:.1f} µs (median "
        f"{ev['median']:.1f} µs) | ≤ 50 µs | {ok(ev['best'] <= 50)} |",
        f"| start-up, cold: a new Python process imports selfcheck and runs `create_app()` "
        f"(loads and validates rules.yaml, renders the pieces), as installed (bytecode "
        f"compiled); hyperfine, {settings.runs} runs | "
        f"{st['cold_mean']:.0f} ms ± {st['cold_stddev']:.0f} | "
        f"≤ 300 ms | {ok(st['cold_mean'] <= 300)} |",
        f"| the same from source, each module compiled again (PYTHONDONTWRITEBYTECODE) | "
        f"{st['source_mean']:.0f} ms ± {st['source_stddev']:.0f} | | |",
        f"| start-up, warm: `create_app()` alone, median of {settings.runs} | "
        f"{st['warm_median']:.1f} ms | | |",
        f"| Typst imported at start-up | {'yes' if st['typst_at_start'] else 'no'}"
        f" | no | {ok(not st['typst_at_start'])} |",
        f"| summary PDF (POST /summary.pdf, {pd['bytes'] / 1024:.0f} KB), "
        f"median of {settings.runs} | "
        f"{pd['median']:.1f} ms | ≤ 60 ms | {ok(pd['median'] <= 60)} |",
        f"| the first PDF of a process, with Typst's import and fonts | {pd['first']:.0f} ms | | |",
    ]

    print("PDF engines …", flush=True)
    lines += pdf_engines(settings.runs, settings.pictures)

    weight = page_weight()
    lines += [
        "",
        "## Page weight",
        "",
        "Bytes as served, uncompressed: the HTML, plus the CSS and JavaScript it links "
        "(every page links the same two stylesheets and one script, cached after the first "
        "page). Requests: the page and everything it links, the icon included. Target: at "
        "most 30 KB of HTML + CSS + JS per page, no web fonts, no other origin.",
        "",
        "| page | HTML | CSS + JS | total | requests | other origins | target |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in weight:
        total = int(row["html"]) + int(row["css_js"])  # type: ignore[call-overload]
        lines.append(
            f"| {row['page']} | {int(row['html']):,} | {int(row['css_js']):,} | "  # type: ignore[call-overload]
            f"{total:,} | {row['requests']} | {row['other_origin']} | "
            f"{ok(total <= 30 * 1024 and row['other_origin'] == 0)} |"
        )

    print("memory …", flush=True)
    mem = memory(settings.requests, settings.first_reading)
    lines += [
        "",
        "## Memory",
        "",
        f"One gunicorn sync worker serving the start page, the questionnaire and the outcome "
        f"POST in turn; resident memory (VmRSS) after {mem['first']:,.0f} and {mem['total']:,.0f} "
        "requests. "
        "Target: under 60 MB and no growth (a drift under 1 MB, within the allocator's "
        "noise, counts as none).",
        "",
        "| after {:,.0f} | after {:,.0f} | growth | target |".format(mem["first"], mem["total"]),
        "| ---: | ---: | ---: | --- |",
        f"| {mem['at_first']:.1f} MB | {mem['at_total']:.1f} MB | {mem['growth']:+.1f} MB | "
        f"{ok(mem['at_total'] < 60 and mem['growth'] <= 1.0)} |",
    ]

    if settings.lighthouse:
        print("lighthouse …", flush=True)
        scores = lighthouse()
        lines += [
            "",
            "## Lighthouse",
            "",
            "Lighthouse 12 (npm) in Debian's Chromium, default mobile settings, as a user "
            "flow: the outcome is reached by sending the forms. Target: 100 on each.",
            "",
            "| page | performance | accessibility | best practices | target |",
            "| --- | ---: | ---: | ---: | --- |",
        ]
        for name, step in scores.items():
            values = [step["performance"], step["accessibility"], step["best-practices"]]
            lines.append(
                f"| {name} | {values[0]} | {values[1]} | {values[2]} | "
                f"{ok(all(v == 100 for v in values))} |"
            )
    lines += ["", END]
    return "\n".join(lines)


def write(section: str) -> None:
    text = (
        DOC.read_text()
        if DOC.exists()
        else (
            "# Benchmarks\n\nFigures measured on this project's machines. Each section says the "
            "command that made it; run it again to refresh that section.\n\n"
        )
    )
    if START in text and END in text:
        before, rest = text.split(START, 1)
        text = before + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short runs, to try the harness")
    parser.add_argument("--no-lighthouse", action="store_true")
    args = parser.parse_args()
    settings = QUICK if args.quick else FULL
    if args.no_lighthouse:
        settings = dataclasses.replace(settings, lighthouse=False)
    for tool in ("wrk", "hyperfine", "node"):
        if not shutil.which(tool):
            print(f"{tool} is missing: run `make bench`, which installs it", file=sys.stderr)
            return 1
    section = report(settings)
    write(section)
    print(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
