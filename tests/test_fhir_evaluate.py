"""``POST /fhir/QuestionnaireResponse/$evaluate`` and ``rules evaluate``: the advice for a
QuestionnaireResponse sent by a clinic's system, as FHIR (selfcheck/fhir_evaluate.py,
selfcheck/web/evaluate.py, docs/fhir.md).

The advice must be the app's own for every clinicians' scenario and vignette; a response that
cannot be evaluated gets an OperationOutcome naming the item; nothing is kept or logged; no
cookie goes in or out."""

from __future__ import annotations

import copy
import io
import json
import logging
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from selfcheck import create_app, fhir
from selfcheck.answers import asked, is_asked
from selfcheck.outcome import evaluate
from selfcheck.rules import RED_FLAGS, Rules
from selfcheck.web.kept import COOKIE

from .testing.answers import NO_SYMPTOMS, SOON, URGENT, URGENT_MEDICINE, as_sets
from .testing.fhir import cases, valid, without_times
from .testing.privacy import ANSWERS, leaks
from .testing.rules import ROOT
from .testing.servers import in_thread, nginx
from .testing.visitor import Journey

EVALUATE = "/fhir/QuestionnaireResponse/$evaluate"
FHIR_JSON = "application/fhir+json"


def of_type(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def advice(bundle: dict[str, Any]) -> tuple[str, list[str]]:
    """The level and the causes to discuss that a receiving system reads in a Bundle."""
    (observation,) = of_type(bundle, "Observation")
    level = observation["valueCodeableConcept"]["coding"][0]["code"]
    causes = [
        c["valueCodeableConcept"]["coding"][0]["code"] for c in observation.get("component", ())
    ]
    return level, causes


def send(client: FlaskClient, resource: Any, content_type: str = FHIR_JSON, **kwargs: Any) -> Any:
    body = resource if isinstance(resource, (bytes, str)) else json.dumps(resource)
    return client.post(EVALUATE, data=body, content_type=content_type, **kwargs)


def bundle_of(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == FHIR_JSON
    made = response.get_json(force=True)
    assert made["resourceType"] == "Bundle"
    return made


# --------------------------------------------------------------------------------------------
# The same advice as the app's own pages


@pytest.mark.no_cover  # measured by the tests beside it; coverage doubles its time
def test_every_scenario_and_vignette_gets_the_apps_own_advice(client: FlaskClient, rules: Rules):
    """For each case, the QuestionnaireResponse that the result page's download holds (and the
    one its QR code holds, without the answers' words) is sent to $evaluate: the level, the
    causes to discuss and the whole advice are those the app gives the same answers."""
    compared = 0
    for name, answers in cases(rules):
        outcome = evaluate(rules, answers)
        expected = (outcome.level.id, [linked.cause.id for linked in outcome.listed])
        download = fhir.bundle(
            rules, answers, fill=lambda t: t.replace("{emergency_number}", "999")
        )
        (page_response,) = of_type(download, "QuestionnaireResponse")
        scanned = fhir.read_qr_payload(fhir.qr_payload(fhir.response(rules, answers, words=False)))
        for sent in (page_response, scanned):
            made = bundle_of(send(client, sent))
            assert advice(made) == expected, name
            assert without_times(of_type(made, "Observation")) == without_times(
                of_type(download, "Observation")
            ), f"{name}: the reasons, causes, version and fingerprint of the download"
            assert without_times(made["entry"][:2]) == without_times(download["entry"]), name
            compared += 1
    assert compared == 2 * sum(1 for _ in cases(rules)) > 600


def test_the_response_of_the_real_download_gets_the_result_pages_advice(
    client: FlaskClient, journey: Journey, rules: Rules
):
    journey.complete(URGENT_MEDICINE)
    fields = journey.form().fields
    download = client.post("/summary.fhir.json", data=MultiDict([*fields, ("go", "fhir")]))
    (sent,) = of_type(download.get_json(force=True), "QuestionnaireResponse")
    made = bundle_of(send(client, sent))
    valid(made)
    outcome = evaluate(rules, as_sets(URGENT_MEDICINE))
    assert advice(made) == (outcome.level.id, [c.cause.id for c in outcome.listed])
    assert outcome.level.id == "urgent" and advice(made)[1], "a case with causes to discuss"
    (observation,) = of_type(made, "Observation")
    method = observation["method"]["text"]
    assert rules.version in method and rules.fingerprint in method and rules.status_words in method


def test_approved_rules_say_so_in_the_advice(edited_rules):
    from .testing.rules import APPROVED

    app = create_app(
        {"TESTING": True, "SECRET_KEY": "k", "RULES_FILE": str(edited_rules(*APPROVED))}
    )
    rules = app.extensions["selfcheck"].rules
    assert rules.approved
    made = bundle_of(send(app.test_client(), fhir.response(rules, as_sets(SOON))))
    (observation,) = of_type(made, "Observation")
    assert rules.status_words in observation["method"]["text"]
    assert "draft" not in observation["method"]["text"]


def test_a_red_flag_alone_is_enough_and_the_sign_wins_over_none_of_these(client, rules):
    flag = rules.red_flags[0].id
    alone = fhir.response(rules, {RED_FLAGS: frozenset([flag])})
    assert [g["linkId"] for g in alone["item"]] == [fhir.group_id(rules.pages[0].id)]
    made = bundle_of(send(client, alone))
    assert advice(made) == (rules.emergency.id, [])
    both = copy.deepcopy(alone)
    none = rules.questions[RED_FLAGS].none_of_these
    assert none is not None
    answers = both["item"][0]["item"][0]["answer"]
    answers.append({"valueCoding": {**answers[0]["valueCoding"], "code": none}})
    assert advice(bundle_of(send(client, both))) == (rules.emergency.id, [])


def not_asked_answer(rules: Rules) -> tuple[dict[str, frozenset[str]], str, str]:
    """Complete answers, and a question those answers do not ask with the answer to it that
    is the most worrying."""
    answers = as_sets(NO_SYMPTOMS)
    for question in rules.asked_sometimes:
        if not is_asked(question, asked(rules, answers)):
            worst = max(question.answers, key=lambda a: a.worry)
            return answers, question.id, worst.value
    raise AssertionError("no question left unasked by NO_SYMPTOMS")


def test_an_answer_to_a_question_not_asked_is_left_out_as_the_pages_do_and_said(client, rules):
    """Decided: ignored, as the web form ignores it (an earlier answer changed may leave one
    behind), never refused: the advice is the app's, and the Bundle says which was left out."""
    answers, question_id, value = not_asked_answer(rules)
    sent = fhir.response(rules, answers)
    page = rules.questions[question_id].page_id
    group = next((g for g in sent["item"] if g["linkId"] == fhir.group_id(page)), None)
    if group is None:  # a page none of whose questions is asked: no group for it
        group = {"linkId": fhir.group_id(page), "item": []}
        sent["item"].append(group)
    system = fhir.system(fhir.DEFAULT_BASE, f"answers-{question_id}")
    group["item"].append(
        {"linkId": question_id, "answer": [{"valueCoding": {"system": system, "code": value}}]}
    )
    made = bundle_of(send(client, sent))
    valid(made)
    outcome = evaluate(rules, {**answers, question_id: frozenset([value])})
    assert advice(made) == (outcome.level.id, [c.cause.id for c in outcome.listed])
    assert advice(made) == advice(bundle_of(send(client, fhir.response(rules, answers))))
    (read,) = of_type(made, "QuestionnaireResponse")
    assert question_id not in json.dumps(read), "the response as read leaves it out"
    (notes,) = of_type(made, "OperationOutcome")
    (issue,) = notes["issue"]
    assert issue["severity"] == "information" and repr(question_id) in issue["details"]["text"]
    index = sent["item"].index(group)
    assert issue["expression"] == [
        f"QuestionnaireResponse.item[{index}].item[{len(group['item']) - 1}]"
    ]


def test_nothing_that_names_the_person_comes_back(client, rules):
    """A record system's response names its patient; the advice is made from the answers
    alone, and neither the subject, the author nor the response's own id come back."""
    sent = {
        **fhir.response(rules, as_sets(SOON)),
        "id": "qr-4711",
        "subject": {"reference": "Patient/4711", "display": "Alex Example"},
        "author": {"reference": "Practitioner/99"},
        "identifier": {"system": "https://clinic.example/qr", "value": "A-4711"},
    }
    made = bundle_of(send(client, sent))
    text = json.dumps(made)
    for said in ("4711", "Alex Example", "Practitioner", "subject", "clinic.example"):
        assert said not in text, said
    assert advice(made) == advice(bundle_of(send(client, fhir.response(rules, as_sets(SOON)))))


def test_responses_flat_or_in_groups_are_read_alike(client, rules):
    """A record system may send the questions without the pages' groups."""
    grouped = fhir.response(rules, as_sets(URGENT))
    flat = {**grouped, "item": [item for group in grouped["item"] for item in group["item"]]}
    assert advice(bundle_of(send(client, flat))) == advice(bundle_of(send(client, grouped)))


# --------------------------------------------------------------------------------------------
# Refused, with an OperationOutcome naming the item


def edit_soon(rules: Rules, change: Callable[[dict[str, Any]], Any]) -> dict[str, Any]:
    sent = fhir.response(rules, as_sets(SOON))
    change(sent)
    return sent


def question_item(sent: dict[str, Any], link: str) -> tuple[str, dict[str, Any]]:
    """The item of question ``link`` and where it is."""
    for i, group in enumerate(sent["item"]):
        for j, item in enumerate(group["item"]):
            if item["linkId"] == link:
                return f"QuestionnaireResponse.item[{i}].item[{j}]", item
    raise KeyError(link)


def refusal(response: Any, status: int) -> list[dict[str, Any]]:
    """The issues of an OperationOutcome answered with ``status``: valid FHIR, no cookie."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == FHIR_JSON
    outcome = response.get_json(force=True)
    valid(outcome)
    assert outcome["resourceType"] == "OperationOutcome"
    assert "Set-Cookie" not in response.headers
    return outcome["issue"]


def one_issue(response: Any, status: int, code: str) -> dict[str, Any]:
    (issue,) = refusal(response, status)
    assert (issue["severity"], issue["code"]) == ("error", code), issue
    return issue


def test_another_version_or_questionnaire_is_refused(client, rules):
    at = ["QuestionnaireResponse.questionnaire"]
    for given in (
        f"{fhir.canonical()}|9.9.9",
        fhir.canonical(),
        "https://elsewhere.example/Questionnaire/phq-9|1.0",
        None,
    ):
        sent = edit_soon(rules, lambda r: r.update(questionnaire=given))  # noqa: B023
        if given is None:
            del sent["questionnaire"]
        issue = one_issue(send(client, sent), 422, "not-supported")
        assert issue["expression"] == at
        assert f"{fhir.canonical()}|{rules.version}" in issue["details"]["text"]
    issue = one_issue(
        send(
            client, edit_soon(rules, lambda r: r.update(questionnaire=f"{fhir.canonical()}|9.9.9"))
        ),
        422,
        "not-supported",
    )
    assert "'9.9.9'" in issue["details"]["text"]


def test_an_unknown_question_is_refused_with_its_place_and_a_suggestion(client, rules):
    def rename(sent: dict[str, Any]) -> None:
        question_item(sent, "jerking")[1]["linkId"] = "jerkin"

    sent = edit_soon(rules, rename)
    where, _ = question_item(sent, "jerkin")
    issue = one_issue(send(client, sent), 422, "not-found")
    assert issue["expression"] == [f"{where}.linkId"]
    assert (
        "'jerkin'" in issue["details"]["text"]
        and "Did you mean 'jerking'" in issue["details"]["text"]
    )


def test_a_code_not_in_the_questions_code_system_is_refused(client, rules):
    def change(sent: dict[str, Any]) -> None:
        question_item(sent, "age")[1]["answer"][0]["valueCoding"]["code"] = "ancient"

    sent = edit_soon(rules, change)
    where, _ = question_item(sent, "age")
    issue = one_issue(send(client, sent), 422, "code-invalid")
    assert issue["expression"] == [f"{where}.answer[0].valueCoding.code"]
    assert "'ancient'" in issue["details"]["text"] and "'age'" in issue["details"]["text"]

    def other_system(sent: dict[str, Any]) -> None:
        coding = question_item(sent, "age")[1]["answer"][0]["valueCoding"]
        coding["system"] = fhir.system(fhir.DEFAULT_BASE, "answers-for_whom")

    issue = one_issue(send(client, edit_soon(rules, other_system)), 422, "code-invalid")
    assert issue["expression"] == [f"{where}.answer[0].valueCoding.system"]


def test_a_missing_answer_the_advice_needs_is_refused_naming_the_question(client, rules):
    def drop(sent: dict[str, Any]) -> None:
        for group in sent["item"]:
            group["item"] = [item for item in group["item"] if item["linkId"] != "age"]

    issue = one_issue(send(client, edit_soon(rules, drop)), 422, "required")
    page = fhir.group_id(rules.questions["age"].page_id)
    assert issue["expression"] == [
        f"QuestionnaireResponse.item.where(linkId='{page}').item.where(linkId='age')"
    ]
    assert "'age'" in issue["details"]["text"]
    empty = fhir.response(rules, {})
    issues = refusal(send(client, empty), 422)
    assert {i["code"] for i in issues} == {"required"}
    assert repr(RED_FLAGS) in issues[0]["details"]["text"], "the emergency check first"


@pytest.mark.parametrize(
    ("change", "code", "says"),
    [
        ("two answers to a choose-one question", "value", "takes one answer"),
        ("none of these with another answer", "business-rule", "none of these"),
        ("the question twice", "duplicate", "answered twice"),
        ("a text instead of a code", "value", "valueCoding"),
    ],
)
def test_answers_the_pages_refuse_are_refused(client, rules, change, code, says):
    def edit(sent: dict[str, Any]) -> None:
        _, age = question_item(sent, "age")
        _, where = question_item(sent, "medicines")
        if change == "two answers to a choose-one question":
            other = next(a.value for a in rules.questions["age"].answers if a.value != "adult")
            age["answer"].append(
                {"valueCoding": {**age["answer"][0]["valueCoding"], "code": other}}
            )
        elif change == "none of these with another answer":
            other = next(a.value for a in rules.questions["medicines"].answers if a.value != "none")
            where["answer"].append(
                {"valueCoding": {**where["answer"][0]["valueCoding"], "code": other}}
            )
        elif change == "the question twice":
            sent["item"][-1]["item"].append(copy.deepcopy(age))
        else:
            age["answer"] = [{"valueString": "adult"}]

    issue = one_issue(send(client, edit_soon(rules, edit)), 422, code)
    assert says in issue["details"]["text"]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b'{"resourceType": "QuestionnaireResponse", ', "not valid JSON"),
        (b"", "not valid JSON"),
        (b'{"resourceType": "Patient"}', "must be a FHIR QuestionnaireResponse"),
        (b"[]", "must be a FHIR QuestionnaireResponse"),
        (
            b'{"resourceType": "QuestionnaireResponse", "resourceType": "QuestionnaireResponse"}',
            "twice",
        ),
        (b'{"resourceType": "QuestionnaireResponse", "x": NaN}', "NaN"),
        (b'{"resourceType": "Questionnaire\xe9Response"}', "UTF-8"),
        (b"[" * 100_00 + b"]" * 100_00, "nested too deeply"),
    ],
    ids=["cut", "empty", "patient", "list", "twice", "nan", "latin-1", "deep"],
)
def test_a_body_that_is_not_a_response_in_json_is_refused(client, body, says):
    issue = one_issue(send(client, body), 400, "structure")
    assert says in issue["details"]["text"]


@pytest.mark.parametrize(
    ("status", "code"), [("entered-in-error", 422), ([1], 400), (None, 400), ("done", 400)]
)
def test_a_response_entered_in_error_or_without_a_status_is_refused(client, rules, status, code):
    sent = edit_soon(rules, lambda r: r.update(status=status))
    if status is None:
        del sent["status"]
    issue = one_issue(send(client, sent), code, "value")
    assert issue["expression"] == ["QuestionnaireResponse.status"]


def test_a_malformed_item_is_refused_as_malformed(client, rules):
    sent = edit_soon(rules, lambda r: r["item"][0].update(item={"linkId": "red_flags"}))
    issue = one_issue(send(client, sent), 400, "structure")
    assert issue["expression"] == ["QuestionnaireResponse.item[0].item"]


@pytest.mark.parametrize(
    "content_type",
    [
        "application/x-www-form-urlencoded",
        "text/plain",
        "",
        "application/fhir+xml",
        "application/fhir+json; charset=iso-8859-1",
    ],
)
def test_a_body_of_another_type_is_refused(client, rules, content_type):
    sent = json.dumps(fhir.response(rules, as_sets(SOON)))
    issue = one_issue(send(client, sent, content_type=content_type), 415, "not-supported")
    assert FHIR_JSON in issue["details"]["text"] or "UTF-8" in issue["details"]["text"]


def test_plain_json_is_taken_too(client, rules):
    sent = fhir.response(rules, as_sets(SOON))
    assert advice(bundle_of(send(client, sent, "application/json; charset=utf-8")))[0] == "soon"


def test_a_body_over_the_sites_limit_gets_413_as_an_operation_outcome(client, app_of_test, rules):
    limit = app_of_test.config["MAX_CONTENT_LENGTH"]
    sent = fhir.response(rules, as_sets(SOON))
    sent["text"] = {"status": "generated", "div": "<div>" + "x" * limit + "</div>"}
    issue = one_issue(send(client, sent), 413, "too-long")
    assert str(limit) in issue["details"]["text"]
    # In chunks, with no Content-Length, as gunicorn passes a chunked body on.
    chunked = client.post(
        EVALUATE,
        input_stream=io.BytesIO(json.dumps(sent).encode()),
        content_type=FHIR_JSON,
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True, "CONTENT_LENGTH": ""},
    )
    one_issue(chunked, 413, "too-long")


def test_a_response_to_many_bad_items_lists_at_most_fifty_problems(client, rules):
    sent = edit_soon(
        rules, lambda r: r["item"].extend({"linkId": f"nothing{i}"} for i in range(200))
    )
    issues = refusal(send(client, sent), 422)
    assert len(issues) == 51 and "150 more" in issues[-1]["details"]["text"]


# --------------------------------------------------------------------------------------------
# No token, no cookie, nothing kept


def test_no_csrf_token_is_needed_here_and_only_here(client, rules):
    """CSRF protects the pages' forms (a form of another site sent with the person's cookie);
    $evaluate reads no cookie, so it needs no token. The pages still refuse a form without one."""
    assert client.application.config.get("WTF_CSRF_ENABLED", True)
    made = bundle_of(send(client, fhir.response(rules, as_sets(SOON))))
    assert advice(made)[0] == "soon"
    answers = [(q, v) for q, vs in SOON.items() for v in ([vs] if isinstance(vs, str) else vs)]
    form = client.post("/check", data=MultiDict([*answers, ("go", "next")]))
    assert form.status_code == 400, "the pages' forms still need their token"
    download = client.post("/summary.fhir.json", data=MultiDict([*answers, ("go", "fhir")]))
    assert download.status_code == 400


def test_no_cookie_is_set_and_a_cookie_sent_changes_nothing(app: Flask, journey: Journey, rules):
    """A browser that holds answers of the pages (URGENT) sends its cookies with the request:
    the advice is that of the response sent (SOON), and no cookie comes back."""
    alone = bundle_of(send(app.test_client(), fhir.response(rules, as_sets(SOON))))
    assert "Set-Cookie" not in send(app.test_client(), fhir.response(rules, as_sets(SOON))).headers
    journey.complete(URGENT)
    names = {cookie.key for cookie in journey.client._cookies.values()}
    assert COOKIE in names and len(names) == 2, "the answers' cookie and the session's"
    response = send(journey.client, fhir.response(rules, as_sets(SOON)))
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.headers.get("Vary", "")
    assert without_times(bundle_of(response)) == without_times(alone)
    assert advice(alone)[0] == "soon" != evaluate(rules, as_sets(URGENT)).level.id


def test_the_log_check_would_find_a_response_in_a_log(rules: Rules):
    """The test below can fail: the body of a call, or its answers read, in a log are found."""
    sent = fhir.response(rules, as_sets(ANSWERS))
    assert leaks(json.dumps(sent), rules)
    assert leaks(repr(asked(rules, as_sets(ANSWERS))), rules)


def test_evaluate_calls_leave_no_answer_in_the_logs(app: Flask, rules: Rules, caplog):
    """Valid and refused calls, under werkzeug's own server (which logs each request)."""
    caplog.set_level(logging.DEBUG)
    sent = fhir.response(rules, as_sets(ANSWERS))
    changed = copy.deepcopy(sent)
    question_item(changed, "where")[1]["answer"][0]["valueCoding"]["code"] = "wrists-and-ankles"
    cut = copy.deepcopy(sent)
    cut["item"] = cut["item"][:3]
    bodies = [
        json.dumps(sent).encode(),
        json.dumps(changed).encode(),
        json.dumps(cut).encode(),
        json.dumps(sent).encode()[:-40],
        json.dumps({**sent, "note": "x" * 70_000}).encode(),
    ]
    with in_thread(app) as url:
        statuses = [post(url + EVALUATE, body)[0] for body in bodies]
    assert statuses == [200, 422, 422, 400, 413]
    assert "$evaluate" in caplog.text, "the server's request log was captured"
    logged = "\n".join([caplog.text, *(repr(r.args) for r in caplog.records)])
    assert not leaks(logged, rules)


def post(url: str, body: bytes, content_type: str = FHIR_JSON) -> tuple[int, str, bytes]:
    """A POST over real HTTP: its status, media type and body."""
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": content_type}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.headers.get_content_type(), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get_content_type(), error.read()


def pdf_pool(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    """A stand-in for the PDF pool: a request sent there gets 418."""
    environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    start_response("418 I'm a teapot", [("Content-Type", "text/plain")])
    return [b"pdf pool"]


@pytest.mark.production
def test_through_the_proxy_the_service_is_served_by_the_page_pool(rules: Rules):
    """nginx as `make serve` configures it (selfcheck/ops/nginx_config.py, unchanged) passes the
    method, the content type and the body to the page workers, at the address written either
    way; a body over the limit is refused by nginx itself, with its HTML page."""
    app = create_app({"SECRET_KEY": "proxy test"})
    sent = json.dumps(fhir.response(rules, as_sets(SOON))).encode()
    expected = advice(bundle_of(send(app.test_client(), sent)))
    with (
        in_thread(app, quiet=True) as pages,
        in_thread(pdf_pool, quiet=True) as pdf,
        nginx([pages], [pdf], unlimited=["127.0.0.1"]) as proxy,
    ):
        for path in (EVALUATE, EVALUATE.replace("$", "%24")):
            status, media, body = post(proxy + path, sent)
            assert (status, media) == (200, FHIR_JSON), body[:200]
            assert advice(json.loads(body)) == expected
        status, media, body = post(proxy + EVALUATE, sent, "text/plain")
        assert (status, media) == (415, FHIR_JSON)
        status, media, _ = post(proxy + EVALUATE, sent + b" " * app.config["MAX_CONTENT_LENGTH"])
        assert (status, media) == (413, "text/html"), "nginx's own page: docs/fhir.md says so"


# --------------------------------------------------------------------------------------------
# rules evaluate


@pytest.fixture
def responses(tmp_path: Path, rules: Rules) -> Path:
    sent = fhir.response(rules, as_sets(URGENT_MEDICINE))
    (tmp_path / "response.json").write_text(json.dumps(sent), encoding="utf-8")
    code = fhir.qr_payload(fhir.response(rules, as_sets(URGENT_MEDICINE), words=False))
    (tmp_path / "scanned.txt").write_text(code + "\n", encoding="utf-8")
    (tmp_path / "old.json").write_text(
        json.dumps({**sent, "questionnaire": f"{fhir.canonical()}|0.0.1"}), encoding="utf-8"
    )
    (tmp_path / "bad-code.txt").write_text("SELFCHECK:AAAA", encoding="utf-8")
    return tmp_path


def test_rules_evaluate_prints_the_same_bundle_as_the_service(runner, client, responses, rules):
    served = bundle_of(send(client, (responses / "response.json").read_bytes()))
    for name in ("response.json", "scanned.txt"):
        result = runner.invoke(args=["rules", "evaluate", str(responses / name)])
        assert result.exit_code == 0, result.output
        assert result.stderr.startswith("Rules: "), "which rules, on stderr"
        made = json.loads(result.stdout)
        valid(made)
        assert without_times(made) == without_times(served)
        assert advice(made) == ("urgent", advice(served)[1])


def test_rules_evaluate_takes_the_rules_file_first_and_stdin(runner, responses):
    text = (responses / "response.json").read_text()
    result = runner.invoke(args=["rules", "evaluate", str(ROOT / "rules.yaml"), "-"], input=text)
    assert result.exit_code == 0, result.output
    assert advice(json.loads(result.stdout))[0] == "urgent"
    assert runner.invoke(args=["rules", "evaluate"]).exit_code == 2
    assert runner.invoke(args=["rules", "evaluate", "a", "b", "c"]).exit_code == 2


@pytest.mark.parametrize(
    ("name", "code"), [("old.json", "not-supported"), ("bad-code.txt", "structure")]
)
def test_rules_evaluate_prints_an_operation_outcome_and_exits_1(runner, responses, name, code):
    result = runner.invoke(args=["rules", "evaluate", str(responses / name)])
    assert result.exit_code == 1
    outcome = json.loads(result.stdout)
    valid(outcome)
    assert [issue["code"] for issue in outcome["issue"]] == [code]


# --------------------------------------------------------------------------------------------
# The transcript in docs/fhir.md


def transcript() -> list[tuple[Any, int | None]]:
    """Each answer shown in docs/fhir.md's transcript: its JSON, and its status when shown."""
    text = (ROOT / "docs" / "fhir.md").read_text(encoding="utf-8")
    section = text.split("### A transcript", 1)[1].split("\n## ", 1)[0]
    found = []
    for block in re.findall(r"```\n(.*?)```", section, re.S):
        # What was printed: from a line "{" to a line "}" (the commands are never those).
        printed = re.search(r"^\{$.*?^\}$", block, re.S | re.M)
        assert printed is not None, block
        status = re.search(r"^HTTP ([0-9]{3})$", block, re.M)
        found.append((json.loads(printed.group()), int(status.group(1)) if status else None))
    return found


def test_the_transcript_in_the_docs_is_what_the_service_answers(client, rules):
    """The calls of the transcript made again (jq's edits done here in Python): the same
    answers, so a change of the rules or the code that changes them fails until the
    transcript is made again (the commands are in docs/fhir.md)."""
    sent = fhir.response(rules, as_sets(SOON), words=False)

    def without_age(resource: dict[str, Any]) -> None:
        for group in resource["item"]:
            group["item"] = [item for item in group["item"] if item["linkId"] != "age"]

    def ancient(resource: dict[str, Any]) -> None:
        question_item(resource, "age")[1]["answer"][0]["valueCoding"]["code"] = "ancient"

    made = bundle_of(send(client, sent))
    (observation,) = of_type(made, "Observation")
    calls = [
        send(client, {**sent, "questionnaire": sent["questionnaire"].replace("|0.1.0", "|0.0.9")}),
        send(client, edit_soon_words(sent, ancient)),
        send(client, edit_soon_words(sent, without_age)),
        send(client, json.dumps(sent), content_type="text/plain"),
    ]
    shown = transcript()
    assert shown[0] == (
        {
            "level": observation["valueCodeableConcept"],
            "discuss": [c["valueCodeableConcept"]["text"] for c in observation["component"]],
            "method": observation["method"]["text"],
        },
        None,
    )
    assert shown[1:] == [(call.get_json(force=True), call.status_code) for call in calls]


def edit_soon_words(
    sent: dict[str, Any], change: Callable[[dict[str, Any]], Any]
) -> dict[str, Any]:
    changed = copy.deepcopy(sent)
    change(changed)
    return changed
