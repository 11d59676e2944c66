"""The Communicate pages and the subscribe panel, driven through Streamlit's AppTest."""

from __future__ import annotations

import datetime as dt

import pytest
import streamlit as st
from conftest import REPO
from streamlit.testing.v1 import AppTest

import incident_kit as ik
from incident_kit.clock import utcnow
from incident_kit.incident import service as incident_service

from apptest_support import plain, sign_in

VIEWS = str(REPO / "incident_kit" / "ui" / "views") + "/"


@pytest.fixture
def app_kit(db_path, monkeypatch):
    monkeypatch.setenv("INCIDENT_KIT_DB", str(db_path))
    monkeypatch.chdir(REPO)
    st.cache_resource.clear()
    k = ik.open(db_path, user="tester")
    yield k
    k.close()
    st.cache_resource.clear()


def page(name: str, user: str | None = "ana") -> AppTest:
    """The page as the app shows it (through the router, so links to other pages work)."""
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    if user:
        sign_in(at, user)
    at.switch_page(VIEWS + name)
    return at.run()


def test_needs_update_lists_the_overdue_incident_with_how_late_and_who_is_accountable(app_kit):
    two_hours_ago = utcnow() - dt.timedelta(hours=2)
    late = incident_service.declare(app_kit.db, "Checkout failing", declared_by="ana", severity="Major",
                                    declared_at=two_hours_ago)
    app_kit.assign_role(late.reference, "comms", "cora", by="ana")
    app_kit.declare("Fresh one", severity="Major", declared_by="ana")

    at = page("needs_update.py")

    assert not at.exception
    assert at.metric[0].value == "1"
    [row] = [m.value for m in at.markdown if m.value.startswith(f"**{late.reference}**")]
    assert "Checkout failing" in row and "updates by cora" in row
    assert any(m.value.startswith(":red[**Late by 1 h") for m in at.markdown)
    at.button(key=f"late_{late.reference}").click().run()  # the row opens the incident to post an update
    assert not at.exception


def test_needs_update_says_all_is_well_when_nothing_is_late(app_kit):
    app_kit.declare("Fresh one", declared_by="ana")
    at = page("needs_update.py")
    assert not at.exception
    assert "up to date" in at.success[0].value


def test_the_internal_status_page_shows_what_the_viewer_may_see(app_kit):
    public = app_kit.declare("Checkout <script>alert(1)</script>", severity="Major", declared_by="ana")
    app_kit.post_update(public.reference, "Internal: rolling back <b>now</b>", by="ana", impact="EU")
    app_kit.declare("Leaked key", private=True, declared_by="ana")

    as_ana = page("status.py", "ana")
    as_zed = page("status.py", "zed")

    assert not as_ana.exception and not as_zed.exception
    assert [m.value for m in as_ana.metric] == ["2", "0"]
    shown = r"INC-1 · Checkout \<script\>alert\(1\)\</script\>"  # escaped: shown as typed, never as HTML
    assert {h.value for h in as_ana.subheader} == {shown, "INC-2 · Leaked key"}
    assert {h.value for h in as_zed.subheader} == {shown}
    assert [h.value for h in as_ana.header] == ["Ongoing", "Resolved in the last 7 days", "Scheduled maintenance"]
    # The update's first lines, and the whole update behind "Show the whole update": as typed, never HTML.
    assert any(r"rolling back \<b\>now\</b\>" in m.value for m in as_ana.markdown)
    [whole] = [e for e in as_ana.expander if e.label == "Show the whole update"]
    assert any("**Impact:** EU" in m.value and r"\<b\>now\</b\>" in m.value for m in whole.markdown)


def subscribe_on_the_page(channel: str) -> AppTest:
    """Ana fills the Subscriptions page's form with ``channel`` (Major or above) and submits it."""
    at = page("subscriptions.py", "ana")
    at.text_input[0].input(channel)
    at.selectbox[0].select("Major")
    at.button[0].click().run()
    return at


def test_subscribing_from_the_subscriptions_page(app_kit):
    at = subscribe_on_the_page("ana@example.com")

    assert not at.exception
    [sub] = app_kit.subscriptions(person="ana")
    assert (sub.channel, sub.min_severity, sub.incident) == ("ana@example.com", "Major", None)
    assert "Major or above" in at.success[0].value


def test_a_bad_channel_on_the_subscriptions_page_is_a_message_not_a_traceback(app_kit):
    at = subscribe_on_the_page("nonsense")
    assert not at.exception
    assert "That email address was not recognised" in at.error[0].value
    assert "apprise" not in at.error[0].value
    assert app_kit.subscriptions(person="ana") == []


def _panel_script():
    from incident_kit.ui import context as ui
    from incident_kit.ui.panels import incident_panels

    from incident_kit.identity import Person

    kit, bea = ui.kit(), Person("bea")  # as the app passes the person: checked, never a trusted str
    incident = kit.get("INC-1", viewer=bea)
    for panel in incident_panels():
        panel.render(kit, incident, bea)


