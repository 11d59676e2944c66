"""Scheduled maintenance: windows whose status follows the clock, their events, and "under maintenance"."""

from __future__ import annotations

import datetime as dt

import pytest

from incident_kit.errors import IncidentKitError, NotAllowed, NotFound
from incident_kit.identity import Person, machine

pytestmark = pytest.mark.both_stores

T0 = dt.datetime(2026, 12, 24, 2, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)
BEFORE = T0 - 2 * HOUR  # when it is scheduled


def schedule(kit, title="Database upgrade", *, components=("Checkout",), **kw):
    return kit.schedule_maintenance(title, start=kw.pop("start", T0), end=kw.pop("end", T0 + HOUR),
                                    components=components, now=kw.pop("now", BEFORE), **kw)


def states(kit, now) -> dict[str, str]:
    return {s.component.name: s.state for s in kit.component_states(now=now)}


def test_the_status_follows_the_clock_from_scheduled_to_in_progress_to_completed(kit):
    kit.add_component("Checkout")
    made = schedule(kit, message="Checkout may be slow.")
    assert made.components == ("Checkout",) and made.message == "Checkout may be slow."
    assert made.start == T0 and made.end == T0 + HOUR and made.created_at.tzinfo is not None
    assert [made.status_at(t).value for t in (BEFORE, T0, T0 + HOUR - dt.timedelta(seconds=1), T0 + HOUR)] == [
        "scheduled", "in_progress", "in_progress", "completed"]
    assert kit.maintenances()[0] == made


def test_its_components_are_under_maintenance_only_during_the_window(kit):
    kit.add_component("Checkout")
    kit.add_component("Search")
    made = schedule(kit)
    assert states(kit, BEFORE) == {"Checkout": "operational", "Search": "operational"}
    assert states(kit, T0 + dt.timedelta(minutes=5)) == {"Checkout": "under_maintenance", "Search": "operational"}
    during = {s.component.name: s for s in kit.public_component_states(now=T0)}
    assert during["Checkout"].label == "Under maintenance" and during["Checkout"].maintenances == (made.id,)
    assert states(kit, T0 + HOUR) == {"Checkout": "operational", "Search": "operational"}


def test_an_incident_outranks_maintenance_so_customers_see_what_is_broken(kit):
    kit.add_component("Checkout")
    now = dt.datetime.now(dt.UTC)  # incidents are declared on the real clock
    schedule(kit, start=now - HOUR, end=now + 24 * HOUR, now=now - 2 * HOUR)
    assert states(kit, now) == {"Checkout": "under_maintenance"}
    kit.declare("Payments failing", components={"Checkout": "degraded_performance"})
    assert states(kit, now) == {"Checkout": "degraded_performance"}


def test_cancelling_or_completing_early_ends_the_window_and_keeps_it_with_events(kit):
    kit.add_component("Checkout")
    early = schedule(kit)
    done = kit.complete_maintenance(early.id, by="ops", now=T0 + dt.timedelta(minutes=10))
    assert done.status_at(T0 + dt.timedelta(minutes=11)).value == "completed" and done.ended_by == "ops"
    assert states(kit, T0 + dt.timedelta(minutes=11)) == {"Checkout": "operational"}
    later = schedule(kit, "Network work", start=T0 + 5 * HOUR, end=T0 + 6 * HOUR)
    with pytest.raises(IncidentKitError, match="has not started yet; cancel it instead"):
        kit.complete_maintenance(later.id, now=T0)
    cancelled = kit.cancel_maintenance(str(later.id), now=T0)
    assert cancelled.status_at(T0 + 5 * HOUR).value == "cancelled"
    with pytest.raises(IncidentKitError, match="already cancelled"):
        kit.cancel_maintenance(later.id, now=T0)
    assert len(kit.maintenances()) == 2  # nothing deleted
    assert [(e.kind, e.actor) for e in kit.maintenance_events(early.id)] == [("scheduled", "tester"),
                                                                             ("completed", "ops")]
    assert [e.kind for e in kit.maintenance_events(later.id)] == ["scheduled", "cancelled"]


