import datetime as dt

import pytest

from incident_kit.incident import timeline
from incident_kit.review import prefill
from review_support import resolved_incident

pytestmark = pytest.mark.both_stores


@pytest.fixture
def inc(kit):
    return resolved_incident(kit, summary="Card payments failed after the 14:00 deploy.")


def test_prefilled_timeline_matches_the_event_log_entry_for_entry(kit, inc):
    kit.add_member(inc.reference, "dev", by="bao")
    kit.post_update(inc.reference, "Pipes | and\nnewlines survive", by="carmen")  # after resolve: still allowed
    kit.start_review(inc.reference, depth="standard", by="bao")
    facts = kit.review_prefill(inc.reference)
    # Written by hand from resolved_incident() and the calls above: (kind, actor, text the entry must carry).
    expected = [
        ("declared", "ana", "Major"),
        ("role_assigned", "ana", "bao"),
        ("update_posted", "bao", "We are investigating elevated 500s"),
        ("severity_changed", "bao", "Critical"),
        ("role_assigned", "bao", "carmen"),
        ("status_changed", "carmen", "monitoring"),
        ("update_posted", "carmen", "Rolled back the deploy"),
        ("update_posted", "carmen", "Payments are flowing again"),
        ("status_changed", "bao", "resolved"),
        ("member_added", "bao", "dev"),
        ("update_posted", "carmen", "Pipes | and"),
        ("status_changed", "bao", "post"),
    ]
    entries = facts.timeline
    assert [(e.kind, e.actor) for e in entries] == [(k, a) for k, a, _ in expected]
    for entry, (_, _, fragment) in zip(entries, expected, strict=True):
        assert fragment.lower() in entry.text.lower(), (entry, fragment)
    times = [e.occurred_at for e in entries]
    assert times == sorted(times) and all(t.tzinfo is not None for t in times)


def test_the_same_entries_come_from_kit_timeline(kit, inc):
    kit.start_review(inc.reference, depth="note", by="bao")
    facts = kit.review_prefill(inc.reference)
    frame = kit.timeline(inc.reference)
    story = frame[~frame["kind"].str.startswith(("review_", "follow_up_"))]
    assert [e.event_id for e in facts.timeline] == story["event_id"].tolist()


def test_key_times_and_durations(kit, inc):
    facts = kit.review_prefill(inc.reference)
    times = {k.label: k.value for k in facts.key_times}
    assert list(times) == ["Started", "Declared", "First update", "Resolved"]
    assert times["Started"] == inc.started_at and times["Declared"] == inc.declared_at
    assert times["First update"] == kit.updates(inc.reference)[0].posted_at
    assert times["Resolved"] == inc.resolved_at
    spans = {d.label: d.value for d in facts.durations}
    assert spans["Started → declared (time to declare)"] == inc.declared_at - inc.started_at
    assert spans["Started → resolved (duration of impact)"] == inc.resolved_at - inc.started_at
    assert prefill.span_text(dt.timedelta(minutes=40)) == "40 min"
    assert prefill.span_text(dt.timedelta(days=1, hours=2, minutes=3)) == "1 d 2 h 3 min"


def test_roles_severity_history_and_impacts(kit, inc):
    kit.assign_role(inc.reference, "lead", "dev", by="bao")
    facts = kit.review_prefill(inc.reference)
    assert [(r.role, r.person, r.end is None) for r in facts.roles] == [
        ("lead", "bao", False), ("comms", "carmen", True), ("lead", "dev", True)]
    assert [(s.previous, s.severity, s.reason) for s in facts.severity_history] == [
        (None, "Major", None), ("Major", "Critical", "All regions affected")]
    # consecutive identical impact statements are reported once
    assert [i.text for i in facts.impacts] == ["Some customers cannot pay", "All customers cannot pay"]
    assert facts.participants == ["ana", "bao", "carmen", "dev"]


def test_new_sections_start_from_the_record(kit, inc):
    review = kit.start_review(inc.reference, depth="workshop", by="bao")
    s = review.sections
    assert inc.title in s["summary"] and "Card payments failed" in s["summary"]
    assert "| Started |" in s["key_facts"] and "Major → Critical" in s["key_facts"]
    assert "| communications lead | carmen |" in s["key_facts"]
    assert "Some customers cannot pay" in s["impact"] and "All customers cannot pay" in s["impact"]
    assert "- carmen" in s["participants"]
    for key in ("contributing_factors", "went_well", "was_hard", "lucky", "interviews"):
        assert s[key] == ""


def test_a_note_starts_with_the_story_in_a_few_sentences(kit, inc):
    review = kit.start_review(inc.reference, depth="note", by="bao")
    text = review.sections["what_happened"]
    assert text.startswith(f"{inc.reference} “{inc.title}” (Critical) started")
    assert "of impact" in text and "Why it happened:" in text
