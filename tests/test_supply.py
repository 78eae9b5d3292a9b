"""What is installed, and how the proxy is configured: the lock file, the audit's verdict, and
nginx's configuration as docs/deploy.md shows it. No server runs here."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from selfcheck.ops.nginx_config import Settings, configuration
from selfcheck.ops.supervisor import Repeats, without_clients
from selfcheck.ops.supervisor import main as stack_main
from selfcheck.ops.supervisor import serve as stack_serve
from selfcheck.web.language import KEY as LANGUAGES
from selfcheck.web.language import TRANSLATED, Language
from selfcheck.web.refused import PAGES, write_pages
from selfcheck.web.security import HEADERS

from .audit import LOCK, verdict
from .testing.pages import headings, in_layout
from .testing.rules import ROOT

# --------------------------------------------------------------------------------------------
# The lock file


def locked() -> dict[str, tuple[str, list[str]]]:
    """Each package of the lock file: its pinned version and hashes."""
    found = {}
    for block in re.split(r"\n(?=[a-z0-9])", LOCK.read_text()):
        pin = re.match(r"([a-z0-9._-]+)==(\S+)", block)
        if pin:
            found[pin.group(1)] = (pin.group(2), re.findall(r"--hash=sha256:([0-9a-f]{64})", block))
    return found


def test_every_dependency_of_the_app_is_pinned_with_hashes():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    packages = locked()
    for dependency in project["dependencies"]:
        requirement = Requirement(dependency)
        name = requirement.name.lower()
        assert name in packages, f"{name} is in the lock file"
        version, hashes = packages[name]
        assert version in requirement.specifier, f"{name} {version} meets {requirement}"
    assert all(hashes for _, hashes in packages.values()), "every package has its hashes"


def test_make_serve_installs_from_the_lock_file_only():
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install -q --require-hashes -r $(LOCK)" in makefile
    assert "pip install -q --no-deps -e ." in makefile, "the app brings in nothing unlocked"


# --------------------------------------------------------------------------------------------
# make audit


def test_an_audit_that_could_look_nothing_up_says_so():
    """pip-audit prints "No known vulnerabilities found" when every package was skipped."""
    report = {"dependencies": [{"name": "flask", "skip_reason": "not found on PyPI"}]}
    status, words = verdict(report)
    assert status == 2 and words.startswith("NOT CHECKED: 1 of 1 packages")
    assert "No known vulnerabilities" not in words


def test_an_audit_that_could_not_run_says_so():
    status, words = verdict(None, "Traceback...\nConnectionError: no route to host\n")
    assert status == 2 and "could not reach a vulnerability database" in words
    assert words.endswith("ConnectionError: no route to host")


def test_an_audit_lists_what_it_found():
    report = {
        "dependencies": [
            {"name": "flask", "version": "3.1.3", "vulns": []},
            {
                "name": "jinja2",
                "version": "3.0.0",
                "vulns": [{"id": "GHSA-x", "fix_versions": ["3.1.5"]}],
            },  # fmt: skip
        ]
    }
    status, words = verdict(report)
    assert status == 1 and "jinja2 3.0.0: GHSA-x (fixed in 3.1.5)" in words


def test_a_clean_audit():
    report = {"dependencies": [{"name": "flask", "version": "3.1.3", "vulns": []}]}
    assert verdict(report) == (
        0,
        "No known vulnerabilities in the 1 packages of requirements.lock.",
    )


# --------------------------------------------------------------------------------------------
# nginx's configuration


def documented_config() -> str:
    text = (ROOT / "docs" / "deploy.md").read_text()
    return text.split("<!-- nginx.conf -->\n```nginx\n", 1)[1].split("```\n<!-- /nginx.conf -->")[0]


def test_docs_show_the_configuration_make_serve_runs(monkeypatch, capsys):
    """One source: the block in docs/deploy.md is what `make serve` runs with the settings the
    page names (`python -m selfcheck.ops.supervisor --print-config`)."""
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    for name in [n for n in __import__("os").environ if n.startswith("SELFCHECK_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("SELFCHECK_RUN_DIR", "/run/selfcheck")
    monkeypatch.setenv("SELFCHECK_TRUSTED_HOSTS", "check.example.org")
    monkeypatch.setenv("SELFCHECK_WORKERS", "2")
    monkeypatch.setenv("SELFCHECK_WORKER_CONNECTIONS", "16384")  # unset: sized for the machine
    assert stack_main(["--print-config"]) == 0
    assert documented_config() == capsys.readouterr().out


def test_the_proxy_sends_the_apps_security_headers_on_its_own_pages(tmp_path: Path):
    text = configuration(Settings(tmp_path))
    own = text.split("location /_selfcheck/ {", 1)[1].split("}", 1)[0]
    for name, value in HEADERS.items():
        assert f'add_header {name} "{value}" always;' in own
    assert "Strict-Transport-Security" not in own, "no HSTS over plain HTTP"
    tls = configuration(Settings(tmp_path, tls_certificate="c.pem", tls_key="k.pem"))
    assert 'add_header Strict-Transport-Security "max-age=31536000; includeSubDomains"' in tls


@pytest.mark.parametrize(
    "setting,line",
    [
        ({"SELFCHECK_TRUSTED_HOSTS": "a.example, .b.example"}, "server_name a.example .b.example;"),
        ({"SELFCHECK_PDF_QUEUE": "3"}, "limit_conn selfcheck_pdf 3;"),
        ({"SELFCHECK_CLIENT_TIMEOUT": "7"}, "client_body_timeout 7s;"),
        ({"SELFCHECK_HEADER_TIMEOUT": "3"}, "client_header_timeout 3s;"),
        ({"SELFCHECK_WORKER_CONNECTIONS": "1000"}, "worker_connections 1000;"),
        ({"SELFCHECK_MAX_CONTENT_LENGTH": "1000"}, "client_max_body_size 1000;"),
        ({"SELFCHECK_ACCESS_LOG": "/var/log/s.log"}, "access_log /var/log/s.log selfcheck;"),
        ({"SELFCHECK_PROXY_UNLIMITED": "10.0.0.0/8"}, "10.0.0.0/8 0;"),
    ],
)  # fmt: skip
def test_settings_reach_the_configuration(tmp_path: Path, setting, line):
    assert line in configuration(Settings.from_environment(tmp_path, setting))


def test_the_access_log_has_no_address_and_no_query(tmp_path: Path):
    text = configuration(Settings.from_environment(tmp_path, {"SELFCHECK_ACCESS_LOG": "-"}))
    log_format = re.search(r"log_format selfcheck (.*);", text)
    assert log_format is not None
    assert "$remote_addr" not in log_format.group(1) and "$request_uri" not in log_format.group(1)
    assert "$args" not in log_format.group(1) and "$request " not in log_format.group(1)


def test_the_proxys_pages_are_in_the_apps_layout_in_each_language(app, tmp_path: Path):
    """One folder of pages per language, each page in that language and naming the number to
    call, whatever refused the request."""
    write_pages(app, tmp_path, "localhost")
    for code, (title, _) in PAGES.items():
        english = (tmp_path / "en" / f"{code}.html").read_text()
        assert in_layout(english) and headings(english) == [str(title)], code
        assert "999" in english, code
        for language in TRANSLATED:
            page = (tmp_path / language / f"{code}.html").read_text()
            assert f'<html lang="{language}"' in page and f'href="/{language}/privacy"' in page
            assert headings(page) != headings(english) and "999" in page, (code, language)
    assert "call 999" in (tmp_path / "en" / "503.html").read_text()


def test_the_proxys_pages_can_be_written_for_a_proxy_of_ones_own(monkeypatch, tmp_path: Path):
    """``--write-pages``: the same pages, with the number to call that the settings give."""
    monkeypatch.setenv("SELFCHECK_EMERGENCY_NUMBER", "112")
    monkeypatch.setenv("SELFCHECK_SECRET_KEY", "pages")
    assert stack_main(["--write-pages", str(tmp_path)]) == 0
    for language in ("en", *TRANSLATED):
        page = (tmp_path / language / "413.html").read_text()
        assert f'<html lang="{language}"' in page and "112" in page and "999" not in page


def test_every_page_nginx_is_told_to_serve_is_written(app, tmp_path: Path):
    """A status whose page is missing would get nginx's bare "not found" instead of the page."""
    write_pages(app, tmp_path / "pages", "localhost")
    text = configuration(Settings(tmp_path))
    named = set(re.findall(r"error_page [^;]*?/_selfcheck/\$selfcheck_language/(\w+\.html);", text))
    assert {"400.html", "405.html", "431.html", "501.html", "502.html", "505.html"} <= named
    for language in ("en", *TRANSLATED):
        for page in named:
            assert (tmp_path / "pages" / language / page).is_file(), (language, page)