def test_the_clock_records_started_and_completed_once_each(kit):
    kit.add_component("Checkout")
    made = schedule(kit)
    assert kit.advance_maintenances(now=BEFORE) == []
    assert [e.kind for e in kit.advance_maintenances(now=T0)] == ["started"]
    assert [e.kind for e in kit.advance_maintenances(now=T0 + 2 * HOUR)] == ["completed"]
    assert kit.advance_maintenances(now=T0 + 3 * HOUR) == []
    assert [(e.kind, e.actor, e.occurred_at) for e in kit.maintenance_events(made.id)] == [
        ("scheduled", "tester", BEFORE), ("started", "clock", T0), ("completed", "clock", T0 + HOUR)]


@pytest.mark.parametrize(("kw", "message"), [
    ({"end": T0 - HOUR}, "must be after the start"),
    ({"end": T0}, "must be after the start"),
    ({"start": "not a time"}, "is not an ISO 8601 time"),
    ({"start": "1980-01-01T00:00Z"}, "before 1990-01-01"),
    ({"end": "2300-01-01T00:00Z"}, "more than 100 years ahead"),
    ({"components": ("Nope",)}, "There is no component Nope"),
    ({"title": " \n "}, "needs a title"),
    ({"title": "x" * 201}, "characters long"),
])
def test_bad_input_is_refused_in_one_sentence_and_nothing_is_kept(kit, kw, message):
    kit.add_component("Checkout")
    with pytest.raises(IncidentKitError, match=message) as refused:
        schedule(kit, **kw)
    assert "\n" not in str(refused.value) and len(str(refused.value)) < 200
    assert kit.maintenances() == []


def test_a_hostile_title_is_kept_as_one_line_of_text(kit):
    made = schedule(kit, "<script>alert(1)</script>\n'; DROP TABLE maintenances;--", components=(),
                    message="<img src=x onerror=alert(1)>")
    assert made.title == "<script>alert(1)</script> '; DROP TABLE maintenances;--"
    assert kit.maintenances()[0].message == "<img src=x onerror=alert(1)>"


def test_an_unknown_maintenance_is_not_found_in_one_sentence(kit):
    for ref in (99, "abc", "-1", 2**70):
        with pytest.raises(NotFound, match="There is no maintenance"):
            kit.cancel_maintenance(ref)


def test_only_the_scheduler_a_token_or_an_admin_may_change_a_window(kit):
    kit.add_component("Checkout")
    kit.save_settings({"admins": ["ana"]})
    made = schedule(kit, by=Person("bob", verified=True))
    with pytest.raises(NotAllowed, match="Only bob"):
        kit.cancel_maintenance(made.id, by=Person("eve", verified=True), now=BEFORE)
    with pytest.raises(NotAllowed, match="Only bob"):
        kit.cancel_maintenance(made.id, by=Person("bob"), now=BEFORE)  # a typed name proves nothing
    assert kit.cancel_maintenance(made.id, by=Person("ana", verified=True), now=BEFORE).ended_by == "ana"
    other = schedule(kit, by=Person("bob", verified=True))
    assert kit.cancel_maintenance(other.id, by=machine("token:ci"), now=BEFORE).ended_as == "cancelled"


def test_the_public_list_names_no_person_no_internal_component_and_no_cancelled_window(kit):
    kit.add_component("Checkout")
    kit.add_component("Billing database", internal=True)
    shown = schedule(kit, components=("Checkout", "Billing database"), by="ana")
    called_off = schedule(kit, "Called off")
    kit.cancel_maintenance(called_off.id, now=BEFORE)
    schedule(kit, "Long ago", start=T0 - 30 * 24 * HOUR, end=T0 - 29 * 24 * HOUR)
    public = kit.public_maintenances(now=T0)
    assert [(m.id, m.components, m.created_by) for m in public] == [(shown.id, ("Checkout",), "")]
    assert {c for m in kit.maintenances() for c in m.components} == {"Checkout", "Billing database"}
