"""The Incident page's "Post an update" tab: see which components an incident affects, and change an impact."""

from __future__ import annotations

import pytest

from apptest_support import assert_no_traceback, button, start, texts, widget

pytestmark = pytest.mark.usefixtures("app_db")


def test_someone_changes_an_impact_and_the_timeline_says_so(kit):
    kit.add_component("Checkout")
    kit.add_component("Search <b>beta</b>")
    ref = kit.declare("Pay fails", components={"Checkout": "degraded_performance"}).reference
    at = start(user="ana", page="incident", ref=ref)
    assert_no_traceback(at)
    assert "Checkout: Degraded performance" in texts(at)
    widget(at.selectbox, "Component").select("Checkout").run()
    widget(at.selectbox, "Impact").select("major_outage").run()
    button(at, "Change impact").click().run()
    assert_no_traceback(at)
    assert [(a.component.name, a.impact.value) for a in kit.incident_components(ref)] == [("Checkout", "major_outage")]
    events = kit.timeline(ref)
    assert events.iloc[-1]["text"] == "Checkout: Major outage (was Degraded performance)"
    assert events.iloc[-1]["actor"] == "ana"
    widget(at.selectbox, "Component").select("Search <b>beta</b>").run()
    widget(at.selectbox, "Impact").select("partial_outage").run()
    button(at, "Change impact").click().run()
    page = texts(at)
    assert "Search <b>beta</b>: Partial outage" in page and "major_outage" not in page


def test_marking_a_component_no_longer_affected(kit):
    kit.add_component("Checkout")
    ref = kit.declare("Pay fails", components={"Checkout": "partial_outage"}).reference
    at = start(user="ana", page="incident", ref=ref)
    widget(at.selectbox, "Impact").select("").run()
    button(at, "Change impact").click().run()
    assert_no_traceback(at)
    assert kit.incident_components(ref) == [] and "No components are marked as affected." in texts(at)


def test_without_components_the_page_says_where_they_come_from(kit):
    ref = kit.declare("Pay fails").reference
    at = start(user="ana", page="incident", ref=ref)
    assert_no_traceback(at)
    assert "No components yet: admins add them in Settings." in texts(at)
