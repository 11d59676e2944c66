"""Signed webhooks never carry a private incident, and their signing secrets are never shown back.

Each test fails on f40d363 (before signed webhooks: such a channel was refused). A webhook is a system,
not a person, so unlike an update subscription it gets nothing about a private incident whoever made
it (a verified participant, an admin); the secret is shown once, to whoever subscribes, and never by a
list, the outbox, the worker's log or the app.
"""

from __future__ import annotations

import json
import logging

import pytest

from incident_kit.cli import main
from incident_kit.notify.worker import Worker

from apptest_support import assert_no_traceback, start, texts

from .actors import ANA, ROOT

pytest_plugins = ["notify_servers"]  # signed_receiver, webhook: real HTTP receivers on loopback

PATH_TOKEN = "p4thT0ken9f8e7d"  # a secret in the receiver's path, as many receivers use


@pytest.fixture
def admins(kit):
    kit.save_settings({"admins": [str(ROOT)]})
    return kit


def lowest(kit) -> str:
    return kit.severities()[0].name


def stored_secrets(kit) -> list[str]:
    return [row[0] for row in kit.db.read(lambda tx: tx.fetchall(
        "SELECT signing_secret FROM subscriptions WHERE signing_secret IS NOT NULL ORDER BY id"))]


def drain(kit):
    worker = Worker(kit, reminders=False)
    try:
        return worker.run_once()
    finally:
        worker.close()


# -- private incidents ---------------------------------------------------------------------------------
@pytest.mark.both_stores
def test_a_private_incident_never_reaches_a_webhook_even_a_verified_participants_or_an_admins(admins, signed_receiver,
                                                                                               webhook):
    kit = admins
    kit.subscribe(signed_receiver.url("/ana"), person=ANA, by=ANA, min_severity=lowest(kit))
    kit.subscribe(signed_receiver.url("/root"), person=ROOT, by=ROOT, min_severity=lowest(kit))
    kit.subscribe(webhook.url("/ana-updates"), person=ANA, by=ANA, min_severity=lowest(kit))
    secret = kit.declare("Leaked payroll file", declared_by=ANA, private=True, severity="Critical")
    kit.subscribe(signed_receiver.url("/ana-incident"), person=ANA, by=ANA, incident=secret.reference)
    kit.post_update(secret.reference, "Share link revoked.", by=ANA)
    kit.change_status(secret.reference, "fixing", by=ANA)
    kit.post_update(secret.reference, "Rotating the exposed keys.", by=ANA)
    kit.resolve(secret.reference, by=ANA, final_update="Keys rotated; no access in the logs.")

    assert kit.outbox(kind="webhook").empty  # nothing is even queued
    drain(kit)

    assert signed_receiver.attempts == []
    assert webhook.paths == ["/ana-updates"] * 3  # Ana's own update subscription does hear: she may see it


@pytest.mark.both_stores
def test_an_incident_made_private_stops_sending_to_webhooks(kit, signed_receiver):
    signed_receiver.trust(kit.subscribe(signed_receiver.url(), person="ops", min_severity=lowest(kit)).signing_secret)
    incident = kit.declare("Payroll export stuck", declared_by=ANA)
    drain(kit)
    kit.edit(incident.reference, private=True, by=ANA)
    kit.post_update(incident.reference, "It held salary data: now private.", by=ANA)
    kit.resolve(incident.reference, by=ANA, final_update="Export fixed.")
    drain(kit)

    assert signed_receiver.types() == ["incident.declared"]
    assert "salary" not in b"".join(body for _, body in signed_receiver.attempts).decode()


@pytest.mark.both_stores
def test_an_event_queued_before_the_incident_turned_private_is_withheld(kit, signed_receiver):
    signed_receiver.trust(kit.subscribe(signed_receiver.url(), person="ops", min_severity=lowest(kit)).signing_secret)
    incident = kit.declare("Payroll export stuck", declared_by=ANA)
    kit.post_update(incident.reference, "Looking at the export job.", by=ANA)
    kit.edit(incident.reference, private=True, by=ANA)  # before the worker came by

    result = drain(kit)

    assert signed_receiver.attempts == []
    assert (result.sent, result.failed) == (0, 2)
    rows = kit.outbox(kind="webhook")
    assert set(rows["status"]) == {"failed"}
    assert set(rows["last_error"]) == {
        "Not sent: the incident is private now, and a webhook never receives a private incident."}


def test_an_event_queued_before_unsubscribing_is_not_sent(kit, signed_receiver):
    sub = kit.subscribe(signed_receiver.url(), person="ops", min_severity=lowest(kit))
    kit.declare("Checkout is failing", declared_by=ANA)
    kit.unsubscribe(sub.id)
    drain(kit)
    assert signed_receiver.attempts == []
    assert list(kit.outbox()["last_error"]) == ["Not sent: the subscription ended before this event went out."]


# -- the signing secret is shown once --------------------------------------------------------------------
def cli(capsys, *args) -> str:
    capsys.readouterr()
    assert main(list(args)) == 0, capsys.readouterr().err
    return capsys.readouterr().out


