import datetime as dt

import pytest

import incident_kit as ik
from incident_kit.review.models import SECTIONS, Depth, sections_for
from review_support import resolved_incident

pytestmark = pytest.mark.both_stores


@pytest.fixture
def inc(kit):
    return resolved_incident(kit)


@pytest.mark.parametrize("depth", ["note", "standard", "workshop"])
def test_starting_a_review_writes_the_sections_of_its_depth(kit, inc, depth):
    review = kit.start_review(inc.reference, depth=depth, by="bao")
    assert review.depth.value == depth and review.status.value == "draft"
    assert [spec.key for spec, _ in review.visible_sections] == [s.key for s in sections_for(Depth(depth))]


def test_standard_and_workshop_have_the_sections_the_issue_lists(kit):
    standard = [s.title for s in sections_for(Depth.STANDARD)]
    for title in ["Summary", "Impact", "Timeline", "Contributing factors", "What went well", "What was hard",
                  "Where we got lucky"]:
        assert title in standard
    extra = {s.title for s in sections_for(Depth.WORKSHOP)} - set(standard)
    assert extra == {"Cross-team participants", "Meeting agenda", "Interview notes"}
    assert [s.title for s in sections_for(Depth.NOTE)] == ["What happened and why"]
    assert sections_for(Depth.NONE) == []
    assert len({s.key for s in SECTIONS}) == len(SECTIONS)


def test_no_review_needs_a_one_line_reason_and_waives(kit, inc):
    with pytest.raises(ik.IncidentKitError, match="why no review is needed"):
        kit.start_review(inc.reference, depth="none", by="bao")
    review = kit.start_review(inc.reference, depth="none", reason="Routine;\n nothing new to learn", by="bao")
    assert review.status.value == "waived" and review.waived_reason == "Routine; nothing new to learn"
    assert review.visible_sections == []


def test_unknown_depth_lists_the_choices(kit, inc):
    with pytest.raises(ik.IncidentKitError, match="none, note, standard, workshop"):
        kit.start_review(inc.reference, depth="deep", by="bao")


def test_starting_moves_a_resolved_incident_to_post_incident_as_recorded_events(kit, inc):
    kit.start_review(inc.reference, depth="note", by="bao")
    assert kit.get(inc.reference).status.value == "post_incident"
    moved, started = kit.events(inc.reference)[-2:]
    assert (moved.kind, moved.old_value, moved.new_value, moved.actor) == (
        "status_changed", "resolved", "post_incident", "bao")
    assert (started.kind, started.new_value) == ("review_started", "note")


def test_an_active_incident_cannot_start_its_review(kit):
    inc = kit.declare("Still burning", declared_by="ana")
    with pytest.raises(ik.IncidentKitError, match="resolve it first"):
        kit.start_review(inc.reference, depth="note", by="ana")


def test_a_second_review_is_refused_in_favour_of_changing_depth(kit, inc):
    kit.start_review(inc.reference, depth="note", by="bao")
    with pytest.raises(ik.IncidentKitError, match="change its depth"):
        kit.start_review(inc.reference, depth="standard", by="bao")


def test_the_schema_itself_holds_one_review_per_incident(kit, inc):
    # Not only the service: a row written past it (an import, a hand-made tool) is refused by the unique index,
    # so every reader can take an incident's review as it is.
    from incident_kit.review import store

    kit.start_review(inc.reference, depth="note", by="bao")
    with pytest.raises(Exception, match="(?i)unique|duplicate"):
        kit.db.write(lambda tx: store.insert(tx, incident_id=inc.id, depth=Depth.STANDARD,
                                             status=ik.review.models.ReviewStatus.DRAFT, waived_reason=None,
                                             created_at=ik.clock.utcnow(), created_by="tool"))
    assert kit.review(inc.reference).depth == Depth.NOTE


def test_changing_depth_keeps_what_was_written(kit, inc):
    kit.start_review(inc.reference, depth="standard", by="bao")
    kit.edit_review_section(inc.reference, "went_well", "Rollback took two minutes.", by="bao")
    lighter = kit.change_review_depth(inc.reference, "note", by="bao")
    assert [s.key for s, _ in lighter.visible_sections] == ["what_happened"]
    deeper = kit.change_review_depth(inc.reference, "workshop", by="bao")
    assert dict((s.key, t) for s, t in deeper.visible_sections)["went_well"] == "Rollback took two minutes."
    assert "Welcome" in dict((s.key, t) for s, t in deeper.visible_sections)["agenda"]
    changes = [(e.old_value, e.new_value) for e in kit.events(inc.reference) if e.kind == "review_depth_changed"]
    assert changes == [("standard", "note"), ("note", "workshop")]


