"""The pages in Spanish (/es/…) and Arabic (/ar/…): the language in the address alone, every
link, form and redirect keeping it, a language link on every page, Accept-Language only
suggesting, nothing stored, and a language withheld, in its own words, while its rules text or
its pages' text is incomplete.

The rules' text of each language comes from the shipped rules.es.po and rules.ar.po
(tests/testing/languages.py); their own tests are in tests/test_translations.py.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from unittest import mock

import pytest
import textstat
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from werkzeug.datastructures import MultiDict

from selfcheck.rules import Rules
from selfcheck.web import language

from .conftest import what_can_change
from .testing.answers import SOON
from .testing.languages import PREFIX, every_language, offering, translation
from .testing.pages import blocks, headings, pdf_text, title
from .testing.visitor import Journey

#: The pages a link can open, by their address after the language's prefix.
PAGES = ["/", "/check", "/privacy", "/help", "/contact", "/accessibility", "/start-again"]

SAME_SITE = {"Sec-Fetch-Site": "same-origin"}


def links(html: str) -> list[tuple[str, bool]]:
    """Every address a link, form or button of the page leads to, and whether it is a link to
    another language (which names its language)."""
    found = re.findall(r'(?:href|action|formaction)="([^"#]*)[^"]*"( lang=)?', html)
    return [(address, bool(other)) for address, other in found if address]


def cookie_names(response) -> set[str]:
    return {value.split("=")[0] for value in response.headers.getlist("Set-Cookie")}


def catalog(code: str) -> dict[str, str]:
    """Each message of the pages' catalog of ``code`` and its translation (none is plural)."""
    path = language.CATALOGS / code / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as file:
        return {str(m.id): str(m.string) for m in read_po(file) if m.id}


@pytest.fixture(scope="module")
def translated(rules: Rules):
    """One app for the module with both translations, as the shipped catalogs give them: the
    tests only send it requests (making one takes about a second)."""
    with offering(every_language(rules)) as app:
        pass  # the translations are read when the app is made
    before = what_can_change(app)
    yield app
    assert what_can_change(app) == before, "a test changed the module's app"


@pytest.fixture(scope="session")
def rules_page_text(rules: Rules) -> set[str]:
    """The blocks of text of the review page /rules, which the pages in every language show
    in the rules' own words: worked out once, as the page is long and takes long to make."""
    with offering(every_language(rules)) as app:
        return set(blocks(app.test_client().get("/rules").get_data(True)))


@pytest.mark.parametrize("code", ["en", "es", "ar"])
def test_the_language_and_its_direction_come_from_the_address(translated, code):
    html = translated.test_client().get(f"{PREFIX[code]}/").get_data(True)
    direction = "rtl" if code == "ar" else "ltr"
    assert f'<html lang="{code}" dir="{direction}">' in html
    words = {"en": "Check your symptoms of clonus", "es": "Revise sus síntomas de clonus"}
    words["ar"] = "افحص أعراض الرمع العضلي"
    assert headings(html)[0] == words[code]
    # The title says nothing of health (the browser's history keeps it), in the same language.
    named = {
        "en": "Start the check – Self-check",
        "es": "Empezar la autoevaluación – Autoevaluación",
    }
    named["ar"] = "بدء الفحص – الفحص الذاتي"
    assert title(html) == named[code]