def test_a_withheld_language_gets_the_english_pages_from_the_proxy(app, tmp_path: Path):
    """Never a page of two languages: while Spanish is withheld (its translation incomplete),
    nginx's pages for /es/ are the English ones, as the app's own pages would be."""
    app.extensions[LANGUAGES]["es"] = Language("es", offered=False, problems=("changed",))
    write_pages(app, tmp_path, "localhost")
    assert (tmp_path / "es" / "429.html").read_text() == (tmp_path / "en" / "429.html").read_text()
    assert '<html lang="ar"' in (tmp_path / "ar" / "429.html").read_text()


def test_the_stack_passes_on_nginxs_real_errors_without_the_clients_address():
    """The stack relays nginx's error log: a real error stays, the client's address goes, and
    an ordinary refusal that nginx writes at the "error" level is not passed on."""
    real = (
        b"2026/12/07 17:26:03 [error] 41#41: *7 connect() to unix:/run/selfcheck/pages.sock "
        b"failed (111: Connection refused) while connecting to upstream, client: 192.0.2.7, "
        b'server: localhost, request: "GET / HTTP/1.1", host: "localhost"\n'
    )
    assert without_clients(real) == real.replace(b", client: 192.0.2.7", b"")
    refused = (
        b"2026/12/07 17:26:03 [error] 41#41: *2 client intended to send too large body: "
        b'70000 bytes, client: 2001:db8::7, server: localhost, request: "POST /check HTTP/1.1"\n'
    )
    assert without_clients(refused) == b""