def test_the_command_line_prints_the_secret_once_and_never_lists_it(tmp_path, capsys, signed_receiver):
    db = str(tmp_path / "kit.duckdb")
    url = signed_receiver.url(f"/hooks/{PATH_TOKEN}")
    made = json.loads(cli(capsys, "--db", db, "subscribe", "--channel", url, "--min-severity", "Minor",
                          "--person", "ops", "--json"))
    secret = made["signing_secret"]
    assert secret.startswith("whsec_") and PATH_TOKEN not in made["channel"]
    text = cli(capsys, "--db", db, "subscribe", "--channel", url + "2", "--type", "security", "--person", "sec")
    [second] = [line.rsplit(" ", 1)[1] for line in text.splitlines() if line.startswith("Signing secret")]
    assert "shown only now" in text and second.startswith("whsec_") and second != secret
    signed_receiver.trust(secret)
    cli(capsys, "--db", db, "declare", "Checkout is failing", "--severity", "Major")
    cli(capsys, "--db", db, "notify", "run", "--once")
    assert signed_receiver.types() == ["incident.declared"]  # the secret printed is the one that signs

    for args in (("subscriptions",), ("subscriptions", "--json"), ("subscriptions", "--all", "--json"),
                 ("notify", "outbox"), ("notify", "outbox", "--json")):
        out = cli(capsys, "--db", db, *args)
        assert secret not in out and second not in out and PATH_TOKEN not in out, args
        assert "webhook+http://127.0.0.1" in out, args  # still says where it goes


def test_the_worker_log_and_the_outbox_show_no_secret(kit, signed_receiver, caplog):
    sub = kit.subscribe(signed_receiver.url(f"/hooks/{PATH_TOKEN}"), person="ops", min_severity=lowest(kit))
    signed_receiver.trust(sub.signing_secret)
    signed_receiver.answers = [500]
    kit.declare("Checkout is failing", declared_by=ANA)
    with caplog.at_level(logging.DEBUG):
        kit.deliver_notifications()

    assert "answered 500" in caplog.text  # the failure is logged ...
    assert sub.signing_secret not in caplog.text  # ... never with the signing secret, at any level,
    # nor with the path, at INFO and above (at DEBUG, urllib3 logs each request line, path included)
    assert not [r for r in caplog.records if r.levelno >= logging.INFO and PATH_TOKEN in r.getMessage()]
    shown = kit.outbox().to_csv() + kit.delivery_body(1)
    assert sub.signing_secret not in shown and PATH_TOKEN not in shown


@pytest.mark.usefixtures("app_db")
def test_the_subscriptions_page_shows_the_secret_once_and_never_again(kit):
    at = start(user=str(ANA), page="subscriptions")
    at.radio(key="follow_kind").set_value("signed").run()
    assert "Private incidents are never sent" in texts(at)
    at.text_input(key="follow_address_signed").input(f"https://receiver.example.com/hooks/{PATH_TOKEN}")
    at.button(key="follow_subscribe").click().run()
    assert_no_traceback(at)
    [secret] = stored_secrets(kit)
    assert [c.value for c in at.code] == [secret]
    assert "shown only this once" in texts(at) and "by a signed webhook" in texts(at)
    assert PATH_TOKEN not in texts(at)

    at.run()  # any later run of the page
    again = start(user=str(ANA), page="subscriptions")  # or opening it again
    for later in (at, again):
        assert_no_traceback(later)
        assert secret not in texts(later) and PATH_TOKEN not in texts(later)
        assert "by a signed webhook" in texts(later)  # her subscription is listed, in words


@pytest.mark.usefixtures("app_db")
def test_the_incident_panel_shows_the_secret_once(kit):
    incident = kit.declare("Checkout is failing", declared_by=ANA)
    at = start(user=str(ANA), page="incident", ref=incident.reference)
    key = f"panel-sub-{incident.reference}"
    at.radio(key=f"{key}_kind").set_value("signed").run()
    at.text_input(key=f"{key}_address_signed").input(f"https://receiver.example.com/hooks/{PATH_TOKEN}")
    at.button(key=key).click().run()
    assert_no_traceback(at)
    [secret] = stored_secrets(kit)
    assert secret in [c.value for c in at.code]
    assert "Your signed webhook" in texts(at) and PATH_TOKEN not in texts(at)

    at.run()
    assert_no_traceback(at)
    assert secret not in texts(at) and "Your signed webhook" in texts(at)


def test_another_viewer_never_gets_the_secret_from_the_python_api(admins):
    kit = admins
    sub = kit.subscribe(f"webhook+https://receiver.example.com/hooks/{PATH_TOKEN}", person=ANA, by=ANA,
                        min_severity=lowest(kit))
    for viewer in (ANA, ROOT, None):
        for listed in kit.subscriptions(viewer=viewer, include_ended=True):
            assert listed.signing_secret is None
            assert sub.signing_secret not in repr(listed) + json.dumps(listed.to_dict())


def test_a_signed_webhook_is_shown_without_its_user_password_path_token_or_query(caplog):
    from incident_kit.notify.channels import redact

    channel = f"webhook+https://bot:pa55word@receiver.example.com:8443/hooks/{PATH_TOKEN}?sig=Zx9SeCrEt"
    with caplog.at_level(logging.DEBUG):
        shown = redact(channel)
    assert shown == "webhook+https://receiver.example.com:8443/h...s/p...d"
    assert not [s for s in ("bot", "pa55word", PATH_TOKEN, "Zx9SeCrEt") if s in shown + caplog.text]
