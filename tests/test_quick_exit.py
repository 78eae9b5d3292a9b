"""Exit this page (issue 22): on every page of the check, a link to a plain page that says
nothing of health and deletes the answers the browser holds. These tests follow it without
JavaScript, as the link alone; tests/browser/test_quick_exit_in_chromium.py presses the button,
and Shift three times, in Chromium."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from selfcheck.rules import Rules
from selfcheck.web.kept import COOKIE

from .testing.answers import AFTER_A_FIT, CHILD, PREGNANT, SOON
from .testing.languages import page_text_in
from .testing.pages import headings, title, visible_text
from .testing.visitor import Journey, hours_later

#: Where the button leads, in each language.
LEAVE = {"en": "/leave", "es": "/es/leave", "ar": "/ar/leave"}

#: Pages with no answers, reached by their address.
PAGES = ["/", "/check", "/privacy", "/help", "/contact", "/accessibility", "/start-again"]


def exit_links(html: str) -> list[str]:
    """Where each "Exit this page" link of a page leads."""
    return re.findall(r'<a[^>]*href="([^"]*)"[^>]*data-exit[^>]*>', html)


def first_link(html: str) -> str:
    """The address of the first link after the skip link: the first a keyboard reaches."""
    links = re.findall(r'<a [^>]*href="([^"]*)"', html)
    assert links[0] == "#main", "the skip link comes first"
    return links[1]


@pytest.mark.parametrize("code", ["en", "es", "ar"])
@pytest.mark.parametrize("path", PAGES)
def test_every_page_offers_the_exit_first(journey: Journey, path: str, code: str):
    prefix = "" if code == "en" else f"/{code}"
    journey.open(prefix + path)
    assert journey.response.status_code == 200
    # Once, at the top: the footer has no room on a phone's page within its screens.
    assert exit_links(journey.html) == [LEAVE[code]]
    assert first_link(journey.html) == LEAVE[code]


def test_every_step_and_the_result_offer_the_exit(journey: Journey, rules: Rules):
    journey.open("/check")
    for _ in rules.pages:
        assert first_link(journey.html) == LEAVE["en"], title(journey.html)
        journey.answer_page(SOON)
        if 'id="urgency-heading"' in journey.html:
            break
    assert first_link(journey.html) == LEAVE["en"], "the result too"
    journey.open("/no-such-page")
    assert journey.response.status_code == 404
    assert first_link(journey.html) == LEAVE["en"], "an error page too"


def test_leaving_deletes_the_answers_and_the_session(journey: Journey):
    journey.open("/check")
    journey.answer_until("strength", SOON)
    assert journey.client.get_cookie(COOKIE) is not None, "the answers so far are held"
    assert journey.client.get_cookie("selfcheck") is not None
    left = journey.client.get(LEAVE["en"])
    assert left.status_code == 200
    deleted = [h for h in left.headers.getlist("Set-Cookie") if "Expires=Thu, 01 Jan 1970" in h]
    assert {h.split("=")[0] for h in deleted} == {COOKIE, "selfcheck"}, deleted
    assert journey.client.get_cookie(COOKIE) is None
    assert journey.client.get_cookie("selfcheck") is None
    assert left.headers["Cache-Control"] == "no-store"
    # The pages the tab's history still holds show no answer: each leads to an empty check.
    for path in ("/check/3", "/check/4", "/result"):
        page = journey.client.get(path)
        assert page.status_code == 303 and page.headers["Location"] == "/check", path
    journey.open("/check")
    assert not re.search(r"<input[^>]* checked", journey.html)
    assert title(journey.html) == "Step 1 – Self-check"


@pytest.mark.parametrize("code", ["en", "es", "ar"])
def test_the_page_left_for_says_nothing_of_health(journey: Journey, rules: Rules, code: str):
    journey.open(LEAVE[code])
    html = journey.html
    assert re.search(rf'<html lang="{code}" dir="(ltr|rtl)">', html)
    text = visible_text(html).lower()
    words = {"clonus", "health", "symptom", "check", "salud", "síntoma", "الصحة", "أعراض"}
    words |= {"autoevaluación", "الرمع", "فحص"}
    assert not [word for word in words if word in text], text
    assert len(headings(html)) == 1, "only today's date"
    # Nothing that leads back or names the service: no link, script, style or icon.
    assert not re.search(r"<(a|script|link|form|img)\b", html), html
    assert title(html) == {"en": "Today", "es": "Hoy", "ar": "اليوم"}[code]


def test_the_link_alone_leaves_without_javascript(journey: Journey):
    """With no script, the link is followed as any link: the person gets the plain page, and
    every answer is gone."""
    journey.open("/check")
    journey.answer_until("symptoms", SOON)
    journey.open(exit_links(journey.html)[0])
    assert title(journey.html) == "Today"
    assert journey.client.get_cookie(COOKIE) is None


#: Words that would tell a person who sees the tab or the browser's history what the check is
#: about: symptoms, the conditions and medicines asked about, parts of the body, in each language.
#: English and Spanish words match at the start of a word ("symptom" in "symptoms"); Arabic ones
#: anywhere, as Arabic joins "the", "and" and "your" to a word ("أعراضك": "your symptoms").
TELLING = {
    "en": """clonus symptom sign jerk twitch spasm stiff muscle reflex weak numb tingl pain
        seizure fit collapse faint stroke sclerosis palsy spinal spine brain head nerve kidney
        liver epilep meningitis encephalitis diabetes cancer infection pregnan birth baby child
        medicine medication drug alcohol antidepressant tramadol lithium baclofen diazepam
        insulin warfarin parkinson ankle knee leg wrist hand foot feet arm face body health
        illness strength balance feeling""",
    "es": """clonus síntoma señal signo sacudida espasmo rigidez muscul músculo reflejo
        debilidad entumec hormigueo dolor convulsi desmayo ictus esclerosis parálisis médula
        columna cerebr cabeza nervio riñón renal hígado epilep meningitis encefalitis diabetes
        cáncer infecci embaraz parto bebé niño medicina medicamento droga alcohol antidepresiv
        tramadol litio baclofeno diazepam insulina warfarina parkinson tobillo rodilla pierna
        muñeca mano pie brazo cara cuerpo salud enfermedad fuerza equilibrio sensibilidad""",
    "ar": """الرمع أعراض علامات ارتعاش تشنج تيبس عضل منعكس ضعف خدر ألم نوبة إغماء سكتة تصلب
        شلل شوكي دماغ رأس عصب كلى كبد صرع التهاب سكري سرطان عدوى حمل ولادة رضيع طفل دواء أدوية
        مخدرات كحول كاحل ركبة ساق رسغ قدم ذراع وجه جسم صحة صحي مرض القوة توازن إحساس""",
}

#: Answers that between them lead to every page of questions: a pregnant adult is asked every
#: adult's page, a child's parent the page about the child, and after a fit the page about it.
EVERY_PAGE = (PREGNANT, CHILD, AFTER_A_FIT)


def telling_words(text: str, code: str) -> list[str]:
    """The words of TELLING[code] that ``text`` has."""
    text = text.lower()
    if code == "ar":
        return [word for word in TELLING[code].split() if word in text]
    return [word for word in TELLING[code].split() if re.search(rf"\b{word}", text)]


def test_the_list_of_telling_words_finds_them():
    """The check below can fail: today's headings, which the titles once repeated, are caught."""
    assert telling_words("Medicines, drugs and alcohol (step 9 of 11)", "en")
    assert telling_words("Sobre la convulsión o el desmayo", "es")
    assert telling_words("أعراضك", "ar") == ["أعراض"]
    assert not telling_words("Step 3 of 7 – Self-check", "en")


