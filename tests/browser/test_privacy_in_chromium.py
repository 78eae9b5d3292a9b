"""In a real browser: every request stays on the app's own origin, answers travel only in POST
bodies, and the Content Security Policy lets the app's own files work while it blocks any other."""

from __future__ import annotations

import urllib.parse

import pytest
from playwright.sync_api import Page, Request, expect

from ..testing.answers import SOON
from .states import RED_FLAG, clicked

pytestmark = pytest.mark.browser


def test_every_request_of_a_journey_goes_to_the_app_alone(page: Page, live_server: str):
    requests: list[Request] = []
    page.context.on("request", lambda request: requests.append(request))
    problems: list[str] = []
    page.on(
        "console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None
    )
    page.goto("/")
    page.get_by_role("button", name="Start now").click()
    clicked(SOON)(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Book an appointment with a doctor in the next few days or weeks"
    )
    page.locator("summary", has_text="Your answers").click()
    page.get_by_role("button", name="Change your answer to: When they started").click()
    page.get_by_role("button", name="Continue").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the summary (PDF)").click()
    assert download.value.suggested_filename.endswith(".pdf")
    page.get_by_role("link", name="Privacy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacy")

    origin = urllib.parse.urlsplit(live_server)
    assert len(requests) >= 10
    for request in requests:
        url = urllib.parse.urlsplit(request.url)
        assert (url.scheme, url.netloc) == (origin.scheme, origin.netloc), request.url
        assert not url.query, f"nothing in a web address: {request.url}"
    posts = [r for r in requests if r.method == "POST"]
    assert {urllib.parse.urlsplit(r.url).path for r in posts} == {"/check", "/summary.pdf"}
    assert all("csrf_token=" in (r.post_data or "") for r in posts), "answers go in POST bodies"
    assert any("where=ankles" in (r.post_data or "") for r in posts)
    assert not any(r.headers.get("referer") for r in requests), "no Referer is sent"
    assert problems == [], "no policy blocked the app's own files, and no other error"


def test_the_policy_lets_the_apps_own_style_and_script_work(page: Page):
    page.goto("/check")
    # selfcheck.css: the start button's colours; selfcheck.js: None of these unticks the rest.
    background = page.locator(".button").first.evaluate("b => getComputedStyle(b).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "rgb(239, 239, 239)"), "the CSS applies"
    page.get_by_label(RED_FLAG).check()
    page.get_by_label("None of these").check()
    expect(page.get_by_label(RED_FLAG)).not_to_be_checked()


def test_the_policy_blocks_inline_and_outside_code(page: Page):
    """If markup ever got into a page, the browser would refuse to run or load it."""
    page.goto("/check")
    page.evaluate("""() => {
        window.refused = [];
        document.addEventListener('securitypolicyviolation',
                                  event => window.refused.push(event.effectiveDirective));
        const inline = document.createElement('script');
        inline.textContent = 'window.ranInline = true';
        document.body.append(inline);
        const outside = document.createElement('img');
        outside.src = 'https://tracker.example/pixel.png';
        document.body.append(outside);
        const handler = document.createElement('div');
        handler.setAttribute('onclick', 'window.clicked = true');
        document.body.append(handler);
        handler.click();
        const style = document.createElement('style');
        style.textContent = 'body { display: none }';
        document.head.append(style);
    }""")
    page.wait_for_function("window.refused.length >= 4")
    assert sorted(set(page.evaluate("window.refused"))) == [
        "img-src",
        "script-src-attr",
        "script-src-elem",
        "style-src-elem",
    ]
    assert page.evaluate("window.ranInline") is None
    assert page.evaluate("window.clicked") is None
    expect(page.get_by_role("heading", level=1)).to_be_visible()
