"""Every page and state a person can reach, as one table shared by the browser tests and
`make screenshots`.

The accessibility checks (axe, keyboard focus, target sizes, reflow and zoom) and the
screenshots run over STATES, and over TRANSLATED: each state again in Spanish (/es/) and Arabic
(/ar/), its title from the catalogs. To cover a new page, add one line to STATES: its name (the test
id and the screenshot's file name), the title a person hears first, and how to reach it (and, for
a page of questions, whose title names only its step, its heading), for example
``State("help", "Help that is not an emergency – Self-check", opened("/help"))``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Literal

from playwright.sync_api import Page

from ..testing.answers import AFTER_A_FIT, CHILD, PREGNANT, ROUTINE, SOON, URGENT_MEDICINE
from ..testing.browser import BROKEN_PATH, ContextClient
from ..testing.languages import rule_text_in, title_in
from ..testing.visitor import Form, Visitor, forms

SERVICE = "Self-check"
#: The red flag ticked to reach the emergency outcome: its label, and its value.
RED_FLAG = "A drooping face, a weak arm, slurred speech, or a sudden very bad headache"
RED_FLAG_VALUE = "stroke_signs"


#: The address of the language of the state being opened: "", "/es" or "/ar" (State.open).
_prefix = [""]


def go(page: Page, path: str) -> None:
    """Open ``path`` in the language of the state being opened."""
    page.goto(_prefix[0] + path)


def answer(page: Page, answers: Mapping[str, object]) -> None:
    """Tick every answer of ``answers`` that is on the page, by clicking its label."""
    for name, value in answers.items():
        for one in [value] if isinstance(value, str) else value:  # type: ignore[attr-defined]
            if page.locator(f"#q-{name}-{one}").count():
                page.locator(f"label[for='q-{name}-{one}']").click()


def proceed(page: Page, button: str = "Continue") -> None:
    """Press a button that sends the form, and wait until the next page has loaded."""
    with page.expect_navigation():
        if button == "Continue":  # by its value: the same button in every language
            page.locator("button[value=next]").click()
        else:
            page.get_by_role("button", name=button).click()


def opened(path: str) -> Callable[[Page], None]:
    """Reach a page by its address."""

    def reach(page: Page) -> None:
        go(page, path)

    return reach


#: The pages after the emergency check that an adult who is not pregnant is asked.
ADULT_PAGES = (
    "About the person with the symptoms",
    "Your symptoms",
    "Strength, balance and feeling",
    "How you are now",
    "Other signs in the last few days",
    "When it started",
    "Your health background",
    "Medicines, drugs and alcohol",
    "Changes in the last 4 weeks",
)

#: More pages of questions than any journey has: a loop that passes it is stuck on one page.
MOST_PAGES = 14


def answered(answers: Mapping[str, object], pages: int | None = None) -> Callable[[Page], None]:
    """Reach the page that answering ``pages`` question pages from ``answers`` leads to,
    pressing Continue after each; with no number, every page asked (which ones depends on the
    answers) up to the outcome.

    Chromium draws only that last page. The forms before it are sent as their pages would send
    them (every hidden field, and each answer of ``answers`` that the page offers) from the
    browser context's own HTTP client, whose cookies are the browser's: so the browser holds
    the same answers, in the same cookie, as after clicking through, and the page it opens is
    the one a person reaches. :func:`clicked` answers each page in Chromium instead, as a
    person does; the journeys are tested that way (test_journey_in_chromium.py and others)."""

    def reach(page: Page) -> None:
        visitor = Visitor(ContextClient(page.context.request))
        visitor.open(_prefix[0] + "/check")
        for _ in range(MOST_PAGES if pages is None else pages):
            if pages is None and not asks_more(visitor.html):
                break
            form = visitor.form()
            visitor.submit("next", offered(form, answers), form=form)
        else:
            if pages is None:
                raise AssertionError(f"still asked questions after {MOST_PAGES} pages")
        page.goto(visitor.client.url)

    return reach


def asks_more(html: str) -> bool:
    """Whether a page has a Continue button: a page of questions, not the outcome."""
    return any(button.get("value") == "next" for form in forms(html) for button in form.buttons)


def offered(form: Form, answers: Mapping[str, object]) -> dict[str, str | list[str]]:
    """The answers of ``answers`` that ``form`` offers, as :func:`answer` ticks them."""
    found: dict[str, str | list[str]] = {}
    for name, value in answers.items():
        values = [value] if isinstance(value, str) else list(value)  # type: ignore[call-overload]
        ticked = [one for one in values if one in form.inputs.get(name, [])]
        if ticked:
            found[name] = ticked[0] if isinstance(value, str) else ticked
    return found


def clicked(answers: Mapping[str, object], pages: int | None = None) -> Callable[[Page], None]:
    """As :func:`answered`, with every page drawn in Chromium and answered there as a person
    does it: each answer's label clicked, then Continue."""

    def reach(page: Page) -> None:
        go(page, "/check")
        if pages is not None:
            for _ in range(pages):
                answer(page, answers)
                proceed(page)
            return
        for _ in range(MOST_PAGES):
            if not page.locator("button[value=next]").count():
                return
            answer(page, answers)
            proceed(page)
        raise AssertionError(f"still asked questions after {MOST_PAGES} pages: {page.title()}")

    return reach


