"""Exit this page (issue 22): on every page of the check, a link to a plain page that says
nothing of health and deletes the answers the browser holds. These tests follow it without
JavaScript, as the link alone; tests/browser/test_quick_exit_in_chromium.py presses the button,
and Shift three times, in Chromium."""

from __future__ import annotations

import re

import pytest

from selfcheck.rules import Rules
from selfcheck.web.kept import COOKIE

from .testing.answers import SOON
from .testing.pages import headings, title, visible_text
from .testing.visitor import Journey

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
    assert "(step 1)" in title(journey.html)


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
