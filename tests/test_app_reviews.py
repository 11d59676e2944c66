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


def _texts(at: AppTest) -> str:
    parts = [str(e.value) for kind in ("title", "subheader", "markdown", "caption", "info", "warning", "success",
                                       "error") for e in getattr(at, kind)]
    return "\n".join(parts)


def _frames(at: AppTest) -> list:
    return [f.value for f in [*at.dataframe, *at.table]]


def test_reviews_home_lists_to_do_in_review_and_published_with_yours_first(kit, ref):
    other = resolved_incident(kit, title="Search is slow").reference
    kit.start_review(other, depth="note", by="bao")
    kit.set_review_status(other, "in_review", by="bao")
    mine = resolved_incident(kit, title="Login loops").reference
    kit.start_review(mine, depth="note", by="ana")
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.session_state["display_name"] = "ana"
    at.switch_page(REVIEWS)
    _ok(at.run())
    assert [t.label for t in at.tabs] == ["To do", "In review", "Published or waived"]
    assert "To do: 2 · In review: 1 · Published or waived: 0" in [c.value for c in at.caption]
    todo = [b.key for b in at.tabs[0].button]
    assert todo == [f"open_review_todo_{mine}", f"open_review_todo_{ref}"]  # ana's own review first
    assert "Yours" in at.tabs[0].markdown[0].value
    at.session_state["reviews_tab"] = "In review"
    _ok(at.run())
    _ok(at.button(key=f"open_review_review_{other}").click().run())
    assert at.query_params["ref"] == [other] or at.query_params["ref"] == other
    assert at.title[0].value.startswith(f"Review of {other}")


def test_a_shared_address_opens_that_review_and_hostile_refs_stay_text(kit, ref):
    at = _ok(_page(ref))
    assert at.title[0].value.startswith(f"Review of {ref}")
    at = _ok(_page("![x](http://evil.example/x.png) [SIGN IN](http://evil.example)"))
    warning = at.warning[0].value
    assert "](http" not in warning and "\\[" in warning  # shown as text, not as an image or a link


def test_no_review_needs_a_reason_then_waives(kit, ref):
    at = _ok(_page(ref))
    _start(at, ref, Depth.NONE)
    at.button(key=f"review_{ref}_start").click().run()
    assert "why no review is needed" in at.error[0].value and kit.review(ref) is None
    at.text_input(key=f"review_{ref}_reason").set_value("Routine; nothing new to learn").run()
    _ok(at.button(key=f"review_{ref}_start").click().run())
    review = kit.review(ref)
    assert (review.depth, review.status.value) == (Depth.NONE, "waived")
    assert "Routine; nothing new to learn" in "".join(c.value for c in at.caption).replace("\\", "")
    assert kit.get(ref).status.value == "post_incident"


def test_short_note_form_asks_one_question_beside_the_record_and_saves_by_itself(kit, ref):
    at = _ok(_page(ref))
    _start(at, ref, Depth.NOTE)
    _ok(at.button(key=f"review_{ref}_start").click().run())
    assert [t.key for t in at.text_area] == [f"review_{ref}_what_happened"]
    assert at.text_area[0].value == ""  # the answer is the author's; the record sits beside it
    assert "1. What happened, and why?" in _texts(at)
    frames = _frames(at)
    assert any("Declared" in f["Moment"].tolist() for f in frames if "Moment" in f)
    assert any("Rolled back the deploy" in " ".join(f["What"]) for f in frames if "What" in f)
    assert "Checkout returning 500s" in _texts(at)
    assert not at.warning  # no hint before anyone wrote a word
    # typing and leaving the box saves, with no button pressed
    at.text_area[0].set_value("The deploy lacked a canary. We should have had one.").run()
    _ok(at)
    assert kit.review(ref).sections["what_happened"] == "The deploy lacked a canary. We should have had one."
    assert "All answers saved at" in at.success[0].value
    assert "should have" in at.warning[0].value
    _ok(at.button(key=f"review_{ref}_what_happened_dismiss_0").click().run())
    assert not at.warning and kit.review_hints(ref) == []
    _ok(at.button(key=f"review_{ref}_to_in_review").click().run())
    _ok(at.button(key=f"review_{ref}_to_published").click().run())
    assert kit.review(ref).status.value == "published"
    assert not at.text_area  # published: read, not edited
    assert {d.label for d in at.get("download_button")} >= {"Markdown", "HTML (prints well)"}
    exported = kit.export_review(ref)
    assert "We should have had one." in exported and "Rolled back the deploy" in exported


def test_hints_stay_silent_on_the_record_even_when_it_names_someone_beside_a_mistake(kit, ref):
    kit.post_update(ref, "Checking", by="bao", impact="ana's change failed and broke card payments")
    at = _ok(_page(ref))
    _start(at, ref, Depth.STANDARD)
    _ok(at.button(key=f"review_{ref}_start").click().run())
    assert "ana's change failed" in _texts(at).replace("\\", "")  # shown beside the questions
    assert not at.warning and kit.review_hints(ref) == []


