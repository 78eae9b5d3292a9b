"""The rules in other languages, from the gettext catalogs beside the rules file.

``rules.yaml``'s translations live beside it as ``rules.LANG.po`` (``rules.es.po``), so a
clinic's own rules file carries its own. Each message is one text of :mod:`.texts`, keyed by its
name (``msgctxt``) and its English words (``msgid``): when a clinician changes an English text,
the old translation no longer matches, and that text has no current translation.

A language is all or nothing. Its :class:`Translation` holds the whole rule set in that
language only while every patient-facing text has a current translation (present, not empty,
not fuzzy, with the same placeholders as the English); otherwise ``rules`` is None (the
language is withheld) and ``problems`` says what is missing or stale, each at the line of the
English text. The translated rule set is built from the file with only its texts replaced, by
the same builder as the English, so ids, answer values, conditions and levels are the same.

Each catalog carries its own review status in its header comment::

    # Translated by: selfcheck team (machine-assisted draft)
    # Reviewed by: Dr A. Example, consultant neurologist, fluent in Spanish
    # Review date: 2026-01-31

For the web layer: call :func:`translations` once at start-up, beside :func:`load`. For a page
in language L, use ``found[L].rules`` in place of the English rules when it is not None (the
same evaluation, in L's words); when it is None, say in L that the translation is being updated
and link to English, and show nothing of the rules in L. ``status_words`` is the review status
to show with the summary. Placeholders such as ``{emergency_number}`` are filled as in English.

Plain Python, no web framework (Babel's catalog reader only).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.pofile import PoFileError, read_po

from selfcheck.rules.build import build
from selfcheck.rules.document import Document, KeyPath, Problem, has_errors, parse, read_text
from selfcheck.rules.model import Rules
from selfcheck.rules.texts import Text, replaced, texts

#: What a catalog that nobody has reviewed says of itself.
NOT_REVIEWED = "translated, not yet reviewed by a clinician fluent in the language"

_PLACEHOLDER = re.compile(r"\{[^}]*\}")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(_[A-Z]{2})?$")


@dataclass(frozen=True)
class Translation:
    """The rules in one language, or why that language is withheld."""

    language: str
    #: The same rule set with every patient-facing text in this language; None when the
    #: language is withheld (a text missing, fuzzy or stale), so that no page mixes languages.
    rules: Rules | None
    #: What is missing or stale, each at the line of the English text in the rules file.
    problems: tuple[Problem, ...]
    translated_by: str
    reviewed_by: str
    review_date: str
    #: The catalog this comes from.
    file: str = ""

    @property
    def offered(self) -> bool:
        return self.rules is not None

    @property
    def reviewed(self) -> bool:
        return bool(self.reviewed_by and self.review_date)

    @property
    def status_words(self) -> str:
        """The review status as the review page and the summary say it."""
        if self.reviewed:
            by = self.translated_by or "unknown"
            return f"translated by {by}, reviewed by {self.reviewed_by} on {self.review_date}"
        return NOT_REVIEWED

    @property
    def state_words(self) -> str:
        """Whether the language is offered, in a few words: "complete" or "withheld: …"."""
        if self.offered:
            return "complete, offered to patients"
        count = len(self.problems)
        return f"withheld from patients (English instead): {count} problem{'s' * (count != 1)}"

    def report(self) -> str:
        """One line on the language, for ``rules check``: its file, state and review status."""
        by = f", by {self.translated_by}" if self.translated_by and not self.reviewed else ""
        return (
            f"{Path(self.file).name}: {self.english_name} ({self.name}): {self.state_words}; "
            f"{self.status_words}{by}"
        )

    @property
    def name(self) -> str:
        """The language's name in its own words: "español", "العربية"."""
        return _locale_name(self.language, self.language)

    @property
    def english_name(self) -> str:
        """The language's name in English: "Spanish", "Arabic"."""
        return _locale_name(self.language, "en")


def _locale_name(language: str, shown_in: str) -> str:
    try:
        return Locale.parse(language).get_display_name(shown_in) or language
    except (ValueError, UnknownLocaleError):
        return language


def catalogs(rules_file: str | Path) -> dict[str, Path]:
    """The catalogs beside a rules file, by language: ``rules.es.po`` for ``rules.yaml``."""
    path = Path(rules_file)
    found = {}
    for po in sorted(path.parent.glob(f"{path.stem}.*.po")):
        language = po.name[len(path.stem) + 1 : -len(".po")]
        if _LANGUAGE.match(language):
            found[language] = po
    return found


