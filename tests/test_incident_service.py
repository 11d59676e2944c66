import datetime as dt

import pytest

import incident_kit as ik
from incident_kit.clock import utcnow
from incident_kit.errors import IncidentKitError, InvalidTransition, NotFound

pytestmark = pytest.mark.both_stores


def kinds(kit, ref):
    return [e.kind for e in kit.events(ref)]


def last_event(kit, ref) -> tuple:
    """The newest timeline event as (kind, old, new, detail)."""
    ev = kit.events(ref)[-1]
    return ev.kind, ev.old_value, ev.new_value, ev.detail


# -- declaring -----------------------------------------------------------------
def test_declare_without_severity_uses_lowest(kit):
    inc = kit.declare("Checkout is failing")
    assert inc.severity == kit.severities()[0].name == "Minor"
    assert "declare freely" in kit.severities()[0].description

def test_declare_with_only_a_title_fills_sensible_defaults(kit):
    inc = kit.declare("Printer on fire")
    assert inc.reference == "INC-1"
    assert inc.status is ik.Status.INVESTIGATING
    assert inc.mode is ik.Mode.LIVE
    assert inc.private is False and inc.type is None and inc.tags == ()
    assert inc.declared_by == "tester"
    assert inc.started_at == inc.declared_at
    assert inc.declared_at.utcoffset() == dt.timedelta(0)


def test_references_are_sequential(kit):
    refs = [kit.declare(f"Incident {i}").reference for i in range(3)]
    assert refs == ["INC-1", "INC-2", "INC-3"]


@pytest.mark.parametrize("title", ["", "   ", None])
def test_declare_requires_a_title(kit, title):
    with pytest.raises(IncidentKitError, match="Title is required"):
        kit.declare(title)
    assert kit.incidents().empty


def test_declare_refuses_a_title_too_long_to_scan(kit):
    with pytest.raises(IncidentKitError, match="keep it under 200"):
        kit.declare("x" * 201)


def test_declare_with_unknown_severity_lists_the_choices(kit):
    with pytest.raises(IncidentKitError, match=r"Severity 'SEV9' is not one of: Minor, Moderate, Major, Critical\."):
        kit.declare("Broken", severity="SEV9")


def test_severity_and_type_match_case_insensitively(kit):
    inc = kit.declare("Phishing wave", severity="major", type="Security")
    assert (inc.severity, inc.type) == ("Major", "security")


def test_declare_with_unknown_type_lists_the_choices(kit):
    with pytest.raises(IncidentKitError, match="Type 'finance' is not one of: engineering, customer_support"):
        kit.declare("Invoice run", type="finance")


def test_non_engineering_types_are_first_class(kit):
    names = {t.name for t in kit.types()}
    assert {"engineering", "customer_support", "security", "data_privacy", "legal_compliance",
            "people_facilities", "other"} <= names


def test_started_at_can_be_backdated(kit):
    start = utcnow() - dt.timedelta(hours=3)
    inc = kit.declare("Noticed late", started_at=start)
    assert inc.started_at == start and inc.declared_at > start


def test_started_at_in_the_future_is_refused(kit):
    with pytest.raises(IncidentKitError, match="Started at is after the declaration"):
        kit.declare("Time travel", started_at=utcnow() + dt.timedelta(hours=2))


def test_naive_timestamps_are_refused_with_a_hint(kit):
    with pytest.raises(IncidentKitError, match="has no time zone"):
        kit.declare("Naive", started_at=dt.datetime(2026, 1, 1, 12, 0))


def test_iso_strings_with_offsets_are_converted_to_utc(kit):
    inc = kit.declare("Offset", started_at="2026-01-01T04:00:00-08:00")
    assert inc.started_at == dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.timezone.utc)


def test_declare_records_one_declared_event_in_the_same_transaction(kit):
    inc = kit.declare("Audit me", lead="ana")
    events = kit.events(inc.reference)
    assert [e.kind for e in events] == ["declared", "role_assigned"]
    assert events[0].actor == "tester" and events[0].new_value == "investigating"
    assert (events[1].field, events[1].new_value) == ("lead", "ana")


def test_unknown_mode_is_refused(kit):
    with pytest.raises(IncidentKitError, match="Mode 'drill' is not one of: live, retrospective, test"):
        kit.declare("Drill", mode="drill")


# -- updates -------------------------------------------------------------------
def test_post_update_records_update_and_event(kit):
    inc = kit.declare("Checkout is failing", declared_by="ana")
    upd = kit.post_update(inc.reference, "We are investigating elevated 500s", by="ana",
                          impact="Some customers cannot pay", doing="Rolling back")
    assert upd.audience is ik.Audience.INTERNAL and upd.status is ik.Status.INVESTIGATING
    ev = kit.events(inc.reference)[-1]
    assert (ev.kind, ev.new_value, ev.detail, ev.actor) == ("update_posted", str(upd.id), "internal", "ana")


