"""The Status page's maintenance section, driven through Streamlit's AppTest as a signed-in person."""

from __future__ import annotations

import datetime as dt

import pytest
import streamlit as st
from conftest import REPO
from streamlit.testing.v1 import AppTest

import incident_kit as ik

from apptest_support import sign_in

STATUS = str(REPO / "incident_kit" / "ui" / "views" / "status.py")


@pytest.fixture
def app_kit(db_path, monkeypatch):
    monkeypatch.setenv("INCIDENT_KIT_DB", str(db_path))
    monkeypatch.chdir(REPO)
    st.cache_resource.clear()
    k = ik.open(db_path, user="tester")
    yield k
    k.close()
    st.cache_resource.clear()


def status_page(user="ana") -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    sign_in(at, user)
    at.switch_page(STATUS)
    return at.run()


def test_a_person_schedules_sees_and_ends_maintenance_on_the_status_page(app_kit):
    app_kit.add_component("Checkout")
    now = dt.datetime.now(dt.UTC)
    app_kit.schedule_maintenance("Disk <b>swap</b>", start=now - dt.timedelta(minutes=5),
                                 end=now + dt.timedelta(hours=1), components=["Checkout"], by="bea")
    at = status_page()
    assert not at.exception
    assert "Scheduled maintenance" in [h.value for h in at.header]
    shown = [m.value for m in at.markdown]
    assert any(r"Disk \<b\>swap\</b\>" in v and "In progress" in v for v in shown)  # escaped, plain words
    assert not any("in_progress" in v or "under_maintenance" in v for v in shown)
    at.text_input[0].input("Network work")
    at.multiselect[0].select("Checkout")
    at.date_input[0].set_value(dt.date(2030, 1, 1))
    at.date_input[1].set_value(dt.date(2030, 1, 1))
    at.time_input[0].set_value(dt.time(2, 0))
    at.time_input[1].set_value(dt.time(3, 0))
    at.button(key="FormSubmitter:maintenance_schedule-Schedule").click().run()
    assert not at.exception and not at.error
    made = app_kit.maintenances()[0]
    assert made.title == "Network work" and made.components == ("Checkout",) and made.created_by == "ana"
    assert made.end - made.start == dt.timedelta(hours=1)
    ongoing = [m for m in app_kit.maintenances() if m.title.startswith("Disk")][0]
    at.button(key=f"maintenance_complete_{ongoing.id}").click().run()
    assert not at.exception and not at.error
    assert [m.ended_as for m in app_kit.maintenances() if m.id == ongoing.id] == ["completed"]