@pytest.mark.parametrize("code", ["en", "es", "ar"])
def test_no_title_before_the_result_says_what_the_check_is_about(
    client: FlaskClient, rules: Rules, code: str
):
    """A person on a shared phone or computer: the tab and the browser's history show each
    page's title, so until the result no title names a symptom, a condition, a medicine or a
    part of the body, nor the check's subject. Every page of questions is walked (with and
    without errors), then the other pages a person can open. The headings on the page still
    say it: they are on screen, not in the history."""
    prefix = "" if code == "en" else f"/{code}"
    journey = Journey(client, rules, prefix)
    titles: dict[str, str] = {}
    seen = set()
    for answers in EVERY_PAGE:
        journey.start_again()
        titles["step 1"] = title(journey.html)
        journey.submit("next")  # nothing answered: the page again, with its errors
        titles["step 1 with an error"] = title(journey.html)
        for _ in rules.pages:
            shown = dict(journey.form().fields)["page"]
            seen.add(shown)
            titles[f"page {shown}"] = title(journey.html)
            journey.answer_page(answers)
            if 'id="urgency-heading"' in journey.html:
                break
        titles["start again, with answers"] = title(journey.open(f"{prefix}/start-again").text)
    assert seen == {page.id for page in rules.pages}, "every page of questions is walked"
    journey.start_again()
    with hours_later(5):
        journey.submit("next", {"red_flags": "none"})
    titles["a page left open for hours"] = title(journey.html)
    assert journey.response.status_code == 400
    for path in (
        ["/", "/privacy", "/help", "/contact", "/accessibility", "/start-again"]
        + [
            "/no-such-page",
            "/summary.pdf",
        ]
        + (["/rules"] if code == "en" else [])
    ):
        client.delete_cookie(COOKIE)
        titles[path] = title(journey.open(prefix + path).text)
    told = {where: (shown, telling_words(shown, code)) for where, shown in titles.items()}
    assert not {where: said for where, said in told.items() if said[1]}


@pytest.mark.parametrize("code", ["en", "es", "ar"])
def test_the_privacy_page_says_what_the_titles_hide(client: FlaskClient, code: str):
    """What the tab and the history show, told where a person reads what "Exit this page" can
    and cannot hide, in each language."""
    prefix = "" if code == "en" else f"/{code}"
    text = visible_text(client.get(f"{prefix}/privacy").get_data(as_text=True))
    step = page_text_in(code, "Step %(step)s") % {"step": 3}
    named = f"{step} – {page_text_in(code, 'Self-check')}"
    assert named in text, "an example of a title before the result"
    said = {"en": "no title names a symptom", "es": "ningún título nombra un síntoma"}
    said["ar"] = "لا يذكر أي عنوان عَرَضًا"
    assert said[code] in text
