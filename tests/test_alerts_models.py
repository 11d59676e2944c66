"""Alert payloads (Alertmanager, Grafana, the generic event) read into one batch, and the rule of what a delivery
changes: pure functions, on the payload shapes of Alertmanager's and Grafana's documentation (tests/fixtures/alerts)."""

from __future__ import annotations

import copy
import datetime as dt
import json

from conftest import FIXTURES
from incident_kit.alerts import models
from incident_kit.alerts.models import FIRING, RESOLVED

ALERTS = FIXTURES / "alerts"


def fixture(name: str) -> dict:
    return json.loads((ALERTS / name).read_text())


def test_an_alertmanager_delivery_reads_as_one_group_with_its_alerts_title_severity_and_links():
    batch = models.parse_alertmanager(fixture("alertmanager-firing.json"))

    assert batch.source == "alertmanager" and batch.status == FIRING and batch.truncated == 0
    assert len(batch.group_hash) == 64  # SHA-256 hex: the groupKey itself is not kept
    assert [a.fingerprint for a in batch.alerts] == ["1a30ba71cca2921f", "7c0f8d5e2b6a4d19"]
    assert batch.title == "Checkout probe failing from two regions"  # the summary annotation
    assert batch.severity == "critical"
    assert batch.description.startswith("The blackbox probe")
    assert batch.links == ("http://alertmanager.example.org:9093", "https://runbooks.example.org/probe-failure",
                           "http://prometheus.example.org:9090/graph?g0.expr=probe_success+%3D%3D+0&g0.tab=1")
    # nanoseconds and a Z offset: the earliest firing alert's start, in UTC
    assert batch.started_at == dt.datetime(2025, 3, 4, 9, 12, 45, 828513, tzinfo=dt.timezone.utc)


def test_a_grafana_delivery_is_the_same_envelope_in_its_own_namespace():
    batch = models.parse_alertmanager(fixture("grafana-firing.json"))

    assert batch.source == "grafana" and batch.sender == "Grafana"
    assert batch.title == "Payments workers are running out of memory in eu-1"
    assert [a.fingerprint for a in batch.alerts] == ["c6eadffa33fcdf37"]
    assert "https://grafana.example.org/d/payments-workers" in batch.links
    assert batch.started_at == dt.datetime(2025, 3, 4, 8, 51, 3, 157076, tzinfo=dt.timezone.utc)  # +02:00
    assert models.parse_alertmanager(fixture("grafana-resolved.json")).status == RESOLVED


def test_the_same_group_key_from_alertmanager_and_grafana_are_different_groups():
    am = fixture("alertmanager-firing.json")
    grafana = {**am, "orgId": 1, "state": "alerting"}
    a, b = models.parse_alertmanager(am), models.parse_alertmanager(grafana)
    assert a.group_hash == b.group_hash and (a.source, b.source) == ("alertmanager", "grafana")


def test_without_a_summary_the_title_is_the_alert_name_and_the_labels_that_say_where():
    payload = fixture("alertmanager-firing.json")
    payload["commonAnnotations"] = {}
    for alert in payload["alerts"]:
        alert["annotations"] = {}
    assert models.parse_alertmanager(payload).title == "ProbeFailure (job=http_checks)"  # the group's labels

    payload["groupLabels"] = {}
    assert models.parse_alertmanager(payload).title == \
        "ProbeFailure (job=http_checks, instance=https://shop.example.org/checkout, region=eu-west-1)"


def test_a_long_summary_makes_a_title_cut_to_the_incident_limit_not_a_refusal():
    payload = fixture("alertmanager-firing.json")
    payload["commonAnnotations"]["summary"] = "Checkout   probe\nfailing " * 40
    title = models.parse_alertmanager(payload).title
    assert len(title) == 200 and title.endswith("…") and "\n" not in title and "  " not in title


