"""The exported Questionnaire in a real FHIR form renderer, LHC-Forms (npm ``lforms``, pinned
in tests/fhir_renderer/package-lock.json), in Chromium: it shows exactly the questions the
app's pages show, draws them as the pages do (radio buttons, check boxes), and its own
QuestionnaireResponse gets the app's advice from ``$evaluate``.

A part of the scenarios and vignettes here (tests.fhir_renderer.representative); all of them
with ``python -m tests.fhir_renderer``, whose table in docs/fhir.md tests/test_fhir.py checks.
The one thing the app does that the Questionnaire cannot make LHC-Forms do is named:
tests.fhir_renderer.ENDS_EARLY.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from selfcheck import fhir
from selfcheck.answers import asked, emergency_due
from selfcheck.outcome import evaluate
from selfcheck.rules import Rules, load

from ..fhir_renderer import (
    ENDS_EARLY,
    SOURCES,
    answered,
    compare,
    enabled,
    fill,
    installed,
    level_and_causes,
    representative,
    served,
    shown_ids,
    walked,
)
from ..testing.answers import SOON, as_sets
from ..testing.fhir import cases
from ..testing.rules import RULES_FILE

pytestmark = pytest.mark.browser

EVALUATE = "/fhir/QuestionnaireResponse/$evaluate"


@pytest.fixture(scope="module")
def shipped() -> Rules:
    return load(RULES_FILE)


class Renderer:
    """A Chromium page with LHC-Forms loaded from 127.0.0.1, and what it asked for."""

    def __init__(self, page: Any, url: str) -> None:
        self.page = page
        self.url = url
        #: Addresses the page asked for elsewhere (refused), and any that failed here.
        self.elsewhere: list[str] = []
        self.failed: list[str] = []
        page.route("**/*", self.route)
        page.on("response", lambda r: self.failed.append(r.url) if r.status >= 400 else None)

    def route(self, route: Any) -> None:
        if route.request.url.startswith(self.url + "/"):
            route.continue_()
        else:
            self.elsewhere.append(route.request.url)
            route.abort()


@pytest.fixture(scope="module")
def renderer(browser: Any, shipped: Rules) -> Iterator[Renderer]:
    if not installed():
        pytest.fail("LHC-Forms is not in tests/fhir_renderer/node_modules: run `make test`")
    with served(fhir.questionnaire(shipped)) as url:
        page = browser.new_page()
        found = Renderer(page, url)
        page.goto(url + "/")
        yield found
        assert not found.elsewhere, f"fetched from elsewhere: {found.elsewhere}"
        assert not found.failed, f"failed: {found.failed}"
        page.close()


def evaluated(client: FlaskClient, response: dict[str, Any]) -> dict[str, Any]:
    """$evaluate's Bundle for ``response``."""
    sent = client.post(EVALUATE, data=json.dumps(response), content_type="application/fhir+json")
    assert sent.status_code == 200, sent.get_data(as_text=True)
    return dict(sent.get_json())


def test_lhc_forms_shows_the_apps_questions_and_its_response_gets_the_apps_advice(
    renderer: Renderer, shipped: Rules, client: FlaskClient
):
    """For a part of the scenarios and vignettes (each file and level, each question asked
    only sometimes shown and hidden), put into LHC-Forms as a pre-filled form: the pages and
    questions it shows are the app's, each drawn as the pages draw it, its response holds the
    answers the app keeps, and $evaluate gives it the app's level and causes."""
    every = list(cases(shipped))
    chosen = [every[i] for i in representative(shipped, every)]
    drawn = fill(renderer.page, shipped, [answers for _, answers in chosen])
    results = [
        compare(shipped, client, name, answers, found)
        for (name, answers), found in zip(chosen, drawn, strict=True)
    ]
    problems = [f"{r.name}: {p}" for r in results for p in r.problems]
    assert not problems, "\n".join(problems)
    assert {r.source for r in results} == set(SOURCES)
    assert {r.level for r in results} == {level.id for level in shipped.levels}
    # What LHC-Forms cannot do, named: it shows questions after the app has ended the check.
    ended = [r for r in results if r.after_the_end]
    assert ended, ENDS_EARLY
    assert all(r.level == shipped.emergency.id for r in ended), ENDS_EARLY
    assert len(results) >= 25


def test_the_comparison_finds_a_form_drawn_otherwise(renderer: Renderer, shipped: Rules, client):
    """The comparison can fail: the Questionnaire without the pages' conditions (a page whose
    questions are all hidden then shows its heading) and without the item controls (choices
    drawn as type-ahead lists) is drawn unlike the app's pages."""
    answers = as_sets(SOON)
    assert "fit_when" not in enabled(shipped, answers), "a case with a page hidden whole"
    plain = copy.deepcopy(fhir.questionnaire(shipped))
    for group in plain["item"]:
        group.pop("enableWhen", None)
        group.pop("enableBehavior", None)
        for item in group["item"]:
            item["extension"] = [
                e for e in item.get("extension", ()) if e["url"] != fhir.ITEM_CONTROL
            ]
    (found,) = fill(renderer.page, shipped, [answers], plain)
    result = compare(shipped, client, "SOON", answers, found)
    assert any(p.startswith("pages shown") and "page:fit" in p for p in result.problems)
    assert any("0 radio buttons, 0 check boxes" in p for p in result.problems)
    (again,) = fill(renderer.page, shipped, [answers])
    assert compare(shipped, client, "SOON", answers, again).equal


