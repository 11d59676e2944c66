"""Alert intake takes hostile input from the network (issue 21): every malformed delivery gets one sentence and
writes nothing, alerts never make a private incident, and a group whose incident someone made private never
shows it to the token delivering its alerts. (On the code before alert intake these fail: there is no intake.)"""

from __future__ import annotations

import copy
import json

import pytest

from conftest import FIXTURES
from incident_kit.errors import IncidentKitError
from incident_kit.identity import Person

from .actors import ANA, BOB

TOKEN = Person("token:alertmanager")  # as the HTTP API names a token: a checked actor, never trusted as a name


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / "alerts" / name).read_text())


def refused(call, *args, match: str, **kwargs) -> str:
    with pytest.raises(IncidentKitError, match=match) as exc:
        call(*args, **kwargs)
    message = str(exc.value)
    assert "\n" not in message and len(message) < 300  # one sentence, never a dump of the input
    return message


def changed(payload: dict, path: tuple, value) -> dict:
    out = copy.deepcopy(payload)
    target = out
    for step in path[:-1]:
        target = target[step]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return out


AM = fixture("alertmanager-firing.json")
HUGE = "x" * 1_000_000


@pytest.mark.parametrize("path,value,match", [
    (("groupKey",), KeyError, r"The Alertmanager payload's groupKey is missing\."),
    (("groupKey",), "", r"groupKey is empty"),
    (("groupKey",), {"$ne": None}, r"groupKey must be text"),
    (("groupKey",), HUGE, r"groupKey is longer than 10,000 characters"),
    (("status",), "exploded", r"status must be firing or resolved"),
    (("status",), ["firing"], r"status must be firing or resolved"),
    (("alerts",), [], r"alerts is empty: send at least one alert"),
    (("alerts",), "all of them", r"alerts must be a list"),
    (("alerts", 0), "alert", r"alerts\[0\] must be a JSON object"),
    (("alerts", 1, "labels", "region"), 42, r"alerts\[1\]\.labels\.region must be text"),
    (("alerts", 1, "labels", "region"), {"a": {"b": {"c": {"d": "deep"}}}}, r"alerts\[1\]\.labels\.region must be text"),
    (("alerts", 0, "labels"), ["alertname", "x"], r"alerts\[0\]\.labels must be an object"),
    (("alerts", 0, "labels", "region"), HUGE, r"alerts\[0\]\.labels\.region is longer than 2,000 characters"),
    (("alerts", 0, "labels"), {f"l{n}": "v" for n in range(101)}, r"alerts\[0\]\.labels has more than 100 entries"),
    (("alerts", 0, "annotations", "description"), HUGE, r"description is longer than 20,000 characters"),
    (("alerts", 0, "fingerprint"), 7, r"alerts\[0\]\.fingerprint must be text"),
    (("alerts", 0, "startsAt"), "yesterday-ish", r"Alert 1's start time 'yesterday-ish' is not an ISO 8601 time"),
    (("alerts", 0, "startsAt"), "9999-01-01T00:00:00Z", r"Alert 1's start time 9999-01-01 00:00 UTC is in the future"),
    (("truncatedAlerts",), "0", r"truncatedAlerts must be a whole number"),
    (("truncatedAlerts",), True, r"truncatedAlerts must be a whole number"),
    (("truncatedAlerts",), -1, r"truncatedAlerts must be 0 or more"),
    (("commonAnnotations",), "text", r"commonAnnotations must be an object"),
], ids=lambda v: str(v)[:30])
def test_a_malformed_alertmanager_delivery_gets_one_sentence_and_writes_nothing(kit, path, value, match):
    refused(kit.receive_alertmanager, changed(AM, path, value), by=TOKEN, match=match)
    assert len(kit.incidents()) == 0


@pytest.mark.parametrize("payload,match", [
    (None, r"must be a JSON object, not NoneType"),
    ([AM], r"must be a JSON object, not list"),
    ("{}", r"must be a JSON object, not str"),
])
def test_a_delivery_that_is_not_an_object_is_refused(kit, payload, match):
    refused(kit.receive_alertmanager, payload, by=TOKEN, match=match)
    refused(kit.receive_alert, payload, by=TOKEN, match=match)


@pytest.mark.parametrize("event,match", [
    ({"status": "firing", "title": "Disk full"}, r"The alert event's dedup_key is missing\."),
    ({"status": "firing", "dedup_key": "d"}, r"title is missing"),
    ({"status": "firing", "title": "   ", "dedup_key": "d"}, r"title is empty"),
    ({"status": "on fire", "title": "Disk full", "dedup_key": "d"}, r"status must be firing or resolved"),
    ({"status": "firing", "title": 12, "dedup_key": "d"}, r"title must be text"),
    ({"status": "firing", "title": "Disk full", "dedup_key": ["d"]}, r"dedup_key must be text"),
    ({"status": "firing", "title": "Disk full", "dedup_key": "d", "severity": 1}, r"severity must be text"),
    ({"status": "firing", "title": "Disk full", "dedup_key": "d", "description": HUGE},
     r"description is longer than 20,000 characters"),
    ({"status": "firing", "title": "Disk full", "dedup_key": "d", "labels": {"a": None}}, r"labels\.a must be text"),
], ids=lambda v: str(v)[:40])
def test_a_malformed_generic_event_gets_one_sentence_and_writes_nothing(kit, event, match):
    refused(kit.receive_alert, event, by=TOKEN, match=match)
    assert len(kit.incidents()) == 0