def test_the_generic_event_is_a_group_of_one_alert_keyed_by_its_dedup_key():
    batch = models.parse_event(fixture("generic-firing.json"))
    assert (batch.source, batch.status, batch.title, batch.severity) == \
        ("generic", FIRING, "Nightly payroll export did not arrive", "major")
    assert batch.links == ("https://jobs.example.org/runs/payroll-export/2025-03-04",)
    assert [a.fingerprint for a in batch.alerts] == ["event"]
    assert models.parse_event(fixture("generic-resolved.json")).group_hash == batch.group_hash


def test_links_that_are_not_http_are_dropped_rather_than_shown():
    payload = fixture("alertmanager-firing.json")
    payload["externalURL"] = "javascript:alert(document.cookie)"
    for alert in payload["alerts"]:
        alert["generatorURL"] = "file:///etc/passwd"
    payload["commonAnnotations"]["runbook_url"] = "data:text/html,<script>x</script>"
    assert models.parse_alertmanager(payload).links == ()


def test_more_alerts_than_the_bound_count_as_truncated_instead_of_refusing_the_group():
    payload = fixture("alertmanager-firing.json")
    template = payload["alerts"][0]
    payload["alerts"] = [{**template, "fingerprint": f"{n:016x}"} for n in range(models.ALERTS_MAX + 7)]
    payload["truncatedAlerts"] = 3
    batch = models.parse_alertmanager(payload)
    assert len(batch.alerts) == models.ALERTS_MAX and batch.truncated == 10


def test_an_alert_without_a_fingerprint_gets_one_from_its_labels():
    payload = fixture("alertmanager-firing.json")
    for alert in payload["alerts"]:
        del alert["fingerprint"]
    first, second = models.parse_alertmanager(payload).alerts
    again = models.parse_alertmanager(copy.deepcopy(payload)).alerts[0]
    assert first.fingerprint != second.fingerprint and first.fingerprint == again.fingerprint


# -- the rule of what a delivery changes ---------------------------------------------------------------------
def batch_of(*alerts: tuple[str, str], status: str = FIRING) -> models.Batch:
    return models.Batch(source="alertmanager", group_hash="h", status=status,
                        alerts=tuple(models.Alert(fp, st, fp, None) for fp, st in alerts), truncated=0,
                        title="t", severity=None, description="", links=())


def test_a_new_group_firing_declares():
    plan = models.plan(batch_of(("a", FIRING)), group_status=None, incident_open=False, known={})
    assert plan.declare and [a.fingerprint for a in plan.firing] == ["a"]


def test_a_repeat_changes_nothing():
    plan = models.plan(batch_of(("a", FIRING)), group_status=FIRING, incident_open=True, known={"a": FIRING})
    assert not plan.changes


def test_a_new_fingerprint_in_an_open_group_is_added_not_declared():
    plan = models.plan(batch_of(("a", FIRING), ("b", FIRING)), group_status=FIRING, incident_open=True,
                       known={"a": FIRING})
    assert not plan.declare and [a.fingerprint for a in plan.firing] == ["b"]


def test_a_resolved_group_resolves_once():
    both = batch_of(("a", RESOLVED), status=RESOLVED)
    assert models.plan(both, group_status=FIRING, incident_open=True, known={"a": FIRING}).group_resolves
    assert not models.plan(both, group_status=RESOLVED, incident_open=True, known={"a": RESOLVED}).changes
    assert not models.plan(both, group_status=None, incident_open=False, known={}).changes  # never seen firing


def test_alerts_still_firing_after_a_person_resolved_the_incident_do_not_open_another():
    plan = models.plan(batch_of(("a", FIRING)), group_status=FIRING, incident_open=False, known={"a": FIRING})
    assert not plan.changes


def test_firing_again_after_the_incident_ended_declares_with_every_firing_alert():
    plan = models.plan(batch_of(("a", FIRING), ("b", FIRING)), group_status=RESOLVED, incident_open=False,
                       known={"a": RESOLVED, "b": FIRING})
    assert plan.declare and [a.fingerprint for a in plan.firing] == ["a", "b"]
