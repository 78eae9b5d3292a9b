"""The reverse proxy in front of the app: nginx's configuration, made from SELFCHECK_* settings.

One template, deploy/nginx/selfcheck.conf.j2, is the configuration that ``make serve`` runs and
that docs/deploy.md shows; :func:`configuration` fills it in. The pages nginx serves for the
errors it answers itself are the app's, in each language (selfcheck/web/refused.py): a person
sees the same layout and words whoever answered.
"""

from __future__ import annotations

import os
import resource
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from selfcheck.ops.gunicorn_config import HEADER_BUFFERS, HEADER_FIRST, HEADER_LINE, default_workers
from selfcheck.paths import shipped
from selfcheck.web.language import TRANSLATED
from selfcheck.web.refused import PAGES
from selfcheck.web.security import HEADERS, HSTS

TEMPLATE = shipped("deploy") / "nginx" / "selfcheck.conf.j2"

#: The pages that cost a worker of the app more than ten times a question page, in CPU or in
#: bytes to hand over (docs/benchmarks.md): each client address may ask for them only so many
#: times a minute (``costly_rate``), in every language. The review page (/rules) is the whole
#: rule set with every scenario's result, about 380 KB, over 60 times a question page's bytes.
COSTLY = ["/rules"]

#: Addresses that the public site never passes to the app, in any language or case: the
#: counts an operator reads are served on an address of their own (selfcheck/web/metrics.py).
NEVER_PASSED = ["/metrics"]


#: The connections each worker of nginx may hold, whatever the machine: at least as many as
#: before they were sized (4,096), at most 65,536 (a port's worth from one address).
FEWEST_CONNECTIONS = 4096
MOST_CONNECTIONS = 65536
#: What a connection may cost nginx at most while it sends its head: its first buffer, the
#: large buffers a long head takes (HEADER_BUFFERS of HEADER_LINE bytes) and its pools. An
#: idle or slow connection costs far less (about 1.5 KiB); this bounds the worst case.
CONNECTION_BYTES = 40 * 1024


