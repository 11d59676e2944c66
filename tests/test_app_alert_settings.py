"""Settings page, Alerts section (through AppTest): admins see the alert severity map and turn on resolving
incidents with their alerts; everyone else sees them read-only."""

from __future__ import annotations

import pytest

from apptest_support import assert_no_traceback, start, submit, texts, widget

pytestmark = pytest.mark.usefixtures("app_db")  # each test runs the app on its own database

RESOLVE = "Resolve an incident when all its alerts have recovered"


def test_an_admin_sees_the_severity_map_and_turns_on_resolving_with_alerts(kit):
    kit.save_settings({"admins": ["ana"], "alert_severities": {"page": "Critical"}}, by="tester")
    at = start(page="settings")
    assert_no_traceback(at)
    assert "one incident for each group of alerts" in texts(at)
    assert at.data_editor[1].value.to_dict("records") == [{"label": "page", "severity": "Critical"}]
    assert widget(at.toggle, RESOLVE).value is False

    widget(at.toggle, RESOLVE).set_value(True)
    submit(at, "Save alert settings").click().run()

    assert_no_traceback(at)
    assert "Alert settings saved." in texts(at)
    assert kit.setting("resolve_with_alerts") is True
    assert kit.setting("alert_severities") == {"page": "Critical"}  # kept as it was


def test_someone_who_is_not_an_admin_sees_alert_settings_read_only(kit):
    kit.save_settings({"admins": ["ana"]}, by="tester")
    bao = start(user="bao", page="settings")
    assert_no_traceback(bao)
    assert widget(bao.toggle, RESOLVE).disabled
    assert submit(bao, "Save alert settings").disabled


def test_an_admin_turns_on_declaring_for_alerts_during_maintenance(kit):
    kit.save_settings({"admins": ["ana"]}, by="tester")
    at = start(page="settings")
    during = "Declare incidents for alerts about components under maintenance"
    assert widget(at.toggle, during).value is False
    widget(at.toggle, during).set_value(True)
    submit(at, "Save alert settings").click().run()
    assert_no_traceback(at)
    assert kit.setting("declare_during_maintenance") is True
