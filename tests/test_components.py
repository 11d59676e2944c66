"""Components: the catalog, incidents that affect components, and each component's current state."""

from __future__ import annotations

import pytest

import incident_kit as ik
from incident_kit.errors import IncidentKitError, NotAllowed, NotFound
from incident_kit.identity import Person

pytestmark = pytest.mark.both_stores


def states(kit, **kw) -> dict[str, str]:
    return {s.component.name: s.state for s in kit.component_states(**kw)}


def test_components_are_added_listed_by_group_and_archived_not_deleted(kit):
    kit.add_component("Checkout", group="Shop", description="Paying for an order")
    kit.add_component("API", internal=True)
    kit.add_component("Search", group="Shop")
    assert [(c.name, c.slug, c.group, c.internal) for c in kit.components()] == [
        ("API", "api", None, True), ("Checkout", "checkout", "Shop", False), ("Search", "search", "Shop", False)]
    archived = kit.archive_component("search")
    assert archived.archived and [c.name for c in kit.components()] == ["API", "Checkout"]
    assert [c.name for c in kit.components(include_archived=True)] == ["API", "Checkout", "Search"]
    assert kit.restore_component("Search").archived is False


def test_a_name_is_unique_whatever_its_case_archived_ones_included(kit):
    kit.add_component("Checkout")
    with pytest.raises(IncidentKitError, match="already a component named Checkout"):
        kit.add_component("  CHECKOUT ")
    kit.archive_component("Checkout")
    with pytest.raises(IncidentKitError, match="archived: restore it instead"):
        kit.add_component("checkout")
    assert len(kit.components(include_archived=True)) == 1


def test_slugs_stay_unique_and_readable_for_any_name(kit):
    assert kit.add_component("Checkout & Payments").slug == "checkout-payments"
    assert kit.add_component("Checkout - Payments").slug == "checkout-payments-2"
    assert kit.add_component("Zürich DC").slug == "zurich-dc"
    assert kit.add_component("支付").slug == "component"
    assert kit.add_component("日本").slug == "component-2"


def test_hostile_names_are_kept_as_text_and_refusals_are_one_sentence(kit):
    hostile = "<script>alert(1)</script>\n'; DROP TABLE components;--"
    made = kit.add_component(hostile, group="<b>g</b>")
    assert made.name == "<script>alert(1)</script> '; DROP TABLE components;--"  # one line
    assert kit.components()[0].name == made.name
    with pytest.raises(IncidentKitError) as refused:
        kit.set_component_impact(kit.declare("x").reference, "<img src=x>\nline two" * 20, "major_outage")
    message = str(refused.value)
    assert "\n" not in message and message.count(".") <= 2 and len(message) < 160
    with pytest.raises(IncidentKitError, match="characters long"):
        kit.add_component("x" * 81)
    with pytest.raises(IncidentKitError, match="needs a name"):
        kit.add_component(" \n ")


def test_only_admins_change_the_catalog_once_admins_are_named(kit):
    kit.save_settings({"admins": ["ana"]})
    with pytest.raises(NotAllowed, match="Only admins"):
        kit.add_component("Checkout", by=Person("bob", verified=True))
    made = kit.add_component("Checkout", by=Person("ana", verified=True))
    with pytest.raises(NotAllowed):
        kit.archive_component("Checkout", by=Person("bob", verified=True))
    with pytest.raises(NotAllowed, match="API token"):
        kit.add_component("API", by=ik.identity.machine("token:bot"))
    assert [c.name for c in kit.components()] == [made.name]


def test_declaring_with_components_sets_their_impacts_on_the_timeline(kit):
    kit.add_component("Checkout")
    kit.add_component("Search")
    inc = kit.declare("Payments failing", components={"checkout": "partial_outage", "Search": "Degraded performance"})
    assert {(a.component.name, a.impact.label) for a in kit.incident_components(inc.reference)} == {
        ("Checkout", "Partial outage"), ("Search", "Degraded performance")}
    timeline = kit.timeline(inc.reference)
    assert list(timeline["text"]) == ["Declared (Minor)", "Checkout: Partial outage", "Search: Degraded performance"]


def test_an_unknown_component_or_impact_refuses_the_whole_declaration(kit):
    kit.add_component("Checkout")
    with pytest.raises(IncidentKitError, match="no component Nope"):
        kit.declare("x", components={"Checkout": "major_outage", "Nope": "major_outage"})
    with pytest.raises(IncidentKitError, match="not one of: Degraded performance, Partial outage, Major outage"):
        kit.declare("x", components={"Checkout": "on fire"})
    assert kit.incidents().empty and states(kit) == {"Checkout": "operational"}