def test_a_person_ticking_lhc_forms_boxes_gets_the_apps_questions_and_advice(
    renderer: Renderer, shipped: Rules, client: FlaskClient
):
    """Answered by hand in the empty form, as a person would (a click on each answer, in the
    order the app's pages ask): the later questions appear as the answers enable them, and at
    the end the form shows the app's questions, and its response gets the app's advice."""
    every = [a for _, a in cases(shipped) if not emergency_due(shipped, a)]
    # A case that opens the page about a fit, which stays hidden till its answer is ticked.
    answers = next(a for a in every if "fit_when" in enabled(shipped, a))
    (empty,) = fill(renderer.page, shipped, [{}])
    assert "fit_when" not in shown_ids(empty["shown"])[1]
    page = renderer.page
    base = fhir.DEFAULT_BASE
    for _, questions in walked(shipped, answers):
        for question_id in questions:
            for value in sorted(answers[question_id]):
                system = fhir.system(base, f"answers-{question_id}")
                page.click(f'[id="{question_id}/1/1|{system}|{value}"]')
    shown = page.evaluate(
        "[...document.querySelectorAll('#form lhc-item')].filter(e => e.getClientRects().length)"
        ".map(e => e.id)"
    )
    _, questions = shown_ids(shown)
    assert questions == [q for _, shown_here in walked(shipped, answers) for q in shown_here]
    response = page.evaluate("LForms.Util.getFormFHIRData('QuestionnaireResponse', 'R4')")
    assert answered(response) == asked(shipped, answers)
    outcome = evaluate(shipped, answers)
    assert level_and_causes(evaluated(client, response)) == (
        outcome.level.id,
        [linked.cause.id for linked in outcome.listed],
    )


def test_the_answers_clinical_codes_come_back_from_evaluate_not_from_lhc_forms(
    renderer: Renderer, shipped: Rules, client: FlaskClient
):
    """LHC-Forms' response keeps of an answer its system, code and words only: the SNOMED CT
    and ICD-10 codes the Questionnaire gives "Multiple sclerosis" (alternate-codes) are not in
    it (docs/fhir.md says so). The Bundle $evaluate answers with holds them."""
    answers = as_sets(SOON)
    assert answers["conditions"] == {"ms"}
    (found,) = fill(renderer.page, shipped, [answers])
    text = json.dumps(found["response"])
    assert '"ms"' in text and "24700007" not in text, (
        "LHC-Forms now keeps the alternate codes: say so in docs/fhir.md"
    )
    (response,) = [
        e["resource"]
        for e in evaluated(client, found["response"])["entry"]
        if e["resource"]["resourceType"] == "QuestionnaireResponse"
    ]
    (ms,) = [
        a["valueCoding"]
        for g in response["item"]
        for i in g["item"]
        if i["linkId"] == "conditions"
        for a in i["answer"]
    ]
    (alternate,) = ms["_code"]["extension"]
    codes = {(c["system"], c["code"]) for c in alternate["valueCodeableConcept"]["coding"]}
    snomed, icd10 = "http://snomed.info/sct", "http://hl7.org/fhir/sid/icd-10"
    assert codes == {(snomed, "24700007"), (icd10, "G35")}


def test_the_app_walks_its_pages_as_the_comparison_says(journey, shipped: Rules):
    """The pages and questions ``walked`` says a case sees are those the real pages show."""
    every = list(cases(shipped))
    for i in representative(shipped, every, spread=60)[:8]:
        name, answers = every[i]
        journey.start_again()
        seen = []
        while 'id="urgency-heading"' not in journey.html:
            form = journey.form()
            page = dict(form.fields)["page"]
            seen.append((page, sorted(form.inputs)))
            journey.answer_page({q: sorted(v) for q, v in answers.items()})
        assert seen == [(page, sorted(q)) for page, q in walked(shipped, answers)], name


def test_none_of_these_with_another_answer_lhc_forms_keeps_and_evaluate_refuses(
    renderer: Renderer, shipped: Rules, client: FlaskClient
):
    """LHC-Forms 40.1.3 does not run SDC's optionExclusive: "None of these" stays ticked with
    another answer, which the app's pages refuse. $evaluate refuses it too, naming the
    question (docs/fhir.md lists this)."""
    answers = {**as_sets(SOON), "medicines": frozenset({"none", "antidepressant"})}
    (found,) = fill(renderer.page, shipped, [answers])
    assert answered(found["response"])["medicines"] == {"none", "antidepressant"}
    sent = client.post(
        EVALUATE, data=json.dumps(found["response"]), content_type="application/fhir+json"
    )
    assert sent.status_code == 422
    (issue,) = sent.get_json()["issue"]
    assert issue["code"] == "business-rule" and "'medicines'" in issue["details"]["text"]
