"""Updates, reminders and the Subscriptions page reach only those who may see a private incident.

Each test failed on e5fc4ad. A subscription and a contact were decided by their stored name alone:
a name typed without signing in received a signed-in person's private updates and reminders,
ended her subscriptions and read the outbox, and channels were shown back with their tokens.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import subprocess
import sys

import pytest
from .actors import ANA, BOB, ROOT, typed

from incident_kit.clock import utcnow
from incident_kit.errors import NotAllowed, NotFound
from incident_kit.notify.channels import redact

from apptest_support import assert_no_traceback, start, texts

pytest_plugins = ["notify_servers"]  # the real HTTP receiver (webhook fixture)

TYPED_ANA = typed("ana@example.com")
TYPED_ROOT = typed("root@example.com")
TOKEN = "TIiajkdnlazkcOXrIdevi7FQ"
SLACK = f"https://hooks.slack.com/services/T1JJ3T3L2/B1BRTD4JD/{TOKEN}"
LATER = dt.timedelta(days=1)  # every open incident is overdue by then


@pytest.fixture
def admins(kit):
    kit.save_settings({"admins": ["root@example.com"]})
    return kit


def lowest(kit) -> str:
    """The lowest severity: a rule at it follows every incident (what the Subscriptions page does)."""
    return kit.severities()[0].name


def follow_everything(kit, url: str, person) -> None:
    kit.subscribe(url, person=person, by=person, min_severity=lowest(kit))


def refusal(exc: pytest.ExceptionInfo, number: str) -> str:
    return re.sub(rf"\b{number}\b", "<id>", str(exc.value))


# -- update deliveries ---------------------------------------------------------------------------------
@pytest.mark.both_stores
@pytest.mark.parametrize("name", [TYPED_ANA, TYPED_ROOT], ids=["declarer", "admin"])
def test_a_typed_name_following_by_severity_receives_no_private_update(admins, webhook, name):
    kit = admins
    follow_everything(kit, webhook.url("/signed-in"), ANA)
    follow_everything(kit, webhook.url("/typed"), name)
    secret = kit.declare("Leaked payroll file", declared_by=ANA, private=True)
    kit.post_update(secret.reference, "Share link revoked.", by=ANA)

    kit.deliver_notifications()

    assert webhook.paths == ["/signed-in"]  # the signed-in declarer hears, the typed name does not
    assert "Leaked payroll file" in webhook.bodies[0]["title"]


@pytest.mark.both_stores
def test_a_typed_name_following_an_incident_that_becomes_private_hears_no_more(kit, webhook):
    incident = kit.declare("Payroll export stuck", declared_by=ANA)
    kit.subscribe(webhook.url("/signed-in"), person=ANA, by=ANA, incident=incident.reference)
    kit.subscribe(webhook.url("/typed"), person=TYPED_ANA, by=TYPED_ANA, incident=incident.reference)
    kit.edit(incident.reference, private=True, by=ANA)
    kit.post_update(incident.reference, "It held salary data: now private.", by=ANA)

    kit.deliver_notifications()

    assert webhook.paths == ["/signed-in"]


@pytest.mark.both_stores
def test_a_subscription_made_while_typed_names_were_trusted_stops_when_they_are_not(kit, webhook):
    secret = kit.declare("Leaked payroll file", declared_by=ANA, private=True)
    kit.save_settings({"trust_typed_names": True})
    kit.subscribe(webhook.url("/typed"), person=TYPED_ANA, by=TYPED_ANA, incident=secret.reference)
    kit.save_settings({"trust_typed_names": False})
    kit.post_update(secret.reference, "Share link revoked.", by=ANA)

    kit.deliver_notifications()

    assert webhook.paths == []


# -- reminders and contacts ----------------------------------------------------------------------------
@pytest.mark.both_stores
def test_a_typed_name_cannot_redirect_a_signed_in_persons_reminders(kit, webhook):
    kit.set_contact(ANA, webhook.url("/ana"), by=ANA)
    kit.declare("Leaked payroll file", declared_by=ANA, private=True)
    with pytest.raises(NotAllowed, match="signed-in"):
        kit.set_contact(TYPED_ANA, webhook.url("/typed"), by=TYPED_ANA)

    kit.deliver_notifications(now=utcnow() + LATER)

    assert webhook.paths == ["/ana"]
    assert "Leaked payroll file" in webhook.bodies[0]["title"]


@pytest.mark.both_stores
def test_a_reminder_about_a_private_incident_never_goes_to_a_typed_names_channel(kit, webhook):
    secret = kit.declare("Leaked payroll file", declared_by=ANA, private=True)
    kit.set_contact(TYPED_ANA, webhook.url("/typed"), by=TYPED_ANA)  # Ana has none: nothing to redirect

    kit.deliver_notifications(now=utcnow() + LATER)

    assert webhook.paths == []
    [row] = kit.outbox(kind="reminder", viewer=ANA).itertuples()
    assert (row.reference, row.channel) == (secret.reference, "ana@example.com")  # her own address instead


def test_a_typed_name_cannot_change_a_signed_in_persons_reminder_channel_for_them(admins):
    kit = admins
    kit.set_contact(ANA, SLACK, by=ANA)
    for actor in (TYPED_ANA, TYPED_ROOT):
        with pytest.raises(NotAllowed):
            kit.set_contact("ana@example.com", "json://evil.example/hook", by=actor)
    assert kit.contact("ana@example.com") == SLACK


# -- ending subscriptions ------------------------------------------------------------------------------
@pytest.mark.both_stores
def test_a_typed_name_cannot_end_a_signed_in_persons_subscription(admins, webhook):
    kit = admins
    follow_everything(kit, webhook.url("/ana"), ANA)
    [sub] = kit.subscriptions(viewer=ANA)
    with pytest.raises(NotFound) as missing:
        kit.unsubscribe(999, by=TYPED_ANA)
    for actor in (TYPED_ANA, TYPED_ROOT, BOB):
        with pytest.raises(NotFound) as hidden:
            kit.unsubscribe(sub.id, by=actor)
        assert refusal(hidden, str(sub.id)) == refusal(missing, "999")  # the words of a missing one
    assert kit.subscriptions(viewer=ANA)[0].active
    assert kit.unsubscribe(sub.id, by=ROOT).ended_by == "root@example.com"  # a signed-in admin may


# -- what people see -----------------------------------------------------------------------------------
@pytest.mark.both_stores
def test_the_outbox_shows_people_only_deliveries_about_incidents_they_may_see(admins, webhook):
    kit = admins
    secret = kit.declare("Leaked payroll file", declared_by=ANA, private=True)
    public = kit.declare("Checkout is slow", declared_by=BOB)
    kit.subscribe(webhook.url("/ana"), person=ANA, by=ANA, incident=secret.reference)
    kit.subscribe(webhook.url("/bob"), person=BOB, by=BOB, incident=public.reference)
    kit.post_update(secret.reference, "Share link revoked.", by=ANA)
    kit.post_update(public.reference, "Cache warmed.", by=BOB)
    kit.deliver_notifications()

    def refs(viewer):
        return sorted(kit.outbox(viewer=viewer)["reference"])

    assert refs(ANA) == refs(ROOT) == sorted([secret.reference, public.reference])
    for outsider in (BOB, TYPED_ANA, TYPED_ROOT):
        assert refs(outsider) == [public.reference]
        assert kit.outbox_counts(viewer=outsider)["sent"] == 1
    [private_row] = kit.outbox(viewer=ANA, incident=secret.reference).itertuples()
    assert "Share link revoked." in kit.delivery_body(private_row.id, viewer=ANA)
    for outsider in (BOB, TYPED_ANA):
        with pytest.raises(NotFound):
            kit.delivery_body(private_row.id, viewer=outsider)


@pytest.mark.both_stores
def test_subscriptions_show_people_their_own_and_those_of_incidents_they_may_see(admins):
    kit = admins
    secret = kit.declare("Leaked payroll file", declared_by=ANA, private=True)
    public = kit.declare("Checkout is slow", declared_by=BOB)
    follow_everything(kit, SLACK, ANA)
    kit.subscribe("ana@example.com", person=ANA, by=ANA, incident=secret.reference)
    kit.subscribe("ana@example.com", person=ANA, by=ANA, incident=public.reference)

    def seen(viewer, **filters):
        return sorted(s.describe() for s in kit.subscriptions(viewer=viewer, **filters))

    everything = sorted([secret.reference, public.reference, f"every incident {lowest(kit)} or above"])
    assert seen(ANA) == seen(ROOT) == everything
    assert seen(BOB) == seen(TYPED_ANA) == seen(TYPED_ROOT) == [public.reference]
    assert seen(TYPED_ANA, mine=True) == [] and seen(ANA, mine=True) == everything
    assert seen(BOB, incident=public.reference) == [public.reference]
    assert all(TOKEN not in s.channel for s in kit.subscriptions(viewer=ROOT))  # an admin sees no secret
    assert kit.contact("ana@example.com", viewer=TYPED_ANA) is None


# -- secrets shown back --------------------------------------------------------------------------------
@pytest.mark.parametrize("channel, secrets", [
    (SLACK, [TOKEN]),
    (f"slack://T1JJ3T3L2/B1BRTD4JD/{TOKEN}/#incidents", [TOKEN]),
    ("discord://4174216298/JHMHI8qBe7bk2ZwO5U711o3dV_js", ["JHMHI8qBe7bk2ZwO5U711o3dV_js"]),
    ("https://prod-00.westus.logic.azure.com:443/workflows/6a1b2c3d4e5f/triggers/manual/paths/invoke"
     "?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=Zx9SeCrEtSiGnAtUrE", ["Zx9SeCrEtSiGnAtUrE"]),
    ("json://hooks.example.com/catch/9f8e7d6c5b4a/?-token=s3cr3tv4lue&+Authorization=Bearer%20abc123xyz",
     ["9f8e7d6c5b4a", "s3cr3tv4lue", "abc123xyz"]),
    ("msteams://acme/4f1a2b3c-aaaa/8e9d7c6b-bbbb/1234abcd-cccc", ["4f1a2b3c-aaaa", "8e9d7c6b-bbbb", "1234abcd-cccc"]),
], ids=["slack-hook", "slack", "discord", "teams-workflow", "json", "msteams"])
def test_a_channel_is_shown_without_its_tokens(channel, secrets):
    shown = redact(channel)
    assert not [s for s in secrets if s in shown], shown
    assert "://" in shown  # still says what kind of channel it is


def test_the_worker_log_shows_no_webhook_token(kit, caplog):
    incident = kit.declare("Checkout is slow", declared_by="ana")
    kit.subscribe("json://127.0.0.1:9/catch/9f8e7d6c5b4a?-token=s3cr3tv4lue", person="ops", incident=incident.reference)
    kit.post_update(incident.reference, "Cache warmed.", by="ana")
    with caplog.at_level(logging.WARNING, logger="incident_kit.notify.worker"):
        kit.deliver_notifications()
    assert "delivery 1 to json://127.0.0.1:9" in caplog.text  # the failure is logged ...
    assert "9f8e7d6c5b4a" not in caplog.text and "s3cr3tv4lue" not in caplog.text  # ... without its secret


def test_the_command_line_lists_channels_without_their_tokens(kit, subprocess_env):
    incident = kit.declare("Checkout is slow", declared_by="ana")
    kit.subscribe(SLACK, person="ops", incident=incident.reference)
    kit.post_update(incident.reference, "Cache warmed.", by="ana")  # queued, not sent: no network here
    kit.close()

    def run(*args):
        proc = subprocess.run([sys.executable, "-m", "incident_kit", *args], env=subprocess_env,
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    printed = {args: run(*args) for args in (("subscriptions",), ("subscriptions", "--json"),
                                             ("notify", "outbox"), ("notify", "outbox", "--json"))}
    for args, out in printed.items():
        assert "hooks.slack.com" in out or "slack://" in out, args
        assert TOKEN not in out, args
    assert json.loads(printed[("notify", "outbox", "--json")])[0]["recipient"] == "ops"


# -- the Subscriptions page ----------------------------------------------------------------------------
def _inputs(at) -> str:
    return "\n".join(str(w.value) for w in at.text_input)


@pytest.mark.usefixtures("app_db")
def test_the_subscriptions_page_shows_no_stored_secret_and_nothing_of_someone_else(kit):
    kit.set_contact(ANA, SLACK, by=ANA)
    follow_everything(kit, SLACK, ANA)

    mine = start(user="ana@example.com", page="subscriptions")
    assert_no_traceback(mine)
    assert TOKEN not in texts(mine) + _inputs(mine)  # not even to Ana herself
    assert "every incident" in texts(mine) and "Slack" in texts(mine)

    typed_at = start(user="ana@example.com", verified=False, page="subscriptions")
    assert_no_traceback(typed_at)
    assert TOKEN not in texts(typed_at) + _inputs(typed_at)
    assert "every incident" not in texts(typed_at)  # Ana's subscription is not the typed name's
    assert not [b for b in typed_at.button if b.label == "Unsubscribe"]


@pytest.mark.usefixtures("app_db")
def test_the_subscriptions_page_lists_no_failed_delivery_about_a_private_incident_to_others(kit):
    secret = kit.declare("Leaked payroll file", declared_by=ANA, private=True)
    kit.assign_role(secret.reference, "comms", "cora", by=ANA)
    kit.deliver_notifications(now=utcnow() + LATER)  # cora has no channel: her reminder fails
    assert kit.outbox_counts()["failed"] == 1

    as_ana = start(user="ana@example.com", page="subscriptions")
    as_bob = start(user="bob@example.com", page="subscriptions")

    assert_no_traceback(as_ana)
    assert_no_traceback(as_bob)
    assert f"about {secret.reference}" in texts(as_ana)
    assert secret.reference not in texts(as_bob) and "cora" not in texts(as_bob)
