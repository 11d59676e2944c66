"""Settings → Demo data, through AppTest: plain words for a used database, never a command-line flag."""

from __future__ import annotations

import re

import pytest

from apptest_support import assert_no_traceback, button, start, texts, widget

pytestmark = pytest.mark.usefixtures("app_db")  # each test runs the app on its own database

CLI = re.compile(r"incident-kit\s+[a-z]|(?<![\w-])--[a-z][\w-]*")  # as tests/e2e/test_non_engineer_day.py


def _speaks_human(at) -> str:
    page = texts(at)
    assert not CLI.findall(page), CLI.findall(page)
    return page


def test_a_used_database_is_offered_the_demo_beside_its_incidents_in_plain_words(kit):
    kit.declare("Checkout is failing", declared_by="ana")
    at = start(page="settings")
    assert_no_traceback(at)
    page = _speaks_human(at)
    assert "This database already holds incidents." in page and "they stay for good" in page
    assert not [b for b in at.button if b.label == "Load demo data"]
    add = button(at, "Add the demo incidents to this database")
    assert add.disabled  # not before saying yes to what it does
    widget(at.checkbox, "I understand: the demo incidents stay in this database.").check().run()
    button(at, "Add the demo incidents to this database").click().run()
    assert_no_traceback(at)
    assert len(kit.incidents()) == 401 and "Checkout is failing" in set(kit.incidents()["title"])
    assert "Added 400 demo incidents." in _speaks_human(at)


def test_an_empty_database_loads_the_demo_at_once(kit):
    at = start(page="settings")
    assert "into this empty database" in _speaks_human(at)
    button(at, "Load demo data").click().run()
    assert_no_traceback(at)
    assert len(kit.incidents()) == 400
    assert "Loaded 400 demo incidents." in _speaks_human(at)


def test_a_database_that_only_looked_empty_says_so_without_naming_a_flag(kit):
    """No admins yet, so ana may change settings but not see bob's private incident: the page thinks the
    database is empty, the service refuses, and the page explains in its own words."""
    kit.declare("Payroll file shared", declared_by="bob", private=True)
    at = start(page="settings")
    button(at, "Load demo data").click().run()
    assert_no_traceback(at)
    page = _speaks_human(at)
    assert "This database holds incidents that you cannot see here." in page
    assert not at.error
    assert len(kit.incidents()) == 1
    assert button(at, "Add the demo incidents to this database").disabled