def with_errors(answers: Mapping[str, object], pages: int) -> Callable[[Page], None]:
    """Answer ``pages`` pages, then press Continue on the next one with nothing answered."""

    def reach(page: Page) -> None:
        answered(answers, pages)(page)
        proceed(page)

    return reach


def clash(page: Page) -> None:
    """The symptoms page sent with "I do not have any of these symptoms" and a "Yes"."""
    answered(SOON, 2)(page)
    answer(page, {**SOON, "where": "nowhere"})
    proceed(page)


def emergency(page: Page) -> None:
    go(page, "/check")
    page.locator(f"#q-red_flags-{RED_FLAG_VALUE}").check()
    proceed(page)


def stale_form(page: Page) -> None:
    """A form whose security code has run out, as after a page left open for hours."""
    go(page, "/check")
    page.locator("#q-red_flags-none").check()
    page.locator("input[name=csrf_token]").evaluate("input => { input.value = 'stale'; }")
    proceed(page)


def form_from_another_site(page: Page) -> None:
    """A form on another website that posts to the check: the browser says it is cross-site."""
    go(page, "/")
    check = page.url.rstrip("/") + "/check"
    page.goto("about:blank")
    page.set_content(
        f'<form method="post" action="{check}"><input type="hidden" name="page" '
        'value="emergency_check"><input type="hidden" name="red_flags" value="none">'
        '<button name="go" value="next">Continue</button></form>'
    )
    proceed(page)


def oversized_form(page: Page) -> None:
    """A form far larger than any real set of answers (a forged one)."""
    go(page, "/check")
    page.locator("form").evaluate(
        "form => { const extra = document.createElement('input'); extra.type = 'hidden';"
        " extra.name = 'padding'; extra.value = 'x'.repeat(100000); form.append(extra); }"
    )
    proceed(page)


def forged_form(page: Page) -> None:
    """A form with a field no page sends (a changed or forged form)."""
    go(page, "/check")
    page.locator("#q-red_flags-none").check()
    page.locator("form").evaluate(
        "form => { const extra = document.createElement('input'); extra.type = 'hidden';"
        " extra.name = 'is_admin'; extra.value = 'yes'; form.append(extra); }"
    )
    proceed(page)


