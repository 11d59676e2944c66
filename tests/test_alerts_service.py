"""Alert intake through the Kit, on DuckDB and PostgreSQL, with the payload shapes of Alertmanager's and Grafana's
documentation: one incident per alert group, repeats that change nothing, new alerts and resolutions on the
timeline, and a new related incident when a group fires after its incident ended."""

from __future__ import annotations

import copy
import json

import pytest

from conftest import FIXTURES

pytestmark = pytest.mark.both_stores

ALERTMANAGER = "token:alertmanager"


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / "alerts" / name).read_text())


def alert_kinds(kit, reference: str) -> list[str]:
    return [e.kind for e in kit.events(reference)]


def with_new_alert(payload: dict, fingerprint: str = "0d3f5a7b9c1e2f40", region: str = "ap-south-1") -> dict:
    out = copy.deepcopy(payload)
    alert = copy.deepcopy(out["alerts"][0])
    alert["fingerprint"] = fingerprint
    alert["labels"]["region"] = region
    out["alerts"].append(alert)
    return out


def test_the_first_firing_declares_one_incident_from_the_alert(kit):
    result = kit.receive_alertmanager(fixture("alertmanager-firing.json"), by=ALERTMANAGER)

    assert result == {"outcome": "declared", "incident": "INC-1"}
    inc = kit.get("INC-1")
    assert inc.title == "Checkout probe failing from two regions"
    assert inc.severity == "Critical"  # the severity label, matched to the catalog in any case
    assert inc.declared_by == ALERTMANAGER and not inc.private and inc.status.value == "investigating"
    assert inc.tags == ("alert",)
    assert "has failed for over 5 minutes" in inc.summary and "https://runbooks.example.org/probe-failure" in inc.summary
    assert inc.started_at.isoformat() == "2025-03-04T09:12:45.828513+00:00"  # when the alert started firing
    assert alert_kinds(kit, "INC-1") == ["declared", "alerts_fired"]
    fired = kit.events("INC-1")[1]
    assert fired.actor == ALERTMANAGER
    # each alert named by what tells it from the others, then what and where
    assert fired.detail.startswith("Alertmanager: ProbeFailure (region=eu-west-1), ProbeFailure (region=us-east-1) · ")
    assert "http://alertmanager.example.org:9093" in fired.detail and "failed for over 5 minutes" in fired.detail


def test_repeated_notifications_of_a_group_change_nothing(kit):
    payload = fixture("alertmanager-firing.json")
    kit.receive_alertmanager(payload, by=ALERTMANAGER)
    events = kit.events("INC-1")
    version = kit.db.data_version()

    for _ in range(3):  # group_interval, repeat_interval...
        assert kit.receive_alertmanager(payload, by=ALERTMANAGER) == {"outcome": "unchanged", "incident": "INC-1"}

    assert kit.events("INC-1") == events and len(kit.incidents()) == 1
    if kit.db.dialect == "duckdb":
        assert kit.db.data_version() == version  # a repeat is a read: nothing written, no cache invalidated


def test_a_new_alert_in_a_firing_group_adds_one_timeline_entry(kit):
    payload = fixture("alertmanager-firing.json")
    kit.receive_alertmanager(payload, by=ALERTMANAGER)
    grown = with_new_alert(payload)

    assert kit.receive_alertmanager(grown, by=ALERTMANAGER) == {"outcome": "alert_added", "incident": "INC-1"}
    assert kit.receive_alertmanager(grown, by=ALERTMANAGER)["outcome"] == "unchanged"

    assert alert_kinds(kit, "INC-1") == ["declared", "alerts_fired", "alerts_fired"]
    assert "region=ap-south-1" not in kit.events("INC-1")[1].detail
    assert kit.events("INC-1")[2].detail == "Alertmanager: ProbeFailure (region=ap-south-1)"
    assert len(kit.incidents()) == 1


def test_a_resolved_group_is_noted_on_the_timeline_and_the_incident_stays_open(kit):
    kit.receive_alertmanager(fixture("alertmanager-firing.json"), by=ALERTMANAGER)

    resolved = fixture("alertmanager-resolved.json")
    assert kit.receive_alertmanager(resolved, by=ALERTMANAGER) == {"outcome": "resolved_noted", "incident": "INC-1"}
    assert kit.receive_alertmanager(resolved, by=ALERTMANAGER)["outcome"] == "unchanged"

    assert alert_kinds(kit, "INC-1") == ["declared", "alerts_fired", "alerts_resolved"]
    assert "all alerts in this group resolved" in kit.events("INC-1")[-1].detail
    assert kit.get("INC-1").status.value == "investigating"  # a person decides it is over


