"""``python -m tests.fhir_renderer``: every scenario and vignette through LHC-Forms in Chromium
and ``$evaluate``, against the app; the table into docs/fhir.md (``--check``: only say whether
it still says so). `make fhir-renderer` runs it. See tests/fhir_renderer/__init__.py."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from playwright.sync_api import sync_playwright

from selfcheck import create_app, fhir
from selfcheck.rules import load

from ..testing.browser import CHROMIUM, CHROMIUM_ARGS
from ..testing.fhir import cases
from ..testing.rules import RULES_FILE
from . import ENDS_EARLY, compare, fill, installed, served, table, write_table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="write nothing")
    options = parser.parse_args()
    if not installed():
        print("LHC-Forms is not installed: run `make fhir-renderer`", file=sys.stderr)
        return 2
    rules = load(RULES_FILE)
    every = list(cases(rules))
    client = create_app({"TESTING": True, "SECRET_KEY": "renderer"}).test_client()
    started = time.monotonic()
    with served(fhir.questionnaire(rules)) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            elsewhere: list[str] = []

            def only_here(route: Any) -> None:
                if route.request.url.startswith(url + "/"):
                    route.continue_()
                else:
                    elsewhere.append(route.request.url)
                    route.abort()

            page.route("**/*", only_here)
            page.goto(url + "/")
            drawn = fill(page, rules, [answers for _, answers in every])
        finally:
            browser.close()
    if elsewhere:
        print(f"The page asked for addresses elsewhere: {elsewhere}", file=sys.stderr)
        return 1
    results = [
        compare(rules, client, name, answers, found)
        for (name, answers), found in zip(every, drawn, strict=True)
    ]
    text = table(rules, results)
    print(text)
    ended = sum(1 for r in results if r.after_the_end)
    print(f"\n{ended} cases end early on the app's pages ({ENDS_EARLY}).")
    for result in results:
        for problem in result.problems:
            print(f"{result.name}: {problem}", file=sys.stderr)
    print(f"{time.monotonic() - started:.0f} s", file=sys.stderr)
    if not options.check:
        write_table(text)
    return 0 if all(r.equal for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
