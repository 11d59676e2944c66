"""Delivering updates through the outbox to real receivers: SMTP (aiosmtpd) and an HTTP webhook."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

import incident_kit as ik
from incident_kit.catalog.models import DEFAULT_CADENCE_MINUTES
from incident_kit.clock import utcnow
from incident_kit.identity import Person
from incident_kit.incident.format import render_update
from incident_kit.notify.models import BACKOFF_BASE_SECONDS
from incident_kit.notify.worker import Worker, start_background, stop_background
from notify_servers import Clock

pytestmark = pytest.mark.both_stores

pytest_plugins = ["notify_servers"]  # the smtp_server and webhook fixtures




def drain(kit, clock=None, **options):
    worker = Worker(kit, reminders=False, **({"clock": clock} if clock else {}), **options)
    try:
        return worker.run_once()
    finally:
        worker.close()


def expected_body(kit, ref, update):
    inc = kit.get(ref)
    return render_update(reference=inc.reference, title=inc.title, status=update.status, message=update.message,
                         impact=update.impact, doing=update.doing, next_update_at=update.next_update_at,
                         severity=inc.severity, audience="internal")


def test_subscribed_update_arrives_by_email_in_the_predictable_format(kit, smtp_server):
    inc = kit.declare("Checkout is failing", severity="Major", declared_by="ana")
    kit.subscribe("cfo@example.com", person="cfo", incident=inc.reference)
    nxt = utcnow() + dt.timedelta(minutes=45)
    upd = kit.post_update(inc.reference, "Rolling back the 14:00 deploy.", by="ana", impact="EU card payments fail",
                          doing="Rolling back", next_update_at=nxt)
    assert smtp_server.messages == []  # posting only queued the delivery

    result = drain(kit, smtp_url=smtp_server.url)

    assert result.sent == 1
    [message] = smtp_server.messages
    assert smtp_server.recipients == [["cfo@example.com"]]
    assert message["Subject"] == "[INC-1] Checkout is failing: Investigating (Major)"
    text = smtp_server.text(message)
    assert text.startswith(expected_body(kit, inc.reference, upd))
    assert text.splitlines()[2:6] == [
        "Current status: Investigating",
        "Impact: EU card payments fail",
        "What we're doing: Rolling back",
        f"Next update by: {nxt:%Y-%m-%d %H:%M} UTC",
    ]
    assert text.endswith(f"— ana, {upd.posted_at:%Y-%m-%d %H:%M} UTC")


def test_the_same_update_arrives_as_a_json_webhook(kit, smtp_server, webhook):
    inc = kit.declare("Checkout is failing", severity="Major", declared_by="ana")
    kit.subscribe("cfo@example.com", person="cfo", incident=inc.reference)
    kit.subscribe(webhook.url("/incidents"), person="chatops", incident=inc.reference)
    upd = kit.post_update(inc.reference, "Rolling back.", by="ana", impact="EU card payments fail",
                          doing="Rolling back", next_update_at=utcnow() + dt.timedelta(minutes=30))

    drain(kit, smtp_url=smtp_server.url)

    [payload] = webhook.bodies
    assert webhook.paths == ["/incidents"]
    assert payload["title"] == smtp_server.messages[0]["Subject"]
    assert payload["message"].startswith(expected_body(kit, inc.reference, upd))
    assert payload["message"].rstrip("\n") == smtp_server.text(smtp_server.messages[0])


def test_update_is_saved_while_smtp_is_down_and_delivered_exactly_once_after_it_returns(kit, smtp_down):
    smtp = smtp_down  # not started: nothing listens on its port
    inc = kit.declare("Payroll export stuck", declared_by="ana")
    kit.subscribe("hr@example.com", person="hr", incident=inc.reference)

    upd = kit.post_update(inc.reference, "Export re-queued.", by="ana")  # must not fail or wait
    assert [u.id for u in kit.updates(inc.reference)] == [upd.id]
    clock = Clock()

    first = drain(kit, clock, smtp_url=smtp.url)
    assert (first.sent, first.retrying) == (0, 1)
    [row] = kit.outbox().itertuples()
    assert (row.status, row.attempts) == ("pending", 1)
    assert "Connection" in row.last_error or "connect" in row.last_error.lower()
    assert row.next_attempt_at.to_pydatetime() == clock.now + dt.timedelta(seconds=BACKOFF_BASE_SECONDS)

    smtp.start()
    assert drain(kit, clock, smtp_url=smtp.url).sent == 0  # not due yet: backoff is respected
    clock.advance(seconds=BACKOFF_BASE_SECONDS)
    assert drain(kit, clock, smtp_url=smtp.url).sent == 1
    clock.advance(days=1)
    assert drain(kit, clock, smtp_url=smtp.url).sent == 0
    assert len(smtp.messages) == 1
    assert "Export re-queued." in smtp.text(smtp.messages[0])
    [row] = kit.outbox().itertuples()
    assert (row.status, row.attempts) == ("sent", 2)


def test_a_dead_channel_is_retried_with_growing_delays_then_marked_failed(kit):
    inc = kit.declare("Webhook target gone", declared_by="ana")
    kit.subscribe("json://127.0.0.1:9/nothing-listens-here", person="bot", incident=inc.reference)
    kit.post_update(inc.reference, "Still broken.", by="ana")
    clock = Clock()

    delays = []
    for _ in range(3):
        drain(kit, clock, max_attempts=3)
        [row] = kit.outbox().itertuples()
        delays.append(row.next_attempt_at.to_pydatetime() - clock.now)
        clock.advance(hours=2)

    assert delays[0] < delays[1]
    [row] = kit.outbox().itertuples()
    assert (row.status, row.attempts) == ("failed", 3)
    assert row.last_error


def test_external_updates_go_to_the_status_page_not_to_subscribers(kit, webhook):
    inc = kit.declare("Slow search", declared_by="ana")
    kit.subscribe(webhook.url(), person="pm", incident=inc.reference)
    kit.post_update(inc.reference, "Search is slow for some customers.", by="ana", audience="external")

    assert drain(kit).sent == 0
    assert webhook.bodies == []


def test_a_private_incident_notifies_only_subscribers_who_may_see_it(kit, webhook):
    kit.set_setting("admins", ["sec-admin"])
    kit.subscribe(webhook.url("/everyone"), person="curious", min_severity="Minor")
    kit.subscribe(webhook.url("/admin"), person="sec-admin", min_severity="Minor")
    kit.subscribe(webhook.url("/member"), person="legal", min_severity="Minor")
    inc = kit.declare("Leaked credential", private=True, declared_by="ana", type="security")
    kit.add_member(inc.reference, "legal", by="ana")
    kit.post_update(inc.reference, "Rotating the key.", by="ana")

    drain(kit)

    assert sorted(webhook.paths) == ["/admin", "/member"]


def test_rules_match_a_severity_threshold_and_a_type(kit, webhook):
    kit.subscribe(webhook.url("/major-up"), person="exec", min_severity="Major")
    kit.subscribe(webhook.url("/security"), person="ciso", type="security")
    kit.subscribe(webhook.url("/major-security"), person="dpo", min_severity="Major", type="security")
    minor_sec = kit.declare("Phishing wave", type="security", declared_by="ana")
    critical_eng = kit.declare("Everything down", severity="Critical", type="engineering", declared_by="ana")
    major_sec = kit.declare("Suspicious admin login", severity="Major", type="security", declared_by="ana")
    for inc in (minor_sec, critical_eng, major_sec):
        kit.post_update(inc.reference, f"Update on {inc.reference}", by="ana")

    drain(kit)

    got = sorted((path, body["message"].split("\n")[0].split("]")[0] + "]") for path, body in
                 zip(webhook.paths, webhook.bodies, strict=True))
    assert got == [
        ("/major-security", "[INC-3]"),
        ("/major-up", "[INC-2]"), ("/major-up", "[INC-3]"),
        ("/security", "[INC-1]"), ("/security", "[INC-3]"),
    ]


def test_two_matching_subscriptions_on_one_channel_deliver_once(kit, webhook):
    inc = kit.declare("Disk full", severity="Major", declared_by="ana")
    kit.subscribe(webhook.url(), person="ops", incident=inc.reference)
    kit.subscribe(webhook.url(), person="ops", min_severity="Moderate")
    kit.post_update(inc.reference, "Cleaning up.", by="ana")

    assert drain(kit).sent == 1
    assert len(webhook.bodies) == 1


def test_unsubscribed_people_receive_no_further_updates(kit, webhook):
    inc = kit.declare("Disk full", declared_by="ana")
    sub = kit.subscribe(webhook.url(), person="ops", incident=inc.reference)
    kit.post_update(inc.reference, "First.", by="ana")
    kit.unsubscribe(sub.id, by="ops")
    kit.post_update(inc.reference, "Second.", by="ana")

    drain(kit)

    assert [b["message"].split("\n\n")[2].split("\n")[0] for b in webhook.bodies] == ["First."]


def test_a_claimed_delivery_is_not_handed_to_a_second_worker_until_its_lease_expires(kit, webhook):
    from incident_kit.notify import service

    inc = kit.declare("Disk full", declared_by="ana")
    kit.subscribe(webhook.url(), person="ops", incident=inc.reference)
    kit.post_update(inc.reference, "Cleaning up.", by="ana")
    now = utcnow()
    lease = dt.timedelta(minutes=5)

    first = service.claim(kit.db, worker="w1", now=now, lease=lease, limit=10)
    second = service.claim(kit.db, worker="w2", now=now, lease=lease, limit=10)
    assert len(first) == 1 and second == []
    # w1 died without settling; after the lease w2 takes it over, and w1's late answer is ignored.
    taken = service.claim(kit.db, worker="w2", now=now + lease + dt.timedelta(seconds=1), lease=lease, limit=10)
    assert [c.id for c in taken] == [first[0].id] and taken[0].attempts == 2
    service.settle(kit.db, worker="w1", now=now, sent=[first[0].id], errors=[], max_attempts=8)
    assert kit.outbox().iloc[0]["status"] == "sending"
    service.settle(kit.db, worker="w2", now=now, sent=[taken[0].id], errors=[], max_attempts=8)
    assert kit.outbox().iloc[0]["status"] == "sent"


def test_the_background_worker_delivers_without_anyone_waiting(kit, webhook, monkeypatch):
    monkeypatch.setenv("INCIDENT_KIT_NOTIFY_WORKER", "on")  # whatever the suite's default
    inc = kit.declare("Disk full", declared_by="ana")
    kit.subscribe(webhook.url(), person="ops", incident=inc.reference)
    thread = start_background(kit, interval=0.05)
    try:
        assert start_background(kit, interval=0.05) is thread  # idempotent per process
        kit.post_update(inc.reference, "Cleaning up.", by="ana")
        done = threading.Event()
        for _ in range(200):  # bounded wait for the thread, not a speed assertion
            if webhook.bodies:
                done.set()
                break
            done.wait(0.05)
        assert len(webhook.bodies) == 1
    finally:
        stop_background(kit)
    assert kit.outbox_counts()["sent"] == 1


def test_the_background_worker_can_be_switched_off(kit, monkeypatch):
    monkeypatch.setenv("INCIDENT_KIT_NOTIFY_WORKER", "off")
    assert start_background(kit) is None


@pytest.mark.parametrize("channel", ["not a channel", "ftp:/broken", ""])
def test_subscribing_with_an_unusable_channel_says_what_is_accepted(kit, channel):
    import incident_kit as ik

    inc = kit.declare("Disk full", declared_by="ana")
    with pytest.raises(ik.IncidentKitError, match="email address|apprise URL"):
        kit.subscribe(channel, person="ops", incident=inc.reference)


def test_trusting_typed_names_lets_a_typed_subscriber_hear_a_private_incident(kit, webhook):
    typed_ana = Person("ana", verified=False)
    kit.subscribe(webhook.url("/typed"), person=typed_ana, by=typed_ana, min_severity="Minor")
    inc = kit.declare("Leaked credential", private=True, declared_by="ana")
    kit.post_update(inc.reference, "Rotating the key.", by="ana")
    kit.save_settings({"trust_typed_names": True})
    kit.post_update(inc.reference, "Key rotated.", by="ana")

    drain(kit)

    assert [b["message"].split("\n\n")[2].split("\n")[0] for b in webhook.bodies] == ["Key rotated."]


def test_an_update_promises_the_default_cadence_when_its_severity_has_none_on_record(kit, webhook):
    inc = kit.declare("Disk full", declared_by="ana")
    kit.subscribe(webhook.url(), person="ops", incident=inc.reference)
    # A level no longer in the catalog (written by hand, or by an older version): no cadence on record.
    kit.db.write(lambda tx: tx.execute("UPDATE incidents SET severity = 'Retired' WHERE id = ?", [inc.id]))
    upd = kit.post_update(inc.reference, "Cleaning up.", by="ana")

    drain(kit)

    promised = upd.posted_at + dt.timedelta(minutes=DEFAULT_CADENCE_MINUTES)
    assert f"Next update by: {promised:%Y-%m-%d %H:%M} UTC" in webhook.bodies[0]["message"].splitlines()
    assert kit.update_cadence("Retired") == DEFAULT_CADENCE_MINUTES  # what the Incident page promises


def test_subscriptions_from_before_migration_12_hear_no_private_update_until_made_again(kit, db_path, webhook):
    secret = kit.declare("Leaked credential", private=True, declared_by="ana")
    kit.subscribe(webhook.url("/ana"), person="ana", incident=secret.reference)
    kit.set_contact("ana", webhook.url("/ana-reminders"))

    def as_before_12(tx):
        for statement in ("ALTER TABLE subscriptions DROP COLUMN verified", "ALTER TABLE contacts DROP COLUMN verified",
                          "DELETE FROM schema_migrations WHERE version = 12"):
            tx.execute(statement)

    kit.db.write(as_before_12)
    kit.close()
    with ik.open(db_path, user="tester") as upgraded:  # opening migrates: the old rows are not believed
        [old] = upgraded.subscriptions()
        assert not old.verified
        upgraded.post_update(secret.reference, "Rotating the key.", by="ana")
        drain(upgraded)
        assert webhook.paths == []

        again = upgraded.subscribe(webhook.url("/ana"), person="ana", incident=secret.reference)
        upgraded.post_update(secret.reference, "Key rotated.", by="ana")
        drain(upgraded)

        assert again.verified and webhook.paths == ["/ana"]
        assert [(s.id, s.active) for s in upgraded.subscriptions(include_ended=True)] == [(old.id, False),
                                                                                         (again.id, True)]
