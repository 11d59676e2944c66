"""Incidents page: the live list, its filters and paging, through AppTest."""

from __future__ import annotations

import pytest
import streamlit as st

from incident_kit import demo
from incident_kit.ui import context as ctx

from apptest_support import assert_no_traceback, button, start, texts, widget


pytestmark = pytest.mark.usefixtures("app_db")  # each test runs the app on its own database


def _rows(at) -> list:
    refs = []
    for frame in at.dataframe:
        data = getattr(frame.value, "data", frame.value)
        refs += data["Reference"].tolist()
    return refs


def test_empty_database_invites_to_declare():
    at = start(page="incidents")
    assert_no_traceback(at)
    assert "No incidents yet" in at.info[0].value


def test_demo_data_lists_active_first_then_recent_one_page_at_a_time(kit):
    demo.load(kit.db, incidents=400)
    at = start(page="incidents")
    assert_no_traceback(at)
    counts = kit.incident_counts(viewer="ana")
    assert f"**{counts['active']}** active" in texts(at)
    assert f"showing {ctx.PAGE_SIZE} of {counts['total']}" in texts(at)
    assert _rows(at) == kit.incidents(viewer="ana", limit=ctx.PAGE_SIZE)["reference"].tolist()
    columns = list(getattr(at.dataframe[0].value, "data", at.dataframe[0].value).columns)
    assert columns == ["Reference", "Title", "Severity", "Status", "Lead", "Impact for", "Next update", "Updates by"]
    recent = getattr(at.dataframe[1].value, "data", at.dataframe[1].value)
    assert list(recent.columns) == ["Reference", "Title", "Severity", "Status", "Lead", "Impact lasted", "Updates by"]
    assert not recent["Status"].str.contains("_").any()  # "Post-incident", never "post_incident"
    assert [s.value for s in at.subheader][:2] == [f"Active ({counts['active']})", "Recent"]
    button(at, f"Show {ctx.PAGE_SIZE} more").click().run()
    assert_no_traceback(at)
    assert len(_rows(at)) == 2 * ctx.PAGE_SIZE


def test_search_and_filters_narrow_the_list(kit):
    kit.declare("Checkout returning 500s", declared_by="ana", severity="Major", type="engineering")
    kit.declare("Phishing wave", declared_by="bao", type="security")
    kit.declare("Checkout slow in EU", declared_by="bao")
    at = start(page="incidents")
    widget(at.text_input, "Search").input("checkout").run()
    assert_no_traceback(at)
    assert sorted(_rows(at)) == ["INC-1", "INC-3"]
    widget(at.selectbox, "Severity").set_value("Major").run()
    assert _rows(at) == ["INC-1"]
    widget(at.text_input, "Search").input("").run()
    widget(at.selectbox, "Severity").set_value(None).run()
    widget(at.toggle, "Mine").set_value(True).run()
    assert _rows(at) == ["INC-1"]  # ana declared only INC-1
    widget(at.toggle, "Mine").set_value(False).run()
    widget(at.selectbox, "Type").set_value("security").run()
    assert _rows(at) == ["INC-2"]
    widget(at.text_input, "Search").input("nothing like this").run()
    assert "No incidents match these filters." in at.info[0].value


def test_active_only_hides_resolved_incidents(kit):
    kit.declare("Still burning", declared_by="ana")
    kit.declare("Done already", declared_by="ana")
    kit.resolve("INC-2", by="ana")
    at = start(page="incidents")
    assert sorted(_rows(at)) == ["INC-1", "INC-2"]
    widget(at.toggle, "Active only").set_value(True).run()
    assert _rows(at) == ["INC-1"]


def test_an_overdue_update_reads_overdue_in_the_list(kit):
    import datetime as dt

    from incident_kit.incident import service

    past = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=3)
    kit.declare("Webhooks delayed", declared_by="ana", started_at=past)
    service.post_update(kit.db, "INC-1", "Looking", by="ana", posted_at=past + dt.timedelta(minutes=1),
                        next_update_at=past + dt.timedelta(minutes=31))
    at = start(page="incidents")
    data = getattr(at.dataframe[0].value, "data", at.dataframe[0].value)
    assert data["Next update"].iat[0].startswith("overdue by 2 h")
    assert "**1** need an update now" in texts(at)


def test_selecting_a_row_opens_that_incident(kit):
    kit.declare("Webhooks delayed", declared_by="ana")
    kit.declare("Chat widget down", declared_by="ana")
    at = start(page="incidents")
    at.session_state["list_active_table"] = {"selection": {"rows": [1], "columns": [], "cells": []}}
    at.run()
    assert_no_traceback(at)
    assert at.title[0].value == "INC-1 · Webhooks delayed"
    assert at.query_params["ref"] == "INC-1"
