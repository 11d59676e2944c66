"""Subscribing and unsubscribing: the rules and the messages a person sees."""

from __future__ import annotations

import pytest

import incident_kit as ik
from incident_kit.identity import Person
from incident_kit.kit_part import MissingActor

pytestmark = pytest.mark.both_stores


def test_subscribing_to_one_incident_is_recorded_on_its_timeline(kit):
    inc = kit.declare("Disk full", declared_by="ana")
    sub = kit.subscribe("ops@example.com", person="ops", incident=inc.reference, by="ana")
    assert (sub.person, sub.incident, sub.channel, sub.active) == ("ops", inc.reference, "ops@example.com", True)
    events = kit.events(inc.reference)
    assert [(e.kind, e.detail, e.actor) for e in events if e.kind == "subscribed"] == [
        ("subscribed", "ops follows this incident's updates", "ana")]
    assert "ops follows this incident's updates" in set(kit.timeline(inc.reference)["text"])


def test_a_rule_subscription_keeps_the_canonical_severity_and_type(kit):
    sub = kit.subscribe("json://localhost/hook", person="exec", min_severity="major", type="Security")
    assert (sub.incident, sub.min_severity, sub.type) == (None, "Major", "security")
    assert sub.describe() == "every incident Major or above and type security"


def test_unsubscribing_keeps_the_subscription_with_who_ended_it(kit):
    inc = kit.declare("Disk full", declared_by="ana")
    sub = kit.subscribe("ops@example.com", person="ops", incident=inc.reference)
    ended = kit.unsubscribe(sub.id, by="ops")
    assert ended.ended_by == "ops" and not ended.active
    assert kit.subscriptions(person="ops") == []
    assert [s.id for s in kit.subscriptions(person="ops", include_ended=True)] == [sub.id]
    assert "unsubscribed" in {e.kind for e in kit.events(inc.reference)}
    with pytest.raises(ik.NotFound, match="no active subscription"):
        kit.unsubscribe(sub.id, by="ops")


@pytest.mark.parametrize("kwargs, message", [
    ({}, "Say what to follow"),
    ({"incident": "INC-1", "min_severity": "Major"}, "not both"),
    ({"min_severity": "SEV9"}, "Severity 'SEV9' is not one of"),
    ({"type": "weather"}, "Type 'weather' is not one of"),
    ({"incident": "INC-99"}, "There is no incident INC-99"),
])
def test_unusable_subscriptions_say_what_to_do(kit, kwargs, message):
    kit.declare("Disk full", declared_by="ana")
    with pytest.raises(ik.IncidentKitError, match=message):
        kit.subscribe("ops@example.com", person="ops", **kwargs)


def test_subscribing_twice_the_same_way_is_refused(kit):
    kit.subscribe("ops@example.com", person="ops", min_severity="Major")
    with pytest.raises(ik.IncidentKitError, match="already subscribed"):
        kit.subscribe("ops@example.com", person="ops", min_severity="Major")


def test_nobody_can_subscribe_to_a_private_incident_they_may_not_see(kit):
    secret = kit.declare("Leaked key", private=True, declared_by="ana")
    with pytest.raises(ik.NotFound):
        kit.subscribe("eve@example.com", person="eve", incident=secret.reference)
    kit.add_member(secret.reference, "legal", by="ana")
    assert kit.subscribe("legal@example.com", person="legal", incident=secret.reference).incident == secret.reference


def test_the_newest_contact_is_where_reminders_go(kit):
    kit.set_contact("cora", "cora@example.com")
    kit.set_contact("cora", "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ")
    assert kit.contact("cora").startswith("slack://")
    assert kit.contact("nobody") is None


def test_a_signed_in_subscription_replaces_the_same_one_a_typed_name_made(kit):
    typed, signed_in = Person("ana", verified=False), Person("ana", verified=True)
    first = kit.subscribe("ana@example.com", person=typed, by=typed, min_severity="Major")
    with pytest.raises(ik.IncidentKitError, match="already subscribed"):
        kit.subscribe("ana@example.com", person=typed, by=typed, min_severity="Major")
    second = kit.subscribe("ana@example.com", person=signed_in, by=signed_in, min_severity="Major")
    assert (first.verified, second.verified) == (False, True)
    assert [s.id for s in kit.subscriptions()] == [second.id]
    with pytest.raises(ik.IncidentKitError, match="already subscribed"):
        kit.subscribe("ana@example.com", person=signed_in, by=signed_in, min_severity="Major")


def test_a_typed_name_ends_what_a_typed_name_made_but_not_what_a_signed_in_person_made(kit):
    typed = Person("ana", verified=False)
    own = kit.subscribe("json://localhost/typed", person=typed, by=typed, min_severity="Major")
    signed_in = kit.subscribe("json://localhost/ana", person="ana", min_severity="Major")  # the local operator's
    assert [s.id for s in kit.subscriptions(viewer=typed, mine=True)] == [own.id]
    assert kit.unsubscribe(own.id, by=typed).ended_by == "ana"
    with pytest.raises(ik.NotFound):
        kit.unsubscribe(signed_in.id, by=typed)


@pytest.mark.parametrize("number", ["9" * 400, -1, 0, 2**63])
def test_an_impossible_subscription_or_delivery_number_is_one_short_sentence(kit, number):
    with pytest.raises(ik.NotFound) as sub:
        kit.unsubscribe(number, by="ana")
    with pytest.raises(ik.NotFound) as delivery:
        kit.delivery_body(number)
    for exc in (sub, delivery):
        message = str(exc.value)
        assert message.count(".") == 1 and "\n" not in message and len(message) < 140, message


def test_a_subscription_number_that_is_not_a_number_says_so(kit):
    with pytest.raises(ik.IncidentKitError, match="Subscription 'seven' is not a number"):
        kit.unsubscribe("seven", by="ana")


def test_a_kit_without_a_local_operator_refuses_every_notify_call_that_does_not_say_who(kit):
    inc = kit.declare("Disk full", declared_by="ana")
    sub = kit.subscribe("ops@example.com", person="ops", incident=inc.reference)
    kit.user = None  # as the app's Kit and the HTTP API's have it
    calls = [lambda: kit.subscribe("ops@example.com", incident=inc.reference), lambda: kit.unsubscribe(sub.id),
             lambda: kit.set_contact(None, "ops@example.com"), lambda: kit.contact("ops"),
             lambda: kit.subscriptions(), lambda: kit.needs_update(), lambda: kit.outbox(),
             lambda: kit.outbox_counts(), lambda: kit.delivery_body(1)]
    for call in calls:
        with pytest.raises(MissingActor):
            call()
    ops = Person("ops", verified=True)
    assert [s.id for s in kit.subscriptions(viewer=ops)] == [sub.id]
    assert kit.set_contact(None, "ops@example.com", by=ops) == "ops@example.com"
    assert kit.contact(viewer=ops) == "ops@example.com"  # the person defaults to the one asking
