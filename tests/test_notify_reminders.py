"""Cadence: the "needs an update" list and reminders to the accountable person through the outbox."""

from __future__ import annotations

import datetime as dt

import pytest

from incident_kit.clock import utcnow
from incident_kit.notify.worker import Worker

pytestmark = pytest.mark.both_stores

pytest_plugins = ["notify_servers"]  # the smtp_server and webhook fixtures


def run_worker(kit, now):
    worker = Worker(kit, clock=lambda: now)
    try:
        return worker.run_once()
    finally:
        worker.close()


def test_needs_update_lists_overdue_incidents_with_how_late_and_who_is_accountable(kit):
    major = kit.declare("Checkout failing", severity="Major", declared_by="ana")  # 60 min cadence
    kit.assign_role(major.reference, "comms", "cora", by="ana")
    minor = kit.declare("Printer jam", declared_by="ben")                          # 240 min cadence
    fresh = kit.declare("Just posted", severity="Major", declared_by="ana")
    now = utcnow() + dt.timedelta(minutes=90)
    kit.post_update(fresh.reference, "On it.", by="ana", next_update_at=now + dt.timedelta(minutes=10))

    late = kit.needs_update(now=now)

    assert list(late["reference"]) == [major.reference]
    row = late.iloc[0]
    assert row["accountable"] == "cora"
    assert 29 < row["minutes_late"] < 31
    assert row["late"] == "30 min"
    assert minor.reference not in set(late["reference"])


def test_private_overdue_incidents_are_listed_only_for_people_who_may_see_them(kit):
    secret = kit.declare("Leaked key", private=True, declared_by="ana")
    later = utcnow() + dt.timedelta(days=1)
    assert list(kit.needs_update(viewer="ana", now=later)["reference"]) == [secret.reference]
    assert kit.needs_update(viewer="mallory", now=later).empty


def test_an_overdue_incident_sends_one_reminder_to_the_communications_lead(kit, webhook):
    inc = kit.declare("Checkout failing", severity="Major", declared_by="ana")
    kit.assign_role(inc.reference, "lead", "leo", by="ana")
    kit.assign_role(inc.reference, "comms", "cora", by="ana")
    kit.set_contact("cora", webhook.url("/cora"))
    kit.set_contact("leo", webhook.url("/leo"))
    now = utcnow() + dt.timedelta(minutes=75)

    result = run_worker(kit, now)
    run_worker(kit, now + dt.timedelta(minutes=5))  # still overdue for the same due time: no second reminder

    assert (result.reminders, result.sent) == (1, 1)
    assert webhook.paths == ["/cora"]
    [body] = webhook.bodies
    assert body["title"].startswith(f"[{inc.reference}] Update overdue by 15 min")
    assert "cora, you are accountable for updates" in body["message"]
    assert "Major incidents promise an update every 1 h)" in body["message"]
    # the way that works for everyone comes first: the app; the terminal line is the alternative
    assert body["message"].index('choose "Post an update"') < body["message"].index(f"incident-kit update {inc.reference}")
    timeline = kit.timeline(inc.reference)
    assert "Reminder: cora reminded: update overdue by 15 min" in set(timeline["text"])


def test_a_new_due_time_that_passes_earns_a_new_reminder(kit, webhook):
    inc = kit.declare("Checkout failing", severity="Critical", declared_by="ana")  # 30 min cadence
    kit.set_contact("ana", webhook.url())
    t0 = utcnow()
    run_worker(kit, t0 + dt.timedelta(minutes=40))
    kit.post_update(inc.reference, "Still on it.", by="ana", next_update_at=t0 + dt.timedelta(minutes=60))
    run_worker(kit, t0 + dt.timedelta(minutes=61))

    reminders = [b for b in webhook.bodies if "Update overdue" in b["title"]]
    assert len(reminders) == 2


def test_a_resolved_incident_needs_no_update(kit, webhook):
    inc = kit.declare("Blip", declared_by="ana")
    kit.set_contact("ana", webhook.url())
    kit.resolve(inc.reference, by="ana")
    assert run_worker(kit, utcnow() + dt.timedelta(days=2)).reminders == 0
    assert webhook.bodies == []


def test_a_reminder_with_nowhere_to_go_is_recorded_as_failed_with_what_to_do(kit):
    inc = kit.declare("Blip", declared_by="ana")
    run_worker(kit, utcnow() + dt.timedelta(days=1))
    [row] = kit.outbox(kind="reminder").itertuples()
    assert row.reference == inc.reference and row.recipient == "ana" and row.status == "failed"
    assert row.last_error.startswith("No channel for ana: add where their reminders go")


def test_reminders_fall_back_to_the_persons_newest_subscription_channel(kit, webhook):
    kit.subscribe(webhook.url("/subs"), person="ana", min_severity="Critical")
    kit.declare("Blip", declared_by="ana")
    run_worker(kit, utcnow() + dt.timedelta(days=1))
    assert webhook.paths == ["/subs"]
