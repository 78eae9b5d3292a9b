"""Clinical codes in rules.yaml: SNOMED CT and ICD-10 codes of questions, answers and causes.

The schema (:mod:`.shape`) allows the systems by their short names; this module checks the form
of each code (a SNOMED CT concept id has a Verhoeff check digit) and that its source exists, and
turns the YAML into :class:`~selfcheck.rules.model.Code` records. Plain Python, no web framework.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Protocol

from selfcheck.rules.document import KeyPath
from selfcheck.rules.model import SYSTEMS, Code


class Notes(Protocol):
    """Where problems are noted: :class:`selfcheck.rules.build.Notes`."""

    def error(self, path: KeyPath, message: str, key: bool = False) -> None: ...

    def source(self, item: Mapping[str, Any], path: KeyPath, owner: str) -> str | None: ...


#: The dihedral group D5, the multiplication of the Verhoeff check.
_D5 = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
#: The permutation applied to a digit by its place from the right, repeating every 8 places.
_STEP = (1, 5, 7, 6, 2, 8, 3, 0, 9, 4)


def _permuted(digit: int, place: int) -> int:
    for _ in range(place % 8):
        digit = _STEP[digit]
    return digit


def verhoeff_ok(number: str) -> bool:
    """Whether the last digit of ``number`` is its Verhoeff check digit."""
    check = 0
    for place, char in enumerate(reversed(number)):
        check = _D5[check][_permuted(int(char), place)]
    return check == 0


_SNOMED = re.compile(r"[1-9][0-9]{5,17}")
_ICD_10 = re.compile(r"[A-Z][0-9]{2}(\.[0-9]+)?")
#: The partition of a SNOMED CT id (its 2nd and 3rd digits from the right) of a concept; other
#: partitions are ids of descriptions or relationships, which a code must not be.
_CONCEPT_PARTITIONS = ("00", "10")


def _problem(system: str, code: str) -> str | None:
    """What is wrong with the form of ``code`` in ``system`` (a short name), or None."""
    if system == "icd-10":
        if _ICD_10.fullmatch(code):
            return None
        return (
            f'ICD-10 code "{code}" must be a capital letter and two digits, then if needed a dot '
            "and more digits (for example G35 or G80.1)"
        )
    if not _SNOMED.fullmatch(code):
        return f'SNOMED CT code "{code}" must be 6 to 18 digits, not starting with 0'
    if not verhoeff_ok(code):
        return (
            f'SNOMED CT code "{code}" has a wrong check digit (its last digit); copy the '
            "concept id again from the source"
        )
    if code[-3:-1] not in _CONCEPT_PARTITIONS:
        return (
            f'SNOMED CT code "{code}" is not the id of a concept (it may be the id of a '
            "description); copy the concept id from the source"
        )
    return None


def codes_of(item: Mapping[str, Any]) -> tuple[Code, ...]:
    """The codes of a question, answer, red flag or cause, as records (checked by :func:`check`)."""
    return tuple(
        Code(SYSTEMS.get(c["system"], c["system"]), c["code"], c["display"], c["source"])
        for c in item.get("codes", ())
    )


def check(notes: Notes, item: Mapping[str, Any], path: KeyPath, owner: str) -> None:
    """Notes every code of ``item`` whose form is wrong, whose source does not exist, or that is
    listed twice."""
    seen: set[tuple[str, str]] = set()
    for i, spec in enumerate(item.get("codes", ())):
        where = path + ("codes", i)
        key = (spec["system"], spec["code"])
        wrong = _problem(*key)
        if wrong:
            notes.error(where + ("code",), f"{owner}: {wrong}")
        if key in seen:
            notes.error(where + ("code",), f'{owner} lists the code "{spec["code"]}" twice')
        seen.add(key)
        notes.source(spec, where, f'{owner}, code "{spec["code"]}"')
