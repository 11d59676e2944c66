"""Status page subscribers through the service and the real outbox: double opt-in, who hears of what,
leaving, expiry, maintenance notices and the admin's part. Real SMTP (aiosmtpd), both stores."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from incident_kit.errors import IncidentKitError, NotAllowed, NotFound
from incident_kit.identity import Person
from incident_kit.notify.worker import Worker
from incident_kit.subscribers.models import CONFIRM_WITHIN
from notify_servers import Clock

pytestmark = pytest.mark.both_stores

pytest_plugins = ["notify_servers"]  # the smtp_server fixture

BASE = "https://status.example.com"




def drain(kit, smtp, clock=None):
    worker = Worker(kit, reminders=False, smtp_url=smtp.url, **({"clock": clock} if clock else {}))
    try:
        return worker.run_once()
    finally:
        worker.close()


def texts(smtp, start=0) -> list[str]:
    return [smtp.text(m) for m in smtp.messages[start:]]


def link(text: str, purpose: str) -> str:
    return re.search(rf"{BASE}/status-page/{purpose}/([A-Za-z0-9_-]+)", text).group(1)


@pytest.fixture
def shop(kit):
    kit.set_setting("public_url", BASE + "/")
    kit.set_setting("public_name", "Acme")
    kit.add_component("Checkout")
    kit.add_component("Search")
    kit.add_component("Billing backend", internal=True)
    return kit


def subscribed(kit, smtp, email="ana@example.com", components=()) -> int:
    """Request, read the confirmation email, confirm; the subscriber's id."""
    before = len(smtp.messages)
    kit.request_status_updates(email, components=components)
    drain(kit, smtp)
    (text,) = texts(smtp, before)
    return kit.confirm_status_updates(link(text, "confirm")).id


def test_a_request_sends_one_confirmation_and_nothing_more_until_confirmed(shop, smtp_server):
    shop.request_status_updates("Ana@Example.com", components=["checkout"])
    incident = shop.declare("Checkout is slow", components={"Checkout": "partial_outage"})
    shop.post_update(incident.reference, "Looking into it", audience="external")
    drain(shop, smtp_server)
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert smtp_server.recipients == [["Ana@example.com"]]
    assert message["Subject"] == "Confirm your subscription to Acme status updates"
    assert "about: Checkout." in smtp_server.text(message)
    leave = link(smtp_server.text(message), "unsubscribe")
    assert message["List-Unsubscribe"] == f"<{BASE}/status-page/unsubscribe/{leave}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    (pending,) = shop.status_subscribers()
    assert pending.state == "pending" and pending.components == ("Checkout",)


def test_a_confirmed_subscriber_hears_only_external_updates_of_public_incidents_on_their_components(
        shop, smtp_server):
    subscribed(shop, smtp_server, components=["Checkout"])
    start = len(smtp_server.messages)
    mine = shop.declare("Checkout is slow", components={"Checkout": "partial_outage"}, declared_by="Zelda Lead")
    shop.post_update(mine.reference, "Payments take a minute", audience="external", by="Zelda Lead")
    shop.post_update(mine.reference, "INTERNAL: Zelda restarts db-7", audience="internal", by="Zelda Lead")
    other = shop.declare("Search is down", components={"Search": "major_outage"})
    shop.post_update(other.reference, "Search fails", audience="external")
    hidden = shop.declare("PRIVATE checkout", private=True, components={"Checkout": "major_outage"})
    shop.post_update(hidden.reference, "PRIVATE words", audience="external")
    drill = shop.declare("TEST checkout", mode="test", components={"Checkout": "major_outage"})
    shop.post_update(drill.reference, "TEST words", audience="external")
    drain(shop, smtp_server)
    (text,) = texts(smtp_server, start)
    assert smtp_server.messages[start]["Subject"] == "[Acme] Checkout is slow: Investigating"
    assert "Payments take a minute" in text and "Affects: Checkout: Partial outage" in text
    for never in ("INTERNAL", "Zelda", "PRIVATE", "TEST", "Search"):
        assert never not in text
    assert "Unsubscribe (one click): " + BASE in text


