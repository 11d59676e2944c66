"""Status page subscriptions hold nothing private and leak nothing: the same answer whatever the address,
one-line subjects whatever the names hold, escaped pages, no private incident, internal update or person
in any subscriber's email, link secrets that do only their own job, and a removed address kept nowhere."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from starlette.applications import Starlette

from incident_kit.clock import utcnow
from incident_kit.errors import NotFound
from incident_kit.notify.worker import Worker
from incident_kit.web import statuspage

pytest_plugins = ["notify_servers"]  # the smtp_server fixture

BASE = "http://testserver"
HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'&"
PLANTED = ["PRIVATE-TITLE", "PRIVATE-UPDATE", "INTERNAL-UPDATE", "INTERNAL-COMPONENT", "TEST-TITLE",
           "Zelda Quartermain", "Yusuf Declarer", "Severe-Sev"]


@pytest.fixture
def client(kit, db_path, monkeypatch):
    monkeypatch.setenv("INCIDENT_KIT_DB", str(db_path))
    kit.set_setting("public_url", BASE)
    with TestClient(Starlette(routes=statuspage.routes()), base_url=BASE) as c:
        yield c


def drain(kit, smtp, clock=None):
    worker = Worker(kit, reminders=False, smtp_url=smtp.url, **({"clock": clock} if clock else {}))
    try:
        worker.run_once()
    finally:
        worker.close()


def link(text: str, purpose: str) -> str:
    return re.search(rf"/status-page/{purpose}/([A-Za-z0-9_-]+)", text).group(1)


def confirmed(kit, smtp, email="ana@example.com", components=()):
    start = len(smtp.messages)
    kit.request_status_updates(email, components=components)
    drain(kit, smtp)
    kit.confirm_status_updates(link(smtp.text(smtp.messages[start]), "confirm"))


def test_the_answer_is_the_same_for_an_unknown_a_pending_and_a_subscribed_address(kit, client, smtp_server):
    confirmed(kit, smtp_server, "known@example.com")
    kit.request_status_updates("pending@example.com")
    answers = [client.post("/status-page/subscribe", data={"email": email})
               for email in ("unknown@example.com", "pending@example.com", "known@example.com", "KNOWN@example.com")]
    first = answers[0]
    for answer in answers:
        assert (answer.status_code, answer.text) == (first.status_code, first.text)
        assert dict(answer.headers) == dict(first.headers)  # no cookie, no length or header that differs


def test_subjects_are_one_line_whatever_the_names_hold(kit, smtp_server):
    kit.set_setting("public_url", BASE)
    kit.set_setting("public_name", "Acme\r\nBcc: evil@example.com\x07\u2028X-Evil: 1")
    kit.add_component("Checkout")
    confirmed(kit, smtp_server)
    incident = kit.declare("Slow\x0b\x1b[2J checkout", components={"Checkout": "major_outage"})
    kit.post_update(incident.reference, "Looking", audience="external")
    now = utcnow()
    kit.schedule_maintenance("Upgrade\x0c\x85 db", start=now + dt.timedelta(hours=1), end=now + dt.timedelta(hours=2),
                             components=["Checkout"])
    drain(kit, smtp_server)
    assert len(smtp_server.messages) == 3
    for message, rcpt in zip(smtp_server.messages, smtp_server.recipients, strict=True):
        subject = message["Subject"]
        assert not re.search("[\x00-\x1f\x7f-\x9f\u2028\u2029]", subject), repr(subject)
        assert message["Bcc"] is None and message["X-Evil"] is None and rcpt == ["ana@example.com"]
    titles = kit.db.read(lambda tx: tx.fetchall("SELECT title FROM outbox"))
    assert not any(re.search("[\x00-\x1f\x7f-\x9f\u2028\u2029]", t) for (t,) in titles)


def test_hostile_names_are_escaped_on_every_subscription_page(kit, client, smtp_server):
    kit.set_setting("public_name", HOSTILE)
    kit.add_component(f"Checkout {HOSTILE}")
    slug = kit.components()[0].slug
    pages = [client.get("/status-page/").text,
             client.post("/status-page/subscribe", data={"email": "ana@example.com", "component": slug}).text,
             client.post("/status-page/subscribe", data={"email": f"{HOSTILE}@example.com"}).text]
    drain(kit, smtp_server)
    token = link(smtp_server.text(smtp_server.messages[0]), "confirm")
    pages += [client.get(f"/status-page/confirm/{token}").text, client.post(f"/status-page/confirm/{token}").text,
              client.get("/status-page/confirm/%3Cscript%3Ealert(1)%3C%2Fscript%3Eaaaaaaaaaaaaaaaaa").text]
    for page in pages:
        assert "<script>" not in page and "<img" not in page and "onerror=alert(2)>" not in page
    assert "&lt;script&gt;" in pages[4]  # shown, as text


def test_no_private_incident_internal_update_or_person_reaches_a_subscriber(kit, smtp_server):
    kit.set_setting("public_url", BASE)
    kit.set_severities([{"name": "Minor", "cadence_minutes": 60}, {"name": "Severe-Sev", "cadence_minutes": 30}])
    kit.add_component("Checkout")
    kit.add_component("INTERNAL-COMPONENT", internal=True)
    confirmed(kit, smtp_server)
    confirmed(kit, smtp_server, "bo@example.com", components=["Checkout"])
    start = len(smtp_server.messages)
    seen = kit.declare("Checkout down", declared_by="Yusuf Declarer", lead="Zelda Quartermain", severity="Severe-Sev",
                       components={"Checkout": "major_outage", "INTERNAL-COMPONENT": "major_outage"})
    kit.post_update(seen.reference, "Working on it", by="Zelda Quartermain", audience="external")
    kit.post_update(seen.reference, "INTERNAL-UPDATE Zelda Quartermain restarts db", by="Zelda Quartermain")
    kit.resolve(seen.reference, by="Zelda Quartermain")
    hidden = kit.declare("PRIVATE-TITLE", private=True, declared_by="Yusuf Declarer",
                         components={"Checkout": "major_outage"})
    kit.post_update(hidden.reference, "PRIVATE-UPDATE", by="Yusuf Declarer", audience="external")
    drill = kit.declare("TEST-TITLE", mode="test", components={"Checkout": "major_outage"})
    kit.post_update(drill.reference, "TEST-TITLE words", audience="external")
    now = utcnow()
    kit.schedule_maintenance("Upgrade", start=now + dt.timedelta(hours=1), end=now + dt.timedelta(hours=2),
                             components=["Checkout", "INTERNAL-COMPONENT"], by="Zelda Quartermain")
    drain(kit, smtp_server)
    received = smtp_server.messages[start:]
    assert len(received) == 4  # the external update and the maintenance, for each of the two
    for message in received:
        whole = message.as_string()
        for planted in PLANTED:
            assert planted not in whole


def test_a_link_secret_does_only_its_own_job(kit, smtp_server):
    kit.set_setting("public_url", BASE)
    kit.request_status_updates("ana@example.com")
    drain(kit, smtp_server)
    text = smtp_server.text(smtp_server.messages[0])
    confirm, leave = link(text, "confirm"), link(text, "unsubscribe")
    with pytest.raises(NotFound):
        kit.confirm_status_updates(leave)
    with pytest.raises(NotFound):
        kit.unsubscribe_status_updates(confirm)
    with pytest.raises(NotFound):
        kit.confirm_status_updates(confirm[:-1] + ("A" if confirm[-1] != "A" else "B"))
    assert kit.status_subscribers()[0].state == "pending"


def test_a_removed_subscribers_address_is_kept_nowhere(kit, smtp_server, db_path):
    kit.set_setting("public_url", BASE)
    kit.add_component("Checkout")
    confirmed(kit, smtp_server, "gone.person@example.com")
    incident = kit.declare("Checkout down", components={"Checkout": "major_outage"})
    kit.post_update(incident.reference, "Working on it", audience="external")  # queued, not yet sent
    (sub,) = kit.status_subscribers()
    kit.remove_status_subscriber(sub.id)
    drain(kit, smtp_server)
    tables = [t for (t,) in kit.db.read(lambda tx: tx.fetchall(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"))]
    assert "public_subscribers" in tables and "outbox" in tables
    for table in tables:
        rows = kit.db.read(lambda tx, t=table: tx.fetchall(f'SELECT * FROM "{t}"'))
        assert "gone.person" not in repr(rows).lower(), table
    assert len(smtp_server.messages) == 1  # only the confirmation: the queued notice was withheld


def test_only_admins_see_subscribers_emails_in_the_outbox_their_bodies_hold_unsubscribe_links(kit, smtp_server):
    from incident_kit.identity import Person

    kit.set_setting("public_url", BASE)
    kit.set_setting("admins", ["root@example.com"])
    kit.add_component("Checkout")
    confirmed(kit, smtp_server)
    incident = kit.declare("Checkout down", components={"Checkout": "major_outage"})
    kit.post_update(incident.reference, "Working on it", audience="external")
    root, bob = Person("root@example.com", verified=True), Person("bob@example.com", verified=True)
    ids = [int(i) for i in kit.outbox(viewer=root)["id"]]
    assert len(ids) == 2  # the confirmation and the notice
    assert kit.outbox(viewer=bob).empty and kit.outbox_counts(viewer=bob)["pending"] == 0
    for delivery in ids:
        assert "/status-page/unsubscribe/" in kit.delivery_body(delivery, viewer=root)
        with pytest.raises(NotFound):
            kit.delivery_body(delivery, viewer=bob)
