"""Subscribing and unsubscribing: the rules and the messages a person sees."""

from __future__ import annotations

import pytest

import incident_kit as ik

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
