"""The rules in other languages: a language is offered whole, or withheld, never mixed.

The catalogs here are written by the tests (tests/testing/translations.py), beside copies of
the shipped rules, so each test knows exactly what is translated and what is not.
"""

from __future__ import annotations

import re
from pathlib import Path

from selfcheck.outcome import evaluate
from selfcheck.rules import load
from selfcheck.rules.translations import NOT_REVIEWED, translations

from .testing.answers import BY_LEVEL, NO_SYMPTOMS, URGENT_MEDICINE, as_sets
from .testing.rules import APPROVED, ROOT, edited, line_of
from .testing.translations import (
    english_texts,
    marked,
    placeholders,
    with_shipped_catalogs,
    words_of,
    write_catalog,
)


def test_a_complete_catalog_gives_the_whole_rule_set_in_that_language(edited_rules):
    path = edited_rules()
    write_catalog(path, "es")
    (spanish,) = translations(load(path)).values()
    assert spanish.language == "es" and spanish.offered and spanish.problems == ()
    english = load(path)
    assert spanish.rules is not None
    assert spanish.rules.questions["jerking"].text == marked(english.questions["jerking"].text)
    assert spanish.rules.emergency.heading == "«Call {emergency_number} now»"


def test_every_text_a_person_reads_is_translated(edited_rules):
    """Walks every record of the rule set: a text the extractor missed stays in English here,
    and fails the test by name."""
    path = edited_rules()
    write_catalog(path, "es")
    spanish = translations(load(path))["es"].rules
    assert spanish is not None
    english = dict(words_of(load(path)))
    left = {where: text for where, text in words_of(spanish) if not text.startswith("«")}
    assert left == {}
    assert len(english) > 300  # the walk reaches every record, not just a few


def test_only_texts_change_in_translation(edited_rules, rules):
    path = edited_rules()
    write_catalog(path, "es")
    spanish = translations(load(path))["es"].rules
    assert spanish is not None
    assert [level.id for level in spanish.levels] == [level.id for level in rules.levels]
    assert spanish.questions.keys() == rules.questions.keys()
    for question in rules.questions.values():
        translated = spanish.questions[question.id]
        assert translated.values == question.values
        assert translated.ask_when == question.ask_when
        assert [a.worry for a in translated.answers] == [a.worry for a in question.answers]
    assert [(r.id, r.level.id, r.when) for r in spanish.urgency_rules] == [
        (r.id, r.level.id, r.when) for r in rules.urgency_rules
    ]
    assert spanish.default_level.id == rules.default_level.id
    assert spanish.version == rules.version and spanish.status == rules.status


def test_the_same_answers_give_the_same_advice_in_translation(edited_rules, rules):
    path = edited_rules()
    write_catalog(path, "es")
    spanish = translations(load(path))["es"].rules
    assert spanish is not None
    for given in (*BY_LEVEL.values(), NO_SYMPTOMS, URGENT_MEDICINE):
        answers = as_sets(given)
        english, translated = evaluate(rules, answers), evaluate(spanish, answers)
        assert translated.level.id == english.level.id
        assert [c.cause.id for c in translated.causes] == [c.cause.id for c in english.causes]
        assert [r.text for r in translated.reasons] == [marked(r.text) for r in english.reasons]


def test_a_missing_text_withholds_the_language_and_names_the_text(edited_rules):
    path = edited_rules()
    write_catalog(path, "es", leave_out=["question jerking / text"])
    spanish = translations(load(path))["es"]
    assert spanish.rules is None and not spanish.offered
    (problem,) = spanish.problems
    line = line_of(path.read_text(), "text: Do you have jerking")
    assert problem.line == line and problem.severity == "warning"
    assert problem.message.startswith(
        f"rules.es.po: question jerking / text (rules.yaml line {line}) has no current translation"
    )


def test_a_fuzzy_text_withholds_the_language(edited_rules):
    path = edited_rules()
    write_catalog(path, "es", fuzzy=["cause stroke / about"])
    spanish = translations(load(path))["es"]
    assert spanish.rules is None
    (problem,) = spanish.problems
    assert "cause stroke / about" in problem.message and "fuzzy" in problem.message


def test_an_empty_translation_withholds_the_language(edited_rules):
    path = edited_rules()
    write_catalog(path, "es", translate=lambda text: "" if text == "None of these" else f"«{text}»")
    spanish = translations(load(path))["es"]
    assert spanish.rules is None
    assert spanish.problems and all("not translated yet" in p.message for p in spanish.problems)


def test_a_changed_english_text_withholds_only_that_language_and_names_the_text(edited_rules):
    path = edited_rules()
    write_catalog(path, "es")
    write_catalog(path, "ar")
    old = "text: Do you have jerking or shaking that you cannot stop"
    path.write_text(edited(path.read_text(), (old, old.replace("jerking", "twitching"))))
    found = translations(load(path))
    assert found["es"].rules is None and found["ar"].rules is None
    for language in ("es", "ar"):
        (problem,) = found[language].problems
        assert problem.line == line_of(path.read_text(), "text: Do you have twitching")
        assert f"rules.{language}.po: question jerking / text" in problem.message
        assert "the English text changed since it was translated" in problem.message


def test_a_translation_that_drops_the_emergency_number_is_withheld(edited_rules):
    path = edited_rules()
    write_catalog(path, "es", translate=lambda text: f"«{text.replace('{emergency_number}', '')}»")
    spanish = translations(load(path))["es"]
    assert spanish.rules is None
    with_number = [t for t in english_texts(path) if placeholders(t.english)]
    assert len(spanish.problems) == len(with_number) > 0
    assert all("{placeholders}" in p.message for p in spanish.problems)


