"""rules.yaml's texts through gettext: the Babel extractor, rules.pot and `make translations`."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.extract import extract
from babel.messages.pofile import read_po

from selfcheck.rules import RulesError, load
from selfcheck.rules.translations import translations

from .testing.rules import ROOT, RULES_FILE, SHIPPED, edited, line_of
from .testing.translations import SHIPPED_LANGUAGES, english_texts

BIN = Path(sys.executable).parent


def pybabel(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "pybabel"), *args], cwd=cwd, capture_output=True, text=True, check=True
    )


def test_the_extractor_is_registered_and_names_each_text_and_its_line(tmp_path):
    shutil.copy(RULES_FILE, tmp_path / "rules.yaml")
    cfg = ROOT / "deploy" / "babel-rules.cfg"
    pybabel("extract", "-F", str(cfg), "-o", "rules.pot", "rules.yaml", cwd=tmp_path)
    with (tmp_path / "rules.pot").open("rb") as file:
        catalog = read_po(file)
    messages = {(m.context, m.id): m for m in catalog if m.id}
    assert len(messages) == len(english_texts(RULES_FILE)) > 300
    line = line_of(SHIPPED, "text: Do you have jerking or shaking")
    jerking = messages[
        (
            "question jerking / text",
            "Do you have jerking or shaking that you cannot stop, and that beats in a steady "
            "rhythm?",
        )
    ]
    assert jerking.auto_comments == [f"rules.yaml line {line}: question jerking / text"]
    assert jerking.locations == [("rules.yaml", line)]
    yes = messages[("answer list yes_no_not_sure / answer yes / label", "Yes")]
    assert yes.auto_comments[0].startswith("rules.yaml line ")
    call = messages[("urgency level emergency / heading", "Call {emergency_number} now")]
    assert "Keep {emergency_number} as it is: the app fills it in." in call.auto_comments


def test_the_shipped_rules_pot_is_up_to_date():
    """rules.pot holds exactly the texts of rules.yaml: run `make translations` after a change."""
    with (ROOT / "rules.pot").open("rb") as file:
        pot = {(m.context, m.id) for m in read_po(file) if m.id}
    assert pot == {(t.context, t.english) for t in english_texts(RULES_FILE)}


def test_a_file_with_errors_is_not_extracted():
    broken = edited(SHIPPED, ("level: emergency", "level: emergncy"))
    fileobj = io.BytesIO(broken.encode())
    with pytest.raises(RulesError, match="emergncy"):
        list(extract("selfcheck_rules", fileobj))


def test_make_translations_marks_a_changed_text_fuzzy_and_it_is_withheld(tmp_path):
    """`make translations` after a clinician's change: the catalog keeps the old translation as
    fuzzy for the translator to check, and the language stays withheld until they do."""
    old = "heading: Does clonus go away?"
    rules_file = tmp_path / "rules.yaml"
    rules_file.write_text(edited(SHIPPED, (old, "heading: Will clonus go away?")))
    for language in SHIPPED_LANGUAGES:
        shutil.copy(ROOT / f"rules.{language}.po", tmp_path)
    subprocess.run(
        ["make", "-s", "-o", ".venv/.installed", f"BIN={BIN}", f"RULES={rules_file}"]
        + ["translations-rules"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    found = translations(load(rules_file))
    for language in SHIPPED_LANGUAGES:
        with (tmp_path / f"rules.{language}.po").open("rb") as file:
            catalog = read_po(file)
        message = catalog.get("Will clonus go away?", context="goes away / heading")
        assert message is not None and message.fuzzy and message.string
        (problem,) = found[language].problems
        assert "goes away / heading" in problem.message and "fuzzy" in problem.message
        assert found[language].rules is None
        assert found[language].translated_by, "the header comment survives the update"
