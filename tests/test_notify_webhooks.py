"""Signed webhooks: incident events as JSON, signed with Standard Webhooks, through the outbox.

Every delivery goes to a real HTTP receiver on loopback that verifies it with the ``standardwebhooks``
library (``notify_servers.SignedReceiver``), from the real worker (``kit.deliver_notifications`` or a
``Worker`` on a clock the test moves).
"""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from incident_kit.clock import utcnow
from incident_kit.errors import IncidentKitError
from incident_kit.incident.format import render_update
from incident_kit.notify import webhooks
from incident_kit.notify.models import BACKOFF_BASE_SECONDS
from incident_kit.notify.worker import Worker
from notify_servers import Clock

pytest_plugins = ["notify_servers"]  # signed_receiver, smtp_server




def drain(kit, clock=None, **options):
    worker = Worker(kit, reminders=False, **({"clock": clock} if clock else {}), **options)
    try:
        return worker.run_once()
    finally:
        worker.close()


def follow(kit, receiver, **what):
    """Subscribe ``ops`` by a signed webhook to ``receiver`` and give the receiver the secret."""
    sub = kit.subscribe(receiver.url(), person="ops", **(what or {"min_severity": kit.severities()[0].name}))
    receiver.trust(sub.signing_secret)
    return sub


# -- subscribing -----------------------------------------------------------------------------------------
def test_a_signed_webhook_subscription_gets_a_standard_webhooks_secret_shown_only_once(kit, signed_receiver):
    sub = follow(kit, signed_receiver)

    assert sub.signed_webhook and sub.signing_secret.startswith("whsec_")
    assert len(base64.b64decode(sub.signing_secret.removeprefix("whsec_"))) == 32
    assert sub.signing_secret not in repr(sub) and "signing_secret" not in sub.to_dict()
    [listed] = kit.subscriptions()
    assert listed.id == sub.id and listed.signing_secret is None
    other = kit.subscribe(signed_receiver.url("/other"), person="ops", min_severity="Major")
    assert other.signing_secret != sub.signing_secret  # one secret per subscription


@pytest.mark.parametrize("channel", ["webhook+ftp://example.com/x", "webhook+https://", "webhook+https:///path",
                                     "webhook+https://exa mple.com/x", "webhook+https://example.com:99999/x",
                                     "webhook+javascript:alert(1)", "webhook+https://example.com/" + "x" * 2100])
def test_a_signed_webhook_must_be_an_http_address_with_a_host(kit, channel):
    with pytest.raises(IncidentKitError, match="A signed webhook needs the receiver's address starting with https://"):
        kit.subscribe(channel, person="ops", min_severity="Major")
    assert kit.subscriptions() == []


def test_loopback_and_private_addresses_are_allowed(kit):
    for host in ("127.0.0.1:8080", "localhost", "10.0.0.7", "[::1]:9000", "receiver.internal"):
        assert kit.subscribe(f"webhook+http://{host}/events", person="ops", min_severity="Major").signing_secret


def test_reminders_never_go_to_a_signed_webhook(kit, signed_receiver):
    with pytest.raises(IncidentKitError, match="receives incident events, not reminders"):
        kit.set_contact("ops", signed_receiver.url())
    follow(kit, signed_receiver)
    assert kit.contact("ops") is None  # the webhook is no fallback for reminders either


# -- which events, and what they say -------------------------------------------------------------------
@pytest.mark.both_stores
def test_every_incident_event_arrives_signed_with_its_type_in_order(kit, signed_receiver):
    follow(kit, signed_receiver)
    inc = kit.declare("Checkout is failing", severity="Major", declared_by="ana")
    steps = [lambda: kit.change_status(inc.reference, "fixing", by="ana"),
             lambda: kit.post_update(inc.reference, "Rolling back.", by="ana"),
             lambda: kit.resolve(inc.reference, by="ana", final_update="Card payments work again."),
             lambda: kit.start_review(inc.reference, depth="none", reason="Known deploy issue", by="ana"),
             lambda: kit.close_incident(inc.reference, by="ana")]
    drain(kit)
    for step in steps:
        step()
        drain(kit)  # one change at a time, so the order of arrival is the order of the changes

    assert signed_receiver.rejected == []
    assert signed_receiver.types() == ["incident.declared", "incident.status_changed", "incident.updated",
                                       "incident.resolved", "incident.updated", "incident.status_changed",
                                       "incident.closed"]
    events = [event for _, event in signed_receiver.events]
    assert [e["data"]["status"] for e in events] == ["investigating", "fixing", "fixing", "resolved", "resolved",
                                                     "post_incident", "closed"]
    assert [e["data"].get("previous_status") for e in events] == [None, "investigating", None, "fixing", None,
                                                                  "resolved", "post_incident"]
    first = events[0]["data"]
    assert (first["reference"], first["title"], first["severity"], first["mode"]) == (
        inc.reference, "Checkout is failing", "Major", "live")
    assert dt.datetime.fromisoformat(events[0]["timestamp"]) == inc.declared_at
    assert len({webhook_id for webhook_id, _ in signed_receiver.events}) == 7  # one id per delivery
    assert events[3]["data"]["resolved_at"] is not None and events[6]["data"]["closed_at"] is not None


