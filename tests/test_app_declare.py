"""Declare page: one field, one click, lands on the incident."""

from __future__ import annotations

import datetime as dt

import pytest
import streamlit as st

from incident_kit import demo

from apptest_support import assert_no_traceback, start, submit, texts, widget


pytestmark = [pytest.mark.usefixtures("app_db"), pytest.mark.both_stores]  # each test runs the app on its own database


@pytest.mark.parametrize("incidents", [0, 60])
def test_declare_page_renders_with_severity_descriptions(kit, incidents):
    if incidents:
        demo.load(kit.db, incidents=incidents)
    at = start(page="declare")
    assert_no_traceback(at)
    severity = widget(at.radio, "Severity")
    assert severity.value == kit.severities()[0].name  # preselected: the lowest
    assert severity.options == [s.name for s in kit.severities()]
    assert widget(at.selectbox, "Type").value is None
    assert widget(at.toggle, "Private").value is False


def test_declare_with_only_a_title_lands_on_the_incident_page_with_the_lowest_severity(kit):
    at = start(page="declare")
    widget(at.text_input, "What's happening?").input("Checkout is failing")
    submit(at, "Declare incident").click().run()
    assert_no_traceback(at)
    assert at.query_params["ref"] == "INC-1"
    assert at.title[0].value == "INC-1 · Checkout is failing"
    incident = kit.get("INC-1")
    assert incident.severity == "Minor" == kit.severities()[0].name
    assert incident.declared_by == "ana"
    assert incident.lead == "ana"  # the declarer leads until someone takes over
    assert "INC-1 declared as Minor" in texts(at)


def test_declare_offers_the_components_and_records_how_badly_they_are_affected(kit):
    at = start(page="declare")
    assert not [m for m in at.multiselect if m.label == "Affected components"]  # no catalog yet: not offered
    kit.add_component("Checkout")
    kit.add_component("Search")
    at = start(page="declare")
    widget(at.text_input, "What's happening?").input("Checkout is failing")
    assert widget(at.selectbox, "How badly").value == "partial_outage"
    assert widget(at.selectbox, "How badly").disabled  # nothing chosen yet
    widget(at.multiselect, "Affected components").set_value(["Checkout"]).run()
    widget(at.selectbox, "How badly").set_value("major_outage")
    submit(at, "Declare incident").click().run()
    assert_no_traceback(at)
    assert {(a.component.name, a.impact.value) for a in kit.incident_components("INC-1")} == {
        ("Checkout", "major_outage")}


def test_an_empty_title_gets_a_friendly_message_and_declares_nothing(kit):
    at = start(page="declare")
    widget(at.text_input, "What's happening?").input("   ")
    submit(at, "Declare incident").click().run()
    assert_no_traceback(at)
    assert "Title is required" in at.error[0].value
    assert at.title[0].value == "Declare an incident"
    assert kit.incidents().empty


def test_optional_details_are_all_recorded(kit):
    at = start(page="declare")
    widget(at.text_input, "What's happening?").input("Phishing wave")
    widget(at.radio, "Severity").set_value("Major")
    widget(at.selectbox, "Type").set_value("security")
    widget(at.text_area, "Summary").input("Staff received fake invoices.")
    widget(at.toggle, "Private").set_value(True)
    widget(at.toggle, "I'm leading the response").set_value(False)
    yesterday = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=1)).date()
    widget(at.date_input, "Date").set_value(yesterday)
    widget(at.time_input, "Time").set_value(dt.time(9, 30))
    submit(at, "Declare incident").click().run()
    assert_no_traceback(at)
    inc = kit.get("INC-1")
    assert (inc.severity, inc.type, inc.private, inc.summary, inc.lead) == (
        "Major", "security", True, "Staff received fake invoices.", None)
    assert inc.started_at == dt.datetime.combine(yesterday, dt.time(9, 30), tzinfo=dt.timezone.utc)


def test_backdating_into_the_future_is_refused_with_a_message(kit):
    at = start(page="declare")
    widget(at.text_input, "What's happening?").input("Clock skew")
    tomorrow = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)).date()
    widget(at.date_input, "Date").set_value(tomorrow)
    widget(at.time_input, "Time").set_value(dt.time(23, 55))
    submit(at, "Declare incident").click().run()
    assert_no_traceback(at)
    assert "Started at is after the declaration" in at.error[0].value
    assert kit.incidents().empty
