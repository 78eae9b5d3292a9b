"""The red-flag inventory of docs/clinical-safety.md holds for today's rules.

Each row of the inventory names a situation that public guidance says needs 999 or same-day care
(or, in section J, a story for a visit soon or at a routine appointment), the red flag of the
first page that covers it, the answers that tell it on the later pages, and the urgency rule that
gives the level. The tests read the tables from the document itself, between
``<!-- inventory -->`` and ``<!-- end inventory -->``, so a row cannot drift from the rules: a
renamed answer, a changed rule or a lower level fails the row that depends on it.

The Gaps table (``<!-- gaps -->``) lists what today's answers cannot tell, or no rule raises to
the row's level. Each gap is tested too: it fails once the rules close it, so the row can then
move into the inventory.
"""

from __future__ import annotations

import re
from functools import cache

import pytest
import yaml

from selfcheck.answers import asked
from selfcheck.outcome import evaluate
from selfcheck.rules import RED_FLAGS, Rules, Urgency, UrgencyRule, load

from .testing.rules import ROOT, RULES_FILE

DOC = (ROOT / "docs" / "clinical-safety.md").read_text(encoding="utf-8")

#: The levels of the inventory, as the research names them, and the rules' level for each.
LEVELS = {
    "999": "emergency",
    "same day": "urgent",
    "soon": "soon",
    "routine": "routine",
    "routine → soon": "soon",
    # A fact about the person (such as weak defences) that raises the level of the same signs.
    "modifier": "emergency",
}
#: The questions that say who the person is: without them, a modifier row gets less urgent advice.
WHO = ("age", "conditions", "pregnancy")
#: The prefix of the row ids of section J, the stories for a visit soon or a routine one.
SOON = "SOON-"
#: The rule cell of the row whose need (do not drive, call instead) is met by the emergency advice.
ADVICE = "emergency advice"
#: The prefix of each row id, and the section it belongs to.
SECTIONS = {
    "UNWELL": "A",
    "SEIZ": "B",
    "CHILD": "C",
    "INF": "D",
    "MED": "E",
    "NEURO": "F",
    "PREG": "G",
    "MET": "H",
    "OTH": "I",
    "SOON": "J",
}
KEY = re.compile(r"`([a-z0-9-]+)`")


def blocks(name: str) -> list[str]:
    """The text between each ``<!-- name -->`` and ``<!-- end name -->`` of the document."""
    return re.findall(rf"^<!-- {name} -->\n(.*?)\n<!-- end {name} -->$", DOC, re.M | re.S)


def cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().removeprefix("|").removesuffix("|").split(" | ")]


def table(block: str) -> list[dict[str, str]]:
    """The rows of the Markdown table in ``block``, each keyed by the column headings."""
    lines = [line for line in block.splitlines() if line.startswith("|")]
    header = cells(lines[0])
    assert set(cells(lines[1])) == {"---"}, "the second line of a table separates the heading"
    return [dict(zip(header, cells(line), strict=True)) for line in lines[2:]]


def plain(cell: str) -> str:
    return cell.strip().strip("`")


def rows_of(name: str, key: str) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for block in blocks(name):
        for row in table(block):
            ident = plain(row[key])
            assert ident not in found, f"{ident} is in the {name} tables twice"
            found[ident] = row
    return found


ROWS = rows_of("inventory", "id")
GAPS = rows_of("gaps", "gap")
MAPPED = rows_of("sources", "research key")


def ids(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(",")]


def answers_of(cell: str) -> dict[str, frozenset[str]]:
    """A YAML flow mapping of question ids to answers, as a person would send them: every value
    a string ("no" stays "no"), and "None of these" on the emergency check unless it says more."""
    told = yaml.load(plain(cell), Loader=yaml.BaseLoader)
    assert isinstance(told, dict), cell
    answers = {q: frozenset(v if isinstance(v, list) else [v]) for q, v in told.items()}
    answers.setdefault(RED_FLAGS, frozenset({"none"}))
    return answers


@cache
def rules() -> Rules:
    return load(RULES_FILE)


def level_named(name: str) -> Urgency:
    return next(level for level in rules().levels if level.id == name)


def rule_named(rule_id: str) -> UrgencyRule:
    found = [rule for rule in rules().urgency_rules if rule.id == rule_id]
    assert found, f"rules.yaml has no urgency rule {rule_id!r}"
    return found[0]