def test_reopening_declining_and_merging_are_status_changes(kit, signed_receiver):
    follow(kit, signed_receiver)
    first = kit.declare("Checkout is failing", declared_by="ana")
    kit.resolve(first.reference, by="ana")
    kit.reopen(first.reference, by="ana", reason="It came back")
    dup = kit.declare("Checkout broken again", declared_by="bao")
    kit.merge(dup.reference, first.reference, by="bao")
    false_alarm = kit.declare("Disk alert", declared_by="ana")
    kit.decline(false_alarm.reference, reason="A test alert", by="ana")
    drain(kit)

    moves = sorted((e["data"]["reference"], e["data"]["previous_status"], e["data"]["status"])
                   for _, e in signed_receiver.events if e["type"] == "incident.status_changed")
    assert moves == [(first.reference, "resolved", "investigating"), (dup.reference, "investigating", "merged"),
                     (false_alarm.reference, "investigating", "declined")]


def test_an_update_event_carries_the_update_in_the_predictable_format(kit, signed_receiver):
    follow(kit, signed_receiver)
    inc = kit.declare("Checkout is failing", severity="Major", declared_by="ana")
    nxt = utcnow() + dt.timedelta(minutes=45)
    upd = kit.post_update(inc.reference, "Rolling back the 14:00 deploy.", by="ana", impact="EU card payments fail",
                          doing="Rolling back", next_update_at=nxt)
    drain(kit)

    [update] = [event["data"]["update"] for event in (e for _, e in signed_receiver.events)
                if event["type"] == "incident.updated"]
    assert update["text"] == render_update(reference=inc.reference, title=inc.title, status="investigating",
                                           message=upd.message, impact=upd.impact, doing=upd.doing,
                                           next_update_at=nxt, severity="Major", audience="internal")
    assert (update["message"], update["impact"], update["doing"], update["author"]) == (
        "Rolling back the 14:00 deploy.", "EU card payments fail", "Rolling back", "ana")
    assert dt.datetime.fromisoformat(update["next_update_at"]) == nxt


def test_an_update_with_no_promised_time_says_the_severitys_cadence_as_email_does(kit, signed_receiver, smtp_server):
    follow(kit, signed_receiver)
    inc = kit.declare("Search is slow", severity="Major", declared_by="ana")
    kit.subscribe("cfo@example.com", person="cfo", incident=inc.reference)
    kit.post_update(inc.reference, "Reindexing.", by="ana")
    drain(kit, smtp_url=smtp_server.url)

    [update] = [e["data"]["update"] for _, e in signed_receiver.events if e["type"] == "incident.updated"]
    [mail] = smtp_server.messages
    assert smtp_server.text(mail).startswith(update["text"])  # the same words on both surfaces
    assert "Next update by:" in update["text"]


def test_external_updates_are_not_webhook_events(kit, signed_receiver):
    follow(kit, signed_receiver)
    inc = kit.declare("Slow search", declared_by="ana")
    kit.post_update(inc.reference, "We are looking into slow search.", by="ana", audience="external")
    drain(kit)
    assert signed_receiver.types() == ["incident.declared"]


