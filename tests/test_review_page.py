"""The review page /rules: the rules as a document a clinician reads, cites and signs.

It shows the rules only. Like every page it keeps nothing and shows no one's answers.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import textstat

from selfcheck import create_app
from selfcheck.rules import Rules
from selfcheck.web.views import work_out_review

from .testing.answers import SOON
from .testing.pages import as_sentences, headings, title, visible_text
from .testing.rules import APPROVED, ROOT, SHIPPED, SHIPPED_FINGERPRINT, edited, line_of
from .testing.translations import TRANSLATED_BY, with_shipped_catalogs
from .testing.visitor import Journey

SHORT = SHIPPED_FINGERPRINT[:12]


def review_app(path: Path):
    """The app with the rules file at ``path`` (and the scenarios beside it, if any)."""
    return create_app({"TESTING": True, "SECRET_KEY": "k", "RULES_FILE": str(path)})


def test_the_review_page_reads_as_a_document_to_sign(client, rules: Rules):
    html = client.get("/rules").get_data(as_text=True)
    text = visible_text(html)
    assert title(html) == "The clinical rules, version 0.1.0 – Self-check"
    assert headings(html) == ["The clinical rules of this check"]
    assert (
        f"Review record Version 0.1.0 Fingerprint {SHORT} "
        "Status A draft, not yet approved by a clinician"
    ) in text
    assert "These rules are a draft. A clinician has not approved them yet" in text
    assert (
        "No clinician has approved any version of these rules yet, so there are no changes "
        "since an approval to show."
    ) in text
    assert "Changes since approval" not in text
    assert (
        f"The check gave 1 warning: Line {line_of(SHIPPED, 'approvals: []')}: no clinician has "
        "approved these rules yet"
    ) in text
    sections = headings(html, "h2")
    # The contents come first on screen; on paper (print-only) where they always were.
    assert sections[:5] == [
        "Contents",
        "Review record",
        "How the rules are checked",
        "Contents",
        "1. How soon to be seen (urgency levels)",
    ]
    assert sections[-4:] == [
        "22. Scenarios written by clinicians",
        "23. Clinical vignettes",
        "24. Vignettes written blind",
        "Approval",
    ]
    assert (
        f"I have reviewed version 0.1.0 of these rules (fingerprint {SHIPPED_FINGERPRINT}), "
        "every item above, the scenarios and the vignettes, and approve them for use."
    ) in text
    for key, reference in rules.sources.items():
        assert f"{key} #source-{key} Reference {reference}" in text


def test_every_item_has_an_anchor_a_reviewer_can_cite(client, rules: Rules):
    html = client.get("/rules").get_data(as_text=True)
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert not [i for i, n in Counter(ids).items() if n > 1], "every anchor is unique"
    wanted = (
        [f"level-{lvl.id}" for lvl in rules.levels]
        + [f"red-flag-{f.id}" for f in rules.red_flags]
        + [f"question-{q}" for q in rules.questions if q != "red_flags"]
        + [f"rule-{r.id}" for r in rules.urgency_rules]
        + [f"cause-{c.id}" for c in rules.causes]
        + [f"treatment-{t.id}" for t in rules.treatments]
        + [f"source-{k}" for k in rules.sources]
        + ["emergency-check", "goes-away"]
    )
    for anchor in wanted:
        assert f'id="{anchor}"' in html, anchor
        assert f'href="#{anchor}"' in html, anchor


def test_rules_and_causes_are_written_as_english(client):
    text = visible_text(client.get("/rules").get_data(as_text=True))
    assert (
        'Stroke #cause-stroke Listed when "Has a doctor ever told you that you have, or have '
        'had, any of these?" includes "A stroke"'
    ) in text
    assert (
        "Urgency rule: not_checked_yet #rule-not_checked_yet Raises the advice to Soon "
        'Applies when all of these are true: "Has a doctor or nurse already checked these '
        'symptoms?" is "No" or "I\'m not sure" any of these is true:'
    ) in text
    assert "Heading Call 999 now" in text, "placeholders are filled in as patients see them"


def test_the_scenarios_are_listed_with_their_results(client):
    html = client.get("/rules").get_data(as_text=True)
    text = visible_text(html)
    for kind, least in (("scenario", 30), ("vignette", 60)):
        rows = re.findall(rf'<tr id="{kind}-([a-z_]+)">(.*?)</tr>', html, re.S)
        assert len(rows) >= least
        assert all(">Pass</td>" in row for _, row in rows)
        assert f"{len(rows)} of {len(rows)} give the result they expect" in text
    assert (
        "A 72-year-old woman notices in the mirror that one side of her face droops and her "
        "words come out slurred. She ticks the stroke signs. Source: nhs-stroke"
    ) in text


def test_an_approved_file_names_its_reviewer_and_date(edited_rules):
    client = review_app(edited_rules(*APPROVED)).test_client()
    text = visible_text(client.get("/rules").get_data(as_text=True))
    assert (
        f"Version 0.1.0 Fingerprint {SHORT} "
        "Status Approved by Dr A. Example (consultant neurologist) on 2025-01-31"
    ) in text
    assert (
        f"Approvals, newest first Version 0.1.0, fingerprint {SHORT}: approved by Dr A. Example "
        "(consultant neurologist) on 2025-01-31 (these rules)"
    ) in text
    assert "draft" not in text.lower()
    assert "Changes since approval" not in text
    css = client.get("/rules/print.css").get_data(as_text=True)
    assert (
        f'content: "Clonus self-check: clinical rules, version 0.1.0 (fingerprint {SHORT}), '
        'approved by Dr A. Example (consultant neurologist) on 2025-01-31"'
    ) in css


def test_every_printed_page_names_the_version_and_status(client):
    response = client.get("/rules/print.css")
    assert response.mimetype == "text/css"
    css = response.get_data(as_text=True)
    assert (
        '@page rules { @top-left { content: "Clonus self-check: clinical rules, version '
        f'0.1.0 (fingerprint {SHORT}), a draft, not yet approved by a clinician"; }} }}'
    ) in css
    html = client.get("/rules").get_data(as_text=True)
    assert '<link rel="stylesheet" href="/rules/print.css" media="print">' in html
    # The named page that carries that header is set in the review page's own stylesheet.
    assert '<link rel="stylesheet" href="/static/rules.css">' in html
    assert ".rules-document { page: rules; }" in (ROOT / "static/rules.css").read_text()


def test_a_version_cannot_break_out_of_the_print_stylesheet(edited_rules):
    path = edited_rules(('version: "0.1.0"', 'version: "1\\"; } body { x: \\\\"'))
    css = review_app(path).test_client().get("/rules/print.css").get_data(as_text=True)
    inside = re.fullmatch(r'@page rules \{ @top-left \{ content: "([^"]*)"; \} \}\n', css)
    assert inside, css
    assert "\\22 " in inside.group(1) and "\\7d " in inside.group(1)


def test_the_review_page_keeps_nothing_and_shows_no_answers(client, journey: Journey):
    response = client.get("/rules?jerking=yes&started=days")
    assert response.status_code == 200
    assert not response.headers.getlist("Set-Cookie")
    html = response.get_data(as_text=True)
    assert "<form" not in html and "<input" not in html
    assert html == client.get("/rules").get_data(as_text=True), "the address changes nothing"
    assert client.post("/rules").status_code == 405
    assert str(ROOT) not in html, "no file path of the server"
    journey.complete(SOON)
    assert 'href="/rules"' in journey.html


def test_the_footer_links_to_the_review_page_everywhere(client):
    for path in ("/", "/check", "/privacy", "/rules", "/no-such-page"):
        html = client.get(path).get_data(as_text=True)
        footer = html[html.index('<footer class="footer">') :]
        assert '<a href="/rules">How the rules are checked</a>' in footer, path


def test_scenarios_that_cannot_run_are_said_without_a_path(
    edited_rules, edited_scenarios, tmp_path
):
    scenarios = edited_scenarios(("answers: {started: days}", "answers: {startd: days}"))
    line = line_of(scenarios.read_text(), "startd")
    client = review_app(edited_rules()).test_client()
    html = client.get("/rules").get_data(as_text=True)
    assert (
        f'could not be run on these rules (line {line}: scenario "urgent_started_in_days" '
        'refers to question "startd"'
    ) in visible_text(html)
    assert str(tmp_path) not in html


def test_the_review_page_reads_at_grade_8_or_lower(client):
    # Written for clinicians, but linked from every page, so anyone may read it.
    html = client.get("/rules").get_data(as_text=True)
    assert textstat.flesch_kincaid_grade(as_sentences(html)) <= 8


def test_the_review_page_shows_each_language_and_its_review_status(client):
    text = visible_text(client.get("/rules").get_data(as_text=True))
    for language, english, own in (("es", "Spanish", "español"), ("ar", "Arabic", "العربية")):
        assert (
            f"{english} ({own}) Offered to patients Yes: every text is translated "
            f"Translated by {TRANSLATED_BY[language]} "
            "Reviewed by Not yet reviewed by a clinician fluent in the language "
            "Review date None yet"
        ) in text


def test_the_review_page_says_what_keeps_a_language_from_patients(edited_rules):
    old = "summary: Pain or discomfort"
    path = with_shipped_catalogs(edited_rules((old, "summary: Pain or aching")))
    html = review_app(path).test_client().get("/rules").get_data(as_text=True)
    text = visible_text(html)
    line = line_of(path.read_text(), "summary: Pain or aching")
    for language, english in (("es", "Spanish (español)"), ("ar", "Arabic (العربية)")):
        assert (
            f"{english} Offered to patients No: withheld until every text below has a current "
            f"translation Translated by {TRANSLATED_BY[language]}"
        ) in text
        assert (
            f"What keeps it from patients (1): Line {line}: rules.{language}.po: question pain / "
            f"summary (rules.yaml line {line}) has no current translation: the English text "
            "changed since it was translated"
        ) in text
    assert '<bdi lang="ar">العربية</bdi>' in html


def approved_then_changed(folder: Path, keep_copy: bool = True) -> Path:
    """The shipped rules approved (with the copy ``rules approve`` keeps), then one reason
    reworded, in ``folder``."""
    approved = edited(SHIPPED, *APPROVED)
    if keep_copy:
        (folder / "approved").mkdir()
        (folder / "approved" / "rules.yaml").write_text(approved, encoding="utf-8")
    path = folder / "rules.yaml"
    path.write_text(
        edited(
            approved,
            (
                "New symptoms like these should be checked today",
                "New symptoms like these need a check today",
            ),
        ),
        encoding="utf-8",
    )
    return path


def test_changes_since_the_approval_come_first(tmp_path):
    client = review_app(approved_then_changed(tmp_path)).test_client()
    html = client.get("/rules").get_data(as_text=True)
    text = visible_text(html)
    # After the contents, whose first link leads to them.
    assert headings(html, "h2")[:3] == ["Contents", "Changes since approval", "Review record"]
    assert "Contents Changes since approval Review record How the rules are checked" in text
    assert (
        "Changes since approval These rules changed after version 0.1.0 was approved by "
        "Dr A. Example (consultant neurologist) on 2025-01-31. So they are a draft again"
    ) in text
    assert (
        'Urgency rule "started_today": reason changed Before Your symptoms started today. New '
        "symptoms like these should be checked today. After Your symptoms started today. New "
        "symptoms like these need a check today."
    ) in text
    assert (
        "Advice and conditions that change for some answers None. Every set of answers a "
        "person could give gets the same advice"
    ) in text
    assert "Status A draft: the rules changed since version 0.1.0 was approved by" in text
    assert "These rules are a draft. A clinician has not approved them yet" in text
    assert (
        f"Version 0.1.0, fingerprint {SHORT}: approved by Dr A. Example (consultant "
        "neurologist) on 2025-01-31"
    ) in text
    assert "(these rules)" not in text
    css = client.get("/rules/print.css").get_data(as_text=True)
    assert "a draft, not yet approved by a clinician" in css


def test_a_missing_approved_copy_is_said_without_a_path(tmp_path):
    client = review_app(approved_then_changed(tmp_path, keep_copy=False)).test_client()
    html = client.get("/rules").get_data(as_text=True)
    text = visible_text(html)
    assert headings(html, "h2")[:2] == ["Contents", "Changes since approval"]
    assert (
        "The changes cannot be shown: the copy of the content approved last, "
        "approved/rules.yaml, is missing or is not that content."
    ) in text
    assert str(tmp_path) not in html


def test_the_review_page_reads_no_file_after_its_first_visit(edited_rules, edited_scenarios):
    """The rules, scenarios, vignettes and catalogs are read once, for the first visit: later
    visits show the same page from memory, even if a file beside the rules has changed since
    (the app reads it again when it starts again)."""
    scenarios = edited_scenarios()
    client = review_app(edited_rules()).test_client()
    first = client.get("/rules").get_data(as_text=True)
    assert "New weakness in a person with cancer is an emergency" in first
    text = scenarios.read_text(encoding="utf-8")
    scenarios.write_text(text.replace("New weakness in a person", "Changed on disk"), "utf-8")
    again = client.get("/rules")
    assert again.status_code == 200
    assert again.get_data(as_text=True) == first
    assert "Changed on disk" in review_app(scenarios.parent / "rules.yaml").test_client().get(
        "/rules"
    ).get_data(as_text=True), "a new app reads the file again"


def test_the_review_page_can_be_worked_out_before_anyone_asks(edited_rules, edited_scenarios):
    """gunicorn's master works the page out before it starts the workers
    (ops/gunicorn_config.py): the first visit then reads no file and runs no scenario."""
    scenarios = edited_scenarios()
    app = review_app(edited_rules())
    work_out_review(app)
    text = scenarios.read_text(encoding="utf-8")
    scenarios.write_text(text.replace("New weakness in a person", "Changed on disk"), "utf-8")
    html = app.test_client().get("/rules").get_data(as_text=True)
    assert "New weakness in a person with cancer is an emergency" in html
    assert "Changed on disk" not in html


def test_each_loaded_rule_set_has_its_review_page_of_its_own(edited_rules):
    """The page is kept with the rules it was worked out from: rules loaded from another file,
    in the same process, show theirs, and the first still show their own."""
    first = review_app(edited_rules()).test_client()
    before = title(first.get("/rules").get_data(as_text=True))
    other = edited_rules(('version: "0.1.0"', 'version: "0.2.0"'), name="other.yaml")
    assert title(review_app(other).test_client().get("/rules").get_data(as_text=True)) == (
        "The clinical rules, version 0.2.0 – Self-check"
    )
    assert before == title(first.get("/rules").get_data(as_text=True))
    assert before == "The clinical rules, version 0.1.0 – Self-check"