def test_post_update_can_move_the_status(kit):
    inc = kit.declare("Slow search")
    kit.post_update(inc.reference, "Fix deployed, watching", status="monitoring")
    assert kit.get(inc.reference).status is ik.Status.MONITORING
    assert kinds(kit, inc.reference) == ["declared", "status_changed", "update_posted"]


def test_empty_update_is_refused(kit):
    inc = kit.declare("Slow search")
    with pytest.raises(IncidentKitError, match="The update is empty"):
        kit.post_update(inc.reference, "  ")


def test_unknown_audience_is_refused(kit):
    inc = kit.declare("Slow search")
    with pytest.raises(IncidentKitError, match="Audience 'public' is not one of: internal, external"):
        kit.post_update(inc.reference, "hi", audience="public")


def test_next_update_in_the_past_is_refused(kit):
    inc = kit.declare("Slow search")
    with pytest.raises(IncidentKitError, match="'Next update by' is in the past"):
        kit.post_update(inc.reference, "hi", next_update_at=utcnow() - dt.timedelta(minutes=5))


def test_update_to_unknown_incident_says_how_to_find_one(kit):
    with pytest.raises(NotFound, match="There is no incident INC-99; check the reference"):
        kit.post_update("INC-99", "hello")


def test_update_on_a_merged_incident_points_to_the_survivor(kit):
    a, b = kit.declare("Dup"), kit.declare("Original")
    kit.merge(a.reference, b.reference)
    with pytest.raises(IncidentKitError, match=f"merged into {b.reference}; post updates there"):
        kit.post_update(a.reference, "more")


# -- lifecycle -----------------------------------------------------------------
def test_resolve_sets_resolved_at_and_is_not_closed(kit):
    inc = kit.declare("Outage")
    res = kit.resolve(inc.reference, note="Rolled back")
    assert res.status is ik.Status.RESOLVED and res.resolved_at is not None and res.closed_at is None
    ev = kit.events(inc.reference)[-1]
    assert (ev.kind, ev.old_value, ev.new_value, ev.detail) == ("status_changed", "investigating", "resolved",
                                                                 "Rolled back")


def test_full_lifecycle_to_closed(kit):
    ref = kit.declare("Outage").reference
    for status in ("fixing", "monitoring", "resolved", "post_incident"):
        kit.change_status(ref, status)
    kit.start_review(ref, depth="none", reason="Routine; nothing new to learn")  # closing needs a review decision
    kit.change_status(ref, "closed")
    inc = kit.get(ref)
    assert inc.status is ik.Status.CLOSED and inc.closed_at is not None
    assert kinds(kit, ref).count("status_changed") == 5


def test_invalid_transition_leaves_no_trace(kit):
    ref = kit.declare("Outage").reference
    with pytest.raises(InvalidTransition):
        kit.change_status(ref, "closed")
    assert kit.get(ref).status is ik.Status.INVESTIGATING
    assert kinds(kit, ref) == ["declared"]


def test_reopen_clears_resolution_and_is_recorded(kit):
    ref = kit.declare("Flapping").reference
    kit.resolve(ref)
    inc = kit.reopen(ref, reason="It came back")
    assert inc.status is ik.Status.INVESTIGATING and inc.resolved_at is None
    assert last_event(kit, ref) == ("reopened", "resolved", "investigating", "It came back")


def test_reopen_an_active_incident_is_refused(kit):
    ref = kit.declare("Still going").reference
    with pytest.raises(InvalidTransition, match="only resolved, post-incident, closed or declined"):
        kit.reopen(ref)


def test_reopen_to_a_non_active_status_is_refused(kit):
    ref = kit.declare("x").reference
    kit.resolve(ref)
    with pytest.raises(InvalidTransition, match="Reopen to an active phase"):
        kit.reopen(ref, status="closed")


def test_decline_needs_a_reason(kit):
    ref = kit.declare("False alarm").reference
    with pytest.raises(IncidentKitError, match="Say why the incident is declined"):
        kit.decline(ref, reason=" ")
    inc = kit.decline(ref, reason="Monitoring glitch")
    assert inc.status is ik.Status.DECLINED
    assert kit.events(ref)[-1].detail == "Monitoring glitch"


def test_change_status_to_declined_without_reason_is_refused(kit):
    ref = kit.declare("x").reference
    with pytest.raises(InvalidTransition, match="Say why"):
        kit.change_status(ref, "declined")


def test_change_status_to_merged_needs_a_target(kit):
    ref = kit.declare("x").reference
    with pytest.raises(InvalidTransition, match="Use merge"):
        kit.change_status(ref, "merged")


