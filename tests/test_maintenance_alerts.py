"""Alerts for a component under maintenance are noted on the maintenance instead of declaring an incident."""

from __future__ import annotations

import datetime as dt

import pytest

pytestmark = pytest.mark.both_stores

HOUR = dt.timedelta(hours=1)


def event(component="Checkout", key="k1", status="firing"):
    labels = {"component": component} if component else {}
    return {"status": status, "title": "Checkout errors high", "dedup_key": key, "labels": labels}


def alertmanager(component):
    return {"version": "4", "groupKey": "{}:{alertname=\"Errors\"}", "status": "firing", "receiver": "kit",
            "groupLabels": {"alertname": "Errors"}, "commonLabels": {"alertname": "Errors", "component": component},
            "commonAnnotations": {}, "externalURL": "", "truncatedAlerts": 0,
            "alerts": [{"status": "firing", "labels": {"alertname": "Errors", "component": component},
                        "annotations": {}, "startsAt": "2026-01-01T00:00:00Z", "endsAt": "0001-01-01T00:00:00Z",
                        "generatorURL": "", "fingerprint": "f1"}]}


@pytest.fixture
def window(kit):
    kit.add_component("Checkout")
    kit.add_component("Search")
    now = dt.datetime.now(dt.UTC)
    return kit.schedule_maintenance("Upgrade", start=now - HOUR, end=now + HOUR, components=["Checkout"],
                                    now=now - 2 * HOUR)


def test_an_alert_on_a_component_under_maintenance_is_noted_there_once_not_declared(kit, window):
    assert kit.receive_alert(event(), by="token:am") == {"outcome": "held_for_maintenance", "incident": None}
    assert kit.receive_alert(event(), by="token:am")["outcome"] == "held_for_maintenance"  # a repeat
    assert kit.receive_alertmanager(alertmanager("checkout"), by="token:am")["outcome"] == "held_for_maintenance"
    assert len(kit.incidents()) == 0
    noted = [(e.kind, e.actor, e.detail) for e in kit.maintenance_events(window.id) if e.kind == "alert_recorded"]
    assert noted == [("alert_recorded", "token:am", "An alert: Checkout errors high"),
                     ("alert_recorded", "token:am", "Alertmanager: Errors")]


@pytest.mark.parametrize("component", ["Search", None, "No such component"])
def test_other_alerts_declare_as_before(kit, window, component):
    assert kit.receive_alert(event(component), by="token:am")["outcome"] == "declared"
    assert len(kit.incidents()) == 1


def test_the_setting_declares_during_maintenance_too(kit, window):
    kit.save_settings({"declare_during_maintenance": True})
    assert kit.receive_alert(event(), by="token:am")["outcome"] == "declared"


def test_after_the_window_is_ended_the_alert_declares(kit, window):
    kit.complete_maintenance(window.id)
    assert kit.receive_alert(event(), by="token:am")["outcome"] == "declared"
