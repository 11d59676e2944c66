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


def test_answers_start_empty_and_the_record_is_kept_apart_for_display_and_export(kit, inc):
    review = kit.start_review(inc.reference, depth="workshop", by="bao")
    s = review.sections
    for key in ("summary", "key_facts", "impact", "timeline", "participants", "contributing_factors",
                "went_well", "was_hard", "lucky", "interviews"):
        assert s[key] == "", key  # what people write stays theirs: no record text to edit
    assert s["agenda"].startswith("1. Welcome")  # a template, not record text
    facts = kit.review_prefill(inc.reference)
    assert inc.title in prefill.record_text("summary", facts)
    assert "Card payments failed" in prefill.record_text("summary", facts)
    key_facts = prefill.record_text("key_facts", facts)
    assert "| Started |" in key_facts and "Major → Critical" in key_facts
    assert "| communications lead | carmen |" in key_facts
    assert "All customers cannot pay" in prefill.record_text("impact", facts)
    assert "- carmen" in prefill.record_text("participants", facts)


def test_a_note_shows_the_story_beside_an_empty_answer(kit, inc):
    review = kit.start_review(inc.reference, depth="note", by="bao")
    assert review.sections["what_happened"] == ""
    text = prefill.record_text("what_happened", kit.review_prefill(inc.reference))
    assert text.startswith(f"{inc.reference} “{inc.title}” (Critical) started") and "of impact" in text


def test_a_quoted_timeline_entry_names_time_person_and_words(kit, inc):
    entry = kit.review_prefill(inc.reference).timeline[0]
    line = prefill.quote(entry)
    assert line.startswith("> ") and " UTC · ana · " in line