def test_choosing_no_component_follows_every_incident_on_the_page(shop, smtp_server):
    subscribed(shop, smtp_server)
    start = len(smtp_server.messages)
    for title, components in (("Search is down", {"Search": "major_outage"}), ("Everything is slow", None),
                              ("Billing lags", {"Billing backend": "partial_outage"})):
        incident = shop.declare(title, components=components)
        shop.post_update(incident.reference, f"{title}: we know", audience="external")
    drain(shop, smtp_server)
    received = texts(smtp_server, start)
    assert len(received) == 3
    assert not any("Billing backend" in t for t in received)  # an internal component is never named


def test_unsubscribing_stops_every_email_at_once_and_forgets_the_address(shop, smtp_server):
    subscribed(shop, smtp_server)
    incident = shop.declare("Checkout is slow", components={"Checkout": "partial_outage"})
    shop.post_update(incident.reference, "First", audience="external")
    drain(shop, smtp_server)
    secret = link(texts(smtp_server)[-1], "unsubscribe")
    shop.post_update(incident.reference, "Queued before leaving", audience="external")
    left = shop.unsubscribe_status_updates(secret)
    assert left.state == "unsubscribed" and left.email is None
    assert shop.unsubscribe_status_updates(secret).state == "unsubscribed"  # again: no change, no error
    count = len(smtp_server.messages)
    shop.post_update(incident.reference, "After leaving", audience="external")
    result = drain(shop, smtp_server)
    assert len(smtp_server.messages) == count and result.failed == 1  # the queued one is withheld
    assert "ana@example.com" not in shop.export_status_subscribers().lower()
    assert [e.kind for e in shop.status_subscriber_events(left.id)] == ["requested", "confirmed", "unsubscribed"]


def test_an_unconfirmed_request_expires_and_its_address_is_forgotten(shop, smtp_server):
    clock = Clock()
    shop.request_status_updates("ana@example.com", now=clock.now)
    drain(shop, smtp_server, clock)
    secret = link(texts(smtp_server)[0], "confirm")
    clock.advance(seconds=CONFIRM_WITHIN.total_seconds() + 60)
    drain(shop, smtp_server, clock)
    (gone,) = shop.status_subscribers()
    assert gone.state == "expired" and gone.email is None
    with pytest.raises(NotFound, match="not valid any more"):
        shop.confirm_status_updates(secret, now=clock.now)


def test_confirming_a_new_request_for_the_same_address_replaces_the_old_subscription(shop, smtp_server):
    first = subscribed(shop, smtp_server, components=["Checkout"])
    second = subscribed(shop, smtp_server, email="ANA@example.com", components=["Search"])
    states = {s.id: (s.state, s.components) for s in shop.status_subscribers()}
    assert states[first][0] == "unsubscribed" and states[second] == ("confirmed", ("Search",))
    assert shop.status_subscriber_counts()["confirmed"] == 1


def test_maintenance_notifies_when_scheduled_when_it_starts_and_when_it_completes(shop, smtp_server):
    clock = Clock()
    subscribed(shop, smtp_server, components=["Checkout"])
    start = len(smtp_server.messages)
    begin, end = clock.now + dt.timedelta(hours=1), clock.now + dt.timedelta(hours=2)
    shop.schedule_maintenance("Database upgrade", start=begin, end=end, components=["Checkout", "Billing backend"],
                              message="Checkout may pause", now=clock.now)
    shop.schedule_maintenance("Search reindex", start=begin, end=end, components=["Search"], now=clock.now)
    drain(shop, smtp_server, clock)
    clock.advance(minutes=61)
    drain(shop, smtp_server, clock)
    drain(shop, smtp_server, clock)  # a second pass the same minute: no second notice
    clock.advance(minutes=60)
    drain(shop, smtp_server, clock)
    subjects = [m["Subject"] for m in smtp_server.messages[start:]]
    assert subjects == ["[Acme] Scheduled maintenance: Database upgrade",
                        "[Acme] Maintenance in progress: Database upgrade",
                        "[Acme] Maintenance completed: Database upgrade"]
    text = texts(smtp_server, start)[0]
    assert "Affects: Checkout" in text and "Billing backend" not in text and "Checkout may pause" in text