def test_with_resolve_with_alerts_a_resolved_group_resolves_the_incident_with_a_final_update(kit):
    kit.save_settings({"resolve_with_alerts": True}, by="admin")
    kit.subscribe("ops@example.com", person="ops", min_severity="Minor", by="ops")
    kit.receive_alertmanager(fixture("alertmanager-firing.json"), by=ALERTMANAGER)

    result = kit.receive_alertmanager(fixture("alertmanager-resolved.json"), by=ALERTMANAGER)

    assert result == {"outcome": "resolved", "incident": "INC-1"}
    inc = kit.get("INC-1")
    assert inc.status.value == "resolved"
    final = kit.updates("INC-1")[-1]
    assert final.author == ALERTMANAGER and "all alerts in this group resolved" in final.message
    assert alert_kinds(kit, "INC-1")[-3:] == ["alerts_resolved", "status_changed", "update_posted"]
    # queued for the outbox in the same change, not sent inline
    queued = kit.outbox(incident="INC-1")
    assert len(queued) == 1 and set(queued["status"]) == {"pending"}


def test_alerts_that_resolve_one_by_one_are_noted_and_the_group_resolves_once(kit):
    payload = with_new_alert(fixture("alertmanager-firing.json"))
    kit.receive_alertmanager(payload, by=ALERTMANAGER)
    partly = copy.deepcopy(payload)
    partly["alerts"][0]["status"] = "resolved"

    assert kit.receive_alertmanager(partly, by=ALERTMANAGER)["outcome"] == "resolved_noted"
    assert "2 still firing" in kit.events("INC-1")[-1].detail
    assert kit.receive_alertmanager(partly, by=ALERTMANAGER)["outcome"] == "unchanged"
    everything = copy.deepcopy(payload)
    everything["status"] = "resolved"
    for alert in everything["alerts"]:
        alert["status"] = "resolved"
    assert kit.receive_alertmanager(everything, by=ALERTMANAGER)["outcome"] == "resolved_noted"
    assert alert_kinds(kit, "INC-1") == ["declared", "alerts_fired", "alerts_resolved", "alerts_resolved"]


def test_a_group_that_fires_again_while_its_incident_is_open_adds_to_it(kit):
    kit.receive_alertmanager(fixture("alertmanager-firing.json"), by=ALERTMANAGER)
    kit.receive_alertmanager(fixture("alertmanager-resolved.json"), by=ALERTMANAGER)

    again = kit.receive_alertmanager(fixture("alertmanager-firing.json"), by=ALERTMANAGER)

    assert again == {"outcome": "alert_added", "incident": "INC-1"}
    assert alert_kinds(kit, "INC-1")[-1] == "alerts_fired" and len(kit.incidents()) == 1


def test_a_group_that_fires_again_after_its_incident_was_resolved_opens_a_new_related_incident(kit):
    kit.receive_alertmanager(fixture("alertmanager-firing.json"), by=ALERTMANAGER)
    kit.receive_alertmanager(fixture("alertmanager-resolved.json"), by=ALERTMANAGER)
    kit.resolve("INC-1", by="ana", final_update="Probe recovered after the CDN rollback.")

    again = kit.receive_alertmanager(fixture("alertmanager-firing.json"), by=ALERTMANAGER)

    assert again == {"outcome": "reopened_as_new", "incident": "INC-2", "previous_incident": "INC-1"}
    assert [r["reference"] for r in kit.related("INC-2")] == ["INC-1"]
    assert kit.get("INC-1").status.value == "resolved"  # the earlier incident is left as people left it
    assert alert_kinds(kit, "INC-2") == ["declared", "alerts_fired", "related_linked"]
    assert kit.receive_alertmanager(fixture("alertmanager-firing.json"), by=ALERTMANAGER) == \
        {"outcome": "unchanged", "incident": "INC-2"}


def test_a_group_that_fires_again_after_its_incident_was_closed_opens_a_new_one(kit):
    kit.receive_alert(fixture("generic-firing.json"), by="token:jobs")
    kit.receive_alert(fixture("generic-resolved.json"), by="token:jobs")
    kit.resolve("INC-1", by="ana")
    kit.start_review("INC-1", depth="none", reason="Known flaky export.", by="ana")
    kit.change_status("INC-1", "closed", by="ana")

    again = kit.receive_alert(fixture("generic-firing.json"), by="token:jobs")

    assert again == {"outcome": "reopened_as_new", "incident": "INC-2", "previous_incident": "INC-1"}


def test_alerts_still_firing_after_a_person_resolved_the_incident_open_nothing_new(kit):
    payload = fixture("alertmanager-firing.json")
    kit.receive_alertmanager(payload, by=ALERTMANAGER)
    kit.resolve("INC-1", by="ana")  # before Alertmanager says the alerts resolved

    assert kit.receive_alertmanager(payload, by=ALERTMANAGER) == {"outcome": "unchanged", "incident": "INC-1"}
    # ... but a new alert joining the group after that is something new
    assert kit.receive_alertmanager(with_new_alert(payload), by=ALERTMANAGER)["outcome"] == "reopened_as_new"


