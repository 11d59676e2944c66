"""Incident page: header, timeline and every control, through AppTest against a real DuckDB file."""

from __future__ import annotations

import re
import sys
import types

import pytest
import streamlit as st

from incident_kit import demo
from incident_kit.ui import panels

from apptest_support import assert_no_traceback, button, plain, start, submit, texts, widget


def _update_cards(at) -> list[str]:
    """The updates drawn on the page (the preview first, then the timeline's), as Markdown."""
    return [m.value for m in at.markdown if m.value.startswith("**Current status:**")]


pytestmark = pytest.mark.usefixtures("app_db")  # each test runs the app on its own database


def test_incident_page_on_demo_data_shows_header_and_timeline(kit):
    demo.load(kit.db, incidents=400)
    row = kit.incidents(active=True).iloc[0]
    at = start(page="incident", ref=row["reference"])
    assert_no_traceback(at)
    page = texts(at)
    assert at.title[0].value == f"{row['reference']} · {row['title']}"
    for label in ("Status", "Severity", "Incident lead", "Comms lead", "Next update", "Timeline"):
        assert label in page
    assert f"**{row['accountable']}** is accountable for updates" in page
    timeline = kit.timeline(row["reference"])
    assert timeline["actor"].iat[0] in page
    assert "Declared" in page


def test_incident_page_on_an_empty_database_asks_for_a_reference():
    at = start(page="incident")
    assert_no_traceback(at)
    assert at.title[0].value == "Incident"
    widget(at.text_input, "Reference").input("inc-3")
    submit(at, "Open").click().run()
    assert_no_traceback(at)
    assert at.query_params["ref"] == "INC-3"
    assert "We can't find an incident **INC-3** that you can see" in plain(at.warning[0].value)


def test_without_a_reference_the_page_offers_active_incidents(kit):
    kit.declare("Queue backlog", declared_by="ana")
    at = start(page="incident")
    assert_no_traceback(at)
    assert at.title[0].value == "Incident"
    button(at, "INC-1 · Queue backlog").click().run()
    assert_no_traceback(at)
    assert at.title[0].value == "INC-1 · Queue backlog"


def test_an_unknown_reference_gets_a_friendly_message():
    at = start(page="incident", ref="INC-999")
    assert_no_traceback(at)
    assert "We can't find an incident **INC-999** that you can see" in plain(at.warning[0].value)
    assert not at.tabs


def test_post_update_shows_preview_then_posts(kit):
    kit.declare("Checkout is failing", declared_by="ana", severity="Major")
    at = start(page="incident", ref="INC-1")
    assert_no_traceback(at)
    # Prefilled from the draft: current status and the Major cadence (60 min) as the next update.
    assert widget(at.selectbox, "Current status").value == "investigating"
    assert widget(at.selectbox, "Next update by").value == 60
    widget(at.selectbox, "Current status").set_value("fixing")
    widget(at.text_area, "Impact").input("Some customers cannot pay by card.")
    widget(at.text_area, "What we're doing").input("Rolling back this morning's deploy.")
    widget(at.text_area, "What changed").input("We found the bad deploy.")
    widget(at.radio, "Audience").set_value("external")
    submit(at, "Preview update").click().run()
    assert_no_traceback(at)

    preview = _update_cards(at)[0]
    assert "**Current status:** Fixing" in preview
    assert "**Impact:** Some customers cannot pay by card." in preview
    assert "**What we're doing:** Rolling back this morning's deploy." in preview
    # The page's one date format ('Sun 6 Dec 2026, 09:24 UTC'), not the email's '2026-12-06 09:24 UTC'.
    assert re.search(r"\*\*Next update by:\*\* \w{3} \d{1,2} \w{3} \d{4}, \d\d:\d\d UTC", preview), preview
    assert "**Preview** of what customers will read on the public status page:" in texts(at)
    assert not at.code  # no monospace block: an update reads like the rest of the page
    assert kit.updates("INC-1") == []  # nothing is posted by previewing

    button(at, "Post update").click().run()
    assert_no_traceback(at)
    [update] = kit.updates("INC-1")
    assert (update.audience.value, update.status.value, update.message) == ("external", "fixing",
                                                                           "We found the bad deploy.")
    assert update.impact == "Some customers cannot pay by card."
    assert update.next_update_at is not None
    assert kit.get("INC-1").status.value == "fixing"
    assert "Update posted (external)." in texts(at)
    assert not [b for b in at.button if b.label == "Post update"]  # the preview is gone
    assert [c for c in _update_cards(at) if "We found the bad deploy." in c]  # the timeline card, same format
    assert widget(at.text_area, "Impact").value == "Some customers cannot pay by card."


