"""The shipped rules, and copies of them with an edit, as a clinician would make one."""

from __future__ import annotations

from pathlib import Path

from selfcheck.rules.approval import fingerprint
from selfcheck.rules.document import parse

ROOT = Path(__file__).resolve().parents[2]
RULES_FILE = ROOT / "rules.yaml"
SCENARIOS_FILE = ROOT / "scenarios.yaml"
SHIPPED = RULES_FILE.read_text(encoding="utf-8")
SCENARIOS = SCENARIOS_FILE.read_text(encoding="utf-8")

#: One edit: the text to find in the file, and what to put in its place.
#: An edit: the text to find and its replacement, and how many places to change (default 1;
#: -1 for every place).
Edit = tuple[str, str] | tuple[str, str, int]

#: The fingerprint of the shipped rules' content.
SHIPPED_FINGERPRINT = fingerprint(parse(SHIPPED, str(RULES_FILE)).data)

#: The edit that records a clinician's approval of the shipped content, with a name and a date,
#: as ``rules approve`` would. With any other edit, the content is no longer the one approved.
APPROVED: tuple[Edit, ...] = (
    (
        "approvals: []\n",
        f"""approvals:
  - fingerprint: "{SHIPPED_FINGERPRINT}"
    version: "0.1.0"
    by: "Dr A. Example"
    role: "consultant neurologist"
    date: "2025-01-31"
""",
    ),
)


#: A question added to the symptoms page, as the last one there.
NEW_QUESTION: Edit = (
    "  - id: background\n",
    """      - id: cramps
        type: one
        text: Do you get cramps in your legs at night?
        hint: A cramp is a sudden, painful tightening of a muscle.
        answers: yes_no_not_sure
        summary: Leg cramps at night
        error: Select if you get cramps at night
        source: "clonus-faq: symptoms"

  - id: background
""",
)


def edited(text: str, *edits: Edit, count: int = 1) -> str:
    """``text`` with each edit made at its first ``count`` places (every place: -1), or as
    many as the edit's own third item says. An edit whose text is not there that often fails
    the test rather than leaving the file as it was, so a test can never pass on an unedited
    copy."""
    for old, new, *own in edits:
        times = own[0] if own else count
        found = text.count(old)
        assert found >= max(times, 1), f"the text to edit is there {found} times: {old!r}"
        text = text.replace(old, new, times)
    return text


def line_of(text: str, part: str) -> int:
    """The line on which ``part`` first appears in ``text``."""
    return text[: text.index(part)].count("\n") + 1