def check_rule(cell: str, answers: dict[str, frozenset[str]]) -> Urgency:
    """The level ``answers`` get, after checking that the rule the cell names gives it: the rule's
    condition holds, or for "default" no urgency rule applies."""
    kept = asked(rules(), answers)
    level = evaluate(rules(), answers).level
    if plain(cell) == "default":
        applied = [rule.id for rule in rules().urgency_rules if rule.when.holds(kept)]
        assert applied == [], f"rules apply: {applied}"
        assert level == rules().default_level
    else:
        assert rule_named(plain(cell)).when.holds(kept), f"{plain(cell)} does not apply"
    return level


def whole_row_gaps() -> dict[str, dict[str, str]]:
    """The rows that are only in the Gaps table: their signs cannot be told at their level."""
    return {
        ids(gap["rows"])[0]: gap
        for gap in GAPS.values()
        if len(ids(gap["rows"])) == 1 and ids(gap["rows"])[0] not in ROWS
    }


def test_the_document_has_the_inventory():
    assert len(ROWS) >= 100
    assert GAPS and MAPPED
    for row_id in list(ROWS) + list(whole_row_gaps()):
        assert row_id.split("-")[0] in SECTIONS, row_id


@pytest.mark.parametrize("row_id", list(ROWS))
def test_row(row_id: str):
    """The answers of the row reach at least its level through the rule it names, with every
    answer on a question that is asked; the red flag it names leads to the emergency advice."""
    row = ROWS[row_id]
    level_cell = row["level"]
    assert level_cell in LEVELS, f"{row_id}: unknown level {level_cell!r}"
    if row["rule"] == ADVICE:
        # Not a sign but a way of acting on one: the emergency advice itself says what to do.
        assert any("Do not drive yourself" in line for line in rules().emergency.advice)
        return
    told = answers_of(row["answers"] if row_id.startswith(SOON) else row["told later"])
    dropped = set(told) - set(asked(rules(), told))
    assert not dropped, f"{row_id}: answers to questions not asked: {sorted(dropped)}"
    level = check_rule(row["rule"], told)
    if row_id.startswith(SOON):
        # A story for a visit soon or a routine one: never an emergency, and the level the
        # document records is the level given today.
        assert level.rank != 0, f"{row_id} gets the emergency advice"
        assert level.id == row["given"], f"{row_id}: the document says {row['given']}"
        return
    wanted = level_named(LEVELS[level_cell])
    assert level.rank <= wanted.rank, f"{row_id}: {level.id}, less urgent than {wanted.id}"
    if level_cell == "modifier":
        without = {q: v for q, v in told.items() if q not in WHO}
        assert evaluate(rules(), without).level.rank > level.rank, "the modifier raises nothing"
    page_1 = row["page 1"]
    if level_cell != "999":
        assert page_1 == "n/a"
    elif page_1 != "—":
        flag = plain(page_1)
        assert flag in {f.id for f in rules().red_flags}, f"no red flag {flag!r}"
        assert rules().red_flag(flag).leads_to.rank == 0
        assert evaluate(rules(), {RED_FLAGS: frozenset({flag})}).level.rank == 0


@pytest.mark.parametrize("gap_id", list(GAPS))
def test_gap(gap_id: str):
    """Each gap is still open: when the rules close it, this fails, and the row moves into the
    inventory."""
    gap = GAPS[gap_id]
    needs = gap["needs"]
    if needs == "999 (page 1)":
        # The emergency rows that no red flag of the first page covers.
        uncovered = {
            row_id
            for row_id, row in ROWS.items()
            if row["level"] == "999" and row["page 1"] == "—" and row["rule"] != ADVICE
        }
        assert set(ids(gap["rows"])) == uncovered
    elif needs == "source":
        assert set(ids(gap["rows"])) == unsourced_rows()
    else:
        level = check_rule(gap["rule today"], answers_of(gap["answers today"]))
        assert level.id == gap["level today"], f"the document says {gap['level today']}"
        assert level.rank > level_named(LEVELS[needs]).rank, f"{gap_id} is closed: update the doc"
        for row_id in ids(gap["rows"]):
            assert row_id in ROWS or row_id in whole_row_gaps(), row_id


def sources_of(cell: str) -> set[str]:
    keys = set(KEY.findall(cell))
    assert keys, f"no source key in {cell!r}"
    return keys