def test_waiving_later_and_unwaiving(kit, inc):
    kit.start_review(inc.reference, depth="note", by="bao")
    with pytest.raises(ik.IncidentKitError, match="why no review"):
        kit.change_review_depth(inc.reference, "none", by="bao")
    waived = kit.change_review_depth(inc.reference, "none", reason="Duplicate of INC-3's review", by="bao")
    assert waived.status.value == "waived"
    back = kit.change_review_depth(inc.reference, "standard", by="bao")
    assert back.status.value == "draft" and back.waived_reason is None


def test_sections_keep_every_version(kit, inc):
    kit.start_review(inc.reference, depth="standard", by="bao")
    kit.edit_review_section(inc.reference, "summary", "First draft.", by="bao")
    kit.edit_review_section(inc.reference, "Summary", "Second draft.", by="carmen")
    history = kit.review_history(inc.reference, section="summary")
    assert history["version"].tolist() == [1, 2, 3]
    assert history["body"].tolist()[1:] == ["First draft.", "Second draft."]
    assert history["edited_by"].tolist() == ["bao", "bao", "carmen"]
    assert kit.review(inc.reference).sections["summary"] == "Second draft."
    edits = [e for e in kit.events(inc.reference) if e.kind == "review_section_edited"]
    assert [e.detail for e in edits] == ["Summary, version 2", "Summary, version 3"]


def test_editing_a_section_the_depth_lacks_says_to_change_depth(kit, inc):
    kit.start_review(inc.reference, depth="note", by="bao")
    with pytest.raises(ik.IncidentKitError, match="change the depth"):
        kit.edit_review_section(inc.reference, "lucky", "x", by="bao")


def test_draft_in_review_published_and_back(kit, inc):
    kit.start_review(inc.reference, depth="note", by="bao")
    with pytest.raises(ik.InvalidTransition, match="it can become in review"):
        kit.set_review_status(inc.reference, "published", by="bao")
    kit.set_review_status(inc.reference, "in_review", by="bao")
    published = kit.publish_review(inc.reference, by="carmen")
    assert published.status.value == "published" and published.published_at is not None
    with pytest.raises(ik.IncidentKitError, match="move it back to in review"):
        kit.edit_review_section(inc.reference, "what_happened", "More.", by="bao")
    again = kit.set_review_status(inc.reference, "in_review", by="bao")
    assert again.published_at is None
    kinds = [e.kind for e in kit.events(inc.reference)][-3:]
    assert kinds == ["review_status_changed", "review_published", "review_status_changed"]


def test_waiving_is_a_depth_not_a_status(kit, inc):
    kit.start_review(inc.reference, depth="note", by="bao")
    with pytest.raises(ik.InvalidTransition, match="choose “No review” with a one-line reason"):
        kit.set_review_status(inc.reference, "waived", by="bao")


def test_workshop_date_and_contributing_factor_labels(kit, inc):
    kit.start_review(inc.reference, depth="workshop", by="bao",
                     scheduled_for="2030-03-02T13:00:00+00:00")
    review = kit.schedule_review(inc.reference, "2030-03-03T13:00:00+00:00", by="bao")
    assert review.scheduled_for == dt.datetime(2030, 3, 3, 13, tzinfo=dt.timezone.utc)
    review = kit.set_contributing_factors(inc.reference, "Config drift, missing alert, config drift", by="bao")
    assert review.contributing_factors == ("config drift", "missing alert")
    assert kit.events(inc.reference)[-1].kind == "review_factors_changed"


def test_only_a_workshop_is_scheduled(kit, inc):
    with pytest.raises(ik.IncidentKitError, match="Only a full workshop"):
        kit.start_review(inc.reference, depth="note", scheduled_for="2030-03-02T13:00:00+00:00", by="bao")


@pytest.mark.parametrize("depth, expected", [("Minor", "note"), ("Moderate", "note"), ("Major", "standard"),
                                             ("Critical", "workshop")])
def test_suggested_depth_follows_severity(kit, depth, expected):
    inc = kit.declare("x", declared_by="ana", severity=depth)
    assert kit.suggest_review_depth(inc.reference).value == expected