def test_an_empty_update_is_refused_with_a_message_and_nothing_posted(kit):
    kit.declare("Webhooks delayed", declared_by="ana")
    at = start(page="incident", ref="INC-1")
    submit(at, "Preview update").click().run()
    button(at, "Post update").click().run()
    assert_no_traceback(at)
    assert "The update is empty" in at.error[0].value
    assert kit.updates("INC-1") == []


def test_keep_editing_discards_the_preview(kit):
    kit.declare("Webhooks delayed", declared_by="ana")
    at = start(page="incident", ref="INC-1")
    widget(at.text_area, "What changed").input("Draft")
    submit(at, "Preview update").click().run()
    button(at, "Keep editing").click().run()
    assert not _update_cards(at)
    assert widget(at.text_area, "What changed").value == "Draft"  # typed text survives
    assert kit.updates("INC-1") == []


def test_resolving_asks_for_the_final_update_and_promises_nothing_more(kit):
    kit.declare("Search results stale", declared_by="ana")
    at = start(page="incident", ref="INC-1")
    final = widget(at.text_area, "Final update for colleagues")
    assert final.value.startswith("Resolved: Search results stale")
    assert not [t for t in at.text_area if t.label.startswith("Final update for customers")]  # none were told
    final.input("Resolved: reindexed; results are fresh again.")
    submit(at, "Resolve incident").click().run()
    assert_no_traceback(at)
    incident = kit.get("INC-1")
    assert incident.status.value == "resolved" and incident.resolved_at is not None
    [update] = kit.updates("INC-1")
    assert (update.message, update.status.value, update.next_update_at) == (
        "Resolved: reindexed; results are fresh again.", "resolved", None)
    assert "INC-1 resolved; the final update was posted." in texts(at)
    assert "Reopen incident" in [b.label for b in at.button]  # resolved incidents offer reopen instead
    assert "Move to closed" not in [b.label for b in at.button]  # the review panel offers the next step


def test_resolving_after_telling_customers_also_tells_them_it_is_over(kit):
    kit.declare("Checkout failing", declared_by="ana")
    kit.post_update("INC-1", "We are looking into failed payments", by="ana", audience="external")
    at = start(page="incident", ref="INC-1")
    assert widget(at.text_area, "Final update for customers (status page)").value.startswith("Resolved:")
    submit(at, "Resolve incident").click().run()
    assert_no_traceback(at)
    assert [(u.audience.value, u.status.value) for u in kit.updates("INC-1")][-2:] == [
        ("internal", "resolved"), ("external", "resolved")]


def test_after_resolving_the_update_form_is_a_closing_note_not_a_live_update(kit):
    kit.declare("Checkout failing", declared_by="ana", severity="Minor")  # an update every 4 h
    kit.post_update("INC-1", "Card payments fail.", by="ana", impact="Some customers cannot pay.",
                    doing="Our team is investigating the payment provider.")
    at = start(page="incident", ref="INC-1")
    assert widget(at.text_area, "What we're doing").value.startswith("Our team is investigating")  # live: prefilled
    submit(at, "Resolve incident").click().run()
    assert_no_traceback(at)
    assert "no update is due" in texts(at)
    # The form the page opened with (live prefill, "next update in 4 h") is gone with the live response.
    assert not [s for s in at.selectbox if s.label in ("Current status", "Next update by")]
    assert not [t for t in at.text_area if t.label in ("Impact", "What we're doing")]
    assert "Our team is investigating" not in "".join(t.value or "" for t in at.text_area)
    widget(at.text_area, "Closing note").input("Every duplicate charge has been refunded.")
    submit(at, "Preview note").click().run()
    assert_no_traceback(at)
    assert plain(_update_cards(at)[0]).split("\n\n") == [
        "**Current status:** Resolved", "Every duplicate charge has been refunded.", "There will be no further updates."]
    button(at, "Post update").click().run()
    assert_no_traceback(at)
    note = kit.updates("INC-1")[-1]
    assert (note.message, note.status.value, note.impact, note.doing, note.next_update_at) == (
        "Every duplicate charge has been refunded.", "resolved", "", "", None)
    assert kit.summary("INC-1")["next_update_due"] is None


def test_raising_severity_brings_the_next_update_forward_on_the_page(kit):
    kit.declare("Slow search", declared_by="ana", severity="Minor")
    at = start(page="incident", ref="INC-1")
    widget(at.radio, "Severity").set_value("Critical")
    submit(at, "Change severity").click().run()
    assert_no_traceback(at)
    assert "in 29 min" in texts(at) or "in 30 min" in texts(at)


