"""Every page in every state, as people with different needs meet it, in Chromium.

Each check runs over the table of page states in states.py, at a phone's width and a desktop's:
axe-core finds nothing to fix, each title says where the person is, every control shows a
clear focus, every target is large enough for a shaky hand, nothing scrolls sideways at 320 px,
and text at twice its size loses nothing. A page added to that table is checked here too.

In Spanish and Arabic (states.TRANSLATED) every state gets axe, its title, reflow at 320 px and
text at twice its size: translated text is longer, and Arabic is laid out from right to left. At
a phone's width every translated state is checked; at a desktop's, where the same 640 px column
gives the longer words more room, the states of DESKTOP_TRANSLATED: one of each kind of page
(the start, a page of questions with errors, the longest page of questions, a result with
every section open, a printed summary, an error page), so that the mirrored header and the
wide layout are still checked in each language. The focus and target checks, which look at
each control's drawing, run in Arabic too (mirrored, every ring and target must still show and
fit), not again in Spanish, whose layout is the English one, left to right. The keyboard
tests take a representative set (test_keyboard.py).

What a screen reader announces of each English state is read here too, from the page already
open: each question a named group with its hint and error, the result as the first heading, the
landmarks and the page's language (the checks that change the page: test_screen_readers.py).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from selfcheck.rules import Rules

from .focus import UNFOCUS, controls, focus_change, looks, styles_on_focus
from .states import LANGUAGES, OUTCOMES, STATES, TRANSLATED, State, text_zoom

pytestmark = pytest.mark.browser

WIDTHS = (375, 1280)
SCREEN = [state for state in STATES if state.media == "screen"]
SCREEN_TRANSLATED = [state for state in TRANSLATED if state.media == "screen"]

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": AXE_TAGS},
    "rules": {"target-size": {"enabled": True}},
    "resultTypes": ["violations"],
}


@dataclass(frozen=True)
class Shown:
    """One state of one page, open in Chromium at one width."""

    state: State
    width: int
    page: Page

    @property
    def on_paper(self) -> bool:
        return self.state.media == "print"

    @property
    def without_controls(self) -> bool:
        """On paper, and on the plain page "Exit this page" leads to, nothing can be used."""
        return self.on_paper or self.state.name.split("-", 1)[-1] == "left"


#: The translated states also checked at a desktop's width (see the module's docstring).
DESKTOP_TRANSLATED = {
    "start",
    "emergency-check-with-errors",
    "symptoms-with-errors",
    "how-you-are-now",
    "outcome-urgent-every-section-open",
    "print-urgent",
    "not-found",
}
#: States checked at a phone's width alone. The review page with every part open is the
#: whole rule set (some 170,000 px): its parts' markup is checked open at 375 px, where the
#: 320 px reflow is checked too, and the page around them, parts closed ("rules"), at both
#: widths; the 640 px column is the same at 1280 px, so the open parts add nothing there.
PHONE_ONLY = {"rules-every-part-open"}
CASES = [
    (state, width)
    for state in STATES
    for width in WIDTHS
    if width == min(WIDTHS) or state.name not in PHONE_ONLY
] + [
    (state, width)
    for state in TRANSLATED
    for width in WIDTHS
    if width == min(WIDTHS) or state.name.split("-", 1)[1] in DESKTOP_TRANSLATED
]
#: English and Arabic: the focus rings and the targets, drawn left to right and mirrored.
DRAWN = [(state, width) for state, width in CASES if not state.name.startswith("es-")]
#: Every state on screen, in every language, at a phone's width: each is narrowed to 320 px.
REFLOW = [
    (state, width) for state, width in CASES if state.media == "screen" and width == min(WIDTHS)
]


def case_id(state: State, width: int) -> str:
    return f"{state.name}-{width}"


BY_ID = {case_id(state, width): (state, width) for state, width in CASES}
HEIGHT = 900


@pytest.fixture(scope="session")
def tab(browser: Browser, base_url: str) -> Iterator[Page]:
    """One page of one browser context for every state this worker opens: each state is
    opened as a new visitor's (State.open clears the cookies), at its width."""
    context = browser.new_context(base_url=base_url)
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def shown(request: pytest.FixtureRequest, tab: Page) -> Shown:
    """Each state is opened once per width, and every check of this module looks at it. Its
    parameter is the case's id: every check of one case, whichever list of cases it runs
    over, takes the same page (pytest compares the parameters by value, and so does the
    grouping of tests on a worker, tests/conftest.py)."""
    state, width = BY_ID[request.param]
    tab.set_viewport_size({"width": width, "height": HEIGHT})
    state.open(tab)
    return Shown(state, width, tab)


