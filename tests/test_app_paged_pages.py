"""Reviews, Follow-ups, Needs an update and Status show totals from counts and one page of rows (issue 24)."""

from __future__ import annotations

import datetime as dt

import pytest

from incident_kit import demo
from incident_kit.ui.context import CARDS_PAGE_SIZE, PAGE_SIZE

from apptest_support import assert_no_traceback, start, texts

pytestmark = pytest.mark.usefixtures("app_db")  # each test runs the app on its own database


@pytest.fixture
def organisation(kit):
    demo.load(kit.db, incidents=400)
    return kit


def _opened(at, prefix: str) -> list[str]:
    return [b.key.removeprefix(prefix) for b in at.button if (b.key or "").startswith(prefix)]


def test_the_reviews_page_counts_each_list_and_shows_one_page_of_it(organisation):
    kit = organisation
    counts = kit.review_counts(viewer="ana")
    assert counts["done"] > PAGE_SIZE  # the demo has more than a page of finished reviews
    at = start(page="reviews")
    assert_no_traceback(at)
    assert [t.label for t in at.tabs] == ["To do", "In review", "Published or waived"]
    assert (f"To do: {counts['to_do']:,} · In review: {counts['in_review']:,} · "
            f"Published or waived: {counts['done']:,}") in texts(at)
    assert _opened(at, "open_review_done_") == []  # only the open tab's list is read
    at.session_state["reviews_tab"] = "Published or waived"
    at.run()
    assert _opened(at, "open_review_todo_") == []
    assert _opened(at, "open_review_done_") == kit.review_queue("done", viewer="ana")["incident"].tolist()
    assert f"Showing {PAGE_SIZE} of {counts['done']:,}." in texts(at)
    at.button(key="reviews_more_done").click().run()
    assert_no_traceback(at)
    assert _opened(at, "open_review_done_") == kit.review_queue("done", viewer="ana",
                                                                limit=2 * PAGE_SIZE)["incident"].tolist()


def test_the_follow_ups_page_totals_come_from_counts_and_it_shows_one_page(organisation):
    kit = organisation
    counts = kit.follow_up_counts(viewer="ana", still_open=True)
    assert counts["total"] > PAGE_SIZE
    at = start(page="follow_ups")
    assert_no_traceback(at)
    assert "past their due date" not in texts(at)  # only the open tab (yours) is read
    at.session_state["fu_tab"] = "All open and overdue"
    at.run()
    assert (f"{counts['total']:,} open; {counts['overdue']:,} past their due date. Showing {PAGE_SIZE}."
            in texts(at))
    table = at.dataframe[-1].value
    assert len(getattr(table, "data", table)) == PAGE_SIZE
    at.button(key="fu_open_more").click().run()
    assert_no_traceback(at)
    table = at.dataframe[-1].value
    assert len(getattr(table, "data", table)) == min(2 * PAGE_SIZE, counts["total"])


def test_needs_an_update_counts_every_late_incident_and_lists_the_most_late(organisation):
    kit = organisation
    counts = kit.incident_counts(viewer="ana", active=True)
    at = start(page="needs_update")
    assert_no_traceback(at)
    late = kit.needs_update(viewer="ana", limit=PAGE_SIZE)
    assert counts["overdue"] >= 1  # the demo has a late one
    assert [m.value for m in at.metric] == [f"{counts['overdue']:,}"]
    assert _opened(at, "late_") == late["reference"].tolist()


def test_the_status_page_shows_totals_from_counts_and_a_page_of_cards_per_part(organisation):
    kit = organisation
    for n in range(CARDS_PAGE_SIZE + 2):  # more than a page ongoing
        kit.declare(f"Ongoing {n}", declared_by="ana")
    counts = kit.status_board_counts(viewer="ana")
    assert counts["ongoing"] > CARDS_PAGE_SIZE
    at = start(page="status")
    assert_no_traceback(at)
    assert [m.value for m in at.metric][:2] == [f"{counts['ongoing']:,}", f"{counts['overdue']:,}"]
    cards = [s.value for s in at.subheader]
    ongoing = kit.status_board(viewer="ana", part="ongoing", limit=CARDS_PAGE_SIZE)
    resolved = kit.status_board(viewer="ana", part="resolved", limit=CARDS_PAGE_SIZE)
    assert len(cards) == len(ongoing) + len(resolved) == CARDS_PAGE_SIZE + min(counts["resolved"], CARDS_PAGE_SIZE)
    assert f"Showing {CARDS_PAGE_SIZE} of {counts['ongoing']:,}." in texts(at)
    at.button(key="board_more_ongoing").click().run()
    assert_no_traceback(at)
    assert len(at.subheader) == counts["ongoing"] + min(counts["resolved"], CARDS_PAGE_SIZE)
    assert counts["resolved"] == len(kit.status_board(viewer="ana", part="resolved",
                                                      now=dt.datetime.now(dt.timezone.utc)))
