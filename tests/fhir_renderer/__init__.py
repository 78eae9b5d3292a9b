"""The exported Questionnaire in a real FHIR form renderer: LHC-Forms (NLM's, npm ``lforms``,
pinned in package-lock.json beside this file; `make test` installs it), in Debian's Chromium.

Everything the browser loads is served from this process on 127.0.0.1: LHC-Forms' own files
from node_modules, a page that loads them at the end of its ``<body>``, and the Questionnaire
made by :func:`selfcheck.fhir.questionnaire`. In one page load, each answer set is put into the
form through LHC-Forms' own API (``mergeFHIRDataIntoLForms`` of a QuestionnaireResponse, then
``addFormToPage``), as a form that a clinic's system pre-fills; the questions the form then
draws are compared with those the app's pages show for the same answers, and the form's own
``QuestionnaireResponse`` (``getFormFHIRData``) is sent to ``$evaluate``, whose level and causes
are compared with the app's.

LHC-Forms is under NLM's own terms of use (its LICENSE.md): the project uses it in these tests
only and ships none of it.

``python -m tests.fhir_renderer`` runs every scenario and vignette and writes the table of
docs/fhir.md; tests/browser/test_fhir_renderer.py runs a part of them in `make test`.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from werkzeug.middleware.shared_data import SharedDataMiddleware
from werkzeug.wrappers import Request, Response

from selfcheck import fhir
from selfcheck.answers import asked, emergency_due, is_asked, unanswered
from selfcheck.outcome import evaluate
from selfcheck.rules import Answers, Rules

from ..testing.servers import in_thread

HERE = Path(__file__).resolve().parent
#: LHC-Forms' built files, as npm installs them from the lock file.
LFORMS = HERE / "node_modules" / "lforms"
DIST = LFORMS / "dist" / "lforms"
DOC = HERE.parents[1] / "docs" / "fhir.md"

#: The page: LHC-Forms' style sheet, a place for the form, and its scripts at the end of
#: <body> (zone.js, the web component, the FHIR R4 converters), as its documentation says.
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>LHC-Forms</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/lforms/webcomponent/styles.css">
</head><body>
<div id="form"></div>
<script src="/lforms/webcomponent/assets/lib/zone.min.js"></script>
<script src="/lforms/webcomponent/lhc-forms.js"></script>
<script src="/lforms/fhir/R4/lformsFHIR.min.js"></script>
</body></html>
"""

#: Run in the page: each QuestionnaireResponse merged into the form made from the
#: Questionnaire, the form drawn, then what it shows (each item's element, and the radio
#: buttons and check boxes of each question) and its own QuestionnaireResponse.
FILL = """async ([questionnaire, responses]) => {
  const form = LForms.Util.convertFHIRQuestionnaireToLForms(questionnaire, 'R4');
  const found = [];
  for (const response of responses) {
    const filled = LForms.Util.mergeFHIRDataIntoLForms(
      'QuestionnaireResponse', response, structuredClone(form), 'R4');
    await LForms.Util.addFormToPage(filled, 'form');
    const shown = {};
    for (const element of document.querySelectorAll('#form lhc-item')) {
      if (!element.getClientRects().length) continue;
      shown[element.id] = [
        element.querySelectorAll(':scope lhc-item-choice input[type=radio]').length,
        element.querySelectorAll(':scope lhc-item-choice input[type=checkbox]').length,
      ];
    }
    found.push({shown, response: LForms.Util.getFormFHIRData('QuestionnaireResponse', 'R4')});
  }
  return found;
}"""

READY = "!!(window.LForms && LForms.Util && LForms.FHIR && customElements.get('wc-lhc-form'))"


def version() -> str:
    """The version of LHC-Forms that package-lock.json pins (and `make test` installs)."""
    lock = json.loads((HERE / "package-lock.json").read_text(encoding="utf-8"))
    return str(lock["packages"]["node_modules/lforms"]["version"])


def installed() -> bool:
    return (DIST / "webcomponent" / "lhc-forms.js").is_file()


@contextmanager
def served(questionnaire: dict[str, Any]) -> Iterator[str]:
    """LHC-Forms, the page and the Questionnaire on a free port of 127.0.0.1."""
    body = json.dumps(questionnaire)

    def app(environ: Any, start: Any) -> Any:
        path = Request(environ).path
        if path == "/":
            response = Response(PAGE, mimetype="text/html")
        elif path == "/questionnaire.json":
            response = Response(body, mimetype="application/fhir+json")
        else:
            response = Response("not found", status=404)
        return response(environ, start)

    with in_thread(SharedDataMiddleware(app, {"/lforms": str(DIST)}), quiet=True) as url:
        yield url


# --------------------------------------------------------------------------------------------
# What the app's pages show


