"""The alert routes of the running app take hostile requests from the network: only a live token with the
``alerts`` scope gets in (and reaches nothing else), every bad body gets one JSON sentence and writes nothing,
and a group whose incident someone made private never names it, nor what happened to it, to the token.

(On the code before the alert routes every request here answered 404; the NUL tests answered 500 on
PostgreSQL, and stored or searched for NUL on DuckDB.)
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import json

import pytest

import incident_kit as ik
from conftest import FIXTURES
from incident_kit.clock import utcnow
from incident_kit.tokens import service

from web_support import error_of, served, strict_json, tokens

from .actors import ANA

MB = 1024 * 1024
AM, EVENT = "/alerts/alertmanager", "/alerts"
PRIVATE_TITLE = "Payroll leak, keep quiet"


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / "alerts" / name).read_text())


def group(key: str, *, alerts: int = 1, status: str = "firing", summary: str = "Queue backlog") -> dict:
    """An Alertmanager delivery of a group of its own, ``alerts`` alerts in it."""
    payload = copy.deepcopy(fixture("alertmanager-firing.json"))
    payload.update(groupKey=key, status=status, commonAnnotations={"summary": summary})
    one = payload["alerts"][0]
    payload["alerts"] = [{**one, "status": status, "fingerprint": f"{key}-{n}", "annotations": {},
                          "labels": {**one["labels"], "instance": f"worker-{n}"}} for n in range(alerts)]
    return payload


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    db = tmp_path_factory.mktemp("alert-routes") / "kit.duckdb"
    secrets = tokens(db, {"am": ["alerts"], "reader": ["incidents:read"], "revoked": ["alerts"],
                          "no-alerts": ["incidents:read", "incidents:write", "metrics:read"]})
    with ik.open(db, user="admin") as kit:
        kit.revoke_api_token("revoked")
        secrets["expired"] = service.create(kit.db, "expired", ["alerts"], by="admin", expires="1h",
                                            now=utcnow() - dt.timedelta(hours=2)).secret
        # INC-1: an alert group's incident that ana then made private, and still firing
        kit.receive_alertmanager(fixture("alertmanager-firing.json"), by="token:am")
        kit.add_member("INC-1", str(ANA), by="admin")
        kit.edit("INC-1", private=True, title=PRIVATE_TITLE, by=ANA)
        # INC-2: a generic event's incident, made private, its alert resolved and the incident resolved
        kit.receive_alert(fixture("generic-firing.json"), by="token:am")
        kit.add_member("INC-2", str(ANA), by="admin")
        kit.edit("INC-2", private=True, title=PRIVATE_TITLE, by=ANA)
        kit.receive_alert(fixture("generic-resolved.json"), by="token:am")
        kit.resolve("INC-2", by=ANA)
        kit.save_settings({"resolve_with_alerts": True})  # even so, a token never resolves a private incident
    with contextlib.ExitStack() as stack:
        api = stack.enter_context(served(db, log=db.parent / "app.log"))
        clients = {name: stack.enter_context(api.client(secret)) for name, secret in secrets.items()}
        clients["anonymous"] = stack.enter_context(api.client())
        clients["stop_app"], clients["db"] = stack.close, db  # the last test stops the app to look at the file
        yield clients


def _count(app) -> int:
    return len(app["reader"].get("/incidents", params={"limit": 500}).json()["incidents"])


# -- tokens -----------------------------------------------------------------------------------------------
def test_revoked_expired_unknown_and_missing_tokens_get_the_same_401_as_on_every_route(app):
    reference = app["revoked"].get("/incidents")  # the 401 the incident routes give a bad token
    for name in ("revoked", "expired"):
        for path, body in ((AM, group("g-401")), (EVENT, fixture("generic-firing.json"))):
            answer = app[name].post(path, json=body)
            assert answer.status_code == 401 and answer.text == reference.text, (name, path)
    missing = app["anonymous"].post(AM, json=group("g-401"))
    assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
    assert "Send an API token" in error_of(missing)


def test_a_token_without_the_alerts_scope_gets_403_and_declares_nothing(app):
    before = _count(app)
    for name in ("reader", "no-alerts"):
        for path, body in ((AM, group("g-403")), (EVENT, {**fixture("generic-firing.json"), "dedup_key": "g-403"})):
            answer = app[name].post(path, json=body)
            assert answer.status_code == 403 and "needs the alerts scope" in error_of(answer), (name, path)
    assert _count(app) == before


def test_an_alerts_token_reaches_alert_intake_and_nothing_else(app):
    am = app["am"]
    for method, path, body in (("GET", "/incidents", None), ("GET", "/incidents/INC-3", None),
                               ("POST", "/incidents", {"title": "Sneaky"}), ("GET", "/metrics", None),
                               ("POST", "/incidents/INC-3/updates", {"message": "x"})):
        answer = am.request(method, path, json=body)
        assert answer.status_code == 403 and "needs the" in error_of(answer), path
    assert am.post(AM, json=group("g-ok")).status_code == 202


# -- bodies -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", [AM, EVENT])
def test_a_body_over_1_mb_is_413_whether_declared_or_streamed_and_writes_nothing(app, path):
    before = _count(app)
    big = group("g-big", alerts=1)
    big["alerts"][0]["annotations"] = {"description": "y" * MB}
    declared = app["am"].post(path, content=json.dumps(big).encode(), headers={"content-type": "application/json"})
    assert declared.status_code == 413 and "larger than 1024 KB" in error_of(declared)

    def chunks():  # no Content-Length: counted as the bytes arrive
        yield b'{"status": "firing", "title": "x", "dedup_key": "g-stream", "description": "'
        for _ in range(20):
            yield b"z" * 65536
        yield b'"}'

    streamed = app["am"].post(path, content=chunks(), headers={"content-type": "application/json"})
    assert streamed.status_code == 413 and "larger than" in error_of(streamed)
    assert _count(app) == before
    honest = group("g-after-big") if path == AM else {**fixture("generic-firing.json"), "dedup_key": "g-after-big"}
    assert app["am"].post(path, json=honest).status_code == 202  # the next delivery is taken as usual


def test_a_large_honest_batch_under_the_cap_lands_and_alerts_past_1000_count_as_not_sent(app):
    payload = group("g-batch", alerts=2_000)
    body = json.dumps(payload).encode()
    assert 500_000 < len(body) < MB
    answer = app["am"].post(AM, content=body, headers={"content-type": "application/json"})
    assert answer.status_code == 202 and answer.json()["outcome"] == "declared", answer.text
    timeline = app["reader"].get(f"/incidents/{answer.json()['incident']}").json()["timeline"]
    assert "(and 1000 more not sent)" in timeline[-1]["text"]


@pytest.mark.parametrize("path", [AM, EVENT])
def test_json_nested_too_deep_in_a_label_is_400_before_any_parsing_of_fields(app, path):
    deep = "[" * 40 + "]" * 40
    labels = '{"a": ' + deep + "}"
    body = ('{"status": "firing", "groupKey": "g", "alerts": [{"status": "firing", "labels": ' + labels + "}]}"
            if path == AM else '{"status": "firing", "title": "x", "dedup_key": "g", "labels": ' + labels + "}")
    answer = app["am"].post(path, content=body.encode(), headers={"content-type": "application/json"})
    assert answer.status_code == 400 and "deeper than 32 levels" in error_of(answer)
    shallow = app["am"].post(path, content=body.replace(deep, "[]").encode(),
                             headers={"content-type": "application/json"})
    assert shallow.status_code == 422 and error_of(shallow).endswith("labels.a must be text.")  # the domain's


@pytest.mark.parametrize("path,body,words", [
    (AM, [group("g-list")], "The Alertmanager payload must be a JSON object, not list."),
    (AM, "groupKey", "The Alertmanager payload must be a JSON object, not str."),
    (AM, {**group("g-t"), "truncatedAlerts": "0"}, "The Alertmanager payload's truncatedAlerts must be a whole number."),
    (AM, {**group("g-s"), "status": "exploded"}, "The Alertmanager payload's status must be firing or resolved."),
    (AM, {**group("g-e"), "alerts": []}, "The Alertmanager payload's alerts is empty: send at least one alert."),
    (AM, {**group("g-k"), "groupKey": {"$ne": None}}, "The Alertmanager payload's groupKey must be text."),
    (EVENT, {"status": "firing", "title": "x", "dedup_key": ["d"]}, "The alert event's dedup_key must be text."),
    (EVENT, {"status": "firing", "title": "x"}, "The alert event's dedup_key is missing."),
    (EVENT, {"status": "firing", "title": "x", "dedup_key": "d", "labels": {"a": 1}},
     "The alert event's labels.a must be text."),
    (EVENT, {"status": "firing", "title": "x", "dedup_key": "d", "description": "d" * 20_001},
     "The alert event's description is longer than 20,000 characters."),
], ids=lambda v: str(v)[:30])
def test_a_malformed_delivery_gets_the_domains_one_sentence_naming_the_field_and_writes_nothing(app, path, body,
                                                                                               words):
    before = _count(app)
    answer = app["am"].post(path, json=body)
    assert answer.status_code == 422 and error_of(answer) == words
    assert _count(app) == before


def test_a_label_of_the_wrong_type_deep_in_a_batch_is_named_by_its_place(app):
    payload = group("g-label", alerts=3)
    payload["alerts"][2]["labels"]["region"] = {"a": "b"}
    answer = app["am"].post(AM, json=payload)
    assert answer.status_code == 422 and error_of(answer) == \
        "The Alertmanager payload's alerts[2].labels.region must be text."


@pytest.mark.parametrize("content,kind,status,words", [
    (b'{"status": "firing", "title": "x",', "application/json", 400, "The body is not valid JSON"),
    (b"status=firing&title=x&dedup_key=k", "application/x-www-form-urlencoded", 400,
     "Send the alert as JSON with the header Content-Type: application/json."),
    (b'{"status": "firing", "title": "x", "dedup_key": NaN}', "application/json", 422,
     "The alert event's dedup_key must be text."),
    (b'{"status": "firing", "title": "x \\ud800", "dedup_key": "d"}', "application/json", 422,
     "The alert event's title is not valid Unicode text."),
    (b"", "application/json", 422, "The body is required."),
])
def test_a_body_that_is_not_a_json_object_of_text_gets_one_sentence(app, content, kind, status, words):
    answer = app["am"].post(EVENT, content=content, headers={"content-type": kind})
    assert answer.status_code == status and error_of(answer).startswith(words), answer.text


@pytest.mark.parametrize("path,body", [
    (EVENT, b'{"status": "firing", "title": "Disk \\u0000 full", "dedup_key": "g-nul-1"}'),
    (EVENT, b'{"status": "firing", "title": "x", "dedup_key": "g-nul-2", "labels": {"\\u0000": "v"}}'),
    (AM, json.dumps({**group("g-nul-3"), "alerts": [{**group("g-nul-3")["alerts"][0], "fingerprint": "\x00"}]})
     .encode()),
])
def test_nul_in_any_text_of_an_alert_is_refused_with_one_sentence(app, path, body):
    before = _count(app)
    answer = app["am"].post(path, content=body, headers={"content-type": "application/json"})
    assert answer.status_code == 422 and "NUL character" in error_of(answer)
    assert _count(app) == before


def test_hostile_strings_stay_text_in_json_answers_and_only_http_links_are_kept(app):
    payload = group("g-hostile", summary='<script>alert(1)</script> =HYPERLINK("x") \u202eevil')
    payload["externalURL"] = "javascript:alert(document.domain)"
    payload["alerts"][0]["generatorURL"] = "javascript:alert(1)"
    payload["alerts"][0]["labels"]["alertname"] = "<img src=x onerror=alert(1)>"
    answer = app["am"].post(AM, json=payload)
    assert answer.status_code == 202
    shown = app["reader"].get(f"/incidents/{answer.json()['incident']}")
    assert shown.headers["content-type"] == "application/json" and shown.headers["x-content-type-options"] == "nosniff"
    incident = strict_json(shown.text)
    assert incident["title"] == '<script>alert(1)</script> =HYPERLINK("x") \u202eevil'  # text; each output escapes
    assert "javascript:" not in shown.text


# -- private incidents ------------------------------------------------------------------------------------
def _names_nothing(answer) -> None:
    assert answer.status_code == 202
    assert strict_json(answer.text) == {"outcome": "accepted", "incident": None, "previous_incident": None}
    assert "INC-1" not in answer.text and "Payroll" not in answer.text


def test_a_group_whose_incident_was_made_private_never_names_it_nor_what_happened(app):
    firing = fixture("alertmanager-firing.json")
    grown = copy.deepcopy(firing)
    grown["alerts"].append({**firing["alerts"][0], "fingerprint": "0d3f5a7b9c1e2f40",
                            "labels": {**firing["alerts"][0]["labels"], "region": "ap-south-1"}})
    repeat, added = app["am"].post(AM, json=firing), app["am"].post(AM, json=grown)
    resolved = app["am"].post(AM, json=fixture("alertmanager-resolved.json"))
    for answer in (repeat, added, resolved):  # a repeat, a new alert, the resolution: the same answer
        _names_nothing(answer)
    assert repeat.text == added.text == resolved.text


def test_a_group_firing_again_after_its_private_incident_ended_opens_a_new_one_that_names_nothing_of_it(app):
    again = app["am"].post(EVENT, json=fixture("generic-firing.json"))
    assert again.status_code == 202
    body = strict_json(again.text)
    assert body["outcome"] == "reopened_as_new" and body["previous_incident"] is None
    assert "INC-2" not in again.text
    shown = app["reader"].get(f"/incidents/{body['incident']}").text
    assert "INC-2" not in shown and PRIVATE_TITLE not in shown


def test_after_all_of_the_above_the_private_incidents_are_still_theirs(app):
    app["stop_app"]()
    with ik.open(app["db"], user="admin") as kit:
        first = kit.get("INC-1")
        assert first.private and first.status.value == "investigating"  # resolve_with_alerts did not apply
        assert [e.kind for e in kit.events("INC-1")][-2:] == ["alerts_fired", "alerts_resolved"]
        assert kit.related("INC-2") == []
        assert len(kit.incidents(search="keep quiet")) == 2


@pytest.mark.slow
def test_nul_anywhere_in_a_request_is_one_sentence_on_postgresql_not_a_500(pg_url, tmp_path):
    secrets = tokens(pg_url, {"bot": ["alerts", "incidents:read", "incidents:write"]})
    bodies = [(EVENT, b'{"status": "firing", "title": "Disk \\u0000 full", "dedup_key": "k"}'),
              (AM, json.dumps({**group("g"), "alerts": [{**group("g")["alerts"][0], "fingerprint": "\x00"}]})
               .encode()),
              ("/incidents", b'{"title": "Disk \\u0000 full"}')]
    with served(pg_url, log=tmp_path / "app.log") as api, api.client(secrets["bot"]) as client:
        answers = [client.post(path, content=body, headers={"content-type": "application/json"})
                   for path, body in bodies]
        answers.append(client.get("/incidents", params={"search": "a\x00b"}))
        for answer in answers:
            assert answer.status_code == 422 and "NUL character" in error_of(answer), answer.text
        assert client.get("/incidents").json()["incidents"] == []