def test_a_sentence_never_echoes_a_hostile_label_name_in_full(kit):
    name = "\x1b]8;;https://evil.example\x07" + "n" * 500
    message = refused(kit.receive_alertmanager, changed(AM, ("alerts", 0, "labels", name), 1), by=TOKEN,
                      match="must be text")
    assert "n" * 41 not in message and "\x1b" not in message and "\x07" not in message


def test_hostile_strings_are_kept_as_text_and_links_only_when_they_are_http(kit):
    payload = changed(AM, ("commonAnnotations", "summary"), "<script>alert(1)</script> =HYPERLINK(\"x\")")
    payload["externalURL"] = "javascript:alert(document.domain)"
    for alert in payload["alerts"]:
        alert["generatorURL"] = "javascript:alert(1)"
    payload["commonAnnotations"]["runbook_url"] = "vbscript:msgbox"
    kit.receive_alertmanager(payload, by=TOKEN)
    inc = kit.get("INC-1", viewer=TOKEN)
    assert inc.title == "<script>alert(1)</script> =HYPERLINK(\"x\")"  # text, escaped by each output
    assert "javascript:" not in inc.summary and "vbscript:" not in inc.summary
    assert all("javascript:" not in (e.detail or "") for e in kit.events("INC-1", viewer=TOKEN))


def test_alerts_never_declare_a_private_incident(kit):
    event = {**fixture("generic-firing.json"), "private": True, "labels": {"private": "true"}}
    kit.receive_alert(event, by=TOKEN)
    assert kit.get("INC-1").private is False


def test_an_incident_someone_made_private_is_not_shown_to_the_token_delivering_its_alerts(kit):
    payload = fixture("alertmanager-firing.json")
    assert kit.receive_alertmanager(payload, by=TOKEN)["incident"] == "INC-1"
    kit.add_member("INC-1", str(ANA), by="tester")
    kit.edit("INC-1", private=True, by=ANA)

    grown = copy.deepcopy(payload)
    grown["alerts"].append({**payload["alerts"][0], "fingerprint": "0d3f5a7b9c1e2f40",
                            "labels": {**payload["alerts"][0]["labels"], "region": "ap-south-1"}})
    answers = [kit.receive_alertmanager(payload, by=TOKEN), kit.receive_alertmanager(grown, by=TOKEN)]
    kit.save_settings({"resolve_with_alerts": True}, by="tester")
    answers.append(kit.receive_alertmanager(fixture("alertmanager-resolved.json"), by=TOKEN))

    # the token learns nothing: not the reference, not what happened to it
    assert answers == [{"outcome": "accepted", "incident": None}] * 3
    # its responders still get the alerts on its timeline, but a token never changes its status
    assert [e.kind for e in kit.events("INC-1", viewer=ANA)][-2:] == ["alerts_fired", "alerts_resolved"]
    assert kit.get("INC-1", viewer=ANA).status.value == "investigating"


def test_a_group_firing_again_after_its_private_incident_ended_opens_a_public_one_that_names_nothing_of_it(kit):
    kit.receive_alert(fixture("generic-firing.json"), by=TOKEN)
    kit.add_member("INC-1", str(ANA), by="tester")
    kit.edit("INC-1", private=True, title="Payroll leak, keep quiet", by=ANA)
    kit.receive_alert(fixture("generic-resolved.json"), by=TOKEN)
    kit.resolve("INC-1", by=ANA)

    again = kit.receive_alert(fixture("generic-firing.json"), by=TOKEN)

    assert again == {"outcome": "reopened_as_new", "incident": "INC-2", "previous_incident": None}
    assert kit.related("INC-2", viewer=BOB) == [] and kit.related("INC-2", viewer=ANA) == []  # not linked
    assert not any("Payroll leak" in (e.detail or "") for e in kit.events("INC-2", viewer=BOB))


@pytest.mark.parametrize("value,match", [
    ("critical=Critical", r"Alert severities must be pairs"),
    ({"page": 3}, r"must map text to the name of a severity"),
    ({"page": ""}, r"need a label and a severity in every pair"),
    ({"x" * 201: "Critical"}, r"An alert severity label is 201 characters long"),
    ({f"l{n}": "Minor" for n in range(101)}, r"name 101 labels; the limit is 100"),
])
def test_a_malformed_alert_severity_map_is_refused_and_nothing_is_saved(kit, value, match):
    refused(kit.save_settings, {"alert_severities": value, "resolve_with_alerts": True}, match=match)
    assert kit.setting("resolve_with_alerts") is False  # the whole save is refused


def test_resolve_with_alerts_takes_only_yes_or_no(kit):
    refused(kit.save_settings, {"resolve_with_alerts": "sometimes"}, match="Resolve with alerts must be yes or no")
    kit.save_settings({"resolve_with_alerts": "yes", "alert_severities": {" PAGE ": "Critical"}})
    assert kit.setting("resolve_with_alerts") is True and kit.setting("alert_severities") == {"page": "Critical"}