def test_update_subscribers_and_webhooks_each_get_their_own_delivery(kit, signed_receiver, smtp_server):
    follow(kit, signed_receiver)
    inc = kit.declare("Payroll export stuck", declared_by="ana")
    kit.subscribe("hr@example.com", person="hr", incident=inc.reference)
    kit.post_update(inc.reference, "Export re-queued.", by="ana")

    result = drain(kit, smtp_url=smtp_server.url)

    assert (result.sent, result.failed) == (3, 0)  # declared + updated to the webhook, one email
    assert len(smtp_server.messages) == 1
    assert sorted(kit.outbox()["kind"]) == ["update", "webhook", "webhook"]


# -- rules and incidents, like every subscription --------------------------------------------------------
@pytest.mark.both_stores
def test_a_rule_follows_its_severity_and_type_and_an_incident_subscription_its_incident(kit):
    earlier = kit.declare("Earlier", declared_by="ana")
    kit.subscribe("webhook+http://127.0.0.1:9/major", person="ops", min_severity="Major")
    kit.subscribe("webhook+http://127.0.0.1:9/security", person="sec", type="security")
    kit.subscribe("webhook+http://127.0.0.1:9/one", person="cfo", incident=earlier.reference)

    kit.declare("Typo on the pricing page", severity="Minor", declared_by="ana")
    major = kit.declare("Checkout is failing", severity="Critical", declared_by="ana")
    security = kit.declare("Leaked key", severity="Minor", type="security", declared_by="ana")
    kit.post_update(earlier.reference, "Still looking.", by="ana")

    queued = {(r.recipient, r.reference, r.title) for r in kit.outbox(kind="webhook").itertuples()}
    assert queued == {("ops", major.reference, "incident.declared"), ("sec", security.reference, "incident.declared"),
                      ("cfo", earlier.reference, "incident.updated")}


# -- retries, exactly once -----------------------------------------------------------------------------
@pytest.mark.both_stores
def test_a_receiver_that_fails_first_gets_the_same_event_again_with_the_same_id_exactly_once(kit, signed_receiver):
    follow(kit, signed_receiver)
    signed_receiver.answers = [500]
    kit.declare("Checkout is failing", severity="Major", declared_by="ana")
    clock = Clock()

    first = drain(kit, clock)
    assert (first.sent, first.retrying) == (0, 1)
    [row] = kit.outbox().itertuples()
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.last_error == f"http://127.0.0.1:{signed_receiver.server.server_port} answered 500 " \
                             "Internal Server Error."
    assert row.next_attempt_at.to_pydatetime() == clock.now + dt.timedelta(seconds=BACKOFF_BASE_SECONDS)
    assert drain(kit, clock).sent == 0  # not due yet: the outbox's backoff is respected

    clock.advance(seconds=BACKOFF_BASE_SECONDS)
    assert drain(kit, clock).sent == 1
    clock.advance(days=1)
    assert drain(kit, clock).sent == 0  # sent once: never again

    assert len(signed_receiver.attempts) == 2
    ids = {headers["webhook-id"] for headers, _ in signed_receiver.attempts}
    bodies = {body for _, body in signed_receiver.attempts}
    assert len(ids) == 1 and len(bodies) == 1  # the retry is the same message, so the receiver can dedupe
    assert [webhook_id for webhook_id, _ in signed_receiver.events] == list(ids)
    [row] = kit.outbox().itertuples()
    assert (row.status, row.attempts) == ("sent", 2)


def test_each_attempt_is_signed_at_its_own_time(kit, signed_receiver):
    follow(kit, signed_receiver)
    signed_receiver.answers = [503]
    kit.declare("Checkout is failing", declared_by="ana")
    drain(kit)
    for_retry = Clock()
    for_retry.advance(hours=1)  # the worker's schedule moves on; the signature uses the real time it is sent
    drain(kit, for_retry)

    stamps = [int(headers["webhook-timestamp"]) for headers, _ in signed_receiver.attempts]
    assert len(stamps) == 2 and abs(stamps[1] - utcnow().timestamp()) < 60
    assert signed_receiver.rejected == []  # both within the receiver's five-minute tolerance


def test_a_dead_receiver_is_retried_with_backoff_then_marked_failed(kit):
    sub = kit.subscribe("webhook+http://127.0.0.1:9/nothing-listens", person="ops", min_severity="Major")
    kit.declare("Checkout is failing", severity="Major", declared_by="ana")
    clock = Clock()
    for _ in range(3):
        drain(kit, clock, max_attempts=3)
        clock.advance(hours=2)
    [row] = kit.outbox().itertuples()
    assert (row.status, row.attempts) == ("failed", 3)
    assert row.last_error == "Could not connect to http://127.0.0.1:9."
    assert kit.subscriptions()[0].id == sub.id  # a dead receiver is not a gone one: the subscription stays