@dataclass(frozen=True)
class State:
    """One page in one state, and how a person gets there."""

    name: str
    title: str
    reach: Callable[[Page], object]
    media: Literal["screen", "print"] = "screen"
    #: The language's address: "" (English), "/es", "/ar".
    prefix: str = ""
    #: A page of questions: its heading (h1), which says what the page asks about. Its title
    #: names only the step, so that the browser's history says nothing of health (issue 22):
    #: the same step of two journeys has one title, and the heading tells them apart.
    heading: str = ""

    def open(self, page: Page) -> None:
        # A new visitor: no answers held from a page opened before.
        page.context.clear_cookies()
        page.emulate_media(media="screen")
        _prefix[0] = self.prefix
        try:
            self.reach(page)
        finally:
            _prefix[0] = ""
        page.emulate_media(media=self.media)
        # Chromium loads a stylesheet for another medium late, without holding up the page.
        page.wait_for_function(
            "[...document.querySelectorAll('link[rel=stylesheet]')].every(link => link.sheet)"
        )


def result(heading: str) -> str:
    """A result's title: the advice itself."""
    return f"{heading} – {SERVICE}"


#: Each level: the heading of its advice, and how a person gets there.
OUTCOMES = {
    "emergency": ("Call 999 now", emergency),
    "urgent": ("Contact a doctor or urgent care today", answered(URGENT_MEDICINE)),
    "soon": ("Book an appointment with a doctor in the next few days or weeks", answered(SOON)),
    "routine": ("Talk to a doctor at a routine appointment", answered(ROUTINE)),
}


def every_section_open(reach: Callable[[Page], object]) -> Callable[[Page], None]:
    """Reach a result, then open every section that folds, as a person who reads it all."""

    def open_all(page: Page) -> None:
        reach(page)
        folded = page.locator("details:not([open]) > summary")
        while folded.count():
            folded.first.click()

    return open_all


def start_again_asked(page: Page) -> None:
    """Tap "Start again" in the footer part way through the check."""
    answered(SOON, 2)(page)
    with page.expect_navigation():
        page.locator(".footer-links a[href$='/start-again']").click()


def went_back(page: Page) -> None:
    """Answer three pages, then press the browser's Back button: step 3 again, as answered.
    The third is answered in Chromium, so that Back has a page of the browser's own to go to."""
    answered(SOON, 2)(page)
    answer(page, SOON)
    proceed(page)
    page.go_back()


def exited(page: Page) -> None:
    """Answer two pages, then press "Exit this page" at the top of the third."""
    answered(SOON, 2)(page)
    with page.expect_navigation():
        page.locator(".exit-bar a[data-exit]").click()


def question_page(
    name: str, step: str, heading: str, reach: Callable[[Page], object], errors: bool = False
) -> State:
    """A page of questions: its title names only its step ("Step 9 of 11"), and its heading
    what it asks about."""
    title = f"{'Error: ' if errors else ''}Step {step} – {SERVICE}"
    return State(name, title, reach, heading=heading)