def carried(key: str) -> bool:
    """Whether rules.yaml carries the source ``key``: under that key, or under the key the
    sources table maps it to."""
    if key in rules().sources:
        return True
    return plain(MAPPED[key]["rules.yaml key"]) in rules().sources


def unsourced_rows() -> set[str]:
    """The rows of sections A to I none of whose sources rules.yaml carries."""
    rows = {row_id: row["source"] for row_id, row in ROWS.items()}
    rows |= {row_id: gap["source"] for row_id, gap in whole_row_gaps().items()}
    return {
        row_id
        for row_id, cell in rows.items()
        if not row_id.startswith(SOON) and not any(carried(k) for k in sources_of(cell))
    }


def test_every_row_has_a_source_that_the_rules_carry():
    """A reviewer of rules.yaml can trace every emergency and same-day row to a source it lists,
    unless a gap of the document says which rows cannot be traced yet."""
    open_gaps = set().union(*(ids(g["rows"]) for g in GAPS.values() if g["needs"] == "source"))
    assert unsourced_rows() == open_gaps


def test_every_source_key_is_in_the_rules_or_mapped_to_one():
    cited: set[str] = set()
    for row in ROWS.values():
        cited |= sources_of(row["source"])
    for gap in GAPS.values():
        cited |= sources_of(gap["source"])
    for key in cited:
        assert key in rules().sources or key in MAPPED, f"{key}: not in rules.yaml, not mapped"
    for key, row in MAPPED.items():
        assert key not in rules().sources, f"{key} is a key of rules.yaml: do not map it"
        target = row["rules.yaml key"]
        assert target == "—" or plain(target) in rules().sources, f"{key} -> {target}"
        assert key in cited, f"{key} is mapped but no row cites it"


def test_the_counts_in_the_document_are_the_rows():
    counted: dict[str, dict[str, int]] = {}

    def add(row_id: str, level: str, where: str) -> None:
        section = counted.setdefault(
            SECTIONS[row_id.split("-")[0]],
            {"999": 0, "same day": 0, "other": 0, "in the tables": 0, "only in Gaps": 0},
        )
        section[level if level in ("999", "same day") else "other"] += 1
        section[where] += 1

    for row_id, row in ROWS.items():
        add(row_id, row["level"], "in the tables")
    for row_id, gap in whole_row_gaps().items():
        add(row_id, gap["needs"], "only in Gaps")
    (block,) = blocks("counts")
    stated = {row["section"]: row for row in table(block)}
    for section, numbers in counted.items():
        for column, number in numbers.items():
            assert int(stated[section][column]) == number, f"{section}, {column}"
        assert int(stated[section]["rows"]) == numbers["in the tables"] + numbers["only in Gaps"]
    for column in ("rows", "999", "same day", "other", "in the tables", "only in Gaps"):
        total = sum(int(stated[s][column]) for s in counted)
        assert int(stated["total"][column]) == total, column
    in_tables = re.search(r"In the tables: (\d+) rows at 999, (\d+) same day", DOC)
    assert in_tables, "the sentence after the counts is missing"
    assert [int(n) for n in in_tables.groups()] == [
        sum(1 for row in ROWS.values() if row["level"] == level) for level in ("999", "same day")
    ]
    given = re.search(r"gives (\d+) of them routine, (\d+) soon and (\d+) same day", DOC)
    assert given, "the sentence on section J is missing"
    stories = [row["given"] for row_id, row in ROWS.items() if row_id.startswith(SOON)]
    assert [int(n) for n in given.groups()] == [
        stories.count(level) for level in ("routine", "soon", "urgent")
    ]


def test_every_emergency_reason_names_what_was_told():
    """The inventory says so: an emergency reason repeats the signs the person told, and names a
    condition only as something the signs can come with, never as what the person has."""
    reasons = [flag.reason for flag in rules().red_flags]
    reasons += [rule.reason for rule in rules().urgency_rules if rule.level.rank == 0]
    for reason in reasons:
        assert reason.startswith(("You said", "You told us", "Your symptoms")), reason
        assert "you have " not in reason.lower(), reason


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def test_the_links_within_the_document_lead_to_headings():
    anchors = {slug(h) for h in re.findall(r"^#+ (.+)$", DOC, re.M)}
    links = re.findall(r"\]\(#([^)]+)\)", DOC)
    assert links
    for link in links:
        assert link in anchors, f"#{link} is no heading of docs/clinical-safety.md"