def test_the_incident_panel_subscribes_and_unsubscribes_me(app_kit):
    app_kit.declare("Disk full", declared_by="ana")
    at = AppTest.from_function(_panel_script, default_timeout=60).run()
    at.text_input(key="panel-sub-INC-1_address_email").input("bea@example.com")
    at.button(key="panel-sub-INC-1").click().run()
    assert not at.exception
    [sub] = app_kit.subscriptions(person="bea", incident="INC-1")
    assert sub.channel == "bea@example.com"

    at.button(key=f"panel-unsub-INC-1-{sub.id}").click().run()
    assert not at.exception
    assert app_kit.subscriptions(person="bea") == []


def test_the_router_reaches_the_communicate_pages(app_kit):
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    sign_in(at, "ana")
    at.run()
    for name, title in (("needs_update.py", "Needs an update"), ("status.py", "Status"),
                        ("subscriptions.py", "Subscriptions")):
        at.switch_page(VIEWS + name).run()
        assert not at.exception
        assert at.title[0].value == title


def test_the_internal_status_page_splits_ongoing_from_recently_resolved(app_kit):
    app_kit.declare("Still burning", severity="Major", declared_by="ana")
    done = app_kit.declare("Put out", severity="Major", declared_by="ana")
    app_kit.resolve(done.reference, by="ana", final_update="Resolved: all fine.")
    at = page("status.py", "ana")
    assert not at.exception
    headers = [h.value for h in at.header]
    subheaders = [h.value for h in at.subheader]
    assert headers == ["Ongoing", "Resolved in the last 7 days", "Scheduled maintenance"]
    assert subheaders == ["INC-1 · Still burning", "INC-2 · Put out"]
    assert [m.value for m in at.metric] == ["1", "0"]
    assert "incident-kit" not in " ".join(c.value for c in at.caption)


def test_subscriptions_name_channels_in_words_and_keep_apprise_under_advanced(app_kit):
    at = page("subscriptions.py", "ana")
    assert at.radio(key="follow_kind").options == ["Email", "Slack", "Microsoft Teams", "A webhook", "Signed webhook",
                                                  "Advanced"]
    assert "Signed webhook" not in at.radio(key="contact_kind").options  # reminders are text
    at.radio(key="follow_kind").set_value("webhook").run()
    at.text_input(key="follow_address_webhook").input("https://hooks.example.com/incidents")
    at.button(key="follow_subscribe").click().run()
    assert not at.exception
    [sub] = app_kit.subscriptions(person="ana")
    assert sub.channel == "jsons://hooks.example.com/incidents"
    assert "by a webhook" in at.success[0].value and "jsons://" not in at.success[0].value


def test_a_failed_delivery_says_why_and_what_to_do(app_kit):
    app_kit.subscribe("json://127.0.0.1:9/nothing-listens", person="ana", by="ana", min_severity="Minor")
    app_kit.declare("Disk full", severity="Critical", declared_by="ana")
    app_kit.post_update("INC-1", "Cleaning up", by="ana")
    for day in range(1, 10):  # retries back off (at most an hour); a day later each pass, until it gives up
        app_kit.deliver_notifications(now=utcnow() + dt.timedelta(days=day))
    if app_kit.outbox_counts()["failed"] == 0:
        pytest.fail("the delivery to a closed port should have failed")
    at = page("subscriptions.py", "ana")
    assert not at.exception
    texts = " ".join(c.value for c in at.caption)
    assert "Why:" in texts and "What to do:" in texts


def test_a_saved_channel_is_named_redacted_and_an_empty_box_keeps_it(app_kit):
    slack = "https://hooks.slack.com/services/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"
    app_kit.set_contact("ana", slack)
    at = page("subscriptions.py", "ana")
    assert at.radio(key="follow_kind").value == "slack" and at.radio(key="contact_kind").value == "slack"
    saved = "Saved: Slack (slack://T...2/B...D/T...Q). Leave the box empty to keep it."
    assert saved in [plain(c.value) for c in at.caption]
    assert [w.value for w in at.text_input] == ["", ""]

    at.button(key="contact_save").click().run()
    assert "Nothing to save" in at.info[0].value
    at.button(key="follow_subscribe").click().run()

    assert not at.exception
    [sub] = app_kit.subscriptions(person="ana")
    assert sub.channel == slack  # the saved channel, kept on the server
    assert "by Slack" in at.success[0].value


@pytest.mark.parametrize("channel, kind", [
    ("ana@example.com", "email"),
    ("https://hooks.slack.com/services/T1/B1/x", "slack"), ("slack://T...2/B...D/T...Q", "slack"),
    ("https://prod-00.westus.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?sig=x", "teams"),
    ("workflow://prod-00.westus.logic.azure.com:443/6...f/Z...E", "teams"),
    ("jsons://hooks.example.com/incidents", "webhook"), ("json://127.0.0.1:9/h...k", "webhook"),
    ("discord://1...7/A...l", "advanced"),
])
def test_a_channel_is_named_by_its_kind_whole_or_redacted(channel, kind):
    from incident_kit.ui.panels.subscribe import kind_of

    assert kind_of(channel) == kind
