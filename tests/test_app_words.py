"""The app in people's words, through AppTest on a real DuckDB file: suggestions only when relevant, updates
collapsed on the Status page, forms that clear after an add, catalog names instead of stored names."""

from __future__ import annotations

import pytest

from incident_kit import demo
from review_support import resolved_incident

from apptest_support import assert_no_traceback, start, texts, widget

pytestmark = pytest.mark.usefixtures("app_db")  # each test runs the app on its own database

PANEL = "Has this happened before?"


def _declare_page_for(at, title: str):
    widget(at.text_input, "What's happening?").input(title).run()
    assert_no_traceback(at)
    return texts(at)


def test_the_declare_panel_stays_silent_for_an_unrelated_title_and_speaks_for_a_related_one(kit):
    demo.load(kit.db, incidents=200, seed=11)
    at = start(page="declare")
    # Shares "log" with "Personal data in application logs" and "in" with many titles: not the same problem.
    assert PANEL not in _declare_page_for(at, "Customers can't log in with Google")
    assert PANEL not in _declare_page_for(at, "The office coffee machine is broken again")
    # A title the demo holds (templated, so many incidents share it): the panel lists earlier ones.
    title = kit.incidents()["title"].iloc[0]
    assert PANEL in _declare_page_for(at, title)


def test_the_status_page_shows_each_latest_update_collapsed_to_its_first_lines(kit):
    kit.declare("Checkout failing", declared_by="ana", severity="Major")
    long_text = "Card payments fail for some customers. " * 12
    kit.post_update("INC-1", long_text, by="ana", impact="Some customers cannot pay.",
                    doing="Rolling back this morning's deploy.")
    at = start(page="status")
    assert_no_traceback(at)
    [whole] = [e for e in at.expander if e.label == "Show the whole update"]
    shown = "\n".join(m.value for m in whole.markdown)
    glance = [m.value for m in at.markdown if m.value.startswith("**Current status:**") and m.value not in shown]
    assert len(glance) == 1 and "Card payments fail" in glance[0] and glance[0].endswith("…")
    assert "Rolling back" not in glance[0]  # the rest waits behind "Show the whole update"
    assert "**What we're doing:** Rolling back this morning's deploy." in shown
    assert "**Next update by:** " in shown and "-12-" not in shown  # the page's date format, not '2026-12-06'
    assert not at.text  # no monospace copy of the whole update


def test_the_follow_up_form_is_empty_again_after_an_add(kit):
    ref = resolved_incident(kit).reference
    kit.start_review(ref, depth="note", by="ana")
    at = start(page="incident", ref=ref)
    key = f"panel_fu_{ref}"
    at.text_input(key=f"{key}_title").set_value("Write a runbook")
    at.text_input(key=f"{key}_owner").set_value("dev")
    at.button(key=f"{key}_add").click().run()
    assert_no_traceback(at)
    assert kit.follow_ups(incident=ref)["title"].tolist() == ["Write a runbook"]
    assert at.text_input(key=f"{key}_title").value == ""  # a second click cannot add the same one twice
    assert at.text_input(key=f"{key}_owner").value == "ana"  # back to its default: you
    at.button(key=f"{key}_add").click().run()
    assert kit.follow_ups(incident=ref)["title"].tolist() == ["Write a runbook"]


def test_the_incident_timeline_names_the_type_as_the_catalog_does(kit):
    kit.declare("Refunds stuck", declared_by="ana", severity="Minor", type="customer_support")
    at = start(page="incident", ref="INC-1")
    assert_no_traceback(at)
    page = texts(at)
    assert "Declared (Minor · Customer support)" in page and "customer_support" not in page


def test_a_subscription_to_a_type_names_it_as_the_catalog_does(kit):
    kit.subscribe("ana@example.com", person="ana", type="customer_support", by="ana")
    at = start(page="subscriptions")
    assert_no_traceback(at)
    page = texts(at)
    assert "type Customer support" in page and "customer_support" not in page


def test_changing_a_follow_ups_status_reads_as_a_sentence(kit):
    ref = resolved_incident(kit).reference
    item = kit.add_follow_up(ref, "Rotate the key", owner="ana", by="ana")
    at = start(page="follow_ups")
    at.selectbox(key="mine_pick").set_value(item.reference)
    at.selectbox(key="mine_status").set_value("wont_do").run()
    at.text_input(key="mine_reason").set_value("The key is being retired")
    at.button(key="mine_apply").click().run()
    assert_no_traceback(at)
    assert kit.follow_up(item.reference).status.value == "wont_do"
    assert [t.value for t in at.toast] == [f"{item.reference} is now marked “Won't do”."]
