"""Catalogs of the rules' texts written for a test, as a translator would leave them."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from selfcheck.rules.document import parse
from selfcheck.rules.texts import Text, texts

from .rules import ROOT

#: The languages the shipped rules are translated into.
SHIPPED_LANGUAGES = ("es", "ar")

#: A header comment of a catalog that nobody has reviewed yet.
DRAFT_HEADER = (
    "# Test translation of rules.yaml.\n"
    "# Translated by: the test suite\n"
    "# Reviewed by:\n"
    "# Review date:"
)

#: The fields of the records that are not words a person reads: ids, answer values, sources,
#: the review record, the parts of a condition, and the clinical codes (SNOMED CT and ICD-10 terms
#: for a receiving system and the review page, never shown to a patient). Every other text of every
#: record must be translated.
NOT_TEXT = frozenset(
    {
        "id",
        "kind",
        "value",
        "source",
        "page_id",
        "path",
        "version",
        "status",
        "reviewed_by",
        "review_date",
        "fingerprint",
        "approvals",
        "op",
        "question",
        "sources",
        "values",
        "none_of_these",  # in a record, the value of the "None of these" answer
        "file_text",  # the rules file as loaded, in English: what the translations are made from
        "codes",
    }
)


#: Who translated the shipped catalogs, as each catalog says it, in its own language (a Spanish
#: or Arabic page that shows it never mixes in English).
TRANSLATED_BY = {
    "es": "equipo de selfcheck (borrador hecho con ayuda de una máquina)",
    "ar": "فريق selfcheck (مسودة أُعدّت بمساعدة آلية)",
}


def english_texts(rules_file: Path) -> list[Text]:
    return list(texts(parse(rules_file.read_text(encoding="utf-8"), str(rules_file))))


def marked(english: str) -> str:
    """A pretend translation that a test can tell from the English: «…», placeholders kept."""
    return f"«{english}»"


def write_catalog(
    rules_file: Path,
    language: str = "es",
    translate: Callable[[str], str] = marked,
    leave_out: Iterable[str] = (),
    fuzzy: Iterable[str] = (),
    header: str = DRAFT_HEADER,
) -> Path:
    """``rules.LANG.po`` beside ``rules_file`` with every text translated by ``translate``,
    but for the contexts in ``leave_out`` (absent) and ``fuzzy`` (marked fuzzy)."""
    left_out, unsure = set(leave_out), set(fuzzy)
    catalog = Catalog(locale=language, header_comment=header, fuzzy=False)
    for text in english_texts(rules_file):
        if text.context in left_out:
            continue
        flags = ("fuzzy",) if text.context in unsure else ()
        catalog.add(text.english, translate(text.english), context=text.context, flags=flags)
    po = rules_file.with_name(f"{rules_file.stem}.{language}.po")
    with po.open("wb") as file:
        write_po(file, catalog, width=0)
    return po


def words_of(record: Any, where: str = "rules") -> Iterator[tuple[str, str]]:
    """Every text a person could read in a rule set's records, with where it is: walks every
    field of every record, but for those in :data:`NOT_TEXT`."""
    if isinstance(record, str):
        yield where, record
    elif dataclasses.is_dataclass(record):
        for field in dataclasses.fields(record):
            if field.name not in NOT_TEXT and field.name != "warnings":
                yield from words_of(getattr(record, field.name), f"{where}.{field.name}")
    elif isinstance(record, Mapping):
        for key, value in record.items():
            yield from words_of(value, f"{where}[{key}]")
    elif isinstance(record, (tuple, list, frozenset)):
        for i, item in enumerate(record):
            yield from words_of(item, f"{where}[{i}]")


def placeholders(text: str) -> list[str]:
    return re.findall(r"\{[^}]*\}", text)


def with_shipped_catalogs(rules_file: Path) -> Path:
    """``rules_file`` with the shipped catalogs (rules.es.po, rules.ar.po) copied beside it."""
    for language in SHIPPED_LANGUAGES:
        shipped = ROOT / f"rules.{language}.po"
        beside = rules_file.with_name(f"{rules_file.stem}.{language}.po")
        beside.write_bytes(shipped.read_bytes())
    return rules_file
