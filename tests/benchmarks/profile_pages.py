"""Where a journey's time goes in the app, by view: cProfile over whole journeys in one process
(Flask's test client, no gunicorn), the cumulative time of each view and of what it calls that
costs most, per call.

Run from the repository root: ``python -m tests.benchmarks.profile_pages [--journeys 60]``.
The figures go into docs/benchmarks.md by hand ("Where a journey's time goes").
"""

from __future__ import annotations

import argparse
import cProfile
import pstats

from selfcheck import create_app
from selfcheck.rules import load

from ..testing.answers import SOON, URGENT_MEDICINE
from ..testing.rules import RULES_FILE
from ..testing.visitor import Journey

#: What to report: (file ending, function) as pstats names them, and the words for each row.
ROWS = [
    (("web/views.py", "check"), "POST /check (any page's form), the view"),
    (("web/views.py", "step"), "GET /check/<page> (the next page of questions), the view"),
    (("web/render.py", "question_page"), "  drawing a page of questions (Jinja)"),
    (("web/views.py", "result"), "GET /result (the outcome page), the view"),
    (("selfcheck/outcome.py", "evaluate"), "  working out the advice (outcome.evaluate)"),
    (("web/record.py", "payload"), "  the QR code's text: the FHIR response, compressed"),
    (("web/record.py", "qr_svg"), "  drawing the QR code (zxing-cpp) as SVG"),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--journeys", type=int, default=60)
    args = parser.parse_args()
    rules = load(RULES_FILE)
    app = create_app({"SECRET_KEY": "profile", "TESTING": True})
    stories = [SOON, URGENT_MEDICINE]
    for answers in stories:  # warm: templates compiled, zxing-cpp imported
        Journey(app.test_client(), rules).complete(answers)
    profile = cProfile.Profile()
    profile.enable()
    for n in range(args.journeys):
        Journey(app.test_client(), rules).complete(stories[n % len(stories)])
    profile.disable()
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    print(f"{args.journeys} journeys (a soon and an urgent story in turn), per call:")
    print("| what | calls | ms a call |")
    print("| --- | ---: | ---: |")
    for (ending, name), words in ROWS:
        found = [
            (calls, total)
            for (path, _, function), (_, calls, _, total, _) in stats.items()
            if function == name and path.endswith(ending)
        ]
        calls = sum(c for c, _ in found)
        total = sum(t for _, t in found)
        if calls:
            print(f"| {words} | {calls} | {1000 * total / calls:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