def translations(rules: Rules) -> dict[str, Translation]:
    """Every language of ``rules``, from each ``rules.LANG.po`` beside ``rules.path``, made from
    the text the rules were loaded from (``Rules.file_text``), never from the file again. Rules
    made some other way have no text: their file is read, and if it no longer holds them, no
    language is offered."""
    found = catalogs(rules.path)
    if not found:
        return {}
    doc = parse(rules.file_text or read_text(rules.path, "there is no rules file here"), rules.path)
    if not rules.file_text:
        again, problems = build(doc)
        if has_errors(problems) or replace(again, warnings=rules.warnings) != rules:
            # The file changed since ``rules`` were made: its texts could belong to other rules.
            return {language: _changed(rules, language, po) for language, po in found.items()}
    english = list(texts(doc))
    return {
        language: translation(rules, doc, english, language, po) for language, po in found.items()
    }


def _changed(rules: Rules, language: str, po: Path) -> Translation:
    message = (
        f"{po.name}: {Path(rules.path).name} has changed since it was loaded, so no language is "
        "offered until the app starts again with it"
    )
    problem = Problem(rules.path, 1, 1, message, "warning")
    return Translation(language, None, (problem,), "", "", "", str(po))


def _review(catalog: Catalog) -> dict[str, str]:
    """The review status written in a catalog's header comment, "# Reviewed by: …"."""
    status = {}
    for line in (catalog.header_comment or "").splitlines():
        key, sep, value = line.lstrip("#").partition(":")
        if sep:
            status[key.strip().lower()] = value.strip()
    return status


def translation(
    rules: Rules, doc: Document, english: list[Text], language: str, po: Path
) -> Translation:
    """The rules in ``language`` from the catalog ``po``, or why the language is withheld."""
    try:
        with po.open("rb") as file:
            catalog = read_po(file, abort_invalid=True)
    except (OSError, PoFileError, UnicodeDecodeError, ValueError) as error:
        message = f"{po.name}: the catalog cannot be read, so the language is withheld: {error}"
        problem = Problem(str(po), 1, 1, message, "warning")
        return Translation(language, None, (problem,), "", "", "", str(po))
    status = _review(catalog)
    words, problems = _looked_up(catalog, english, po.name, rules.path)
    translated: Rules | None = None
    if not problems:
        built, found = build(replaced(doc, words))
        if has_errors(found):
            problems = [
                replace(p, severity="warning", message=f"{po.name}: {p.message}")
                for p in found
                if p.severity == "error"
            ]
        else:
            # The approval is of the content, whatever its language: the same fingerprint and
            # status as the English (a language has its own review status besides).
            translated = replace(
                built,
                warnings=rules.warnings,
                fingerprint=rules.fingerprint,
                approvals=rules.approvals,
            )
    return Translation(
        language=language,
        rules=translated,
        problems=tuple(problems),
        translated_by=status.get("translated by", ""),
        reviewed_by=status.get("reviewed by", ""),
        review_date=status.get("review date", ""),
        file=str(po),
    )


def _looked_up(
    catalog: Catalog, english: list[Text], po_name: str, rules_file: str
) -> tuple[dict[KeyPath, str], list[Problem]]:
    """The translation of each text, by its path in the file, and every text without a
    current one."""
    contexts = {message.context for message in catalog if message.id}
    words: dict[KeyPath, str] = {}
    problems = []
    file_name = Path(rules_file).name
    for text in english:
        message = catalog.get(text.english, context=text.context)
        why = None
        if message is None:
            why = (
                "the English text changed since it was translated"
                if text.context in contexts
                else "it is not in the catalog"
            )
        elif message.fuzzy:
            why = "it is marked fuzzy (a translator must check it against the English)"
        elif not isinstance(message.string, str) or not message.string.strip():
            why = "it is not translated yet"
        elif sorted(_PLACEHOLDER.findall(message.string)) != sorted(
            _PLACEHOLDER.findall(text.english)
        ):
            why = "it must keep the same {placeholders} as the English, untranslated"
        if why is None:
            assert message is not None and isinstance(message.string, str)
            words[text.path] = message.string
            continue
        problems.append(
            Problem(
                rules_file,
                text.line,
                text.column,
                f"{po_name}: {text.context} ({file_name} line {text.line}) has no current "
                f"translation: {why}",
                "warning",
            )
        )
    if catalog.fuzzy:
        problems.insert(
            0,
            Problem(
                rules_file,
                1,
                1,
                f"{po_name}: the whole catalog is marked fuzzy; a translator must check it and "
                'remove "#, fuzzy" from its header',
                "warning",
            ),
        )
    return words, problems