def walked(rules: Rules, answers: Answers) -> list[tuple[str, list[str]]]:
    """The pages a person who gives ``answers`` goes through on the app, each with the
    questions it shows, as the pages decide (selfcheck/web/forms.py): the page of the first
    question still to answer (``answers.unanswered``, which is none once the most urgent
    advice is due), with those of its questions asked given the earlier pages."""
    by_id = {page.id: page for page in rules.pages}
    given: dict[str, frozenset[str]] = {}
    seen: list[tuple[str, list[str]]] = []
    while left := unanswered(rules, given):
        page = by_id[left[0].page_id]
        assert page.id not in [p for p, _ in seen], f"page {page.id!r} came twice"
        shown = [q.id for q in page.questions if is_asked(q, given)]
        seen.append((page.id, shown))
        for question_id in shown:
            assert answers.get(question_id), f"no answer to {question_id!r}"
            given[question_id] = answers[question_id]
    return seen


def enabled(rules: Rules, answers: Answers) -> set[str]:
    """The questions a form that follows the Questionnaire's conditions enables for
    ``answers``: each whose ``ask_when`` holds on the answers to the questions asked."""
    kept = asked(rules, answers)
    return {q.id for q in rules.questions.values() if is_asked(q, kept)}


def merged(rules: Rules, answers: Answers) -> dict[str, Any]:
    """Every answer of a case as the QuestionnaireResponse merged into the form: what a
    person answering every question the form shows would have ticked."""
    return {
        "resourceType": "QuestionnaireResponse",
        "status": "in-progress",
        "questionnaire": f"{fhir.canonical()}|{rules.version}",
        "item": [
            {
                "linkId": fhir.group_id(page.id),
                "item": [
                    {
                        "linkId": q.id,
                        "answer": [
                            {
                                "valueCoding": {
                                    "system": fhir.system(fhir.DEFAULT_BASE, f"answers-{q.id}"),
                                    "code": a.value,
                                }
                            }
                            for a in q.answers
                            if a.value in answers[q.id]
                        ],
                    }
                    for q in page.questions
                    if answers.get(q.id)
                ],
            }
            for page in rules.pages
            if any(answers.get(q.id) for q in page.questions)
        ],
    }


def answered(response: dict[str, Any]) -> dict[str, frozenset[str]]:
    """The answer codes of a QuestionnaireResponse, by linkId, at any depth."""
    found: dict[str, frozenset[str]] = {}

    def walk(items: Iterable[dict[str, Any]]) -> None:
        for item in items:
            if item.get("answer"):
                found[item["linkId"]] = frozenset(a["valueCoding"]["code"] for a in item["answer"])
            walk(item.get("item", ()))

    walk(response.get("item", ()))
    return found


# --------------------------------------------------------------------------------------------
# The comparison


#: What the app does that the Questionnaire cannot make a form filler do, by name.
ENDS_EARLY = (
    "the check ends at emergency advice: the app asks nothing more once a red flag, or a rule "
    "of the most urgent level, decides the advice; the Questionnaire has no way to end a form, "
    "so LHC-Forms goes on showing the later questions (and $evaluate still gives the "
    "emergency advice)"
)


@dataclass
class Compared:
    """One case through LHC-Forms: its name, the app's level, and what differed."""

    name: str
    level: str
    problems: list[str] = field(default_factory=list)
    #: Questions LHC-Forms shows after the app has ended the check (:data:`ENDS_EARLY`).
    after_the_end: list[str] = field(default_factory=list)

    @property
    def source(self) -> str:
        return self.name.partition(":")[0]

    @property
    def equal(self) -> bool:
        return not self.problems


def shown_ids(shown: Iterable[str]) -> tuple[list[str], list[str]]:
    """The groups' and the questions' linkIds among LHC-Forms' elements ("item-LINKID/1" for
    a group, "item-LINKID/1/1" for a question in it), in their order on the page."""
    groups: list[str] = []
    questions: list[str] = []
    for element in shown:
        link_id, *place = element.removeprefix("item-").split("/")
        (groups if len(place) == 1 else questions).append(link_id)
    return groups, questions


def level_and_causes(bundle: dict[str, Any]) -> tuple[str, list[str]]:
    """The level and the causes to discuss in the Observation of $evaluate's Bundle."""
    (observation,) = [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Observation"
    ]
    coded = [c["valueCodeableConcept"]["coding"][0] for c in observation.get("component", ())]
    level = observation["valueCodeableConcept"]["coding"][0]["code"]
    return level, [coding["code"] for coding in coded]


