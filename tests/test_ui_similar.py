"""The similar-incidents panels on Declare, Incident, Reviews and Insights (AppTest on a real DuckDB file)."""

from __future__ import annotations

from pathlib import Path

import pytest

from apptest_support import assert_no_traceback, goto, start, texts, widget

pytestmark = pytest.mark.usefixtures("app_db")

DFDS = Path(__file__).resolve().parent / "fixtures" / "postmortems-dfds"
GOOD = [p for p in sorted(DFDS.glob("PM2*.md")) if "PM2020-003" not in p.name]
OUTAGE = "All services returning 503 in Kubernetes"


def _outages(kit) -> list[str]:
    kit.import_files("postmortems", GOOD)
    frame = kit.incidents()
    return sorted(frame.loc[frame["title"] == OUTAGE, "reference"])


def _links(at) -> list[str]:
    return [str(e.proto.label) for e in at.get("page_link") if str(e.proto.label).startswith("INC-")]


def test_declare_asks_has_this_happened_before_once_a_title_is_typed(kit):
    outages = _outages(kit)
    at = start(page="declare")
    assert "Has this happened before?" not in texts(at)
    widget(at.text_input, "What's happening?").input("All services returning 503").run()
    assert_no_traceback(at)
    assert "Has this happened before?" in texts(at)
    assert {label.split(" · ")[0] for label in _links(at)[:3]} == set(outages)


def test_the_incident_page_lists_the_incidents_most_like_it(kit):
    first, second, third = _outages(kit)
    at = start(page="incident", ref=first)
    assert_no_traceback(at)
    assert "Has this happened before?" in texts(at)
    shown = [label.split(" · ")[0] for label in _links(at)]
    assert shown[:2] in ([second, third], [third, second])
    assert first not in shown


def test_the_review_suggests_related_incidents_and_links_them_into_the_export(kit):
    first, second, _ = _outages(kit)
    at = start(page="reviews", ref=first)
    assert_no_traceback(at)
    assert "Related incidents" in texts(at)
    at.button(key=f"related_{first}_link_{second}").click().run()
    assert_no_traceback(at)
    assert [r["reference"] for r in kit.related(first)] == [second]
    assert f"- {second}: {OUTAGE}" in kit.export_review(first)
    assert at.button(key=f"related_{first}_unlink_{second}")


def test_insights_shows_what_keeps_coming_back_as_groups(kit):
    outages = _outages(kit)
    at = start(page="insights")
    at.session_state["ins_tab"] = "Reviews"  # the groups are drawn only while their tab is open
    at.date_input(key="ins_window").set_value((__import__("datetime").date(2019, 1, 1),
                                                __import__("datetime").date(2026, 1, 1))).run()
    assert_no_traceback(at)
    assert "Incidents that read alike" in texts(at)
    labels = [e.label for e in at.expander]
    assert f"{OUTAGE} · 3 incidents" in labels  # named by the words its titles share
    assert set(outages) <= {label.split(" · ")[0] for label in _links(at)}


def test_declare_stays_silent_for_an_unrelated_title_and_suggests_a_paraphrased_demo_incident(kit):
    kit.load_demo(incidents=400, seed=42)
    at = start(page="declare")
    title = widget(at.text_input, "What's happening?")
    title.input("Customers can't log in with Google").run()  # shares only "log" with "... application logs"
    assert_no_traceback(at)
    assert "Has this happened before?" not in texts(at)
    assert _links(at) == []
    widget(at.text_input, "What's happening?").input("Application logs contain personal data like emails").run()
    assert_no_traceback(at)
    assert "Has this happened before?" in texts(at)
    shown = {label.split(" · ", 1)[1] for label in _links(at)}
    assert shown == {"Personal data in application logs"}


def test_the_incident_page_does_not_offer_incidents_sharing_one_word_but_lists_its_own_kind(kit):
    kit.load_demo(incidents=400, seed=42)
    card = kit.declare("Checkout failing for card payments").reference
    at = start(page="incident", ref=card)
    assert_no_traceback(at)
    assert "Has this happened before?" in texts(at)
    assert "No earlier incident reads like this one." in texts(at)
    assert not any("Office access cards" in label for label in _links(at))
    frame = kit.incidents()
    phones = frame.loc[(frame["title"] == "Support phone line down") & (frame["mode"] != "test"), "reference"]
    at = goto(at, "incident", ref=phones.iloc[0])
    assert_no_traceback(at)
    shown = [label.split(" · ", 1) for label in _links(at)]
    assert len(shown) == 5 and {title for _, title in shown} == {"Support phone line down"}
    assert phones.iloc[0] not in {ref for ref, _ in shown}
