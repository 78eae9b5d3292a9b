"""The tests' own helpers read pages as a person does; each check here failed on an earlier
version of a helper that read less than it claimed."""

from __future__ import annotations

from .testing.answers import SOON
from .testing.pages import as_sentences, blocks, visible_text
from .testing.rules import SHIPPED, edited
from .testing.visitor import Journey


def test_text_after_a_hidden_element_is_read():
    """The reader once stopped at the first hidden element and read nothing after it."""
    html = (
        "<main><p>Before</p><button hidden>Print <b>this</b> page</button>"
        "<p>After</p><input hidden><p>Last</p></main><footer>Not in main</footer>"
    )
    assert blocks(html) == ["Before", "After", "Last"]
    assert visible_text(html, root=None) == "Before After Last Not in main"


def test_the_reading_checks_read_the_whole_outcome_page(journey: Journey):
    """The outcome page has a hidden Print button near its end: the reading grade and the
    no-diagnosis checks must still read what comes after it, to the page's last words."""
    journey.complete(SOON)
    html = journey.html
    assert 'class="button button-secondary js-print" hidden' in html
    read = as_sentences(html, root=None)
    assert read.endswith(
        "This check does not give a diagnosis. Only a clinician who examines you can find the "
        "cause of your symptoms."
    )
    assert "use your browser's Print option" in read


def test_an_edit_that_is_not_in_the_file_fails_the_test():
    """A copy of the rules 'with an edit' that quietly kept the file as it was would let a
    test pass on the wrong file."""
    try:
        edited(SHIPPED, ("this text is not in the rules", "anything"))
    except AssertionError as error:
        assert "not in the rules" in str(error)
    else:
        raise AssertionError("an edit of text that is not there was accepted")