@pytest.mark.parametrize("code", ["es", "ar"])
def test_every_link_form_and_redirect_keeps_the_language(translated, rules, code):
    """A whole check in one language: each page's links and forms, and each redirect of the
    journey (POST, 303, GET), stay under its address; only the static files, the clinicians'
    English rules page and the links to the other languages leave it."""
    client = translated.test_client()
    journey = Journey(client, rules, PREFIX[code])
    seen = [journey.open(f"{PREFIX[code]}/check")]
    journey.submit("next", {"red_flags": "none"})
    seen += [journey.response, *journey.response.history]
    for _ in rules.pages:
        if 'id="urgency-heading"' in journey.html:
            break
        journey.answer_page(SOON)
        seen += [journey.response, *journey.response.history]
    assert 'id="urgency-heading"' in journey.html, "the journey reached its result"
    seen += [client.get(f"{PREFIX[code]}{path}") for path in PAGES]
    for response in seen:
        location = response.headers.get("Location")
        if location:
            assert location.startswith(f"{PREFIX[code]}/"), location
        for address, other_language in links(response.get_data(True)):
            if address.startswith(("/static/", "/rules", "tel:", "https:", "mailto:")):
                continue
            assert address.startswith(f"{PREFIX[code]}/") != other_language, address


@pytest.mark.parametrize("path", PAGES)
def test_a_language_link_on_every_page_names_each_language_in_itself(translated, path):
    client = translated.test_client()
    for code in PREFIX:
        html = client.get(f"{PREFIX[code]}{path}").get_data(True)
        for other, name in (("en", "English"), ("es", "Español"), ("ar", "العربية")):
            link = f'href="{PREFIX[other]}{path}" lang="{other}"'
            assert (link in html and f">{name}</a>" in html) == (other != code), (code, other)