def test_reviews_list_shows_open_follow_ups(kit, inc):
    kit.start_review(inc.reference, depth="standard", by="bao")
    kit.add_follow_up(inc.reference, "Add an alert", by="bao")
    frame = kit.reviews()
    assert frame[["incident", "depth", "status", "open_follow_ups"]].to_dict("records") == [
        {"incident": inc.reference, "depth": "standard", "status": "draft", "open_follow_ups": 1}]
    assert kit.reviews(status="published").empty


# -- closing ------------------------------------------------------------------------------
def test_closing_without_a_review_is_refused_with_a_clear_message(kit, inc):
    with pytest.raises(ik.InvalidTransition) as err:
        kit.change_status(inc.reference, "closed", by="bao")
    message = str(err.value)
    assert message.startswith(f"{inc.reference} cannot close yet: it has no review.")
    assert "Start a short note or a standard review, or waive the review" in message
    assert "incident-kit" not in message and "--" not in message
    assert kit.get(inc.reference).status.value == "resolved"


@pytest.mark.parametrize("status", ["draft", "in_review"])
def test_closing_with_an_unfinished_review_is_refused(kit, inc, status):
    kit.start_review(inc.reference, depth="standard", by="bao")
    if status == "in_review":
        kit.set_review_status(inc.reference, "in_review", by="bao")
    label = {"draft": "draft", "in_review": "in review"}[status]
    with pytest.raises(ik.InvalidTransition, match=f"its review \\(standard review\\) is {label}. Publish it"):
        kit.close_incident(inc.reference, by="bao")
    assert kit.get(inc.reference).status.value == "post_incident"
    assert not any(e.new_value == "closed" for e in kit.events(inc.reference))


def test_a_published_review_lets_the_incident_close_and_counts_open_follow_ups(kit, inc):
    kit.start_review(inc.reference, depth="note", by="bao")
    kit.add_follow_up(inc.reference, "A", by="bao")
    done = kit.add_follow_up(inc.reference, "B", by="bao")
    kit.add_follow_up(inc.reference, "C", by="bao")
    kit.complete_follow_up(done.reference, by="bao")
    kit.set_review_status(inc.reference, "in_review", by="bao")
    kit.publish_review(inc.reference, by="bao")
    closed, still_open = kit.close_incident(inc.reference, by="bao")
    assert closed.status.value == "closed" and still_open == 2
    assert kit.open_follow_up_count(inc.reference) == 2


def test_a_waived_review_lets_the_incident_close(kit, inc):
    kit.start_review(inc.reference, depth="none", reason="Routine", by="bao")
    assert kit.change_status(inc.reference, "closed", by="bao").status.value == "closed"


def test_test_incidents_close_without_a_review(kit):
    inc = resolved_incident(kit, mode="test")
    assert kit.change_status(inc.reference, "closed", by="bao").status.value == "closed"


def test_other_status_changes_are_not_affected(kit):
    inc = kit.declare("x", declared_by="ana")
    kit.resolve(inc.reference, by="ana")
    assert kit.reopen(inc.reference, by="ana").status.value == "investigating"
    assert kit.decline(inc.reference, reason="False alarm", by="ana").status.value == "declined"


def test_every_review_and_follow_up_change_appends_one_timeline_event(kit, inc):
    ref = inc.reference
    before = len(kit.events(ref))
    kit.start_review(ref, depth="standard", by="bao")  # also the move to post-incident
    assert [e.kind for e in kit.events(ref)[before:]] == ["status_changed", "review_started"]
    steps = [
        lambda: kit.edit_review_section(ref, "went_well", "We should have paged sooner.", by="bao"),
        lambda: kit.dismiss_review_hint(ref, "went_well", "should_have:should have", by="bao"),
        lambda: kit.change_review_depth(ref, "workshop", by="bao"),
        lambda: kit.schedule_review(ref, "2030-03-02T13:00:00+00:00", by="bao"),
        lambda: kit.set_contributing_factors(ref, ["missing alert"], by="bao"),
        lambda: kit.add_follow_up(ref, "Add an alert", by="bao"),
        lambda: kit.edit_follow_up("FU-1", owner="dev", by="bao"),
        lambda: kit.link_follow_up("FU-1", "https://github.com/acme/shop/issues/1", by="bao"),
        lambda: kit.set_follow_up_status("FU-1", "in_progress", by="dev"),
        lambda: kit.complete_follow_up("FU-1", by="dev"),
        lambda: kit.set_review_status(ref, "in_review", by="bao"),
        lambda: kit.publish_review(ref, by="bao"),
        lambda: kit.close_incident(ref, by="bao"),
    ]
    for step in steps:
        before = len(kit.events(ref))
        step()
        assert len(kit.events(ref)) == before + 1
