"""The app's Kit fails closed: it has no trusted default actor, so a call that names nobody breaks loudly.

Before, the app shared one Kit whose default actor was the server's OS account, a plain ``str`` that
services trust: any call that left out ``by=``/``viewer=`` ran unchecked (the app's import saved
rows as "Declared by root", and a read without a viewer saw every private incident).
"""

from __future__ import annotations

import inspect

import pytest
import streamlit as st

import incident_kit as ik
from incident_kit import analytics
from incident_kit.identity import Person
from incident_kit.ui import context

from apptest_support import goto, start, texts  # noqa: E402

PLACEHOLDERS = {"reference": "INC-1", "other": "INC-2", "into": "INC-2", "follow_up": 1, "subscription_id": 1,
                "items": [], "values": {}, "factors": [], "status": "open", "role": "lead", "person": "bea",
                "section": "summary", "text": "x", "title": "x", "message": "x", "channel": "json://localhost",
                "depth": "note", "label": "x", "name": "x", "value": "x", "url": "https://example.com",
                "severity": "Minor", "hint_key": "k", "source": "x", "out_dir": "x", "reason": "x",
                "when": "2026-01-01T00:00:00+00:00", "kind": "csv", "delivery_id": 1, "paths": [], "files": [],
                "prepared": None, "text_or_reference": "x", "payload": {}, "event": {}, "split": "2026-01-01",
                "scopes": ["incidents:read"], "idempotency_key": "k",
                "component": "x", "impact": "major_outage", "maintenance_id": 1,
                "start": "2030-01-01T02:00:00+00:00", "end": "2030-01-01T03:00:00+00:00", "subscriber_id": 1}


def _calls_naming_nobody():
    """Every Kit method that takes ``by`` or ``viewer``, with its other required arguments filled in."""
    for name, method in inspect.getmembers(ik.Kit, inspect.isfunction):
        if name.startswith("_"):
            continue
        sig = inspect.signature(method)
        if "by" not in sig.parameters and "viewer" not in sig.parameters:
            continue
        args = {p.name: None if p.name in ("by", "viewer") else PLACEHOLDERS[p.name]
                for p in list(sig.parameters.values())[1:]
                if p.default is inspect.Parameter.empty and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)}
        yield name, args


CALLS = list(_calls_naming_nobody())


def test_there_are_many_calls_to_check():
    assert len(CALLS) > 50  # the list is built from the Kit itself: a new method is checked too


@pytest.mark.parametrize("name,args", CALLS, ids=[c[0] for c in CALLS])
def test_a_kit_without_a_local_operator_refuses_every_call_that_names_nobody(db_path, name, args):
    with ik.open(db_path, user="tester") as local:
        inc = local.declare("Disk full", declared_by="ana", private=True)
        local.declare("Other", declared_by="ana")
    assert inc.reference == "INC-1"
    app = ik.open(db_path)  # as the app and the HTTP API open it
    try:
        with pytest.raises(ik.MissingActor):
            getattr(app, name)(**args)
    finally:
        app.close()


def test_analytics_on_a_kit_without_a_local_operator_need_a_viewer(db_path):
    with ik.open(db_path, user="tester") as local:
        local.declare("Disk full", declared_by="ana", private=True)
    with ik.open(db_path) as app:
        with pytest.raises(ik.MissingActor):
            analytics.response_summary(app)
        hidden = analytics.metrics_summary(app, viewer=Person("bea"))
        seen = analytics.metrics_summary(app, viewer=Person("ana", verified=True))
    assert hidden["incidents"] == 0 and seen["incidents"] == 1


def test_the_local_operator_is_named_explicitly_and_acts_when_nobody_is_named(db_path):
    with ik.open(db_path, user="ops") as local:
        inc = local.declare("Disk full")
        assert local.get(inc.reference).declared_by == "ops"
        assert len(local.incidents()) == 1  # the local operator sees everything


def test_the_apps_kit_has_no_local_operator(app_db):
    shared = context._kit_for(str(app_db))
    assert shared.user is None
    with pytest.raises(ik.MissingActor):
        shared.incidents()
    st.cache_resource.clear()


def test_every_page_runs_for_a_signed_in_person_on_a_kit_that_fails_closed(app_db):
    """Each page with real data of every kind: a page that forgot by=/viewer= raises MissingActor here."""
    with ik.open(app_db, user="tester") as local:
        local.save_settings({"admins": ["ana"]})
        local.load_demo(incidents=30, seed=3)
        private = local.declare("Payroll file exposed", declared_by="ana", private=True, type="Security")
        local.resolve(private.reference, by="ana", final_update="Fixed.")
        local.subscribe("json://localhost/hook", person="ana", min_severity="Minor")
    pages = ["home", "declare", "incidents", "incident", "needs_update", "status", "subscriptions", "reviews",
             "follow_ups", "insights", "import_data", "settings"]
    for user, verified in (("ana", True), ("bea", False)):
        at = start(user, verified=verified)
        for page in pages:
            goto(at, page, ref=private.reference if page == "incident" else None)
            assert not at.exception, (user, page, [e.value for e in at.exception])
        if not verified:
            assert "Payroll file exposed" not in texts(at)