def test_merge_records_on_both_incidents(kit):
    a, b = kit.declare("Duplicate report"), kit.declare("Main incident")
    merged = kit.merge(a.reference, b.reference)
    assert merged.status is ik.Status.MERGED and merged.merged_into == b.reference
    assert kit.events(a.reference)[-1].detail == b.reference
    assert kit.events(b.reference)[-1].kind == "merged_in"


def test_merge_into_itself_is_refused(kit):
    a = kit.declare("x")
    with pytest.raises(IncidentKitError, match="cannot be merged into itself"):
        kit.merge(a.reference, a.reference)


def test_merge_into_a_merged_incident_points_further(kit):
    a, b, c = kit.declare("a"), kit.declare("b"), kit.declare("c")
    kit.merge(b.reference, c.reference)
    with pytest.raises(IncidentKitError, match=f"merge into {c.reference}"):
        kit.merge(a.reference, b.reference)


# -- severity, roles, fields ---------------------------------------------------
def test_change_severity_records_old_and_new(kit):
    ref = kit.declare("Growing").reference
    kit.change_severity(ref, "Major", reason="More customers affected")
    assert last_event(kit, ref) == ("severity_changed", "Minor", "Major", "More customers affected")


def test_change_severity_to_the_same_level_is_refused(kit):
    ref = kit.declare("x").reference
    with pytest.raises(IncidentKitError, match="already Minor"):
        kit.change_severity(ref, "minor")


def test_accountable_falls_back_from_comms_to_lead_to_declarer(kit):
    ref = kit.declare("Who talks?", declared_by="dina").reference
    assert kit.get(ref).accountable_for_updates == "dina"
    kit.assign_role(ref, "lead", "leo")
    assert kit.get(ref).accountable_for_updates == "leo"
    kit.assign_role(ref, "Communications lead", "cam")
    assert kit.get(ref).accountable_for_updates == "cam"
    row = kit.incidents().iloc[0]
    assert (row.lead, row.comms_lead, row.accountable) == ("leo", "cam", "cam")


def test_role_history_is_kept(kit):
    ref = kit.declare("Handover").reference
    kit.assign_role(ref, "lead", "ana")
    kit.assign_role(ref, "lead", "bao")
    kit.assign_role(ref, "lead", None)
    history = kit.role_history(ref)
    assert list(history.person) == ["ana", "bao"]
    assert history.unassigned_at.notna().all()
    assert [e.kind for e in kit.events(ref)][-3:] == ["role_assigned", "role_assigned", "role_unassigned"]
    assert kit.events(ref)[-2].old_value == "ana"
    assert kit.get(ref).lead is None


def test_custom_roles_can_be_added_and_assigned(kit):
    kit.add_role("Customer liaison", description="Talks to the affected account")
    ref = kit.declare("Key account down").reference
    assert kit.assign_role(ref, "customer_liaison", "kim").roles["customer_liaison"] == "kim"


def test_unknown_role_lists_the_choices(kit):
    ref = kit.declare("x").reference
    with pytest.raises(IncidentKitError, match="Role 'captain' is not one of: lead, comms, scribe"):
        kit.assign_role(ref, "captain", "kim")


def test_assigning_the_same_person_again_is_refused(kit):
    ref = kit.declare("x").reference
    kit.assign_role(ref, "lead", "ana")
    with pytest.raises(IncidentKitError, match="ana already holds Incident lead"):
        kit.assign_role(ref, "lead", "ana")


def test_edit_records_one_event_per_changed_field(kit):
    ref = kit.declare("Typo in titel", tags=["deploy"]).reference
    kit.edit(ref, title="Typo in title", summary="Spotted by support", tags="deploy, Config", type="other")
    edits = [(e.field, e.old_value, e.new_value) for e in kit.events(ref) if e.kind == "field_edited"]
    assert edits == [("title", "Typo in titel", "Typo in title"), ("summary", "", "Spotted by support"),
                     ("type", None, "other"), ("tags", "deploy", "deploy, config")]
    assert kit.get(ref).tags == ("deploy", "config")


def test_edit_without_changes_is_refused(kit):
    ref = kit.declare("Same").reference
    with pytest.raises(IncidentKitError, match="Nothing to change"):
        kit.edit(ref, title="Same")


# -- reading and privacy -------------------------------------------------------
def test_private_incident_is_visible_only_to_participants_and_admins(kit):
    ref = kit.declare("Payroll data exposed", declared_by="pat", private=True, type="data_privacy").reference
    kit.declare("Public one", declared_by="pat")
    assert kit.get(ref, viewer="pat").title == "Payroll data exposed"
    with pytest.raises(NotFound):
        kit.get(ref, viewer="eve")
    assert list(kit.incidents(viewer="eve").reference) == ["INC-2"]
    assert kit.incidents(viewer="eve", search="Payroll").empty
    kit.add_member(ref, "eve", by="pat")
    assert set(kit.incidents(viewer="eve").reference) == {"INC-1", "INC-2"}
    kit.set_setting("admins", ["root-admin"])
    assert set(kit.incidents(viewer="root-admin").reference) == {"INC-1", "INC-2"}