def test_accept_language_suggests_a_link_and_never_redirects(translated):
    client = translated.test_client()
    for path in ("/", "/check", "/privacy"):
        response = client.get(path, headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"})
        assert response.status_code == 200 and "Location" not in response.headers
        html = response.get_data(True)
        assert f'<a href="/es{path}" lang="es" hreflang="es">Esta página en español</a>' in html
        html = client.get(path, headers={"Accept-Language": "ar"}).get_data(True)
        assert f'<a href="/ar{path}" lang="ar" hreflang="ar">هذه الصفحة بالعربية</a>' in html
        for said in ("en-GB,en", ""):
            plain = client.get(path, headers={"Accept-Language": said}).get_data(True)
            assert 'class="suggestion' not in plain
    # On the Spanish page, a Spanish browser is not told about Spanish.
    html = client.get("/es/check", headers={"Accept-Language": "es"}).get_data(True)
    assert 'class="suggestion' not in html


def test_choosing_a_language_stores_nothing(translated):
    """No cookie, no session: the address alone says the language."""
    for path in PAGES:
        english = translated.test_client().get(path)
        for code in ("es", "ar"):
            client = translated.test_client()
            response = client.get(f"{PREFIX[code]}{path}", headers={"Accept-Language": code})
            # The same cookies as the English page (a page with a form has its token's).
            assert cookie_names(response) == cookie_names(english), path
            assert '<html lang="en"' in client.get(path).get_data(True)


@pytest.mark.parametrize("code", ["es", "ar"])
@pytest.mark.parametrize("path", [*PAGES, "/no-such-page"])
def test_a_page_in_a_language_holds_none_of_the_english_page_text(
    translated, rules_page_text, code, path
):
    """Every block of text on a page in Spanish or Arabic differs from the English page's,
    but for the rules' own text (the English rules stand in for it here), names and numbers,
    and the few words the language writes as English does ("Error:", "PDF")."""
    client = translated.test_client()
    english = client.get(path)
    translated_page = client.get(f"{PREFIX[code]}{path}")
    assert english.status_code == translated_page.status_code
    same = {m for m, s in catalog(code).items() if m == s}
    rules_text = rules_page_text
    shared = set(blocks(english.get_data(True), None)) & set(
        blocks(translated_page.get_data(True), None)
    )
    left = {
        text
        for text in shared - same - rules_text
        if re.search(r"[a-z]{3,} [a-z]{3,}", text) and text not in ("English",)
    }
    assert not left, f"untranslated on {PREFIX[code]}{path}: {sorted(left)}"


def test_every_page_text_is_translated_and_current_in_each_catalog():
    """Each language's catalog gives every message of the pages a translation that is not
    fuzzy; and messages.pot holds every message the templates and the web layer have now."""
    template = language.CATALOGS / "messages.pot"
    with template.open("rb") as file:
        wanted = {m.id for m in read_po(file) if m.id}
    for code in language.TRANSLATED:
        assert language.catalog_problems(code) == [], code
        path = language.CATALOGS / code / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as file:
            found = read_po(file)
        assert {m.id for m in found if m.id and m.string and not m.fuzzy} >= wanted, code


def test_a_withheld_language_says_so_in_itself_and_links_to_english():
    """With no rules text in Spanish or Arabic, every page under /es/ and /ar/ says, in that
    language alone, that the translation is being updated, with a link to the same page in
    English; English pages offer neither."""
    with offering({"es": translation(None), "ar": translation(None)}) as app:
        client = app.test_client()
    words = {
        "es": ("Estamos actualizando esta traducción", "Ver esta página en inglés"),
        "ar": ("نعمل على تحديث هذه الترجمة", "عرض هذه الصفحة بالإنجليزية"),
    }
    for code in ("es", "ar"):
        for path in ["/check", "/result", "/privacy", "/check/3", "/no-such-page"]:
            response = client.get(f"{PREFIX[code]}{path}")
            html = response.get_data(True)
            assert response.status_code == 503
            assert f'<html lang="{code}"' in html
            assert title(html).startswith(words[code][0])
            # The same page in English; a page that does not exist, the English start.
            english = "/" if path == "/no-such-page" else path
            assert f'href="{english}" hreflang="en" role="button">{words[code][1]}<' in html
            main = blocks(html)
            assert not any(re.search(r"\b(the|you|your|this)\b", text) for text in main), main
        # A form sent to a withheld language gets the same page, never advice in English.
        flag = {"red_flags": "breathing_trouble"}
        sent = client.post(f"{PREFIX[code]}/check", data=flag, headers=SAME_SITE)
        assert sent.status_code == 503 and words[code][0] in sent.get_data(True)
    for path in PAGES:
        html = client.get(path).get_data(True)
        assert "Español" not in html and "العربية" not in html and "/es/" not in html


def test_a_language_with_no_rules_text_beside_the_rules_file_says_it_is_not_translated():
    """A clinic's rules file with no rules.es.po or rules.ar.po beside it: the pages of those
    languages say the check is not available in them, not that "the English text has changed"
    (issue 22), and the log says which file is missing."""
    with offering({}) as app:
        client = app.test_client()
    said = {
        "es": ("Esta autoevaluación no está disponible en este idioma", "todavía no se han"),
        "ar": ("هذا الفحص غير متاح بهذه اللغة", "لم تُترجم"),
    }
    changed = {"es": "ha cambiado", "ar": "تغيّر"}
    for code in ("es", "ar"):
        response = client.get(f"{PREFIX[code]}/check")
        html = response.get_data(True)
        assert response.status_code == 503
        assert title(html).startswith(said[code][0])
        assert said[code][1] in html
        assert changed[code] not in html, "nothing changed: there is no translation"


def test_a_language_is_withheld_while_its_rules_text_is_stale(rules):
    """The rules' translations say Spanish has a stale text: Spanish is withheld, Arabic is
    offered, and English links to Arabic alone."""
    given = {"es": translation(None), "ar": translation(rules)}
    with offering(given) as app:
        client = app.test_client()
        assert client.get("/es/check").status_code == 503
        assert client.get("/ar/check").status_code == 200
        html = client.get("/check").get_data(True)
        assert 'href="/ar/check"' in html and 'href="/es/check"' not in html


def test_a_language_is_withheld_while_a_page_text_is_fuzzy_or_missing(rules, tmp_path: Path):
    """The pages' catalog of Spanish with one message marked fuzzy (its English changed) and
    Arabic's with one left out: both languages are withheld, and the log says which text."""
    catalogs = tmp_path / "translations"
    shutil.copytree(language.CATALOGS, catalogs)
    for code, change in (("es", "fuzzy"), ("ar", "missing")):
        po = catalogs / code / "LC_MESSAGES" / "messages.po"
        with po.open("rb") as file:
            found = read_po(file, locale=code)
        message = found["Start now"]
        if change == "fuzzy":
            message.flags.add("fuzzy")
        else:
            message.string = ""
        with po.open("wb") as file:
            write_po(file, found)
        with (po.with_suffix(".mo")).open("wb") as file:
            write_mo(file, found)
        problems = language.catalog_problems(code, catalogs)
        assert problems == [f"the pages' text 'Start now' has no current translation into {code}"]
    with mock.patch.object(language, "CATALOGS", catalogs), offering(every_language(rules)) as app:
        client = app.test_client()
        assert client.get("/es/").status_code == client.get("/ar/").status_code == 503
        assert "Español" not in client.get("/").get_data(True)


@pytest.mark.parametrize("code", ["es", "ar"])
def test_the_summary_and_the_pdf_say_who_translated_and_that_no_clinician_reviewed(
    translated, rules, code
):
    client = translated.test_client()
    journey = Journey(client, rules, PREFIX[code])
    journey.complete(SOON)
    words = {
        "es": "Todavía no lo ha revisado un profesional sanitario que hable bien español.",
        "ar": "لم يراجعه بعدُ طبيب يتقن العربية.",
    }
    assert words[code] in journey.html
    form = MultiDict([*journey.form().fields, ("go", "pdf")])
    pdf = client.post(f"{PREFIX[code]}/summary.pdf", data=form, headers=SAME_SITE)
    assert pdf.mimetype == "application/pdf"
    text = pdf_text(pdf.data)
    if code == "es":
        assert words[code] in text
        assert "Autoevaluación del clonus: resumen para una cita" in text
        assert "Página 1 de 2" in text
    english = Journey(app_client := translated.test_client(), rules)
    english.complete(SOON)
    assert "reviewed by a clinician fluent" not in english.html and app_client


def test_a_review_by_a_fluent_clinician_is_shown_once_recorded(rules):
    given = {"es": translation(rules, "Dra. Ana Ruiz", "2026-12-01"), "ar": translation(rules)}
    with offering(given) as app:
        journey = Journey(app.test_client(), rules, "/es")
        journey.complete(SOON)
    assert "Revisado el 2026-12-01 por Dra. Ana Ruiz" in journey.html


def test_the_pdf_in_arabic_is_set_right_to_left_in_arabic(translated, rules):
    """Typst sets the Arabic summary right to left, in Arabic (its shaping joins the letters),
    with the thick rule of the result on the right, where the text starts."""
    from selfcheck.web.pdf import to_typst

    client = translated.test_client()
    journey = Journey(client, rules, "/ar")
    journey.complete(SOON)
    with translated.test_request_context("/ar/summary.pdf"):
        from flask import render_template

        from selfcheck.web.views import today

        html = render_template(
            "summary.html",
            outcome=__import__("selfcheck.outcome").outcome.evaluate(rules, {}),
            carried=[],
            today=today(),
            record_code="",
        )
    source = to_typst(html)
    assert 'lang: "ar", dir: rtl' in source
    assert "right: 6pt + black" in source
    form = MultiDict([*journey.form().fields, ("go", "pdf")])
    pdf = client.post("/ar/summary.pdf", data=form, headers=SAME_SITE).data
    assert b"/Lang (ar)" in pdf or b"/Lang(ar)" in pdf


def test_numbers_are_kept_whole_inside_arabic_text(translated, rules):
    """The emergency number and other numbers are isolated inside Arabic text (<bdi>, or the
    Unicode isolates in a title), so they read left to right and never swap places with the
    words around them."""
    client = translated.test_client()
    start = client.get("/ar/").get_data(True)
    assert "اتصل بالرقم <bdi>999</bdi>" in start
    journey = Journey(client, rules, "/ar")
    journey.open("/ar/check")
    journey.submit("next", {"red_flags": "breathing_trouble"})
    assert "\u2066999\u2069" in title(journey.html)
    assert '<a class="button button-warning" href="tel:999">اتصل بالرقم <bdi>999</bdi></a>' in (
        journey.html
    )
    english = Journey(client, rules)
    english.open("/check")
    english.submit("next", {"red_flags": "breathing_trouble"})
    assert "\u2066" not in english.html


def test_the_catalogs_hold_the_pages_text_as_it_is_now(tmp_path: Path):
    """messages.pot holds exactly the messages the templates and the web layer have now, and
    each messages.mo is compiled from its messages.po: `make translations` was run after the
    last change of a page's words."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    out = tmp_path / "now.pot"
    subprocess.run(
        [Path(sys.executable).with_name("pybabel"), "extract", "-F", "babel.cfg",
         "-k", "lazy_gettext", "--no-location", "-o", str(out), "."],
        cwd=root, check=True, capture_output=True,
    )  # fmt: skip
    with out.open("rb") as now, (language.CATALOGS / "messages.pot").open("rb") as shipped:
        assert {m.id for m in read_po(now)} == {m.id for m in read_po(shipped)}
    import gettext

    for code in language.TRANSLATED:
        po = language.CATALOGS / code / "LC_MESSAGES" / "messages.po"
        with po.open("rb") as file:
            wanted = {m.id: m.string for m in read_po(file) if m.id and not m.fuzzy and m.string}
        with po.with_suffix(".mo").open("rb") as file:
            compiled = gettext.GNUTranslations(file)._catalog  # type: ignore[attr-defined]
        assert {k: v for k, v in compiled.items() if k} == wanted, code


@pytest.mark.parametrize("code", ["es", "ar"])
def test_the_record_for_a_clinic_is_the_approved_english_whatever_the_page_language(
    translated, rules, code
):
    """The download for a clinician's record holds the rules' own (English) words, the ones a
    clinician approves, never a mix of two languages: the same Bundle as from the English page
    but for the time it was made."""

    def bundle(prefix: str) -> str:
        journey = Journey(translated.test_client(), rules, prefix)
        journey.complete(SOON)
        made = journey.submit("fhir").get_data(as_text=True)
        return re.sub(r'"(authored|effectiveDateTime|timestamp|issued)": "[^"]+"', "", made)

    english = bundle("")
    assert bundle(PREFIX[code]) == english
    assert "Why: " in english


def test_the_spanish_pages_read_as_easily_as_the_english():
    """The pages' own text in Spanish at the reading level of the English: Fernández-Huerta and
    Szigriszt-Pazos (Flesch's reading ease fitted to Spanish), 70 or more being "fairly easy",
    and no more than 10 points below the English's Flesch ease. Placeholders and markup aside;
    labels of three words or fewer are not sentences."""

    def plain(text: str) -> str:
        return re.sub(r"%\(\w+\)s|<[^>]+>", "", text).strip()

    def as_sentences(texts: list[str]) -> str:
        return " ".join(t if t[-1] in ".?!»:" else f"{t}." for t in texts if t)

    pairs = [(plain(e), plain(s)) for e, s in catalog("es").items() if len(e.split()) > 3]
    assert len(pairs) > 100
    english_ease = textstat.flesch_reading_ease(as_sentences([e for e, _ in pairs]))
    textstat.set_lang("es")
    try:
        spanish = as_sentences([s for _, s in pairs])
        huerta = textstat.fernandez_huerta(spanish)
        szigriszt = textstat.szigriszt_pazos(spanish)
    finally:
        textstat.set_lang("en_US")
    assert huerta >= 70 and szigriszt >= 65
    assert huerta >= english_ease - 10, "about the same ease as the English"