def compare(
    rules: Rules, client: FlaskClient, name: str, answers: Answers, drawn: dict[str, Any]
) -> Compared:
    """What LHC-Forms drew and answered for one case (``drawn``, from :data:`FILL`) against the
    app: the pages and questions shown, how each question is drawn, the answers in its
    response, and the level and causes ``$evaluate`` gives for that response."""
    outcome = evaluate(rules, answers)
    found = Compared(name, outcome.level.id)
    groups, questions = shown_ids(drawn["shown"])
    pages = walked(rules, answers)
    app_pages = [fhir.group_id(page) for page, _ in pages]
    app_questions = [q for _, shown in pages for q in shown]
    if emergency_due(rules, answers):
        # The app stops early; LHC-Forms shows what the Questionnaire's conditions enable.
        expected = [q for q in rules.questions if q in enabled(rules, answers)]
        found.after_the_end = [q for q in expected if q not in app_questions]
        if app_questions != expected[: len(app_questions)]:
            found.problems.append(f"the app's questions {app_questions} do not come first")
    else:
        expected = app_questions
        if groups != app_pages:
            found.problems.append(f"pages shown {groups}, the app's {app_pages}")
    if questions != expected:
        found.problems.append(f"questions shown {questions}, expected {expected}")
    for element, (radios, boxes) in drawn["shown"].items():
        link_id = element.removeprefix("item-").split("/")[0]
        if link_id not in rules.questions:
            continue
        question = rules.questions[link_id]
        count = len(question.answers)
        if (radios, boxes) != ((count, 0) if question.kind == "one" else (0, count)):
            found.problems.append(f"{link_id}: {radios} radio buttons, {boxes} check boxes")
    response = drawn["response"]
    if answered(response) != asked(rules, answers):
        found.problems.append(f"its response holds {answered(response)}")
    sent = client.post(
        "/fhir/QuestionnaireResponse/$evaluate",
        data=json.dumps(response),
        content_type="application/fhir+json",
    )
    if sent.status_code != 200:
        found.problems.append(f"$evaluate answered {sent.status_code}: {sent.get_data(True)}")
        return found
    advice = level_and_causes(sent.get_json())
    if advice != (outcome.level.id, [linked.cause.id for linked in outcome.listed]):
        found.problems.append(f"$evaluate gave {advice}")
    return found


def representative(
    rules: Rules, every: Sequence[tuple[str, Answers]], spread: int = 20
) -> list[int]:
    """A part of the cases for `make test`, by their places in ``every``: the first of each
    file and level, then, for each question asked only sometimes, a case that ends normally
    with it shown and one with it hidden, and every ``spread``-th case."""
    chosen: dict[int, None] = dict.fromkeys(range(0, len(every), spread))
    seen: set[tuple[str, str]] = set()
    for i, (name, answers) in enumerate(every):
        key = (name.partition(":")[0], evaluate(rules, answers).level.id)
        if key not in seen:
            seen.add(key)
            chosen[i] = None
    ended_normally = [
        (i, enabled(rules, answers))
        for i, (_, answers) in enumerate(every)
        if not emergency_due(rules, answers)
    ]
    for question in rules.asked_sometimes:
        for wanted in (True, False):
            fitting = [i for i, shown in ended_normally if (question.id in shown) == wanted]
            if fitting and not chosen.keys() & set(fitting):
                chosen[fitting[0]] = None
    return sorted(chosen)


def fill(
    page: Any,
    rules: Rules,
    every: list[Answers],
    questionnaire: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Each answer set put into LHC-Forms on ``page`` (a Playwright page on :func:`served`'s
    address, loaded), and what it drew and answered: in the Questionnaire the page's server
    serves, or in ``questionnaire``."""
    page.wait_for_function(READY)
    if questionnaire is None:
        questionnaire = page.evaluate("fetch('/questionnaire.json').then(r => r.json())")
    found: list[dict[str, Any]] = page.evaluate(
        FILL, [questionnaire, [merged(rules, answers) for answers in every]]
    )
    return found


# --------------------------------------------------------------------------------------------
# The table of docs/fhir.md

TABLE = re.compile(r"<!-- renderer-table -->\n(.*?)\n<!-- /renderer-table -->", re.S)
SOURCES = ("scenarios.yaml", "vignettes.yaml", "vignettes-blind.yaml")


def table(rules: Rules, results: list[Compared]) -> str:
    """The equivalence table: for each file and level, how many cases, how many LHC-Forms
    and $evaluate made equal to the app, and how many not."""
    levels = [level.id for level in rules.levels]
    counts = Counter((r.source, r.level, r.equal) for r in results)
    lines = [
        f"LHC-Forms {version()}, rules version {rules.version} (fingerprint "
        f"{rules.short_fingerprint}): {len(results)} cases.",
        "",
        "| file | level | cases | equal | not equal |",
        "| --- | --- | --- | --- | --- |",
    ]
    for source in SOURCES:
        for level in levels:
            equal, unequal = counts[(source, level, True)], counts[(source, level, False)]
            if equal + unequal:
                lines.append(f"| {source} | {level} | {equal + unequal} | {equal} | {unequal} |")
    equal = sum(r.equal for r in results)
    lines.append(f"| all | | {len(results)} | {equal} | {len(results) - equal} |")
    return "\n".join(lines)


def write_table(text: str) -> None:
    doc = DOC.read_text(encoding="utf-8")
    assert TABLE.search(doc), "docs/fhir.md has lost its renderer table"
    DOC.write_text(
        TABLE.sub(lambda _: f"<!-- renderer-table -->\n{text}\n<!-- /renderer-table -->", doc),
        encoding="utf-8",
    )
