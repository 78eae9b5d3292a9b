"""The counts an operator reads at /metrics (selfcheck/web/metrics.py): how the service is used,
and nothing of anyone. No answer, cause or red flag is in them, nothing tells one visit from
another, and the public site has no such page. The counts as the production stack adds them up
over its workers are tested in tests/test_stack.py."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable

import pytest
from flask import Flask
from prometheus_client.parser import text_string_to_metric_families

from selfcheck import create_app
from selfcheck.rules import Rules
from selfcheck.web import metrics

from .testing.answers import BY_LEVEL, Given
from .testing.privacy import leaks, whole_journey
from .testing.rules import ROOT
from .testing.visitor import Journey

#: Every label the counts may carry, and nothing else: none holds anything a visitor chose.
LABELS = {"route", "method", "status", "level", "language", "outcome", "version", "fingerprint"}


@pytest.fixture
def counting() -> Flask:
    """An app that counts, as the servers' apps do when SELFCHECK_METRICS_BIND is set."""
    app = create_app({"TESTING": True, "SECRET_KEY": "k"})
    metrics.init_app(app, counting=True)
    return app


def samples(app: Flask) -> list[tuple[str, dict[str, str], float]]:
    """Every sample of the counts, as the operator's Prometheus reads them."""
    text = metrics.exposition(app).decode()
    return [
        (sample.name, dict(sample.labels), sample.value)
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name.startswith("selfcheck_")
    ]


def counted(app: Flask) -> Counter[tuple[str, tuple[tuple[str, str], ...]]]:
    """The counts alone (not the times, which differ from run to run), by name and labels."""
    return Counter(
        {
            (name, tuple(sorted(labels.items()))): value
            for name, labels, value in samples(app)
            if name.endswith("_total") or name == "selfcheck_request_seconds_count"
        }
    )


def visits(app: Flask, rules: Rules, answer_sets: Iterable[Given]) -> None:
    """One person for each answer set, each to the outcome and its PDF."""
    for answers in answer_sets:
        journey = Journey(app.test_client(), rules)
        journey.complete(answers)
        journey.submit("pdf")


def test_the_counts_hold_no_answer_no_cause_and_no_red_flag(counting: Flask, rules: Rules):
    whole_journey(Journey(counting.test_client(), rules), late=False)
    visits(counting, rules, BY_LEVEL.values())
    text = metrics.exposition(counting).decode()
    assert leaks(text, rules) == []
    chosen = {
        *rules.questions,
        *(answer.value for question in rules.questions.values() for answer in question.answers),
        *(answer.label for question in rules.questions.values() for answer in question.answers),
        *(cause.id for cause in rules.causes),
        *(cause.name for cause in rules.causes),
        *(flag.id for flag in rules.red_flags),
        *(page.id for page in rules.pages),
    }
    routes = {rule.rule for rule in counting.url_map.iter_rules()} | {"(no route)"}
    found = samples(counting)
    assert {name for name, _, _ in found} >= {
        "selfcheck_requests_total",
        "selfcheck_results_total",
        "selfcheck_pdfs_total",
        "selfcheck_rules_info",
    }
    for name, labels, _ in found:
        assert set(labels) - {"le"} <= LABELS, (name, labels)
        assert not set(labels.values()) & chosen, (name, labels)
        assert labels.get("route", "(no route)") in routes, labels
        if name == "selfcheck_results_total":
            assert set(labels) == {"level", "language"}
            assert labels["level"] in {level.id for level in rules.levels}


def test_the_counts_are_totals_in_which_no_visit_can_be_picked_out(counting: Flask, rules: Rules):
    """The same visits in another order leave the same counts: nothing is kept of a visit but
    what it adds to a total, so no count can be joined to another to find one person's."""
    levels = list(BY_LEVEL)
    before = counted(counting)
    visits(counting, rules, [BY_LEVEL[level] for level in levels])
    first = counted(counting) - before
    visits(counting, rules, [BY_LEVEL[level] for level in reversed(levels)])
    second = counted(counting) - before - first
    assert first == second
    results = {labels: value for (name, labels), value in first.items() if "results" in name}
    assert results == {(("language", "en"), ("level", level)): 1 for level in levels}
    assert first[("selfcheck_pdfs_total", (("outcome", "made"),))] == len(levels)


def test_pdfs_made_and_refused_are_counted(counting: Flask, rules: Rules):
    before = counted(counting)
    whole_journey(Journey(counting.test_client(), rules), late=False)
    pdfs = {
        labels: value
        for (name, labels), value in (counted(counting) - before).items()
        if name == "selfcheck_pdfs_total"
    }
    # One made from the result page, one refused: its form's token was forged.
    assert pdfs == {(("outcome", "made"),): 1, (("outcome", "refused"),): 1}


def test_a_method_made_up_by_a_client_adds_no_label(counting: Flask):
    before = counted(counting)
    counting.test_client().open("/", method="BREW")
    added = counted(counting) - before
    methods = [dict(labels)["method"] for name, labels in added if "method" in dict(labels)]
    assert methods == ["other"]


def test_the_rules_served_are_named(counting: Flask, rules: Rules):
    [info] = [labels for name, labels, _ in samples(counting) if name == "selfcheck_rules_info"]
    assert info == {
        "version": rules.version,
        "fingerprint": rules.fingerprint,
        "status": rules.status,
    }


@pytest.mark.parametrize("path", ["/metrics", "/es/metrics", "/metrics/"])
def test_the_site_has_no_metrics_page(counting: Flask, path: str):
    response = counting.test_client().get(path)
    assert response.status_code == 404
    assert b"selfcheck_requests_total" not in response.data


def test_nothing_is_counted_unless_metrics_are_on(app: Flask):
    """Without SELFCHECK_METRICS_BIND (which gives gunicorn a folder for the counts), the app
    counts nothing: prometheus-client is not even asked for."""
    assert not metrics.on()
    assert "selfcheck-metrics" not in app.extensions
    assert metrics._started not in app.before_request_funcs.get(None, [])


def test_the_example_dashboard_reads_only_counts_the_app_makes(counting: Flask, rules: Rules):
    visits(counting, rules, [BY_LEVEL["soon"]])
    made = {name for name, _, _ in samples(counting)}
    dashboard = json.loads((ROOT / "deploy" / "grafana" / "selfcheck.json").read_text())
    read = {
        name
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in re.findall(r"selfcheck_\w+", target["expr"])
    }
    assert read and read <= made, read - made