def test_role_holders_can_see_a_private_incident(kit):
    ref = kit.declare("Secret", declared_by="pat", private=True).reference
    kit.assign_role(ref, "lead", "lee", by="pat")
    assert kit.get(ref, viewer="lee").reference == ref


def test_incidents_lists_active_first_with_filters(kit):
    old = kit.declare("Old one", type="security").reference
    kit.resolve(old)
    kit.declare("Running", severity="Major", tags=["dns"], declared_by="ana")
    frame = kit.incidents()
    assert list(frame.reference) == ["INC-2", "INC-1"]
    assert list(kit.incidents(active=True).reference) == ["INC-2"]
    assert list(kit.incidents(type="security").reference) == ["INC-1"]
    assert list(kit.incidents(severity="major").reference) == ["INC-2"]
    assert list(kit.incidents(search="DNS").reference) == ["INC-2"]
    assert list(kit.incidents(mine="ana").reference) == ["INC-2"]


def test_next_update_due_follows_the_severity_cadence(kit):
    inc = kit.declare("Cadence", severity="Critical")  # every 30 minutes
    row = kit.incidents().iloc[0]
    assert row.next_update_due == inc.declared_at + dt.timedelta(minutes=30)
    upd = kit.post_update(inc.reference, "Still on it")
    row = kit.incidents().iloc[0]
    assert row.next_update_due == upd.posted_at + dt.timedelta(minutes=30)


def test_promised_next_update_time_wins_over_cadence(kit):
    inc = kit.declare("Promise")
    promised = utcnow() + dt.timedelta(minutes=15)
    kit.post_update(inc.reference, "Back in 15", next_update_at=promised)
    assert kit.incidents().iloc[0].next_update_due == promised


def test_timeline_has_every_event_with_update_text(kit):
    ref = kit.declare("Timeline", declared_by="ana").reference
    kit.post_update(ref, "Looking into it", by="ana", audience="external")
    kit.resolve(ref, by="ana")
    tl = kit.timeline(ref)
    assert list(tl.kind) == ["declared", "update_posted", "status_changed"]
    assert tl.text.iloc[1] == "Looking into it" and tl.audience.iloc[1] == "external"
    assert "Investigating → Resolved" in tl.text.iloc[2]


def test_numeric_reference_is_accepted(kit):
    kit.declare("x")
    assert kit.get("1").reference == "INC-1" and kit.get("inc-1").reference == "INC-1"


def test_severities_can_be_reconfigured_and_old_names_stay_valid(kit):
    ref = kit.declare("Before").reference
    kit.set_severities([{"name": "SEV3", "description": "Routine", "cadence_minutes": 180},
                        {"name": "SEV1", "description": "Worst", "cadence_minutes": 15}])
    assert [s.name for s in kit.severities()] == ["SEV3", "SEV1"]
    assert kit.declare("After").severity == "SEV3"
    assert kit.get(ref).severity == "Minor"
    assert len(kit.incidents()) == 2


@pytest.mark.parametrize("items,message", [
    ([], "Keep at least one severity"),
    ([{"name": "", "cadence_minutes": 5}], "needs a name"),
    ([{"name": "A", "cadence_minutes": "soon"}], "whole minutes"),
    ([{"name": "A", "cadence_minutes": 0}], "at least 1 minute"),
    ([{"name": "A", "cadence_minutes": 5}, {"name": "a", "cadence_minutes": 5}], "must be unique"),
])
def test_bad_severity_configuration_is_explained(kit, items, message):
    with pytest.raises(IncidentKitError, match=message):
        kit.set_severities(items)
    assert [s.name for s in kit.severities()][0] == "Minor"


def test_unknown_setting_is_refused(kit):
    with pytest.raises(IncidentKitError, match="Unknown setting 'colour'"):
        kit.set_setting("colour", "red")


def test_nothing_is_deleted_events_only_grow(kit):
    ref = kit.declare("Busy").reference
    counts = []
    for action in (lambda: kit.assign_role(ref, "lead", "a"), lambda: kit.post_update(ref, "x"),
                   lambda: kit.change_severity(ref, "Major"), lambda: kit.resolve(ref),
                   lambda: kit.reopen(ref), lambda: kit.add_member(ref, "m")):
        action()
        counts.append(len(kit.events(ref)))
    assert counts == sorted(counts) and len(set(counts)) == len(counts)