def in_every_state(test: Any, cases: list[tuple[State, int]] = CASES) -> Any:
    ids = [case_id(state, width) for state, width in cases]
    return pytest.mark.parametrize("shown", ids, indirect=True, ids=ids)(test)


def drawn_in_every_state(test: Any) -> Any:
    return in_every_state(test, DRAWN)


@pytest.fixture
def page_of(shown: Shown) -> Page:
    """The page of ``shown`` as the person left it: nothing focused, scrolled to the top."""
    shown.page.evaluate(UNFOCUS)
    shown.page.evaluate("scrollTo(0, 0)")
    return shown.page


@in_every_state
def test_axe_finds_nothing_to_fix(shown: Shown, page_of: Page):
    results = Axe().run(page_of, options=AXE_OPTIONS)
    checked: dict[str, Any] = results.response
    ran = {
        rule["id"]
        for kind in ("passes", "violations", "incomplete", "inapplicable")
        for rule in checked[kind]
    }
    assert "target-size" in ran and len(ran) > 50, "axe must run the whole set of rules"
    assert results.violations_count == 0, results.generate_report()


@in_every_state
def test_the_title_says_where_the_person_is(shown: Shown, page_of: Page):
    expect(page_of).to_have_title(shown.state.title)
    expect(page_of.get_by_role("heading", level=1)).to_have_count(1)
    if shown.state.heading:  # a page of questions: its title is its step, its heading says more
        expect(page_of.get_by_role("heading", level=1)).to_have_text(shown.state.heading)


@pytest.mark.parametrize("code", ["en", *LANGUAGES])
def test_no_two_pages_share_a_title(code):
    # Answers that clash are the symptoms page with an error, as a missing answer is; Back
    # shows the symptoms page again; a result with its sections opened, and the review page with
    # its parts opened, are the same page.
    same_page = {
        "symptoms-with-answers-that-clash",
        "back-to-symptoms",
        "outcome-urgent-every-section-open",
        "rules-every-part-open",
    }
    # A page of questions is named by its step alone, so that the browser's history says
    # nothing of health (issue 22): the same step of two journeys has one title, and its
    # heading, the first thing in the main content, tells them apart.
    same_step = {"child": "symptoms", "fit": "onset"}
    states = SCREEN if code == "en" else [s for s in SCREEN_TRANSLATED if s.prefix == f"/{code}"]
    by_name = {s.name.removeprefix(f"{code}-"): s for s in states}
    for one, other in same_step.items():
        assert by_name[one].title == by_name[other].title
        assert by_name[one].heading != by_name[other].heading
    titles = [s.title for name, s in by_name.items() if name not in same_page | set(same_step)]
    assert len(set(titles)) == len(titles) > 20


#: The looks of control (focus.looks) whose focus ring this process has already counted and
#: found clear, in any state: the same CSS on the same background, at the same width, direction,
#: text size and colours, draws the same ring, so each look's pixels are counted once, in the
#: first state that shows it (in one process, 125 pairs of pictures for the 133 states instead
#: of 1,067).
CLEAR_FOCUS: set[str] = set()


@drawn_in_every_state
def test_every_control_shows_a_clear_focus(shown: Shown, page_of: Page):
    """Focus changes each control's look: every control takes the focus and changes its
    styles, and for each look of control on the page (focus.LOOK: the same CSS reaches them,
    on the same background) the first one changes at least a 1 px ring's worth of pixels by 3:1
    or more in contrast (the contrast asked of a focus indicator), counted once for each look in
    the whole run (CLEAR_FOCUS). On paper no control is shown at all."""
    found = controls(page_of)
    if shown.without_controls:
        assert found == [], "the printed page, and the plain page, show no links or buttons"
        return
    assert found, "every page has controls"
    changes = styles_on_focus(page_of)
    assert len(changes) == len(found)
    unstyled = [change for change in changes if not change.visible_style]
    assert not unstyled, unstyled
    faint = []
    for look, one in looks(page_of, frozenset(CLEAR_FOCUS)):
        change = focus_change(page_of, one)
        if change.visible:
            CLEAR_FOCUS.add(look)
        else:
            faint.append(change)
    assert not faint, faint


