"""The shape of rules.yaml, declared as data (JSON Schema).

The loader checks a rules file against RULES_SCHEMA first, then checks what a schema cannot say
(references between items, duplicate ids, safety rules). Every key named here is described for
clinicians in docs/rules.md, and so is every key of SCENARIOS_SCHEMA (scenarios.yaml); a test
fails when one is not.
"""

from __future__ import annotations

from typing import Any

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


_ANSWER = _record(
    ["value", "label", "worry"], {"hint": _TEXT}, value=_ID, label=_TEXT, worry=_WORRY
)

_CONDITION: dict[str, Any] = {
    "type": "object",
    "minProperties": 1,
    "properties": {
        "question": _ID,
        "is": {"oneOf": [_ID, {"type": "array", "items": _ID, "minItems": 1}]},
        "includes": {"oneOf": [_ID, {"type": "array", "items": _ID, "minItems": 1}]},
        "any": {"type": "array", "items": {"$ref": "#/$defs/condition"}, "minItems": 1},
        "all": {"type": "array", "items": {"$ref": "#/$defs/condition"}, "minItems": 1},
        "not": {"$ref": "#/$defs/condition"},
    },
    "additionalProperties": False,
}

_QUESTION = _record(
    ["id", "type", "text", "answers", "summary", "error"],
    {"hint": _TEXT, "none_of_these": _ID, "source": _SOURCE},
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
    {"hint": _TEXT, "source": _SOURCE},
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
    {"source": _SOURCE},
    id=_ID,
    name=_TEXT,
    about=_TEXT,
    when={"oneOf": [{"$ref": "#/$defs/condition"}, {"const": NO_OTHER_CAUSE}]},
)

_TREATMENT = _record(
    ["id", "name", "about", "ask"],
    {"source": _SOURCE},
    id=_ID,
    name=_TEXT,
    about=_TEXT,
    ask=_TEXT,
)

RULES_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$defs": {"condition": _CONDITION},
    **_record(
        [
            "version",
            "status",
            "reviewed_by",
            "review_date",
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
        ],
        version=_TEXT,
        status={"enum": ["draft", "approved"]},
        reviewed_by={"type": "string"},
        review_date={"type": "string", "pattern": r"^(\d{4}-\d{2}-\d{2})?$"},
        sources={
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"pattern": "^[a-z][a-z0-9-]*$"},
            "additionalProperties": _TEXT,
        },
        urgency_levels={"type": "array", "items": _URGENCY_LEVEL, "minItems": 2},
        default_level=_ID,
        answer_lists={
            "type": "object",
            "propertyNames": {"pattern": "^[a-z][a-z0-9_]*$"},
            "additionalProperties": {"type": "array", "items": _ANSWER, "minItems": 2},
        },
        red_flags=_record(
            ["title", "summary", "question", "hint", "none_of_these", "error", "signs"],
            {"source": _SOURCE},
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
            {"source": _SOURCE},
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

_SCENARIO = _record(
    ["id", "name", "expect"],
    {"start_from": _ID, "answers": _ANSWERS, "note": _TEXT},
    id=_ID,
    name=_TEXT,
    expect=_EXPECT,
)

SCENARIOS_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    **_record(
        ["scenarios"],
        {
            "starting_points": {
                "type": "object",
                "propertyNames": {"pattern": "^[a-z][a-z0-9_]*$"},
                "additionalProperties": _ANSWERS,
            }
        },
        scenarios={"type": "array", "items": _SCENARIO, "minItems": 1},
    ),
}