def test_subscribing_without_a_public_address_is_one_sentence_and_keeps_nothing(kit):
    with pytest.raises(IncidentKitError, match="public address"):
        kit.request_status_updates("ana@example.com")
    assert kit.status_subscribers() == []


@pytest.mark.parametrize("bad", ["", "not-an-address", "a@b", "ana@example.com\r\nBcc: x@example.com", "x" * 300])
def test_an_unusable_address_is_one_sentence(shop, bad):
    with pytest.raises(IncidentKitError):
        shop.request_status_updates(bad)
    assert shop.status_subscribers() == []


def test_an_unknown_or_internal_component_is_refused(shop):
    for name in ("Nope", "Billing backend"):
        with pytest.raises(IncidentKitError, match="no component"):
            shop.request_status_updates("ana@example.com", components=[name])


def test_link_secrets_are_kept_only_as_digests(shop, smtp_server):
    subscribed(shop, smtp_server)
    text = texts(smtp_server)[0]
    secrets_ = {link(text, "confirm"), link(text, "unsubscribe")}
    rows = shop.db.read(lambda tx: tx.fetchall("SELECT digest FROM public_subscriber_links"))
    stored = " ".join(r[0] for r in rows)
    assert not any(s in stored for s in secrets_)
    assert all(len(r[0]) == 128 for r in rows)


def test_admins_count_export_and_remove_a_subscriber_and_nobody_else_may(shop, smtp_server):
    shop.set_setting("admins", ["root@example.com"])
    sid = subscribed(shop, smtp_server, email="=cmd@example.com")
    root, ana = Person("root@example.com", verified=True), Person("ana@example.com", verified=True)
    assert shop.status_subscriber_counts(viewer=root)["confirmed"] == 1
    csv = shop.export_status_subscribers(viewer=root)
    assert "'=cmd@example.com" in csv  # a formula is shown as text in a spreadsheet
    for call in (lambda: shop.status_subscriber_counts(viewer=ana), lambda: shop.status_subscribers(viewer=ana),
                 lambda: shop.export_status_subscribers(viewer=ana),
                 lambda: shop.remove_status_subscriber(sid, by=ana)):
        with pytest.raises(NotAllowed):
            call()
    removed = shop.remove_status_subscriber(sid, by=root)
    assert removed.state == "removed" and removed.email is None
    assert "cmd@example.com" not in shop.export_status_subscribers(viewer=root)
    with pytest.raises(IncidentKitError, match="already ended"):
        shop.remove_status_subscriber(sid, by=root)
    with pytest.raises(NotFound):
        shop.remove_status_subscriber(999, by=root)


def test_the_admin_list_reads_only_the_subscribers_asked_for(shop, smtp_server):
    kept = subscribed(shop, smtp_server, email="kept@example.com")
    gone = subscribed(shop, smtp_server, email="gone@example.com")
    shop.request_status_updates("waiting@example.com")
    shop.remove_status_subscriber(gone)
    assert [s.email for s in shop.status_subscribers(holding=True)] == ["kept@example.com", "waiting@example.com"]
    assert [s.id for s in shop.status_subscribers(holding=True, limit=1)] == [kept]
    assert len(shop.status_subscribers()) == 3  # the removed one too, without its address
    with pytest.raises(IncidentKitError, match="limit must be a whole number"):
        shop.status_subscribers(limit=10**5000)