def test_impact_changes_during_the_incident_are_timeline_events(kit):
    kit.add_component("Checkout")
    ref = kit.declare("Slow", components={"Checkout": "degraded_performance"}).reference
    kit.set_component_impact(ref, "Checkout", "major_outage", by="ana")
    kit.set_component_impact(ref, "Checkout", "major_outage", by="ana")  # no change: no event
    assert kit.set_component_impact(ref, "checkout", None, by="bea") == []
    events = kit.timeline(ref)
    changes = events[events["kind"] == "component_impact_changed"]
    assert list(zip(changes["actor"], changes["text"])) == [
        ("tester", "Checkout: Degraded performance"),
        ("ana", "Checkout: Major outage (was Degraded performance)"),
        ("bea", "Checkout no longer affected (was Major outage)")]


def test_the_worst_impact_among_active_incidents_is_the_state(kit):
    for name in ("Checkout", "Search", "Login"):
        kit.add_component(name)
    kit.declare("A", components={"Checkout": "degraded_performance", "Search": "partial_outage"})
    kit.declare("B", components={"Checkout": "major_outage"})
    resolved = kit.declare("C", components={"Login": "major_outage"})
    kit.resolve(resolved.reference)
    assert states(kit) == {"Checkout": "major_outage", "Login": "operational", "Search": "partial_outage"}
    labels = {s.component.name: s.label for s in kit.component_states()}
    assert labels["Checkout"] == "Major outage" and labels["Login"] == "Operational"


def test_private_and_test_incidents_do_not_change_the_state(kit):
    kit.add_component("Checkout")
    private = kit.declare("Secret", private=True, declared_by="ana", components={"Checkout": "major_outage"})
    kit.declare("Drill", mode="test", components={"Checkout": "major_outage"})
    assert states(kit) == {"Checkout": "operational"}
    kit.declare("Real", components={"Checkout": "degraded_performance"})
    assert states(kit) == {"Checkout": "degraded_performance"}
    # the private incident shows among those affecting it only to whoever may see it
    assert kit.component_states(viewer="ana")[0].incidents == (private.reference, "INC-2", "INC-3")
    assert kit.component_states(viewer=Person("zed", verified=True))[0].incidents == ("INC-2", "INC-3")
    assert kit.public_component_states()[0].incidents == ("INC-3",)


def test_the_public_variant_leaves_internal_components_out(kit):
    kit.add_component("Checkout")
    kit.add_component("Database", internal=True)
    kit.declare("Disk", components={"Database": "major_outage"})
    assert states(kit, viewer="zed") == {"Checkout": "operational", "Database": "major_outage"}
    assert [(s.component.name, s.state) for s in kit.public_component_states()] == [("Checkout", "operational")]


def test_an_archived_component_cannot_be_newly_affected_but_can_be_cleared(kit):
    kit.add_component("Checkout")
    ref = kit.declare("x", components={"Checkout": "partial_outage"}).reference
    kit.archive_component("Checkout")
    with pytest.raises(IncidentKitError, match="archived"):
        kit.set_component_impact(ref, "Checkout", "major_outage")
    assert kit.set_component_impact(ref, "Checkout", None) == []
    assert states(kit) == {}


def test_a_private_incident_hides_its_components_from_those_who_may_not_see_it(kit):
    kit.add_component("Checkout")
    ref = kit.declare("Secret", private=True, declared_by="ana", components={"Checkout": "major_outage"}).reference
    with pytest.raises(NotFound):
        kit.incident_components(ref, viewer=Person("zed", verified=True))
    with pytest.raises(NotFound):
        kit.set_component_impact(ref, "Checkout", None, by=Person("zed", verified=True))
    assert len(kit.incident_components(ref, viewer="ana")) == 1


def test_a_name_taken_between_the_check_and_the_insert_inserts_nothing(kit):
    """The unique keys decide a race: the store's insert answers None (the service words it as a Conflict)."""
    from incident_kit.clock import utcnow
    from incident_kit.components import store

    kit.add_component("Checkout")
    lost = kit.db.write(lambda tx: store.insert(tx, name="CHECKOUT", slug="elsewhere", group=None, description="",
                                                internal=False, now=utcnow(), by="x"))
    assert lost is None and [c.name for c in kit.components()] == ["Checkout"]
