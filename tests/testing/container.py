"""The container image, built and run on a machine that reaches no image registry and cannot
run containers (`podman run` needs cgroups these machines do not give).

- :func:`base_image`: a Debian base with Python made here with debootstrap from the mirror apt
  uses, imported into podman once and kept (later runs reuse it);
- :func:`build`: ``podman build --isolation=chroot`` of Containerfile on that base, its build
  stage tagged so that pruning leaves the cached layers of the locked packages;
- :func:`run_entrypoint`: the image's own entrypoint, command, user, environment and working
  folder, run in a chroot of the image's read-only filesystem, with a memory-backed /tmp, in a
  mount namespace of its own (so nothing stays mounted), on a loopback port.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .servers import ROOT, Server, free_port, program, stop, wait_for

#: What the base holds besides a minimal Debian: Python and the PDF's typeface.
PACKAGES = ["python3", "python3-venv", "fonts-dejavu-core"]
IMAGE = "localhost/selfcheck:test"
#: Containerfile's build stage (the locked packages installed), tagged to keep it as a cache.
BUILD_STAGE = "localhost/selfcheck:test-build-stage"
#: Where pip inside the build finds certificates: the base carries this machine's bundle, which
#: trusts the proxy in front of PyPI here, if there is one.
CERTIFICATES = "/etc/ssl/certs/ca-certificates.crt"


def podman(*args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [program("podman"), *args], check=True, capture_output=True, text=True, **kwargs
    )  # type: ignore[call-overload]


def mirror() -> tuple[str, str]:
    """The Debian mirror and release this machine's apt uses."""
    release = re.search(r"^VERSION_CODENAME=(\w+)", Path("/etc/os-release").read_text(), re.M)
    uri = "http://deb.debian.org/debian"
    for sources in sorted(Path("/etc/apt/sources.list.d").glob("*.sources")):
        found = re.search(r"^URIs: (\S+/debian)\s*$", sources.read_text(), re.M)
        if found:
            uri = found.group(1)
            break
    return uri, release.group(1) if release else "bookworm"


def base_image() -> str:
    """The name of the Debian base, made and imported if podman does not have it yet."""
    uri, release = mirror()
    certificates = Path(CERTIFICATES).read_bytes()
    key = hashlib.sha256(" ".join([uri, release, *PACKAGES]).encode() + certificates)
    name = f"localhost/selfcheck-test-base:{release}-{key.hexdigest()[:12]}"
    if subprocess.run([program("podman"), "image", "exists", name]).returncode == 0:
        return name
    with tempfile.TemporaryDirectory(prefix="selfcheck-base-", dir="/var/tmp") as folder:
        root = Path(folder) / "root"
        subprocess.run(
            [program("debootstrap"), "--variant=minbase", f"--include={','.join(PACKAGES)}",
             release, str(root), uri],
            check=True, capture_output=True,
        )  # fmt: skip
        (root / CERTIFICATES.lstrip("/")).write_bytes(certificates)
        with subprocess.Popen(["tar", "-C", str(root), "-c", "."], stdout=subprocess.PIPE) as tar:
            podman("import", "-", name, stdin=tar.stdout)
    return name


def build(base: str) -> str:
    """Build Containerfile on ``base``; the image's name.

    Its build stage is built and tagged first (BUILD_STAGE): the layers under a tag are never
    pruned, so the next build finds the locked packages installed, however long ago, and the
    whole build (from the cache) only adds the app. Builds of older sources leave untagged
    images behind, which go once two hours old; the cache under the two tags stays."""
    for target, tag in (("--target=build", BUILD_STAGE), (None, IMAGE)):
        podman("build", "--isolation=chroot", f"--build-arg=BASE={base}",
               f"--build-arg=PIP_CERT={CERTIFICATES}", *filter(None, [target]), f"--tag={tag}",
               "--file=Containerfile", ".", cwd=ROOT)  # fmt: skip
    podman("image", "prune", "--force", "--filter=until=2h")
    return IMAGE


def image_config(image: str) -> dict[str, Any]:
    """What the image says about how to run it: Entrypoint, Cmd, Env, User, WorkingDir."""
    inspected = json.loads(podman("image", "inspect", image).stdout)
    return dict(inspected[0]["Config"])


#: Runs in the new mount namespace: a memory-backed /tmp, /proc and /dev in the image's
#: filesystem, then the entrypoint as the image's user, with only the image's environment.
CHROOT = """set -e
root=$1; user=$2; workdir=$3; shift 3
mount -t tmpfs -o size=64m,mode=1777 tmpfs "$root/tmp"
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
exec chroot --userspec="$user" "$root" /bin/sh -c 'cd "$0" && exec /usr/bin/env -i "$@"' \
    "$workdir" "$@"
"""


@contextmanager
def run_entrypoint(image: str, **env: str) -> Iterator[Server]:
    """The image's entrypoint and command, as a container runtime would start them, on a free
    port of 127.0.0.1 (``env`` adds to the image's environment); stopped by its PID."""
    config = image_config(image)
    port = free_port()
    environment = [
        *config.get("Env", []),
        f"SELFCHECK_BIND=127.0.0.1:{port}",
        *(f"{name}={value}" for name, value in env.items()),
    ]
    command = [*(config.get("Entrypoint") or []), *(config.get("Cmd") or [])]
    mounted = podman("image", "mount", image).stdout.strip()
    try:
        with tempfile.TemporaryDirectory(prefix="selfcheck-image-") as folder:
            log = Path(folder) / "server.log"
            with log.open("wb") as out:
                process = subprocess.Popen(
                    ["unshare", "--mount", "--fork", "--kill-child=SIGTERM", "sh", "-c", CHROOT,
                     "chroot", mounted, str(config["User"]), str(config.get("WorkingDir") or "/"),
                     *environment, *command],
                    stdout=out, stderr=subprocess.STDOUT,
                )  # fmt: skip
            try:
                wait_for(port, process, log)
                yield Server(f"http://127.0.0.1:{port}", log, Path(mounted), process.pid)
            finally:
                # unshare waits on its child with SIGTERM blocked: stop the child itself.
                if process.poll() is None:
                    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
                    for child in children.read_text().split():
                        os.kill(int(child), signal.SIGTERM)
                stop(process)
    finally:
        podman("image", "unmount", image)
