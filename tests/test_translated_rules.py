"""The shipped translations of the rules: complete, the same advice as English, every word a
person reads in the language, and as easy to read as the English.

Every scenario and vignette is run against the English rules and each translation: the level
and the conditions listed must be the same, and each text shown must be the translation of the
English text in the same place, so that no English is left on a translated page.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator

import pytest
import textstat
from babel.messages.pofile import read_po

from selfcheck.outcome import Outcome, evaluate
from selfcheck.paths import scenarios_for
from selfcheck.rules import Rules
from selfcheck.rules.translations import NOT_REVIEWED, Translation, translations
from selfcheck.scenarios import Scenario, load_scenarios

from .testing.rules import ROOT, RULES_FILE
from .testing.translations import SHIPPED_LANGUAGES, TRANSLATED_BY, english_texts

ARABIC_LETTERS = range(0x0600, 0x0700)


@pytest.fixture(scope="module")
def shipped(rules: Rules) -> dict[str, Translation]:
    return translations(rules)


def cases(rules: Rules) -> list[Scenario]:
    found: list[Scenario] = []
    for name in ("scenarios.yaml", "vignettes.yaml"):
        found += load_scenarios(scenarios_for(RULES_FILE, name), rules).scenarios
    return found


def shown(outcome: Outcome) -> Iterator[str]:
    """Every text of the rules that the outcome page and the summary show, in order."""
    yield outcome.level.name
    yield outcome.level.heading
    yield from outcome.level.advice
    for flag in outcome.red_flags:
        yield from (flag.label, flag.reason)
    for reason in outcome.reasons:
        yield reason.text
    for linked in (*outcome.causes, *((c, ()) for c in outcome.other_causes)):
        yield from (linked[0].name, linked[0].about)
    for because in outcome.answers:
        yield because.question.summary
        yield from because.labels
    yield from outcome.goes_away


def catalog_of(language: str) -> dict[str, set[str]]:
    """Each English text of the rules, and its translations in ``language``."""
    with (ROOT / f"rules.{language}.po").open("rb") as file:
        catalog = read_po(file)
    found: dict[str, set[str]] = defaultdict(set)
    for message in catalog:
        if message.id and isinstance(message.id, str) and isinstance(message.string, str):
            found[message.id].add(message.string)
    return found


@pytest.mark.parametrize("language", SHIPPED_LANGUAGES)
def test_the_shipped_translation_is_complete_and_offered(shipped, language):
    translation = shipped[language]
    assert translation.problems == ()
    assert translation.offered
    assert translation.translated_by == TRANSLATED_BY[language]
    assert translation.reviewed_by == "" and translation.review_date == ""
    assert translation.status_words == NOT_REVIEWED


@pytest.mark.parametrize("language", SHIPPED_LANGUAGES)
def test_every_scenario_and_vignette_gets_the_same_advice_in_translation(rules, shipped, language):
    translated = shipped[language].rules
    assert translated is not None
    every = cases(rules)
    assert len(every) > 40
    for case in every:
        english, other = evaluate(rules, case.answers), evaluate(translated, case.answers)
        assert other.level.id == english.level.id, case.id
        assert [c.cause.id for c in other.listed] == [c.cause.id for c in english.listed], case.id
        assert [f.id for f in other.red_flags] == [f.id for f in english.red_flags], case.id
        assert len(other.reasons) == len(english.reasons), case.id
        assert case.met_by(other), case.id


@pytest.mark.parametrize("language", SHIPPED_LANGUAGES)
def test_what_a_translated_outcome_shows_is_all_in_that_language(rules, shipped, language):
    translated = shipped[language].rules
    assert translated is not None
    words = catalog_of(language)
    english_only = {text for text, own in words.items() if text not in own}
    for case in cases(rules):
        english = list(shown(evaluate(rules, case.answers)))
        other = list(shown(evaluate(translated, case.answers)))
        assert len(other) == len(english), case.id
        for mine, theirs in zip(english, other, strict=True):
            assert theirs in words[mine], f"{case.id}: {theirs!r} is not a translation of {mine!r}"
            assert theirs not in english_only, f"{case.id}: English left: {theirs!r}"
            if language == "ar":
                assert any(ord(c) in ARABIC_LETTERS for c in theirs), theirs


@pytest.mark.parametrize("language", SHIPPED_LANGUAGES)
def test_every_translation_keeps_the_emergency_number_and_no_english_sentence(language):
    with (ROOT / f"rules.{language}.po").open("rb") as file:
        catalog = read_po(file)
    for text in english_texts(RULES_FILE):
        message = catalog.get(text.english, context=text.context)
        assert message is not None and isinstance(message.string, str), text.context
        translated = message.string
        assert translated.count("{emergency_number}") == text.english.count("{emergency_number}")
        if len(text.english.split()) > 3:
            assert translated != text.english, f"{text.context} is still in English"


def as_sentences(texts: list[str]) -> str:
    return " ".join(t if t[-1] in ".?!»" else f"{t}." for t in texts)


def test_the_spanish_rules_read_as_easily_as_the_english():
    """Fernández-Huerta and Szigriszt-Pazos (INFLESZ) are Flesch's reading ease fitted to
    Spanish: 70 or more is "fairly easy", the level of a leaflet for the public."""
    english = [t.english for t in english_texts(RULES_FILE)]
    words = catalog_of("es")
    spanish = [next(iter(words[text])) for text in english]
    english_ease = textstat.flesch_reading_ease(as_sentences(english))
    textstat.set_lang("es")
    try:
        huerta = textstat.fernandez_huerta(as_sentences(spanish))
        szigriszt = textstat.szigriszt_pazos(as_sentences(spanish))
    finally:
        textstat.set_lang("en_US")
    assert huerta >= 70 and szigriszt >= 65
    assert huerta >= english_ease - 10, "about the same ease as the English"


def sentences(text: str) -> int:
    return len(re.findall(r"[.?!؟](?:\s|$)", text))


@pytest.mark.parametrize("language", SHIPPED_LANGUAGES)
def test_the_translations_keep_the_short_sentences_of_the_english(language):
    """No text joins the English sentences into longer ones, and the texts are about as long:
    a rough check of the reading level that works for Arabic too, which textstat cannot score."""
    with (ROOT / f"rules.{language}.po").open("rb") as file:
        messages = [m for m in read_po(file) if m.id]
    assert len(messages) == len(english_texts(RULES_FILE))
    for message in messages:
        assert isinstance(message.id, str) and isinstance(message.string, str)
        assert sentences(message.string) >= sentences(message.id), message.context
    english = sum(len(str(m.id).split()) for m in messages)
    translated = sum(len(str(m.string).split()) for m in messages)
    assert 0.7 <= translated / english <= 1.3
