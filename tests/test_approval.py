"""The fingerprint of the rules' content, and approvals bound to it (selfcheck.rules.approval).

A clinician's approval holds only for the content they read: comments and layout may change
under it, but any change a patient could notice makes the rules a draft again.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from selfcheck.rules import (
    Approval,
    Missing,
    NoApprovedContent,
    RulesError,
    approved_content,
    load,
)
from selfcheck.rules.approval import approved_copy, canonical, fingerprint, with_approval
from selfcheck.rules.document import parse

from .testing.rules import APPROVED, RULES_FILE, SHIPPED, SHIPPED_FINGERPRINT, Edit, edited


def content(text: str) -> str:
    return fingerprint(parse(text, "rules.yaml").data)


def test_the_fingerprint_is_the_sha256_of_the_canonical_content():
    data = parse(SHIPPED, "rules.yaml").data
    text = canonical(data)
    assert hashlib.sha256(text).hexdigest() == SHIPPED_FINGERPRINT == load(RULES_FILE).fingerprint
    # Keys sorted, no spaces, UTF-8, and everything but the approvals.
    assert json.loads(text) == {k: v for k, v in data.items() if k != "approvals"}
    assert text == json.dumps(
        json.loads(text), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")
    assert b'"approvals"' not in text


@pytest.mark.parametrize(
    "edit",
    [
        ("# The rules of the clonus self-check.", "# The rules, as the clinicians keep them."),
        ('version: "0.1.0"', "version: '0.1.0'    # quoted another way"),
        ('version: "0.1.0"\n', 'version: "0.1.0"\n\n\n'),
        APPROVED[0],
    ],
    ids=["a comment", "quotes and a comment", "blank lines", "an approval"],
)
def test_comments_layout_and_approvals_leave_the_fingerprint(edit: Edit):
    assert content(edited(SHIPPED, edit)) == SHIPPED_FINGERPRINT


@pytest.mark.parametrize(
    "edit",
    [
        ('version: "0.1.0"', 'version: "0.1.1"'),
        ("should be checked today", "should be checked soon"),
        ("leads_to: emergency", "leads_to: urgent"),
        ("when: {question: started, is: days}", "when: {question: started, is: weeks}"),
    ],
    ids=["the version", "a reason's words", "a red flag's level", "a rule's condition"],
)
def test_any_change_of_content_changes_the_fingerprint(edit: Edit):
    assert content(edited(SHIPPED, edit)) != SHIPPED_FINGERPRINT


def test_the_shipped_rules_are_a_draft_that_nobody_approved():
    rules = load(RULES_FILE)
    assert rules.approvals == () and not rules.approved and rules.status == "draft"
    assert rules.status_words == "a draft, not yet approved by a clinician"


def approval(of: str = SHIPPED_FINGERPRINT, version: str = "0.1.0", by: str = "Dr A. Example"):
    return Approval(of, version, by, "consultant neurologist", "2026-01-31")


def test_an_approval_is_added_and_nothing_else_changes(tmp_path):
    text = with_approval(SHIPPED, approval())
    before, after = SHIPPED.splitlines(), text.splitlines()
    added = [line for line in after if line not in before]
    assert added == [
        "approvals:",
        f'  - fingerprint: "{SHIPPED_FINGERPRINT}"',
        '    version: "0.1.0"',
        '    by: "Dr A. Example"',
        '    role: "consultant neurologist"',
        '    date: "2026-01-31"',
    ]
    assert [line for line in before if line not in after] == ["approvals: []"]
    rules = load("rules.yaml", text)
    assert rules.approved and rules.approval == approval()
    assert rules.status_words == (
        "approved by Dr A. Example (consultant neurologist) on 2026-01-31"
    )


def test_a_later_approval_follows_the_earlier_ones_which_stay_as_history():
    first = with_approval(SHIPPED, approval())
    changed = edited(first, ('version: "0.1.0"', 'version: "0.2.0"'))
    second = approval(content(changed), "0.2.0", "Dr B. Example")
    text = with_approval(changed, second)
    rules = load("rules.yaml", text)
    assert rules.approvals == (approval(), second)
    assert rules.approved and rules.approval == second
    # A third, on the same list, goes last again.
    third = approval(content(changed), "0.2.0", "Dr C. Example")
    assert load("rules.yaml", with_approval(text, third)).approvals[-1] == third


def test_any_change_after_the_approval_makes_the_rules_a_draft_again():
    approved = with_approval(SHIPPED, approval())
    changed = load("rules.yaml", edited(approved, ("should be checked today", "can wait")))
    assert not changed.approved and changed.status == "draft"
    assert changed.changed_since_approval and changed.last_approval == approval()
    assert changed.status_words == "a draft, not yet approved by a clinician"
    said = [w.message for w in changed.warnings]
    assert (
        "changed since it was approved by Dr A. Example (consultant neurologist) on 2026-01-31 "
        "(version 0.1.0): the app shows patients that these rules are a draft again"
    ) in said
    assert any("version is the same: raise it" in m for m in said)
    # With the version raised, only the change is said.
    raised = edited(approved, ("should be checked today", "can wait"), ('"0.1.0"', '"0.2.0"'))
    assert not any("raise it" in w.message for w in load("rules.yaml", raised).warnings)


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        ("approvals: []\n", "approvals:\n"),
        ("approvals: []   # none yet\n", "approvals:  # none yet\n"),
        ("", "\napprovals:\n"),
    ],
    ids=["an empty list", "with a comment", "no approvals key"],
)
def test_approvals_written_in_other_ways_are_kept_and_added_to(written: str, kept: str):
    text = with_approval(SHIPPED.replace("approvals: []\n", written), approval())
    assert kept in text
    rules = load("rules.yaml", text)
    assert rules.approvals == (approval(),) and rules.approved


FIELDS = ("fingerprint", "version", "by", "role", "date")


@pytest.mark.parametrize("lines", [1, 2], ids=["on one line", "on two lines"])
def test_approvals_in_brackets_are_rewritten_one_value_a_line(lines: int):
    old = approval("a" * 64, "0.10", "Dr Z. Earlier")
    item = ", ".join(f"{key}: {json.dumps(getattr(old, key))}" for key in FIELDS)
    item = item.replace('"0.10"', "0.10")  # unquoted: still the text "0.10", never 0.1
    if lines == 2:
        item = item.replace(", by:", ",\n     by:")
    text = SHIPPED.replace("approvals: []", "approvals: [{" + item + "}]  # kept")
    added = with_approval(text, approval())
    assert "approvals:  # kept\n" in added
    assert load("rules.yaml", added).approvals == (old, approval())
    # The bracketed lines become the key and two approvals of five lines each.
    assert len(added.splitlines()) == len(text.splitlines()) - lines + 1 + 10


def test_names_with_quotes_and_accents_are_written_safely():
    odd = Approval(
        SHIPPED_FINGERPRINT, "0.1.0", 'Dr Zoë "Zed" O\'Neil: #1', "GP\\nurse", "2026-01-31"
    )
    assert load("rules.yaml", with_approval(SHIPPED, odd)).approval == odd


def test_the_approved_copy_sits_beside_the_rules_file(tmp_path):
    assert approved_copy(tmp_path / "rules.yaml") == tmp_path / "approved" / "rules.yaml"
    assert approved_copy("clinic/other.yaml") == Path("clinic/approved/other.yaml")


def test_the_content_approved_last_is_read_and_checked_in_one_place(tmp_path):
    """``approved_content``, which the review page and ``rules diff``/``rules approve`` both
    use: the copy beside the rules file when it is the content approved last, else why not."""
    approved = edited(SHIPPED, *APPROVED)
    path = tmp_path / "rules.yaml"
    path.write_text(edited(SHIPPED), encoding="utf-8")
    with pytest.raises(NoApprovedContent) as none:
        approved_content(load(path))
    assert none.value.why is Missing.NO_APPROVAL
    changed = edited(approved, ("level: urgent", "level: soon"))
    path.write_text(changed, encoding="utf-8")
    with pytest.raises(NoApprovedContent) as missing:
        approved_content(load(path))
    assert missing.value.why is Missing.NO_COPY
    assert missing.value.copy == tmp_path / "approved" / "rules.yaml"
    (tmp_path / "approved").mkdir()
    copy = tmp_path / "approved" / "rules.yaml"
    copy.write_text(changed, encoding="utf-8")
    with pytest.raises(NoApprovedContent) as other:
        approved_content(load(path))
    assert other.value.why is Missing.OTHER_CONTENT
    assert other.value.found == load(copy).short_fingerprint
    copy.write_text("version: [", encoding="utf-8")
    with pytest.raises(RulesError):
        approved_content(load(path))
    copy.write_text(approved, encoding="utf-8")
    last = load(path).last_approval
    assert last is not None
    assert approved_content(load(path)).fingerprint == last.fingerprint