def machine_connections(cores: int | None = None) -> int:
    """``worker_connections`` for this machine: as many as nginx's workers can hold, one
    worker per core, within the files each may open (two per proxied connection: the limit
    that the master sets, as root up to the kernel's ``fs.nr_open``, else up to this process's
    hard limit) and within a quarter of the memory at :data:`CONNECTION_BYTES` each; never
    fewer than :data:`FEWEST_CONNECTIONS` nor more than :data:`MOST_CONNECTIONS`."""
    cores = cores or os.cpu_count() or 1
    if os.geteuid() == 0:
        try:
            files = int(Path("/proc/sys/fs/nr_open").read_text())
        except (OSError, ValueError):
            files = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    else:
        files = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    if files == resource.RLIM_INFINITY:
        files = 2 * MOST_CONNECTIONS + 64
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    fits = min((files - 64) // 2, memory // 4 // CONNECTION_BYTES // cores)
    return max(FEWEST_CONNECTIONS, min(MOST_CONNECTIONS, fits))


def _number(env: Mapping[str, str], name: str, default: int) -> int:
    value = env.get(f"SELFCHECK_{name}", "")
    return int(value) if value.strip() else default


def _words(text: str) -> list[str]:
    return [word for word in text.replace(",", " ").split() if word]


@dataclass
class Settings:
    """What the proxy and the two pools of the app are set to (docs/deploy.md lists each)."""

    folder: Path  # the stack's own folder: sockets, pages, temporary files
    bind: str = "127.0.0.1:8000"
    server_names: list[str] = field(default_factory=lambda: ["localhost", "127.0.0.1"])
    workers: int = field(default_factory=default_workers)
    pdf_workers: int = 1
    pdf_queue: int = 8
    client_connections: int = 32
    client_rate: int = 20
    client_burst: int = 60
    #: The pages in COSTLY: so many a minute per client address, and the burst above that.
    costly_rate: int = 30
    costly_burst: int = 10
    costly: list[str] = field(default_factory=lambda: list(COSTLY))
    never_passed: list[str] = field(default_factory=lambda: list(NEVER_PASSED))
    #: The languages at an address of their own (/es/…): nginx's own pages follow the address.
    languages: list[str] = field(default_factory=lambda: list(TRANSLATED))
    client_timeout: int = 10
    #: The whole of a request's head must arrive within this (nginx's header timer is not
    #: started again by each read): a connection that sends nothing, or a byte now and then,
    #: holds a slot of nginx's for no longer.
    header_timeout: int = 5
    keepalive_timeout: int = 15
    app_timeout: int = 30
    worker_connections: int = field(default_factory=lambda: machine_connections())
    max_body: int = 64 * 1024
    #: A request's head: the first buffer, then so many buffers of so many bytes, each of which
    #: must hold a whole line (gunicorn_config.py sets gunicorn's limits above these).
    header_first: int = HEADER_FIRST
    header_buffers: int = HEADER_BUFFERS
    header_line: int = HEADER_LINE
    retry_after: int = 60
    unlimited: list[str] = field(default_factory=list)
    #: Load balancers in front that end HTTPS: their X-Forwarded-Proto is believed.
    tls_proxies: list[str] = field(default_factory=list)
    access_log: str = ""
    tls_certificate: str = ""
    tls_key: str = ""
    http_redirect_bind: str = ""
    nginx_user: str = ""
    proxy_workers: str = "auto"
    #: Where nginx finds the app; the stack's own Unix sockets unless given.
    pages_upstreams: list[str] = field(default_factory=list)
    pdf_upstreams: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.pages_upstreams:
            self.pages_upstreams = [f"unix:{self.folder}/pages.sock"]
        if not self.pdf_upstreams:
            self.pdf_upstreams = [f"unix:{self.folder}/pdf.sock"]

    @property
    def tls(self) -> bool:
        return bool(self.tls_certificate and self.tls_key)

    @property
    def canonical_host(self) -> str:
        """The site's own name: the first of the names it answers to."""
        return next(name for name in self.server_names if not name.startswith("."))

    @property
    def own_pages(self) -> list[int]:
        """The statuses that nginx answers with the app's page of the same number (refused.py);
        the template sends its 494 to the 431 page, its 497 to the 400 page, and 502 and 504 to
        the page for an app that does not answer."""
        return sorted(code for code in PAGES if code not in (431, 502))

    @property
    def headers(self) -> list[tuple[str, str]]:
        """The app's security headers, for the pages that nginx answers itself."""
        headers = list(HEADERS.items())
        return [*headers, ("Strict-Transport-Security", HSTS)] if self.tls else headers

    @classmethod
    def from_environment(cls, folder: Path, env: Mapping[str, str] = os.environ) -> Settings:
        """The settings from ``SELFCHECK_*`` variables, the defaults for those unset."""
        default = cls(folder)
        names = _words(env.get("SELFCHECK_TRUSTED_HOSTS", "")) or default.server_names
        return cls(
            folder=folder,
            bind=env.get("SELFCHECK_BIND") or default.bind,
            server_names=names,
            workers=_number(env, "WORKERS", default.workers),
            pdf_workers=_number(env, "PDF_WORKERS", default.pdf_workers),
            pdf_queue=_number(env, "PDF_QUEUE", default.pdf_queue),
            client_connections=_number(env, "CLIENT_CONNECTIONS", default.client_connections),
            client_rate=_number(env, "CLIENT_RATE", default.client_rate),
            client_burst=_number(env, "CLIENT_BURST", default.client_burst),
            costly_rate=_number(env, "COSTLY_RATE", default.costly_rate),
            costly_burst=_number(env, "COSTLY_BURST", default.costly_burst),
            client_timeout=_number(env, "CLIENT_TIMEOUT", default.client_timeout),
            header_timeout=_number(env, "HEADER_TIMEOUT", default.header_timeout),
            worker_connections=_number(env, "WORKER_CONNECTIONS", default.worker_connections),
            max_body=_number(env, "MAX_CONTENT_LENGTH", default.max_body),
            unlimited=_words(env.get("SELFCHECK_PROXY_UNLIMITED", "")),
            tls_proxies=_words(env.get("SELFCHECK_TLS_PROXIES", "")),
            access_log=env.get("SELFCHECK_ACCESS_LOG", ""),
            tls_certificate=env.get("SELFCHECK_TLS_CERTIFICATE", ""),
            tls_key=env.get("SELFCHECK_TLS_KEY", ""),
            http_redirect_bind=env.get("SELFCHECK_HTTP_REDIRECT_BIND", ""),
        )


def configuration(settings: Settings) -> str:
    """nginx's whole configuration for ``settings``."""
    environment = Environment(
        loader=FileSystemLoader(TEMPLATE.parent),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    return environment.get_template(TEMPLATE.name).render(s=settings)
