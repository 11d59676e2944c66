"""Resolving with a final update, and a severity raise tightening the next-update deadline."""

import datetime as dt

import pytest

import incident_kit as ik
from incident_kit.clock import utcnow


def _due(kit, ref):
    return kit.summary(ref)["next_update_due"]


def test_a_raise_brings_the_deadline_forward_to_now_plus_the_new_cadence(kit):
    ref = kit.declare("Slow search", severity="Minor", declared_by="ana").reference  # every 4 h
    kit.post_update(ref, "Looking", by="ana", next_update_at=utcnow() + dt.timedelta(hours=4))
    before = utcnow()
    kit.change_severity(ref, "Critical", by="ana")  # every 30 min
    due = _due(kit, ref)
    assert before + dt.timedelta(minutes=30) <= due <= utcnow() + dt.timedelta(minutes=30)


def test_a_raise_never_pushes_a_sooner_promise_later(kit):
    ref = kit.declare("Slow search", severity="Minor", declared_by="ana").reference
    promised = utcnow() + dt.timedelta(minutes=10)
    kit.post_update(ref, "Back in 10", by="ana", next_update_at=promised)
    kit.change_severity(ref, "Moderate", by="ana")  # every 2 h: later than the promise
    assert _due(kit, ref) == promised


def test_lowering_severity_keeps_the_promise_and_a_new_update_sets_a_new_one(kit):
    ref = kit.declare("Checkout", severity="Critical", declared_by="ana").reference
    promised = utcnow() + dt.timedelta(hours=3)
    kit.post_update(ref, "Watching", by="ana", next_update_at=promised)
    kit.change_severity(ref, "Minor", by="ana")
    assert _due(kit, ref) == promised
    kit.change_severity(ref, "Critical", by="ana")
    assert _due(kit, ref) < promised
    later = utcnow() + dt.timedelta(hours=2)
    kit.post_update(ref, "Stable", by="ana", next_update_at=later)  # posted after the raise: its promise wins
    assert _due(kit, ref) == later


def test_resolving_with_a_final_update_posts_both_versions_and_promises_nothing_more(kit):
    ref = kit.declare("Checkout", severity="Major", declared_by="ana").reference
    kit.post_update(ref, "Investigating card errors", by="ana", audience="external",
                    next_update_at=utcnow() + dt.timedelta(minutes=30))
    inc = kit.resolve(ref, by="ana", final_update="Resolved: rolled back the 14:00 deploy.",
                      external_update="Resolved: card payments work again.")
    assert inc.status.value == "resolved"
    last_two = kit.updates(ref)[-2:]
    assert [(u.audience.value, u.status.value, u.next_update_at) for u in last_two] == [
        ("internal", "resolved", None), ("external", "resolved", None)]
    assert last_two[1].message == "Resolved: card payments work again."
    assert _due(kit, ref) is None


def test_an_empty_final_update_is_refused_and_nothing_changes(kit):
    ref = kit.declare("Checkout", declared_by="ana").reference
    with pytest.raises(ik.IncidentKitError, match="final update is empty"):
        kit.resolve(ref, by="ana", final_update="   ")
    assert kit.get(ref).status.value == "investigating" and kit.updates(ref) == []
