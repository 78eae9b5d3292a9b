"""`make audit`: pip-audit over the lock file, with a verdict that never mistakes silence for
safety.

pip-audit says "No known vulnerabilities found" even when it could look up none of the packages
(for example when the vulnerability database cannot be reached: each package is then "skipped").
This reads its JSON report instead and says which of three things happened:

- every package was checked and none has a known vulnerability (status 0);
- some have known vulnerabilities, listed with the versions that fix them (status 1);
- some or all could not be checked, so nothing can be said of them (status 2).

Run from the repository root: ``python -m tests.audit [--service pypi|osv]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from typing import Any

from .testing.servers import ROOT

LOCK = ROOT / "deploy" / "requirements.lock"


def verdict(report: dict[str, Any] | None, error: str = "") -> tuple[int, str]:
    """The status and the words for pip-audit's JSON ``report`` (None: it gave none)."""
    if report is None:
        return 2, (
            "NOT CHECKED: pip-audit could not reach a vulnerability database, so no package was "
            f"checked.\n{(error.strip().splitlines() or [''])[-1]}"
        )
    packages = report.get("dependencies", [])
    skipped = [p for p in packages if p.get("skip_reason")]
    vulnerable = [p for p in packages if p.get("vulns")]
    lines = []
    for package in vulnerable:
        for vuln in package["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
            lines.append(f"{package['name']} {package['version']}: {vuln['id']} (fixed in {fixed})")
    if skipped:
        lines.append(
            f"NOT CHECKED: {len(skipped)} of {len(packages)} packages could not be looked up in a "
            "vulnerability database (is it reachable from here?), so nothing is known of them:"
        )
        lines += [f"  {p['name']}: {p['skip_reason']}" for p in skipped]
    if vulnerable:
        return 1, "\n".join([f"{len(vulnerable)} packages have known vulnerabilities:", *lines])
    if skipped:
        return 2, "\n".join(lines)
    return 0, f"No known vulnerabilities in the {len(packages)} packages of {LOCK.name}."


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--service", default="pypi", choices=["pypi", "osv"])
    options = parser.parse_args()
    run = subprocess.run(
        [sys.executable, "-m", "pip_audit", "--format=json", "--progress-spinner=off",
         f"--vulnerability-service={options.service}", "--disable-pip", "--require-hashes",
         f"--requirement={LOCK}"],
        capture_output=True,
        text=True,
    )  # fmt: skip
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        report = None
    status, words = verdict(report, run.stderr[-2000:])
    print(words)
    return status


if __name__ == "__main__":
    sys.exit(main())