def test_a_receiver_that_answers_410_gone_ends_its_subscription(kit, signed_receiver):
    sub = follow(kit, signed_receiver, incident=kit.declare("Checkout is failing", declared_by="ana").reference)
    kit.post_update("INC-1", "Rolling back.", by="ana")
    signed_receiver.answers = [410]

    result = drain(kit)

    assert (result.sent, result.retrying, result.failed) == (0, 0, 1)
    [ended] = kit.subscriptions(include_ended=True)
    assert (ended.id, ended.ended_by) == (sub.id, "incident-kit") and not ended.active
    assert "answered that it is gone" in kit.events("INC-1")[-1].detail
    kit.post_update("INC-1", "Fixed.", by="ana")
    assert len(kit.outbox(kind="webhook")) == 1  # nothing more is queued for it


def test_a_redirect_is_not_followed(kit):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    hits = []

    class Redirect(BaseHTTPRequestHandler):
        def do_POST(self):
            hits.append(self.path)
            self.send_response(307)
            self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        kit.subscribe(f"webhook+http://127.0.0.1:{server.server_port}/events", person="ops", min_severity="Minor")
        kit.declare("Checkout is failing", declared_by="ana")
        assert drain(kit).retrying == 1
    finally:
        server.shutdown()
        server.server_close()
    assert hits == ["/events"]
    assert "redirects are not followed" in kit.outbox()["last_error"][0]


# -- the signature -------------------------------------------------------------------------------------
def test_a_tampered_body_or_another_secret_fails_verification(kit, signed_receiver):
    sub = follow(kit, signed_receiver)
    kit.declare("Checkout is failing", severity="Major", declared_by="ana")
    drain(kit)
    [(headers, body)] = signed_receiver.attempts

    assert Webhook(sub.signing_secret).verify(body, headers)["type"] == "incident.declared"
    tampered = body.replace(b"Checkout is failing", b"Checkout is fine!!!")
    with pytest.raises(WebhookVerificationError):
        Webhook(sub.signing_secret).verify(tampered, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(webhooks.new_secret()).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(sub.signing_secret).verify(body, {**headers, "webhook-id": "msg_another"})
    assert json.loads(body) == json.loads(kit.delivery_body(1))  # what was signed is what the outbox holds


@pytest.mark.both_stores
def test_events_are_queued_in_the_changes_transaction_and_not_when_it_is_refused(kit, signed_receiver):
    follow(kit, signed_receiver)
    inc = kit.declare("Checkout is failing", declared_by="ana")
    assert list(kit.outbox()["status"]) == ["pending"]  # queued with the declaration, nothing sent inline
    assert signed_receiver.attempts == []
    kit.resolve(inc.reference, by="ana")
    with pytest.raises(IncidentKitError, match="cannot close yet"):
        kit.close_incident(inc.reference, by="ana")  # refused by the review rule: its event goes with it

    assert sorted(kit.outbox()["title"]) == ["incident.declared", "incident.resolved"]


@pytest.mark.parametrize("strategy", ["lock", "retry"])
def test_twenty_simultaneous_alert_deliveries_queue_one_declared_event(tmp_path, strategy):
    import threading

    import incident_kit as ik
    from conftest import FIXTURES

    payload = json.loads((FIXTURES / "alerts" / "alertmanager-firing.json").read_text())
    kit = ik.open(tmp_path / "kit.duckdb", user="tester", write_strategy=strategy)
    kit.subscribe("webhook+http://127.0.0.1:9/events", person="ops", min_severity=kit.severities()[0].name)
    barrier = threading.Barrier(20)
    errors = []

    def deliver() -> None:
        barrier.wait()
        try:
            kit.receive_alertmanager(payload, by="token:am")
        except Exception as exc:  # any error reaching a caller fails the test
            errors.append(repr(exc))

    threads = [threading.Thread(target=deliver) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    # the nineteen declarations that lost the race were rolled back with the events they queued
    assert list(kit.outbox(kind="webhook")["title"]) == ["incident.declared"]
    kit.close()