def test_a_message_nginx_repeats_is_passed_on_once_in_ten_seconds_with_a_count():
    """A flood of connections made nginx write one alert for each it could not take (38 MB in
    30 s): the stack passes each message on once in ten seconds, then says how many it left
    out. Other messages still pass at once."""
    now = [0.0]
    repeats = Repeats(clock=lambda: now[0])
    alert = b"2026/12/07 17:26:03 [alert] 41#41: *%d 4096 worker_connections are not enough\n"
    other = b"2026/12/07 17:26:04 [error] 42#42: *3 connect() to unix:/p.sock failed\n"
    passed = [repeats.filter(alert % n) for n in range(1000)]
    assert passed[0] == alert % 0 and not any(passed[1:])
    assert repeats.filter(other) == other
    now[0] = 9.9
    assert repeats.filter(alert % 1000) == b""
    now[0] = 10.0
    assert repeats.filter(alert % 1001) == (
        b"selfcheck: 1000 more like the next line were left out\n" + alert % 1001
    )


def test_started_as_root_without_selfcheck_user_the_stack_refuses_to_start(
    monkeypatch, tmp_path: Path, capsys
):
    """Started as root, the app's workers used to run as root unless SELFCHECK_USER was set.
    Now the stack starts nothing and says what to do, with a status (2) that the systemd unit
    does not restart on."""

    def no_server(*args, **kwargs):
        raise AssertionError(f"a server was started: {args[0]}")

    monkeypatch.setattr("os.geteuid", lambda: 0)
    monkeypatch.setattr("selfcheck.ops.supervisor.subprocess.Popen", no_server)
    env = {"SELFCHECK_RUN_DIR": str(tmp_path / "run"), "SELFCHECK_SECRET_KEY": "k"}
    assert stack_serve(env) == 2
    said = capsys.readouterr().err
    assert "started as root" in said and "SELFCHECK_USER" in said
    assert not (tmp_path / "run").exists(), "nothing prepared"


def test_the_repository_holds_no_link_to_a_place_outside_it():
    """A clone has everything it needs: no file git keeps is a symbolic link (a worktree's link
    to another checkout's node_modules once slipped in, and broke `make test` on a fresh clone)."""
    listed = subprocess.run(
        ["git", "ls-files", "--stage"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    links = [line.split("\t", 1)[1] for line in listed.splitlines() if line.startswith("120000 ")]
    assert links == []