def test_a_translation_with_a_placeholder_the_app_cannot_fill_is_withheld(edited_rules):
    path = edited_rules()
    write_catalog(path, "es", translate=lambda text: f"«{text}»".replace("{emergency", "{numero"))
    assert translations(load(path))["es"].rules is None


def test_the_review_status_comes_from_the_catalog(edited_rules):
    path = edited_rules()
    write_catalog(path, "es")
    header = (
        "# Arabic.\n# Translated by: A. Translator\n"
        "# Reviewed by: Dr B. Example, neurologist, fluent in Arabic\n# Review date: 2026-01-31"
    )
    write_catalog(path, "ar", header=header)
    found = translations(load(path))
    assert found["es"].translated_by == "the test suite"
    assert found["es"].reviewed_by == "" and found["es"].status_words == NOT_REVIEWED
    arabic = found["ar"]
    assert (arabic.translated_by, arabic.reviewed_by, arabic.review_date) == (
        "A. Translator",
        "Dr B. Example, neurologist, fluent in Arabic",
        "2026-01-31",
    )
    assert arabic.status_words == (
        "translated by A. Translator, reviewed by Dr B. Example, neurologist, fluent in Arabic "
        "on 2026-01-31"
    )
    assert (arabic.name, arabic.english_name) == ("العربية", "Arabic")


def test_no_catalog_no_language(edited_rules):
    assert translations(load(edited_rules())) == {}


def test_a_catalog_that_cannot_be_read_withholds_its_language(edited_rules):
    path = edited_rules()
    Path(path.with_name("rules.es.po")).write_text('msgid "unclosed\n', encoding="utf-8")
    spanish = translations(load(path))["es"]
    assert spanish.rules is None and "cannot be read" in spanish.problems[0].message


def test_a_catalog_of_another_rules_file_is_not_read(edited_rules):
    path = edited_rules(name="clinic.yaml")
    write_catalog(path, "es")
    other = path.with_name("rules.ar.po")
    other.write_text(path.with_name("clinic.es.po").read_text(encoding="utf-8"), encoding="utf-8")
    assert list(translations(load(path))) == ["es"]


def test_the_translated_rules_are_built_from_the_text_the_english_was_loaded_from(edited_rules):
    """Loaded rules keep their file's text (Rules.file_text), and each language is built from it: a
    file changed, or gone, after the English was loaded is not read again, so the translated
    rules hold the very questions and rules the English holds."""
    path = edited_rules()
    write_catalog(path, "es")
    loaded = load(path)
    path.write_text(edited(path.read_text(), ("level: urgent", "level: soon")))
    (spanish,) = translations(loaded).values()
    assert spanish.offered and spanish.rules is not None
    assert [r.level.id for r in spanish.rules.urgency_rules] == [
        r.level.id for r in loaded.urgency_rules
    ]
    path.unlink()
    assert translations(loaded)["es"].offered, "the file is not read again"


def test_approved_rules_stay_approved_in_every_language(edited_rules):
    """The approval is of the rules' content, whatever the language: the translated rule set
    names the same fingerprint and status as the English (it has its own review status)."""
    path = with_shipped_catalogs(edited_rules(*APPROVED))
    english = load(path)
    assert english.approved
    for language in translations(english).values():
        assert language.rules is not None
        assert language.rules.fingerprint == english.fingerprint
        assert language.rules.approved and language.rules.status == english.status


def glossary() -> dict[str, dict[str, list[str]]]:
    """docs/translations.md's table of the words each level uses: language, then level, then
    its words ("now; emergency department" is two)."""
    text = (ROOT / "docs" / "translations.md").read_text(encoding="utf-8")
    table = text.split("<!-- glossary: level words -->")[1].split("<!-- end glossary -->")[0]
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in table.strip().splitlines()
    ]
    header, body = rows[0], rows[2:]
    codes = {"English": "en", "Spanish": "es", "Arabic": "ar"}
    found: dict[str, dict[str, list[str]]] = {codes[name]: {} for name in header[1:]}
    for row in body:
        for name, cell in zip(header[1:], row[1:], strict=True):
            found[codes[name]][row[0]] = [word.strip() for word in cell.split(";")]
    return found


def says(text: str, words: str) -> bool:
    """Whether ``text`` holds ``words`` as words (not inside a longer word, "now" in "know")."""
    return re.search(rf"(?<!\w){re.escape(words.casefold())}(?!\w)", text.casefold()) is not None


def test_each_level_reads_apart_in_every_language(rules):
    """The heading and the first line of advice of each level hold a word the glossary
    (docs/translations.md) fixes for that level, and none of the words it fixes for another:
    in Spanish, "urgencias" no longer names both the emergency department and same-day care."""
    words = glossary()
    assert set(words) == {"en", "es", "ar"}
    translated = {code: found.rules for code, found in translations(rules).items()}
    for code, by_level in words.items():
        shown = rules if code == "en" else translated[code]
        assert shown is not None, f"{code}: the rules are translated"
        assert set(by_level) == {level.id for level in shown.levels}
        for level in shown.levels:
            text = f"{level.heading} {level.advice[0]}".replace("{emergency_number}", "999")
            assert any(says(text, word) for word in by_level[level.id]), (code, level.id, text)
            for other, theirs in by_level.items():
                if other != level.id:
                    clash = [word for word in theirs if says(text, word)]
                    assert not clash, f"{code}: {level.id} says {clash} of {other}: {text}"