def test_alerts_of_a_merged_incident_go_to_the_incident_it_was_merged_into(kit):
    payload = fixture("alertmanager-firing.json")
    kit.receive_alertmanager(payload, by=ALERTMANAGER)
    kit.declare("Checkout down for everyone", declared_by="ana")
    kit.merge("INC-1", "INC-2", by="ana")

    assert kit.receive_alertmanager(with_new_alert(payload), by=ALERTMANAGER) == \
        {"outcome": "alert_added", "incident": "INC-2"}
    assert alert_kinds(kit, "INC-2")[-1] == "alerts_fired"


def test_grafana_and_the_generic_event_follow_the_same_rules(kit):
    assert kit.receive_alertmanager(fixture("grafana-firing.json"), by="token:grafana")["outcome"] == "declared"
    assert kit.receive_alertmanager(fixture("grafana-firing.json"), by="token:grafana")["outcome"] == "unchanged"
    assert kit.receive_alertmanager(fixture("grafana-resolved.json"), by="token:grafana")["outcome"] == \
        "resolved_noted"
    assert kit.get("INC-1").title == "Payments workers are running out of memory in eu-1"

    assert kit.receive_alert(fixture("generic-firing.json"), by="token:jobs") == \
        {"outcome": "declared", "incident": "INC-2"}
    assert kit.receive_alert(fixture("generic-firing.json"), by="token:jobs")["outcome"] == "unchanged"
    inc = kit.get("INC-2")
    assert (inc.title, inc.severity) == ("Nightly payroll export did not arrive", "Major")
    assert "https://jobs.example.org/runs/payroll-export/2025-03-04" in inc.summary
    assert kit.receive_alert(fixture("generic-resolved.json"), by="token:jobs")["outcome"] == "resolved_noted"


@pytest.mark.parametrize("label,expected", [
    ("CRITICAL", "Critical"),  # a catalog name, any case
    ("warning", "Moderate"),  # the default map
    ("page", "Major"),  # the admins' map
    ("p5", "Minor"),  # unknown: the lowest
])
def test_the_severity_label_is_matched_to_the_catalog_then_through_the_admins_map(kit, label, expected):
    kit.save_settings({"alert_severities": {"Page": "major", "warning": "Moderate"}}, by="admin")
    event = {**fixture("generic-firing.json"), "severity": label}
    kit.receive_alert(event, by="token:jobs")
    assert kit.get("INC-1").severity == expected


def test_a_map_naming_a_severity_the_catalog_no_longer_has_gives_the_lowest(kit):
    kit.save_settings({"alert_severities": {"page": "Sev0"}}, by="admin")
    kit.receive_alert({**fixture("generic-firing.json"), "severity": "page"}, by="token:jobs")
    assert kit.get("INC-1").severity == "Minor"


def test_a_payload_that_is_refused_writes_nothing(kit):
    broken = fixture("alertmanager-firing.json")
    broken["alerts"][1]["labels"]["region"] = 42
    with pytest.raises(Exception, match=r"alerts\[1\]\.labels\.region must be text"):
        kit.receive_alertmanager(broken, by=ALERTMANAGER)
    assert len(kit.incidents()) == 0


def test_a_restored_export_keeps_its_alert_groups_so_repeats_stay_repeats(kit, tmp_path):
    import incident_kit as ik

    payload = fixture("alertmanager-firing.json")
    kit.receive_alertmanager(payload, by=ALERTMANAGER)
    kit.receive_alert(fixture("generic-firing.json"), by="token:jobs")
    kit.export(tmp_path / "export")

    with ik.open(tmp_path / "restored.duckdb", user="tester") as restored:
        restored.restore(tmp_path / "export")
        assert restored.receive_alertmanager(payload, by=ALERTMANAGER) == {"outcome": "unchanged", "incident": "INC-1"}
        assert restored.receive_alertmanager(with_new_alert(payload), by=ALERTMANAGER)["outcome"] == "alert_added"
        restored.receive_alert(fixture("generic-resolved.json"), by="token:jobs")
        restored.resolve("INC-2", by="ana")
        # a new generation after the restored ones: the id sequences moved past the restored rows
        assert restored.receive_alert(fixture("generic-firing.json"), by="token:jobs")["outcome"] == "reopened_as_new"


def test_an_export_without_private_incidents_leaves_out_their_alert_groups(kit, tmp_path):
    import pandas as pd

    kit.receive_alertmanager(fixture("alertmanager-firing.json"), by=ALERTMANAGER)
    kit.receive_alert(fixture("generic-firing.json"), by="token:jobs")
    kit.edit("INC-1", private=True, by="tester")

    kit.export(tmp_path / "export")

    groups = pd.read_parquet(tmp_path / "export" / "alert_groups.parquet")
    alerts = pd.read_parquet(tmp_path / "export" / "alert_group_alerts.parquet")
    assert list(groups["incident_id"]) == [2]
    assert set(alerts["alert_group_id"]) == set(groups["id"]) and list(alerts["fingerprint"]) == ["event"]
