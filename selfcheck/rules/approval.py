"""The fingerprint of a rule set's content, and the approvals bound to it.

The **fingerprint** is the SHA-256 of the rules' content: the values of the file as the app
reads them, without the record of approvals, written as canonical JSON (keys sorted, no spaces,
UTF-8). Comments, blank lines, the order of keys and the style of quotes do not change it; any
change of what the app reads does (a word, an answer, a rule, the version). docs/rules.md says
how to compute it by hand.

An **approval** says who approved which fingerprint, of which version, and when. The rules are
approved only while the latest approval's fingerprint is the fingerprint of the content: any
later change makes them a draft again. :func:`with_approval` adds an approval to the text of a
file and changes nothing else in it, so its comments and layout stay as the clinicians wrote
them.

Plain Python, no web framework.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from pathlib import Path
from typing import Any

import yaml

from selfcheck.rules.document import parse, read_text
from selfcheck.rules.model import Approval

#: The key of the approvals in rules.yaml: the one part of the file the fingerprint leaves out.
APPROVALS = "approvals"


def canonical(data: dict[str, Any]) -> bytes:
    """The content of a rules file (its values as the app reads them, without the approvals)
    as canonical JSON: keys sorted, no spaces, UTF-8. Its SHA-256 is the fingerprint."""
    content = {key: value for key, value in data.items() if key != APPROVALS}
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def fingerprint(data: dict[str, Any]) -> str:
    """The SHA-256 of the content, as 64 hex digits."""
    return hashlib.sha256(canonical(data)).hexdigest()


def file_fingerprint(path: str | Path) -> str:
    """The fingerprint of the content of the rules file at ``path``, which must be valid YAML.
    Raises :class:`RulesError` when it cannot be read."""
    return fingerprint(parse(read_text(path, "there is no rules file here"), str(path)).data)


#: The folder beside the rules file where ``rules approve`` keeps the copies it approved.
APPROVED_FOLDER = "approved"


def approved_copy(rules_file: str | Path) -> Path:
    """Where ``rules approve`` keeps an exact copy of the content it approved: in the folder
    ``approved`` beside the rules file, under the same name (``approved/rules.yaml``)."""
    path = Path(rules_file)
    return path.parent / APPROVED_FOLDER / path.name


def read_date(text: str) -> datetime.date | None:
    """A date written as YYYY-MM-DD, or None when it is not one (or no real day)."""
    if len(text) != 10:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


# --------------------------------------------------------------------------------------------
# Adding an approval to the text of a file


_FIELDS = ("fingerprint", "version", "by", "role", "date")


def _item(approval: Approval, indent: str) -> str:
    """One approval as a block of YAML, each value double-quoted (JSON's quoting is YAML's)."""
    keys = [*_FIELDS, *(["accepted"] if approval.accepted else [])]
    lines = [
        f"{indent}{'- ' if i == 0 else '  '}{key}: "
        + json.dumps(getattr(approval, key), ensure_ascii=False)
        for i, key in enumerate(keys)
    ]
    return "\n".join(lines) + "\n"


def _last_line(node: yaml.Node) -> int:
    """The last line (from 0) that holds a scalar of ``node``: where a block item really ends
    (a block's own end mark can lie past the comments that follow it)."""
    if isinstance(node, yaml.ScalarNode):
        mark = node.end_mark
        return mark.line - 1 if mark.column == 0 and mark.line > node.start_mark.line else mark.line
    children: list[yaml.Node] = []
    if isinstance(node, yaml.MappingNode):
        children = [part for pair in node.value for part in pair]
    elif isinstance(node, yaml.SequenceNode):
        children = list(node.value)
    return max((_last_line(child) for child in children), default=node.start_mark.line)


def with_approval(text: str, approval: Approval) -> str:
    """``text`` with ``approval`` added as the last of its approvals, and nothing else changed.

    The file must be one the loader accepts. Approvals written in brackets (``approvals: []``)
    become a list written one value a line; a file without approvals gets them at its end.
    """
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    assert isinstance(root, yaml.MappingNode)
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    found = [(k, v) for k, v in root.value if k.value == APPROVALS]
    if not found:
        return "".join(lines) + f"\n{APPROVALS}:\n" + _item(approval, "  ")
    key, value = found[0]
    items = value.value if isinstance(value, yaml.SequenceNode) else []
    if items and not value.flow_style:
        first = items[0].start_mark
        indent = " " * lines[first.line].rfind("-", 0, first.column)
        at = _last_line(items[-1]) + 1
        return "".join(lines[:at]) + _item(approval, indent) + "".join(lines[at:])
    # An empty list, or one written in brackets: written again as a block, one value a line,
    # from the key's own line to the list's end, a comment after it kept.
    start, end = key.start_mark, value.end_mark
    rest = lines[end.line][end.column :].strip()
    head = lines[start.line][: start.column] + f"{APPROVALS}:"
    head += f"  {rest}" if rest.startswith("#") else ""
    indent = " " * (start.column + 2)
    written = parse(text, "rules").data.get(APPROVALS) or []
    kept = "".join(
        _item(
            Approval(**{key: str(item[key]) for key in (*_FIELDS, "accepted") if key in item}),
            indent,
        )
        for item in written
    )
    lines[start.line : end.line + 1] = [head + "\n" + kept + _item(approval, indent)]
    return "".join(lines)
