"""The shape of the files clinicians write (rules.yaml, scenarios.yaml, vignettes.yaml),
declared as data (JSON Schema), and what is wrong with a file of another shape, in plain words.

The loader checks a file against its schema first, then checks what a schema cannot say
(references between items, duplicate ids, safety rules). Every key named here is described for
clinicians in docs/rules.md; a test fails when one is not.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from selfcheck.rules import conditions
from selfcheck.rules.document import Document, KeyPath, Problem

#: The special value of a cause's ``when`` that lists the cause when no other cause is listed.
NO_OTHER_CAUSE = "no other cause is listed"

#: Placeholders that patient-facing text may use; the app fills them in from its settings.
PLACEHOLDERS = ("{emergency_number}",)

_TEXT = {"type": "string", "minLength": 1}
_ID = {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"}
_SOURCE = _TEXT
_WORRY = {"type": "integer", "minimum": 0, "maximum": 9}


def _record(
    required: list[str], optional: dict[str, Any] | None = None, **props: Any
) -> dict[str, Any]:
    """A mapping with the given keys, all of ``required`` present and no unknown key."""
    properties = dict(props)
    properties.update(optional or {})
    return {
        "type": "object",
        "required": required,
        "properties": properties,
        "additionalProperties": False,
    }


#: A clinical code: the system by its short name (see ``selfcheck.rules.model.SYSTEMS``), the
#: code in quotes (a SNOMED CT id is long digits), its words in that system, and its source.
_CODE = _record(
    ["system", "code", "display", "source"],
    system={"enum": ["snomed", "icd-10"]},
    code=_TEXT,
    display=_TEXT,
    source=_SOURCE,
)
_CODES = {"type": "array", "items": _CODE, "minItems": 1}

_ANSWER = _record(
    ["value", "label", "worry"],
    {"hint": _TEXT, "codes": _CODES},
    value=_ID,
    label=_TEXT,
    worry=_WORRY,
)

_CONDITION: dict[str, Any] = {
    "type": "object",
    "minProperties": 1,
    "properties": {
        "question": _ID,
        "is": {"oneOf": [_ID, {"type": "array", "items": _ID, "minItems": 1}]},
        "includes": {"oneOf": [_ID, {"type": "array", "items": _ID, "minItems": 1}]},
        **conditions.schema({"$ref": "#/$defs/condition"}),
    },
    "additionalProperties": False,
}

_QUESTION = _record(
    ["id", "type", "text", "answers", "summary", "error"],
    {
        "hint": _TEXT,
        "none_of_these": _ID,
        "source": _SOURCE,
        "ask_when": {"$ref": "#/$defs/condition"},
        "summary_only": {"type": "boolean"},
        "codes": _CODES,
    },
    id=_ID,
    type={"enum": ["one", "many"]},
    text=_TEXT,
    answers={"oneOf": [_ID, {"type": "array", "items": _ANSWER, "minItems": 2}]},
    summary=_TEXT,
    error=_TEXT,
)

_PAGE = _record(
    ["id", "title", "questions"],
    {"intro": _TEXT},
    id=_ID,
    title=_TEXT,
    questions={"type": "array", "items": _QUESTION, "minItems": 1},
)

_RED_FLAG = _record(
    ["id", "label", "reason", "leads_to"],
    {"hint": _TEXT, "source": _SOURCE, "codes": _CODES},
    id=_ID,
    label=_TEXT,
    reason=_TEXT,
    leads_to=_ID,
)

_URGENCY_LEVEL = _record(
    ["id", "name", "heading", "advice"],
    {"source": _SOURCE},
    id=_ID,
    name=_TEXT,
    heading=_TEXT,
    advice={"type": "array", "items": _TEXT, "minItems": 1},
)

_URGENCY_RULE = _record(
    ["id", "level", "when", "reason"],
    {"source": _SOURCE},
    id=_ID,
    level=_ID,
    when={"$ref": "#/$defs/condition"},
    reason=_TEXT,
)

_CAUSE = _record(
    ["id", "name", "about", "when"],
    {"source": _SOURCE, "codes": _CODES},
    id=_ID,
    name=_TEXT,
    about=_TEXT,
    when={"oneOf": [{"$ref": "#/$defs/condition"}, {"const": NO_OTHER_CAUSE}]},
)

_CONTRADICTION = _record(
    ["id", "when", "question", "message"],
    {"source": _SOURCE},
    id=_ID,
    when={"$ref": "#/$defs/condition"},
    question=_ID,
    message=_TEXT,
)

_GOES_AWAY_VARIANT = _record(
    ["when", "text"],
    when={"$ref": "#/$defs/condition"},
    text={"type": "array", "items": _TEXT, "minItems": 1},
)

_TREATMENT = _record(
    ["id", "name", "about", "ask"],
    {"source": _SOURCE},
    id=_ID,
    name=_TEXT,
    about=_TEXT,
    ask=_TEXT,
)

#: One approval, as ``rules approve`` writes it (see :mod:`selfcheck.rules.approval`).
_APPROVAL = _record(
    ["fingerprint", "version", "by", "role", "date"],
    {"accepted": _TEXT},
    fingerprint={"type": "string", "pattern": "^[0-9a-f]{64}$"},
    version=_TEXT,
    by=_TEXT,
    role=_TEXT,
    date={"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
)

#: The review record of older files, written by hand; approvals replace it.
OLD_REVIEW_KEYS = ("status", "reviewed_by", "review_date")

RULES_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$defs": {"condition": _CONDITION},
    **_record(
        [
            "version",
            "sources",
            "urgency_levels",
            "default_level",
            "answer_lists",
            "red_flags",
            "pages",
            "urgency_rules",
            "causes",
            "treatments",
            "goes_away",
            "default_reason",
        ],
        {
            "contradictions": {"type": "array", "items": _CONTRADICTION},
            "approvals": {"type": "array", "items": _APPROVAL},
            "filming": _record(
                ["heading", "when", "text", "source"],
                heading=_TEXT,
                when={"$ref": "#/$defs/condition"},
                text={"type": "array", "items": _TEXT, "minItems": 1},
                source=_SOURCE,
            ),
        },
        version=_TEXT,
        sources={
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"pattern": "^[a-z][a-z0-9-]*$"},
            "additionalProperties": _TEXT,
        },
        urgency_levels={"type": "array", "items": _URGENCY_LEVEL, "minItems": 2},
        default_level=_ID,
        default_reason=_TEXT,
        answer_lists={
            "type": "object",
            "propertyNames": {"pattern": "^[a-z][a-z0-9_]*$"},
            "additionalProperties": {"type": "array", "items": _ANSWER, "minItems": 2},
        },
        red_flags=_record(
            ["title", "summary", "question", "hint", "none_of_these", "error", "signs"],
            {"source": _SOURCE, "not_sure": _TEXT},
            title=_TEXT,
            summary=_TEXT,
            question=_TEXT,
            hint=_TEXT,
            none_of_these=_TEXT,
            error=_TEXT,
            signs={"type": "array", "items": _RED_FLAG, "minItems": 1},
        ),
        pages={"type": "array", "items": _PAGE, "minItems": 1},
        urgency_rules={"type": "array", "items": _URGENCY_RULE},
        causes={"type": "array", "items": _CAUSE, "minItems": 1},
        treatments={"type": "array", "items": _TREATMENT, "minItems": 1},
        goes_away=_record(
            ["heading", "text"],
            {
                "source": _SOURCE,
                "when": {"$ref": "#/$defs/condition"},
                "variants": {"type": "array", "items": _GOES_AWAY_VARIANT, "minItems": 1},
            },
            heading=_TEXT,
            text={"type": "array", "items": _TEXT, "minItems": 1},
        ),
    ),
}


# --------------------------------------------------------------------------------------------
# scenarios.yaml: cases written by clinicians, run by ``flask --app selfcheck rules test``

#: Answers by question id: one answer id, or a list of them for a "tick all that apply" question.
_ANSWERS = {
    "type": "object",
    "propertyNames": {"pattern": "^[a-z][a-z0-9_]*$"},
    "additionalProperties": {"oneOf": [_ID, {"type": "array", "items": _ID, "minItems": 1}]},
}

_EXPECT = _record(
    ["urgency"],
    {
        "must_list": {"type": "array", "items": _ID},
        "must_not_list": {"type": "array", "items": _ID},
    },
    urgency=_ID,
)

_SCENARIO_KEYS = {
    "start_from": _ID,
    "answers": _ANSWERS,
    "note": _TEXT,
    "story": _TEXT,
    "source": _SOURCE,
}

_SCENARIO = _record(["id", "name", "expect"], _SCENARIO_KEYS, id=_ID, name=_TEXT, expect=_EXPECT)


def _scenarios_schema(
    key: str, item: dict[str, Any], optional: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **_record(
            [key, *extra],
            {
                "starting_points": {
                    "type": "object",
                    "propertyNames": {"pattern": "^[a-z][a-z0-9_]*$"},
                    "additionalProperties": _ANSWERS,
                },
                **(optional or {}),
                **extra,
                key: {"type": "array", "items": item, "minItems": 1},
            },
        ),
    }


SCENARIOS_SCHEMA = _scenarios_schema("scenarios", _SCENARIO)

# vignettes.yaml: scenarios that each tell a person's story and cite the public guidance that
# sets the advice expected, run with the scenarios to measure triage accuracy.
VIGNETTES_SCHEMA = _scenarios_schema(
    "vignettes",
    _record(
        ["id", "name", "story", "source", "expect"],
        _SCENARIO_KEYS,
        id=_ID,
        name=_TEXT,
        expect=_EXPECT,
    ),
    # Written by an author who had not read the rules (vignettes-blind.yaml): advice more
    # urgent than a vignette expects is counted as over-triage, not as a failure.
    optional={"blind": {"type": "boolean"}},
    sources={
        "type": "object",
        "propertyNames": {"pattern": "^[a-z0-9][a-z0-9-]*$"},
        "additionalProperties": _TEXT,
        "minProperties": 1,
    },
)

#: The validators of each file, made once.
RULES = Draft202012Validator(RULES_SCHEMA)
SCENARIOS = Draft202012Validator(SCENARIOS_SCHEMA)
VIGNETTES = Draft202012Validator(VIGNETTES_SCHEMA)


# --------------------------------------------------------------------------------------------
# What is wrong, in plain words

_TYPE_WORDS = {
    "string": "text",
    "object": "a set of keys",
    "array": "a list",
    "integer": "a whole number",
    "boolean": "true or false",
}


#: What a required key is for, in the words of a missing-key message.
PURPOSES = {
    "text": "the question a person reads",
    "label": "the words a person reads for it",
    "reason": "the words that tell a person why",
    "heading": "the words a person reads first",
    "advice": "what a person is told to do",
    "summary": "the words for it on the summary",
    "error": "the message a person sees when it is not answered",
    "name": "the words a person reads for it",
    "about": "the words a person reads about it",
    "ask": "the question a person could ask",
    "source": "where its facts come from",
    "leads_to": "the urgency level it leads to",
    "when": "the condition that makes it apply",
    "level": "the urgency level it sets",
    "default_reason": "why a person gets the default level",
    "message": "what a person reads about the answers that clash",
}


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return f"the number {value}"
    if isinstance(value, str):
        return f'"{value}"' if len(value) < 40 else "text"
    if isinstance(value, list):
        return "a list"
    return "a set of keys"


#: What one item of each list is called in a message: 'question "jerking"'.
_ITEM_WORDS = {
    "pages": "page",
    "questions": "question",
    "signs": "red flag",
    "urgency_levels": "urgency level",
    "urgency_rules": "urgency rule",
    "causes": "cause",
    "treatments": "treatment",
    "answers": "answer",
    **{
        op.value: "item" for op in conditions.keyed() if conditions.OPERATORS[op].written == "terms"
    },
    "advice": "line",
    "text": "line",
    "scenarios": "scenario",
    "vignettes": "vignette",
    "contradictions": "contradiction",
    "variants": "variant",
    "codes": "code",
    "approvals": "approval",
}

#: Lists whose items name themselves (by id), so the list's own key is not said as well.
_SILENT_KEYS = frozenset(_ITEM_WORDS) - {"advice", "text", "variants"}


def _ident(node: Any) -> Any:
    """What an item of a list is called by: its id, an answer's value, a code's code."""
    if not isinstance(node, dict):
        return None
    return node.get("id") or node.get("value") or node.get("code")


def _name(path: Iterable[str | int], data: Any) -> str:
    """Where a value is, in words a clinician can find: 'question "jerking", "text"'."""
    words: list[str] = []
    node = data
    parent: str | None = None
    for step in path:
        if parent == "answer_lists" and isinstance(step, str):
            node = node.get(step) if isinstance(node, dict) else None
            words[-1] = f'answer list "{step}"'
            parent = "answers"
            continue
        if isinstance(step, int):
            node = node[step] if isinstance(node, list) and step < len(node) else None
            label = _ITEM_WORDS.get(parent or "", "item")
            ident = _ident(node)
            words.append(f'{label} "{ident}"' if ident else f'{label} {step + 1} of "{parent}"')
        else:
            node = node.get(step) if isinstance(node, dict) else None
            parent = step
            if step not in _SILENT_KEYS:
                words.append(f'"{step}"')
    return ", ".join(words) if words else "the file"


def _pattern_words(pattern: str) -> str:
    """What a pattern of the schema for ids and keys allows, in words: "^[a-z][a-z0-9_]*$" is a
    short id in lower case letters, digits and _, starting with a letter."""
    classes = re.findall(r"\[([^\]]+)\]", pattern)
    if not classes:  # pragma: no cover - every pattern of the schema has a class of letters
        return f"text that matches {pattern}"
    names = {"a-z": "lower case letters", "0-9": "digits"}

    def words(chars: str) -> list[str]:
        found = [names[r] for r in names if r in chars]
        rest = chars
        for r in names:
            rest = rest.replace(r, "")
        return found + list(rest)

    allowed = words(classes[-1])
    listed = ", ".join(allowed[:-1]) + " and " + allowed[-1] if len(allowed) > 1 else allowed[0]
    kind = "a short id" if "_" in classes[-1] else "a short key"
    first = words(classes[0]) if len(classes) > 1 and classes[0] != classes[-1] else []
    start = ", starting with a letter" if first == ["lower case letters"] else ""
    return f"{kind} in {listed}{start}"


def _shape_message(error: ValidationError, data: Any) -> tuple[KeyPath, str, bool]:
    """A plain sentence for one schema error, and whether it points at a key."""
    path = tuple(error.absolute_path)
    where = _name(path, data)
    kind = error.validator
    schema: Any = error.schema
    instance: Any = error.instance
    value: Any = error.validator_value
    if kind == "required":
        missing = error.message.split("'")[1]
        purpose = f" ({PURPOSES[missing]})" if missing in PURPOSES else ""
        return path, f'{where} is missing "{missing}"{purpose}', False
    if kind == "additionalProperties":
        known = list(schema.get("properties", {}))
        extra = [k for k in instance if k not in known]
        key = extra[0] if extra else "?"
        if not path and key in OLD_REVIEW_KEYS:
            return (
                (key,),
                f'"{key}" is no longer written by hand: the approvals record who approved which '
                'content. Delete "status", "reviewed_by" and "review_date", then run '
                '"flask --app selfcheck rules approve" (see docs/rules.md)',
                True,
            )
        hint = difflib.get_close_matches(key, known, n=1)
        suggestion = (
            f' (did you mean "{hint[0]}"?)'
            if hint
            else (f" (allowed here: {', '.join(known)})" if known else "")
        )
        return path + (key,), f'unknown key "{key}" in {where}{suggestion}', True
    if kind == "type":
        wanted = _TYPE_WORDS.get(value, value) if isinstance(value, str) else "text"
        if path and path[-1] == "code" and isinstance(instance, int):
            return path, f'{where} must be in quotes ("{instance}") so that no digit is lost', False
        return path, f"{where} should be {wanted}, not {_describe(instance)}", False
    if kind == "enum":
        options = ", ".join(str(o) for o in value)
        return path, f"{where} must be one of: {options} (found {_describe(instance)})", False
    if kind == "const":
        return path, f'{where} must be "{value}"', False
    if kind == "minLength":
        return path, f"{where} is empty; write the words a person will read", False
    if kind in ("minItems", "minProperties"):
        return path, f"{where} needs at least {error.validator_value} item(s)", False
    if kind == "pattern":
        if path and path[-1] == "date":
            return path, f"{where} must be a date written as YYYY-MM-DD", False
        if path and path[-1] == "fingerprint":
            return path, f"{where} must be the 64 hex digits of a fingerprint", False
        # A key of a mapping (such as a source's) is named where it is written.
        is_key = "propertyNames" in error.schema_path
        found = f"{_pattern_words(value)} (found {_describe(error.instance)})"
        if is_key:
            return path + (str(error.instance),), f"a key of {where} must be {found}", True
        return path, f"{where} must be {found}", False
    if kind in ("minimum", "maximum"):
        low, high = schema.get("minimum"), schema.get("maximum")
        if low is not None and high is not None:
            bounds = f"from {low} to {high}"
        elif low is not None:
            bounds = f"of at least {low}"
        else:
            bounds = f"of at most {high}"
        return path, f"{where} must be a whole number {bounds} (found {instance})", False
    if kind == "oneOf":
        if path and path[-1] == "when" and isinstance(error.instance, str):
            return path, f'{where} must be a condition, or exactly "{NO_OTHER_CAUSE}"', False
        if path and path[-1] == "answers":
            return path, f'{where} must name a list from "answer_lists" or list the answers', False
        best = min(error.context or [], key=lambda e: len(e.absolute_path), default=None)
        if best is not None:
            return _shape_message(best, data)
        return path, f"{where} is not written in a form this file allows", False
    return path, f"{where}: {error.message}", False  # pragma: no cover - every kind above


def problems(doc: Document, validator: Draft202012Validator) -> list[Problem]:
    """Every place where ``doc`` does not have the shape ``validator`` wants, in plain words."""
    found = []
    seen: set[tuple[KeyPath, str]] = set()
    for error in sorted(validator.iter_errors(doc.data), key=lambda e: list(map(str, e.path))):
        path, message, is_key = _shape_message(error, doc.data)
        if (path, message) in seen:
            continue
        seen.add((path, message))
        found.append(doc.problem(path, message, key=is_key))
    return sorted(found, key=lambda p: (p.line, p.column))