#: Every control's target, and whether it is one of the main buttons.
TARGETS = """() => [...document.querySelectorAll(
    "a[href], button, input:not([type=hidden]), select, textarea, summary")]
  .filter(control => control.getClientRects().length
                     && getComputedStyle(control).visibility !== 'hidden')
  .map(control => {
    control.focus();  // the skip link shows itself only when focused
    const box = control.getBoundingClientRect();
    return {name: control.id || control.textContent.trim().slice(0, 40),
            main: control.matches('.button'),
            width: Math.round(box.width * 10) / 10, height: Math.round(box.height * 10) / 10};
  })"""


@drawn_in_every_state
def test_targets_are_large_enough_for_shaky_hands(shown: Shown, page_of: Page):
    """At least 24 by 24 px, and 44 by 44 px for the main buttons (WCAG 2.5.8 and 2.5.5)."""
    targets = page_of.evaluate(TARGETS)
    if shown.without_controls:
        assert targets == [], "the printed page, and the plain page, show no links or buttons"
        return
    assert targets
    small = [t for t in targets if min(t["width"], t["height"]) < (44 if t["main"] else 24)]
    assert not small, small


OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll('body *')]
    .filter(element => element.getClientRects().length)
    .filter(element => element.getBoundingClientRect().right > width + 0.5
                       || element.getBoundingClientRect().left < -0.5
                          && element.getBoundingClientRect().right > 0)  // right to left
    .map(element => element.tagName + ' ' + (element.textContent || '').trim().slice(0, 40));
}"""


@contextmanager
def narrowed(shown: Shown, width: int) -> Iterator[None]:
    """The window of ``shown`` made ``width`` px wide, then its own width again."""
    shown.page.set_viewport_size({"width": width, "height": HEIGHT})
    try:
        yield
    finally:
        shown.page.set_viewport_size({"width": shown.width, "height": HEIGHT})


@functools.partial(in_every_state, cases=REFLOW)
def test_nothing_scrolls_sideways_at_320_px(shown: Shown, page_of: Page):
    """WCAG 1.4.10: at 320 px wide (a 1280 px window zoomed to 400%) nothing needs scrolling
    sideways. Every state on screen, in each language, as opened at 375 px, then narrowed: the
    page a person opens at 320 px, since nothing the app sends depends on the window's width
    (it is never told it), nor does anything its script does (static/selfcheck.js reads only
    the window's height, once a link is followed); the CSS lays the page out anew."""
    with narrowed(shown, 320):
        assert page_of.evaluate("document.documentElement.scrollWidth") <= 320
        assert page_of.evaluate(OVERFLOW) == []


#: Every piece of text on the page: its font size, and the boxes it is drawn in.
TEXT = """() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const found = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim()) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const rects = [...range.getClientRects()].filter(r => r.width > 0 && r.height > 0)
      .map(r => ({left: r.left + scrollX, top: r.top + scrollY, right: r.right + scrollX,
                  bottom: r.bottom + scrollY}));
    if (!rects.length) continue;  // not drawn at all, such as a closed part of the page
    const element = node.parentElement;
    let clipped = false;
    for (let up = element; up && up !== document.body; up = up.parentElement) {
      const style = getComputedStyle(up);
      if (style.position === 'absolute' && style.clip !== 'auto') { clipped = null; break; }
      if (style.overflowX !== 'visible' || style.overflowY !== 'visible') {
        const box = up.getBoundingClientRect();
        clipped = clipped || rects.some(r =>
          r.left - scrollX < box.left - 1 || r.right - scrollX > box.right + 1
          || r.top - scrollY < box.top - 1 || r.bottom - scrollY > box.bottom + 1);
      }
    }
    if (clipped === null) continue;  // visually hidden text, for screen readers only
    found.push({text: node.textContent.trim().slice(0, 40), rects, clipped,
                size: parseFloat(getComputedStyle(element).fontSize)});
  }
  const boxes = [...document.querySelectorAll('.choice')].map(choice => {
    const r = choice.getBoundingClientRect();  // the drawn radio or checkbox, 40 px square,
    const rtl = getComputedStyle(choice).direction === 'rtl';  // at the side the text starts
    const left = (rtl ? r.right - 40 : r.left) + scrollX, top = r.top + scrollY;
    return {left, top, right: left + 40, bottom: top + 40};
  });
  return {found, boxes, width: document.documentElement.clientWidth,
          scrollWidth: document.documentElement.scrollWidth};
}"""


def overlaps(a: dict[str, float], b: dict[str, float], slack: float = 1) -> bool:
    return (
        min(a["right"], b["right"]) - max(a["left"], b["left"]) > slack
        and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > slack
    )


def overlapping(rects: list[dict[str, float]], slack: float = 1) -> list[tuple[int, int]]:
    """Every pair ``(i, j)``, ``i < j``, of ``rects`` that :func:`overlaps`, in that order.

    Each box is compared only with those whose top is above its bottom (a sweep from the top
    down), not with every other: a long page has thousands of boxes of text."""
    order = sorted(range(len(rects)), key=lambda i: rects[i]["top"])
    found = []
    for n, i in enumerate(order):
        for j in order[n + 1 :]:
            if rects[j]["top"] >= rects[i]["bottom"] - slack:
                break  # it and every box after it start too low to overlap this one
            if overlaps(rects[i], rects[j], slack):
                found.append((min(i, j), max(i, j)))
    return sorted(found)


@in_every_state
def test_text_grows_to_twice_its_size_and_loses_nothing(shown: Shown, page_of: Page):
    """WCAG 1.4.4: every text grows to twice its size, and none of it is cut off, pushed out of
    the window or drawn over other text or over a radio button or checkbox. Paper has no text
    setting, so there the text must be large already: 10 pt or more."""
    normal = page_of.evaluate(TEXT)
    if shown.on_paper:
        large = normal
        assert min(t["size"] for t in normal["found"]) >= 10 * 96 / 72 - 0.01
    else:
        with text_zoom(page_of, 2):
            large = page_of.evaluate(TEXT)
        assert [t["text"] for t in large["found"]] == [t["text"] for t in normal["found"]]
        for small, big in zip(normal["found"], large["found"], strict=True):
            assert big["size"] >= 2 * small["size"] - 0.5, f"{big['text']!r} did not grow"
    assert large["scrollWidth"] <= large["width"], "the page scrolls sideways"
    texts = large["found"]
    assert not [t["text"] for t in texts if t["clipped"]], "text is cut off"
    outside = [
        t["text"]
        for t in texts
        for r in t["rects"]
        # Past the right edge, or, right to left, past the left one (the skip link waits
        # wholly off screen until it is focused: that is not text cut off).
        if r["right"] > large["width"] + 1 or r["left"] < -1 < r["right"]
    ]
    assert not outside, outside
    drawn = [(t["text"], r) for t in texts for r in t["rects"]]
    crossing = [(drawn[i][0], drawn[j][0]) for i, j in overlapping([r for _, r in drawn])]
    assert not crossing, crossing[:5]
    on_boxes = [text for text, r in drawn for box in large["boxes"] if overlaps(r, box)]
    assert not on_boxes, on_boxes[:5]


# What a screen reader announces, read from Chromium's accessibility tree (more in
# test_screen_readers.py): on each English state at a desktop's width, as the desktop browser
# reads it (the window's height changes nothing: no style depends on it).

#: The pages of questions, as they first open, with errors, and with answers that clash.
QUESTION_PAGES = [
    s
    for s in STATES
    if s.name.startswith(
        (
            "emergency-check",
            "about",
            "child",
            "symptoms",
            "strength",
            "how-you-are-now",
            "other-recent-signs",
            "fit",
            "onset",
            "background",
            "medicines",
            "medicine-changes",
            "pregnancy",
        )
    )
]
RESULTS = [s for s in STATES if s.name.removeprefix("outcome-") in OUTCOMES]


def at_desktop(states: list[State]) -> list[tuple[State, int]]:
    return [(state, max(WIDTHS)) for state in states if state.name not in PHONE_ONLY]


@functools.partial(in_every_state, cases=at_desktop(QUESTION_PAGES))
def test_every_question_is_a_named_group_with_its_hint_and_error(
    shown: Shown, page_of: Page, rules: Rules
):
    page, state = page_of, shown.state
    page_id = page.locator("input[name=page]").get_attribute("value")
    questions = [q for p in rules.pages if p.id == page_id for q in p.questions]
    assert questions
    # A question asked only after some answers (ask_when) may be left out; the rest never is.
    present = [
        q
        for q in questions
        if q.ask_when is None or page.get_by_role("group", name=q.text, exact=True).count()
    ]
    errors = {q.id: f"Error: {q.error}" for q in present if state.name.endswith("-with-errors")}
    if state.name.endswith("-that-clash"):
        errors = {c.question: f"Error: {c.message}" for c in rules.contradictions}
    for question in present:
        group = page.get_by_role("group", name=question.text, exact=True)
        expect(group).to_have_count(1)
        described = [question.hint or "", errors.get(question.id, "")]
        expected = " ".join(part for part in described if part)
        if expected:
            expect(group).to_have_accessible_description(expected)
        role = "radio" if question.kind == "one" else "checkbox"
        for answer in question.answers:
            control = group.get_by_role(role, name=answer.label, exact=True)  # type: ignore[arg-type]
            expect(control).to_have_count(1)
            if answer.hint:
                expect(control).to_have_accessible_description(answer.hint)


@functools.partial(in_every_state, cases=at_desktop(RESULTS))
def test_the_result_is_the_first_heading(shown: Shown, page_of: Page, rules: Rules):
    """After the page title, the first heading a screen reader reaches says how soon to get
    help, and it is the only first-level heading."""
    page, state = page_of, shown.state
    heading = OUTCOMES[state.name.removeprefix("outcome-")][0]
    level = next(lvl for lvl in rules.levels if lvl.heading.format(emergency_number=999) == heading)
    first = page.get_by_role("heading").first
    expect(first).to_have_text(level.heading.replace("{emergency_number}", "999"))
    assert first.evaluate("h => h.tagName") == "H1"
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    # Nothing but the caption comes before it in the main content, as a screen reader reads it
    # (the lines to write on are on paper only: hidden on screen).
    before = page.locator("main").evaluate(
        "main => { const h1 = main.querySelector('h1'); const out = [];"
        " const walk = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);"
        " while (walk.nextNode()) { const text = walk.currentNode;"
        "   if (!(h1.compareDocumentPosition(text) & Node.DOCUMENT_POSITION_PRECEDING)) break;"
        "   if (text.parentElement.checkVisibility() && text.data.trim())"
        "     out.push(text.data.trim()); }"
        " return out.join(' '); }"
    )
    assert before == "Your result: how soon to get a medical evaluation"


@functools.partial(in_every_state, cases=at_desktop(SCREEN))
def test_landmarks_and_language(page_of: Page):
    page = page_of
    expect(page.locator("html")).to_have_attribute("lang", "en")
    if page.title() == "Today":
        # The plain page that "Exit this page" leads to has nothing of the check's layout.
        expect(page.get_by_role("banner")).to_have_count(0)
        expect(page.get_by_role("contentinfo")).to_have_count(0)
        expect(page.get_by_role("link")).to_have_count(0)
        expect(page.get_by_role("main")).to_have_count(1)
        return
    for role in ("banner", "main", "contentinfo"):
        expect(page.get_by_role(role)).to_have_count(1)
    expect(page.get_by_role("link", name="Skip to main content")).to_have_attribute("href", "#main")
    # A page's title names no symptom (a page of questions: only its step), so the heading
    # says which page this is: the first heading of the main content, after only the summary
    # of errors, which is read out first.
    first = page.locator("main :is(h1, h2, h3, h4, h5, h6):not(.error-summary *)").first
    assert first.evaluate("h => h.tagName") == "H1"
