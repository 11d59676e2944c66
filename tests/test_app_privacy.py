"""Private incidents in the app: participants see them, nobody else sees them anywhere."""

from __future__ import annotations

import pytest
import streamlit as st

from apptest_support import assert_no_traceback, goto, start, submit, texts, widget


pytestmark = pytest.mark.usefixtures("app_db")  # each test runs the app on its own database


SECRET = "Suspicious logins on admin accounts"


def _declare_private_as(user: str):
    at = start(user=user, page="declare")
    widget(at.text_input, "What's happening?").input(SECRET)
    widget(at.toggle, "Private").set_value(True)
    submit(at, "Declare incident").click().run()
    assert_no_traceback(at)
    return at


def _everywhere(user: str, search: str, ref: str = "INC-2") -> str:
    """Everything the user can read on Home, Incidents (plain and searched) and the Incident page."""
    seen = []
    at = start(user=user)
    seen.append(texts(at))
    goto(at, "incidents")
    seen.append(texts(at))
    widget(at.text_input, "Search").input(search).run()
    seen.append(texts(at))
    goto(at, "incident", ref=ref)
    seen.append(texts(at))
    assert_no_traceback(at)
    return "\n".join(seen)


def test_a_private_incident_is_seen_by_its_declarer_and_by_nobody_else(kit):
    kit.declare("Office heating broken", declared_by="carmen")  # a public one, so lists are not empty
    at = _declare_private_as("ana")
    assert at.title[0].value == f"INC-2 · {SECRET}"
    assert kit.get("INC-2").private

    ana = _everywhere("ana", "suspicious")
    assert SECRET in ana and "INC-2" in ana

    bao = _everywhere("bao", "suspicious")
    assert SECRET not in bao
    assert "INC-2 ·" not in bao
    assert "We can't find an incident **INC-2** that you can see" in bao
    assert "Office heating broken" in bao  # bao still sees the public one
    assert kit.incident_counts(viewer="bao")["total"] == 1
    assert kit.incident_counts(viewer="ana")["total"] == 2
    assert "Incidents you can see: 1" in texts(start(user="bao"))


def test_adding_someone_lets_them_see_it_and_admins_see_everything(kit):
    _declare_private_as("ana")
    at = start(user="ana", page="incident", ref="INC-1")
    widget(at.text_input, "Add someone").input("bao")
    submit(at, "Add").click().run()
    assert_no_traceback(at)
    assert SECRET in _everywhere("bao", "suspicious", ref="INC-1")
    assert SECRET not in _everywhere("carmen", "suspicious", ref="INC-1")
    kit.set_setting("admins", ["carmen"])
    assert SECRET in _everywhere("carmen", "suspicious", ref="INC-1")
