"""AppTest flows: each review depth on the Reviews page, the Incident-page panel, the Follow-ups page."""

import datetime as dt
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from incident_kit.review.models import Depth
from review_support import resolved_incident
from apptest_support import sign_in

REPO = Path(__file__).resolve().parent.parent
REVIEWS = "incident_kit/ui/views/reviews.py"
FOLLOW_UPS = "incident_kit/ui/views/follow_ups.py"


@pytest.fixture
def ref(kit, db_path, monkeypatch):
    monkeypatch.setenv("INCIDENT_KIT_DB", str(db_path))
    st.cache_resource.clear()  # each test sees its own database
    yield resolved_incident(kit).reference
    st.cache_resource.clear()


def _page(ref: str, page: str = REVIEWS) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    sign_in(at, "ana")
    at.query_params["ref"] = ref
    at.switch_page(page)
    return at.run()


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def _start(at: AppTest, ref: str, depth: Depth) -> AppTest:
    at.radio(key=f"review_{ref}_depth").set_value(depth).run()
    return at


def test_no_review_flow_needs_a_reason_then_waives(kit, ref):
    at = _ok(_page(ref))
    _start(at, ref, Depth.NONE)
    at.button(key=f"review_{ref}_start").click().run()
    assert "why no review is needed" in at.error[0].value and kit.review(ref) is None
    at.text_input(key=f"review_{ref}_reason").set_value("Routine; nothing new to learn").run()
    _ok(at.button(key=f"review_{ref}_start").click().run())
    review = kit.review(ref)
    assert (review.depth, review.status.value) == (Depth.NONE, "waived")
    assert any("Routine; nothing new to learn" in c.value for c in at.caption)
    assert kit.get(ref).status.value == "post_incident"


def test_note_flow_write_see_hint_dismiss_and_publish(kit, ref):
    at = _ok(_page(ref))
    _start(at, ref, Depth.NOTE)
    _ok(at.button(key=f"review_{ref}_start").click().run())
    assert [t.key for t in at.text_area] == [f"review_{ref}_what_happened"]
    assert at.text_area[0].value.startswith(ref)  # prefilled from the record
    at.text_area[0].set_value("The deploy lacked a canary. We should have had one.").run()
    _ok(at.button(key=f"review_{ref}_what_happened_save").click().run())
    assert "should have" in at.warning[0].value
    _ok(at.button(key=f"review_{ref}_what_happened_dismiss_0").click().run())
    assert not at.warning and kit.review_hints(ref) == []
    _ok(at.button(key=f"review_{ref}_to_in_review").click().run())
    _ok(at.button(key=f"review_{ref}_to_published").click().run())
    assert kit.review(ref).status.value == "published"
    assert {d.label for d in at.get("download_button")} >= {"Markdown", "HTML (prints well)"}


def test_standard_flow_with_a_follow_up_from_the_review(kit, ref):
    at = _ok(_page(ref))
    _start(at, ref, Depth.STANDARD)
    _ok(at.button(key=f"review_{ref}_start").click().run())
    assert len(at.text_area) == 9  # the eight standard sections and Notes
    at.text_input(key=f"review_fu_{ref}_title").set_value("Add a canary stage for checkout")
    at.text_input(key=f"review_fu_{ref}_owner").set_value("dev")
    _ok(at.button(key=f"review_fu_{ref}_add").click().run())
    frame = kit.follow_ups(incident=ref)
    assert frame[["title", "owner"]].to_dict("records") == [{"title": "Add a canary stage for checkout",
                                                             "owner": "dev"}]
    assert "from the review" in kit.events(ref)[-1].detail


def test_workshop_flow_with_a_date_then_change_depth(kit, ref):
    at = _ok(_page(ref))
    _start(at, ref, Depth.WORKSHOP)
    at.date_input(key=f"review_{ref}_date").set_value(dt.date(2030, 3, 2)).run()
    _ok(at.button(key=f"review_{ref}_start").click().run())
    review = kit.review(ref)
    assert review.depth == Depth.WORKSHOP and review.scheduled_for.date() == dt.date(2030, 3, 2)
    assert len(at.text_area) == 12  # workshop sections and Notes
    at.selectbox(key=f"review_{ref}_new_depth").set_value(Depth.NOTE).run()
    _ok(at.button(key=f"review_{ref}_change").click().run())
    assert kit.review(ref).depth == Depth.NOTE and len(at.text_area) == 1


def test_the_incident_panel_starts_a_review_and_closes_with_the_open_count(kit, ref):
    def script():
        import streamlit as st

        from incident_kit.ui.context import kit
        from incident_kit.ui.panels import review as panel

        k = kit()
        panel.render(k, k.get(st.session_state["ref"]), "ana")

    at = AppTest.from_function(script, default_timeout=60)
    at.session_state["ref"] = ref
    _ok(at.run())
    assert any("Suggested from severity (Critical): **Full workshop**" in c.value for c in at.caption)
    at.radio(key=f"panel_{ref}_depth").set_value(Depth.NOTE).run()
    _ok(at.button(key=f"panel_{ref}_start").click().run())
    assert kit.review(ref).depth == Depth.NOTE
    assert at.button(key=f"panel_{ref}_close").disabled
    at.text_input(key=f"panel_fu_{ref}_title").set_value("Write a runbook")
    _ok(at.button(key=f"panel_fu_{ref}_add").click().run())
    kit.set_review_status(ref, "in_review", by="ana")
    kit.publish_review(ref, by="ana")
    at.run()
    _ok(at.button(key=f"panel_{ref}_close").click().run())
    assert kit.get(ref).status.value == "closed"
    assert at.info[0].value == f"{ref} is closed; 1 follow-up still open."


def test_follow_ups_page_mine_and_all_open_then_mark_done(kit, ref):
    mine = kit.add_follow_up(ref, "Rotate the key", owner="ana", due="2020-01-01", by="ana")
    kit.add_follow_up(ref, "Load-test checkout", owner="dev", by="ana")
    at = _ok(_page(ref, FOLLOW_UPS))
    assert at.caption[0].value == "1 open, 1 overdue, owned by ana."
    assert at.caption[1].value == "2 open; 1 past their due date."
    at.toggle(key="fu_only_overdue").set_value(True).run()
    assert at.caption[1].value == "1 overdue; 1 past their due date."
    at.selectbox(key="mine_pick").set_value(mine.reference)
    _ok(at.button(key="mine_apply").click().run())
    assert kit.follow_up(mine.reference).status.value == "done"
    assert at.caption[0].value == "0 open, 0 overdue, owned by ana."




def test_the_panel_on_the_incident_page_waives_and_closes(kit, ref):
    at = _ok(_page(ref, "incident_kit/ui/views/incident.py"))
    assert any(s.value == "Review and follow-ups" for s in at.subheader)
    at.radio(key=f"panel_{ref}_depth").set_value(Depth.NONE).run()
    at.text_input(key=f"panel_{ref}_reason").set_value("Routine; nothing new")
    _ok(at.button(key=f"panel_{ref}_start").click().run())
    assert kit.review(ref).status.value == "waived" and kit.get(ref).status.value == "post_incident"
    _ok(at.button(key=f"panel_{ref}_close").click().run())
    assert kit.get(ref).status.value == "closed"
    assert f"{ref} is closed; 0 follow-ups still open." in [i.value for i in at.info]