def test_reopening_a_resolved_incident(kit):
    kit.declare("Search results stale", declared_by="ana")
    kit.resolve("INC-1", by="ana")
    at = start(page="incident", ref="INC-1")
    submit(at, "Reopen incident").click().run()
    assert_no_traceback(at)
    assert kit.get("INC-1").status.value == "investigating"


def test_changing_severity_and_taking_the_comms_role(kit):
    kit.declare("Login errors", declared_by="bao")
    at = start(page="incident", ref="INC-1")
    widget(at.radio, "Severity").set_value("Critical")
    widget(at.text_input, "Reason (optional)").input("All regions affected")
    submit(at, "Change severity").click().run()
    assert_no_traceback(at)
    assert kit.get("INC-1").severity == "Critical"
    button(at, "I'll do comms").click().run()
    assert_no_traceback(at)
    assert kit.get("INC-1").accountable_for_updates == "ana"
    assert "**ana** is accountable for updates" in texts(at)


def test_an_invalid_status_change_is_a_message_not_a_traceback(kit):
    kit.declare("Login errors", declared_by="ana", severity="Moderate")
    at = start(page="incident", ref="INC-1")
    widget(at.radio, "Severity").set_value("Moderate")  # unchanged
    submit(at, "Change severity").click().run()
    assert_no_traceback(at)
    assert "INC-1 is already Moderate." in plain(at.error[0].value)


def test_editing_summary_and_tags(kit):
    kit.declare("Disk filling up", declared_by="ana")
    at = start(page="incident", ref="INC-1")
    widget(at.text_area, "Summary").input("Logs not rotated on two nodes.")
    widget(at.text_input, "Tags (comma-separated)").input("capacity, Config")
    submit(at, "Save changes").click().run()
    assert_no_traceback(at)
    incident = kit.get("INC-1")
    assert incident.summary == "Logs not rotated on two nodes."
    assert incident.tags == ("capacity", "config")
    kinds = kit.timeline("INC-1")["kind"].tolist()
    assert kinds.count("field_edited") == 2  # summary and tags only: unchanged fields record nothing


def test_an_overdue_update_is_highlighted_with_who_is_accountable(kit):
    import datetime as dt

    past = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=6)
    kit.declare("Payments provider timeouts", declared_by="ana", lead="bao", started_at=past)
    from incident_kit.incident import service

    # An update posted hours ago promised the next one 30 minutes later: that promise is now broken.
    service.post_update(kit.db, "INC-1", "Investigating", by="bao", posted_at=past + dt.timedelta(minutes=1),
                        next_update_at=past + dt.timedelta(minutes=30))
    at = start(page="incident", ref="INC-1")
    assert_no_traceback(at)
    [alert] = [e.value for e in at.error]
    assert "overdue by" in alert and "**bao** is accountable for updates" in alert


def test_panels_from_other_domains_are_rendered(kit, monkeypatch):
    probe = types.ModuleType("incident_kit.ui.panels._probe")
    probe.render = lambda kit_, incident, user: st.write(f"probe panel for {incident.reference} seen by {user}")
    broken = types.ModuleType("incident_kit.ui.panels._broken_probe")

    def explode(kit_, incident, user):
        raise RuntimeError("bug in a panel")

    broken.render = explode
    monkeypatch.setitem(sys.modules, probe.__name__, probe)
    monkeypatch.setitem(sys.modules, broken.__name__, broken)
    monkeypatch.setattr(panels, "PANELS", ["_probe", "_broken_probe"])
    kit.declare("Chat widget down", declared_by="ana")
    at = start(page="incident", ref="INC-1")
    assert_no_traceback(at)
    assert "probe panel for INC-1 seen by ana" in texts(at)
    assert "could not be shown (RuntimeError)" in at.error[0].value


def test_a_status_change_by_someone_else_does_not_break_the_open_update_form(kit):
    kit.declare("Queue backlog", declared_by="ana")
    at = start(page="incident", ref="INC-1")
    assert widget(at.selectbox, "Current status").value == "investigating"
    kit.resolve("INC-1", by="bao")  # a colleague resolves it meanwhile
    at.run()
    assert_no_traceback(at)
    assert widget(at.text_area, "Closing note").value == ""  # the form follows: a closing note now
    assert not [s for s in at.selectbox if s.label in ("Current status", "Next update by")]
    # (That typed text survives the live refresh is checked in the browser test: AppTest drops
    # unsubmitted form values on every run, a real browser keeps them.)
