"""Resolving with a final update, and a severity raise tightening the next-update deadline."""

import datetime as dt

import pytest

import incident_kit as ik

pytest_plugins = ["notify_servers"]  # the webhook fixture
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


# -- what a final update says, on every surface ----------------------------------------------
LEFTOVERS = ("Being assessed", "Investigating")


@pytest.fixture
def resolved_with_final_words(kit):
    """A Major incident customers were told about (its updates filled in), resolved with both final texts."""
    ref = kit.declare("Checkout", severity="Major", declared_by="ana").reference
    kit.post_update(ref, "Card payments fail for some customers.", by="ana", audience="external", status="fixing",
                    impact="Some customers cannot pay by card.", doing="Rolling back the 14:00 deploy.",
                    next_update_at=utcnow() + dt.timedelta(minutes=30))
    kit.resolve(ref, by="ana", final_update="Rolled back the 14:00 deploy; error rates are normal.",
                external_update="Card payments work again. Thank you for your patience.")
    return ref


def _rendered(kit, ref, update):
    from incident_kit.incident.format import render_update

    inc = kit.get(ref)
    return render_update(reference=ref, title=inc.title, status=update.status, message=update.message,
                         impact=update.impact, doing=update.doing, next_update_at=update.next_update_at,
                         severity=inc.severity, audience=update.audience.value)


def test_a_final_update_says_resolved_the_text_and_no_further_updates_in_both_versions(kit, resolved_with_final_words):
    ref = resolved_with_final_words
    internal, external = kit.updates(ref)[-2:]
    assert _rendered(kit, ref, internal).splitlines() == [
        f"[{ref}] Checkout (Major)", "", "Current status: Resolved", "",
        "Rolled back the 14:00 deploy; error rates are normal.", "", "There will be no further updates."]
    assert _rendered(kit, ref, external).splitlines() == [
        f"[{ref}] Checkout", "", "Current status: Resolved", "",
        "Card payments work again. Thank you for your patience.", "", "There will be no further updates."]


def test_the_status_board_shows_the_final_update_without_template_leftovers(kit, resolved_with_final_words):
    row = kit.status_board().set_index("reference").loc[resolved_with_final_words]
    assert "Current status: Resolved" in row["last_update"]
    assert row["last_update"].endswith("There will be no further updates.")
    assert not [word for word in LEFTOVERS if word in row["last_update"]]


def test_the_public_status_page_shows_the_final_update_without_template_leftovers(kit, resolved_with_final_words,
                                                                                     tmp_path):
    kit.build_status_page(tmp_path / "site")
    for name in ("index.html", "feed.xml"):
        text = (tmp_path / "site" / name).read_text()
        assert "Card payments work again." in text and "There will be no further updates." in text, name
        assert not [word for word in LEFTOVERS if word in text], name
    html = (tmp_path / "site" / "index.html").read_text()
    assert "Some customers cannot pay by card." in html  # the earlier update keeps what it said


def test_a_closing_update_shows_the_impact_it_was_given_and_a_promised_next_update(kit):
    from incident_kit.incident.format import render_update

    later = utcnow() + dt.timedelta(days=2)
    text = render_update(reference="INC-1", title="Checkout", status="post_incident", message="Review underway.",
                         impact="About 2% of payments failed.", next_update_at=later)
    assert text.splitlines()[2:] == ["Current status: Post-incident", "Impact: About 2% of payments failed.",
                                     f"Next update by: {later:%Y-%m-%d %H:%M} UTC", "", "Review underway."]


def test_an_ongoing_update_keeps_all_four_parts(kit):
    from incident_kit.incident.format import render_update

    text = render_update(reference="INC-1", title="Checkout", status="fixing", message="Rolling back.")
    assert text.splitlines()[2:6] == ["Current status: Fixing", "Impact: Being assessed.",
                                      "What we're doing: Investigating.", "Next update by: no further updates planned"]


def test_a_final_update_reaches_subscribers_in_the_same_words(kit, webhook):
    ref = kit.declare("Checkout", severity="Major", declared_by="ana").reference
    kit.subscribe(webhook.url("/incidents"), person="chatops", incident=ref)
    kit.resolve(ref, by="ana", final_update="Rolled back the 14:00 deploy.")
    kit.deliver_notifications()
    [payload] = webhook.bodies
    assert "Current status: Resolved" in payload["message"]
    assert "Rolled back the 14:00 deploy.\n\nThere will be no further updates." in payload["message"]
    assert not [word for word in LEFTOVERS if word in payload["message"]]
