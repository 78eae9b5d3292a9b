"""The container image (Containerfile) and the Kubernetes manifests (deploy/kubernetes/).

The image is built with podman from a Debian base made here (no image registry is reachable)
and its entrypoint run in a chroot of its read-only filesystem (tests/testing/container.py):
marked ``container``, since it takes a minute or two; CI runs it, and
``make test TEST_MARKS="not container"`` leaves it out. The manifests are checked against
Kubernetes' schemas with kubernetes-validate, offline, in every run.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import url_for

from selfcheck import create_app
from selfcheck.rules import Rules
from selfcheck.web.language import TRANSLATED

from .testing.container import base_image, build, image_config, run_entrypoint
from .testing.privacy import STATUSES, whole_journey
from .testing.rules import ROOT
from .testing.servers import HttpClient
from .testing.visitor import Journey

MANIFESTS = sorted((ROOT / "deploy" / "kubernetes").glob("*.yaml"))


def documents() -> list[dict[str, Any]]:
    return [doc for path in MANIFESTS for doc in yaml.safe_load_all(path.read_text()) if doc]


def of_kind(kind: str) -> list[dict[str, Any]]:
    return [doc for doc in documents() if doc["kind"] == kind]


def test_the_image_installs_from_the_lock_files_only():
    containerfile = (ROOT / "Containerfile").read_text()
    for lock in ("deploy/requirements.lock", "deploy/build.lock"):
        assert f"--require-hashes -r {lock}" in containerfile
    assert "--no-deps /wheels/selfcheck-" in containerfile, "the app brings in nothing unlocked"


@pytest.mark.parametrize("version", ["1.30.0", "1.37.0"])
def test_the_manifests_are_valid_kubernetes(version: str):
    checked = subprocess.run(
        [sys.executable, "-m", "kubernetes_validate", "--strict", "-k", version,
         *map(str, MANIFESTS)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr
    kinds = {doc["kind"] for doc in documents()}
    assert kinds == {"Deployment", "Service", "Ingress", "HorizontalPodAutoscaler",
                     "PodDisruptionBudget", "NetworkPolicy"}  # fmt: skip


def test_each_deployment_runs_the_image_locked_down_with_its_probes():
    user = re.search(r"^USER (\d+):(\d+)$", (ROOT / "Containerfile").read_text(), re.M)
    assert user is not None
    for deployment in of_kind("Deployment"):
        pod = deployment["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        env = {e["name"]: e for e in container["env"]}
        host = env["SELFCHECK_TRUSTED_HOSTS"]["value"]
        assert env["SELFCHECK_SECRET_KEY"]["valueFrom"]["secretKeyRef"] == {
            "name": "selfcheck", "key": "secret-key"}  # fmt: skip
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            check = container[probe]["httpGet"]
            assert check["path"] == "/healthz"
            assert check["httpHeaders"] == [{"name": "Host", "value": host}], "a trusted host"
        assert pod["securityContext"]["runAsUser"] == int(user.group(1))
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        assert container["securityContext"] == {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            "capabilities": {"drop": ["ALL"]},
        }
        assert [m["mountPath"] for m in container["volumeMounts"]] == ["/tmp"]


def test_the_ingress_buffers_limits_and_sends_pdfs_to_their_own_pods():
    (ingress,) = of_kind("Ingress")
    notes = ingress["metadata"]["annotations"]
    prefix = "nginx.ingress.kubernetes.io/"
    assert notes[prefix + "proxy-buffering"] == "on"
    assert notes[prefix + "proxy-request-buffering"] == "on"
    assert notes[prefix + "proxy-body-size"] == "64k"
    assert notes[prefix + "limit-connections"] and notes[prefix + "limit-rps"]
    paths = {p["path"]: p["backend"]["service"]["name"]
             for p in ingress["spec"]["rules"][0]["http"]["paths"]}  # fmt: skip
    assert paths == {r"/.*\.pdf$": "selfcheck-pdf", "/": "selfcheck-pages"}
    assert notes[prefix + "use-regex"] == "true"
    # ingress-nginx matches a regular expression without regard to case, from the start.
    pdf = re.compile(r"/.*\.pdf$", re.IGNORECASE)
    app = create_app({"SECRET_KEY": "k"})
    addresses = set()
    with app.test_request_context("/"):
        for rule in app.url_map.iter_rules():
            if rule.arguments <= {"lang"}:
                for code in ("en", *TRANSLATED):
                    values: dict[str, Any] = {"lang": code} if rule.arguments else {}
                    addresses.add(url_for(rule.endpoint, **values))
    assert {"/summary.pdf", "/es/summary.pdf", "/ar/summary.pdf"} <= addresses
    for address in addresses:
        assert bool(pdf.match(address)) == address.endswith(".pdf"), address
    names = {d["metadata"]["name"] for d in of_kind("Service")}
    assert set(paths.values()) <= names
    for kind in ("HorizontalPodAutoscaler", "PodDisruptionBudget"):
        assert {d["metadata"]["name"] for d in of_kind(kind)} == names


@pytest.mark.container
def test_the_image_serves_a_journey_from_a_read_only_root(rules: Rules):
    from selfcheck.web.health import fingerprint

    image = build(base_image())
    config = image_config(image)
    assert config["User"] == "10001:10001"
    with run_entrypoint(image, SELFCHECK_SECRET_KEY="image test") as server:
        client = HttpClient(server.url)
        health = client.get("/healthz")
        responses = whole_journey(Journey(client, rules), late=False)
        # unshare's one child is gunicorn's master, after the chroot and the image's user.
        master = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()[0]
        status = Path(f"/proc/{master}/status").read_text()
        mounts = Path(f"/proc/{master}/mountinfo").read_text().splitlines()
        log = server.log.read_text()
    assert [r.status_code for r in responses] == STATUSES[:-1], log
    assert responses[7].mimetype == "application/pdf" and responses[7].data.startswith(b"%PDF")
    assert "Your result" in responses[3].get_data(as_text=True)
    assert health.get_data(as_text=True).count(fingerprint(ROOT / "rules.yaml")) == 1
    assert re.search(r"^Uid:\s+10001\s", status, re.M), "not root"
    root = next(line for line in mounts if line.split()[4] == "/")
    assert " ro," in root or root.split()[5].startswith("ro"), root