STATES = [
    State("start", f"Start the check – {SERVICE}", opened("/")),
    question_page("emergency-check", "1", "Check for emergency signs", opened("/check")),
    question_page(
        "emergency-check-with-errors",
        "1",
        "Check for emergency signs",
        with_errors({}, 0),
        errors=True,
    ),
    question_page("about", "2", "About the person with the symptoms", answered(SOON, 1)),
    question_page("child", "3", "How the baby or child is", answered(CHILD, 2)),
    question_page("symptoms", "3", "Your symptoms", answered(SOON, 2)),
    question_page("symptoms-with-errors", "3", "Your symptoms", with_errors(SOON, 2), errors=True),
    question_page("symptoms-with-answers-that-clash", "3", "Your symptoms", clash, errors=True),
    question_page("strength", "4", "Strength, balance and feeling", answered(SOON, 3)),
    question_page("how-you-are-now", "5", "How you are now", answered(SOON, 4)),
    question_page("other-recent-signs", "6", "Other signs in the last few days", answered(SOON, 5)),
    question_page("fit", "7", "About the fit or collapse", answered(AFTER_A_FIT, 6)),
    question_page("onset", "7", "When it started", answered(SOON, 6)),
    question_page("background", "8", "Your health background", answered(SOON, 7)),
    question_page("medicines", "9 of 11", "Medicines, drugs and alcohol", answered(PREGNANT, 8)),
    question_page(
        "medicine-changes", "10 of 11", "Changes in the last 4 weeks", answered(PREGNANT, 9)
    ),
    question_page("pregnancy", "11 of 11", "Pregnancy and a recent birth", answered(PREGNANT, 10)),
    *(State(f"outcome-{level}", result(name), reach) for level, (name, reach) in OUTCOMES.items()),
    *(
        State(f"print-{level}", result(name), reach, media="print")
        for level, (name, reach) in OUTCOMES.items()
    ),
    State(
        "outcome-urgent-every-section-open",
        result(OUTCOMES["urgent"][0]),
        every_section_open(answered(URGENT_MEDICINE)),
    ),
    question_page("back-to-symptoms", "3", "Your symptoms", went_back),
    State("start-again", f"Do you want to start again? – {SERVICE}", start_again_asked),
    State(
        "start-again-with-no-answers",
        f"Start the check from the beginning – {SERVICE}",
        opened("/start-again"),
    ),
    State("privacy", f"Privacy – {SERVICE}", opened("/privacy")),
    # The plain page "Exit this page" leads to: nothing of the check's layout, no name.
    State("left", "Today", exited),
    State("accessibility", f"Accessibility statement – {SERVICE}", opened("/accessibility")),
    State("contact", f"Contact and feedback – {SERVICE}", opened("/contact")),
    State("help", f"Help that is not an emergency – {SERVICE}", opened("/help")),
    State("rules", f"The clinical rules, version 0.1.0 – {SERVICE}", opened("/rules")),
    # Its parts fold (closed at first): a reviewer who opens every one reads all of it.
    State(
        "rules-every-part-open",
        f"The clinical rules, version 0.1.0 – {SERVICE}",
        every_section_open(opened("/rules")),
    ),
    State("form-expired", f"Please confirm your answers – {SERVICE}", stale_form),
    State(
        "form-from-another-site",
        f"Please start the check again – {SERVICE}",
        form_from_another_site,
    ),
    State("not-found", f"Page not found – {SERVICE}", opened("/no-such-page")),
    State("not-allowed", f"That page cannot be used like this – {SERVICE}", opened("/summary.pdf")),
    State("too-large", f"Too much was sent – {SERVICE}", oversized_form),
    State("form-refused", f"We could not use that form – {SERVICE}", forged_form),
    State(
        "server-error",
        f"Sorry, there is a problem with the service – {SERVICE}",
        opened(BROKEN_PATH),
    ),
]


#: The translated languages, each at its own address.
LANGUAGES = ("es", "ar")
#: The clinicians' review page of the rules is in English only.
ENGLISH_ONLY = {"rules", "rules-every-part-open"}


def in_language(state: State, code: str) -> State:
    """``state`` in language ``code``: reached the same way under /code/, with its title in
    that language."""
    heading = state.heading and rule_text_in(code, state.heading)
    return replace(state, name=f"{code}-{state.name}", title=title_in(code, state.title),
                   prefix=f"/{code}", heading=heading)  # fmt: skip


#: Every state of STATES in Spanish and in Arabic.
TRANSLATED = [
    in_language(s, code) for code in LANGUAGES for s in STATES if s.name not in ENGLISH_ONLY
]


@contextmanager
def text_zoom(page: Page, factor: float) -> Iterator[None]:
    """Text ``factor`` times its size and nothing else zoomed, as when a person sets a larger
    font size in the browser's settings: the root font size, which every size here builds on."""
    page.evaluate(
        "factor => { document.documentElement.style.fontSize = `${100 * factor}%`; }", factor
    )
    try:
        yield
    finally:
        page.evaluate("() => { document.documentElement.style.fontSize = ''; }")