def test_standard_form_quotes_picked_timeline_moments_and_keeps_text_across_pages(kit, ref):
    at = _ok(_page(ref))
    _start(at, ref, Depth.STANDARD)
    _ok(at.button(key=f"review_{ref}_start").click().run())
    assert len(at.text_area) == 9  # the eight standard sections and Notes
    texts = _texts(at)
    assert "Key times" in texts and "Who held which role" in texts and "Severity history" in texts
    pick = at.multiselect(key=f"review_{ref}_timeline_pick")
    pick.set_value([0, 1]).run()
    _ok(at.button(key=f"review_{ref}_timeline_quote").click().run())
    saved = kit.review(ref).sections["timeline"]
    assert saved.count("\n> ") + saved.startswith("> ") == 2 and " · ana · " in saved
    assert at.text_area(key=f"review_{ref}_timeline").value.strip() == saved
    at.text_area(key=f"review_{ref}_was_hard").set_value("Dashboards were hard to find.")
    _ok(at.button(key=f"review_{ref}_save").click().run())
    assert "All answers saved at" in at.success[0].value
    at.switch_page(FOLLOW_UPS)
    _ok(at.run())
    at.switch_page(REVIEWS)
    at.query_params["ref"] = ref
    _ok(at.run())
    assert at.text_area(key=f"review_{ref}_was_hard").value == "Dashboards were hard to find."
    at.text_input(key=f"review_fu_{ref}_title").set_value("Add a canary stage for checkout")
    at.text_input(key=f"review_fu_{ref}_owner").set_value("dev")
    _ok(at.button(key=f"review_fu_{ref}_add").click().run())
    frame = kit.follow_ups(incident=ref)
    assert frame[["title", "owner"]].to_dict("records") == [{"title": "Add a canary stage for checkout",
                                                             "owner": "dev"}]
    table = next(f for f in _frames(at) if "Follow-up" in f)
    assert list(table.columns) == ["Follow-up", "What", "Owner", "Priority", "Status", "Due", "Overdue", "Tracker link"]
    assert table["Status"].tolist() == ["Open"]


def test_workshop_form_with_a_date_then_a_lighter_depth(kit, ref):
    at = _ok(_page(ref))
    _start(at, ref, Depth.WORKSHOP)
    at.date_input(key=f"review_{ref}_date").set_value(dt.date(2030, 3, 2)).run()
    _ok(at.button(key=f"review_{ref}_start").click().run())
    review = kit.review(ref)
    assert review.depth == Depth.WORKSHOP and review.scheduled_for.date() == dt.date(2030, 3, 2)
    assert len(at.text_area) == 12  # workshop sections and Notes
    assert at.text_area(key=f"review_{ref}_agenda").value.startswith("1. Welcome")
    assert "People on the incident" in _texts(at)
    at.selectbox(key=f"review_{ref}_new_depth").set_value(Depth.NOTE).run()
    _ok(at.button(key=f"review_{ref}_change").click().run())
    assert kit.review(ref).depth == Depth.NOTE and len(at.text_area) == 1


def _panel_app(ref):
    def script():
        import streamlit as st

        from incident_kit.ui.context import kit
        from incident_kit.ui.panels import review as panel

        from incident_kit.identity import Person

        k, ana = kit(), Person("ana")  # as the app passes the person: checked, never a trusted str
        panel.render(k, k.get(st.session_state["ref"], viewer=ana), ana)

    at = AppTest.from_function(script, default_timeout=60)
    at.session_state["ref"] = ref
    return at


def test_the_incident_panel_offers_the_next_step_in_plain_words(kit, ref):
    at = _ok(_panel_app(ref).run())
    assert [b.label for b in at.button][:3] == ["Start a short note", "Start a standard review",
                                                "Skip the review and close"]
    text = _texts(at)
    assert "incident-kit" not in text and "--" not in text
    _ok(at.button(key=f"panel_{ref}_note").click().run())
    assert kit.review(ref).depth == Depth.NOTE
    assert not [b for b in at.button if b.key == f"panel_{ref}_close"]  # not until the note is published
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
    at.session_state["fu_tab"] = "All open and overdue"
    _ok(at.run())
    assert at.caption[0].value == "2 open; 1 past their due date."
    at.toggle(key="fu_only_overdue").set_value(True).run()
    assert at.caption[0].value == "1 overdue; 1 past their due date."
    at.session_state["fu_tab"] = "My follow-ups"
    _ok(at.run())
    at.selectbox(key="mine_pick").set_value(mine.reference)
    _ok(at.button(key="mine_apply").click().run())
    assert kit.follow_up(mine.reference).status.value == "done"
    assert at.caption[0].value == "0 open, 0 overdue, owned by ana."




def test_the_panel_on_the_incident_page_skips_the_review_with_a_reason_and_closes(kit, ref):
    at = _ok(_page(ref, "incident_kit/ui/views/incident.py"))
    assert any(s.value == "Review and follow-ups" for s in at.subheader)
    at.button(key=f"panel_{ref}_waive").click().run()
    assert "why no review is needed" in " ".join(e.value for e in at.error) and kit.review(ref) is None
    at.text_input(key=f"panel_{ref}_waive_reason").set_value("Routine; nothing new")
    _ok(at.button(key=f"panel_{ref}_waive").click().run())
    assert kit.review(ref).status.value == "waived" and kit.get(ref).status.value == "closed"
    assert f"{ref} is closed; 0 follow-ups still open." in [i.value for i in at.info]


def test_text_kept_in_a_box_is_saved_on_return_but_never_over_someone_elses_newer_answer(kit, ref):
    kit.start_review(ref, depth="note", by="ana")
    key = f"review_{ref}_what_happened"
    at = _ok(_page(ref))
    # what the browser kept in the box when its change never reached the server as its own run
    at.session_state[key] = "Typed before leaving the page."
    _ok(at.run())
    assert kit.review(ref).sections["what_happened"] == "Typed before leaving the page."
    assert "All answers saved at" in at.success[0].value
    # meanwhile a colleague saves a newer answer; this box still holds older typing
    kit.edit_review_section(ref, "what_happened", "Bao's newer answer.", by="bao")
    at.session_state[key] = "Ana's unsaved change."
    _ok(at.run())
    assert kit.review(ref).sections["what_happened"] == "Bao's newer answer."  # not overwritten silently
    assert "Someone else changed the answer" in at.warning[0].value
    assert at.text_area(key=key).value == "Ana's unsaved change."  # and Ana's text is not lost
