"""The counts and pages the list pages read (issue 24): counted and chosen in SQL, on both stores.

Each is checked against the one visibility rule: a private incident is neither counted nor listed for
someone who takes no part in it, its participants and an admin see it.
"""

from __future__ import annotations

import datetime as dt

import pytest

import incident_kit as ik
from incident_kit.clock import utcnow
from incident_kit.incident import service

pytestmark = pytest.mark.both_stores

OUTSIDER, ADMIN = "zed", "boss"
LATER = utcnow() + dt.timedelta(days=2)  # every active incident and every follow-up due tomorrow is late by then


@pytest.fixture
def history(kit):
    """Resolved incidents in each review list, one of them private to ana; active ones; follow-ups."""
    kit.save_settings({"admins": [ADMIN]})
    refs = {}

    def resolved(key, title, **kw):
        inc = kit.declare(title, declared_by=kw.pop("by", "ana"), lead=kw.pop("lead", None), **kw)
        kit.resolve(inc.reference, by="ana")
        refs[key] = inc.reference
        return inc.reference

    resolved("waiting", "Search slow", by="carmen")
    resolved("secret", "Leaked key", private=True)
    kit.start_review(resolved("draft", "Checkout errors", by="carmen"), depth="note", by="carmen")
    kit.start_review(resolved("in_review", "Login loop", by="carmen"), depth="note", by="ana")
    kit.set_review_status(refs["in_review"], "in_review", by="ana")
    kit.start_review(resolved("waived", "Duplicate page", by="carmen"), depth="none", reason="A duplicate", by="ana")
    refs["active"] = kit.declare("Payments failing", declared_by="carmen", severity="Major").reference
    refs["active_secret"] = kit.declare("Fraud spike", declared_by="ana", private=True).reference
    due = utcnow() + dt.timedelta(days=1)
    for key, owner in (("waiting", "ana"), ("waiting", "bao"), ("secret", "ana"), ("draft", "ana")):
        kit.add_follow_up(refs[key], f"Fix {key} for {owner}", owner=owner, due=due, by="ana")
    kit.add_follow_up(refs["waiting"], "No date yet", owner="ana", by="ana")
    return refs


# -- reviews --------------------------------------------------------------------------------------------------------
def test_review_counts_leave_out_a_private_incident_for_an_outsider_and_count_it_for_its_people_and_admins(
        kit, history):
    assert kit.review_counts(viewer=OUTSIDER) == {"to_do": 2, "in_review": 1, "done": 1}
    assert kit.review_counts(viewer="ana") == {"to_do": 3, "in_review": 1, "done": 1}
    assert kit.review_counts(viewer=ADMIN) == {"to_do": 3, "in_review": 1, "done": 1}


def test_review_counts_and_pages_are_kept_per_viewer_until_anything_changes(kit, history):
    """Each is a query over every review (about a second on PostgreSQL at 1M incidents): a repeat view of
    unchanged data is a lookup, kept apart per viewer (visibility), and any change is read again."""
    from incident_kit.analytics import memo

    kept = memo._LISTS
    assert kit.review_counts(viewer=OUTSIDER) == {"to_do": 2, "in_review": 1, "done": 1}
    assert kit.review_counts(viewer="ana") == {"to_do": 3, "in_review": 1, "done": 1}  # not the outsider's answer
    hits = kept[kit.db].hits
    assert kit.review_counts(viewer=OUTSIDER) == {"to_do": 2, "in_review": 1, "done": 1}
    assert kept[kit.db].hits == hits + 1
    page = kit.review_queue("to_do", viewer=OUTSIDER)
    page.loc[:, "title"] = "changed by a page"  # a caller's change never reaches the kept answer
    assert "changed by a page" not in set(kit.review_queue("to_do", viewer=OUTSIDER)["title"])
    kit.start_review(history["waiting"], depth="note", by="carmen")  # a change: read again
    assert kit.review_counts(viewer=OUTSIDER) == {"to_do": 2, "in_review": 1, "done": 1}  # a draft is still to do
    kit.set_review_status(history["waiting"], "in_review", by="carmen")
    assert kit.review_counts(viewer=OUTSIDER) == {"to_do": 1, "in_review": 2, "done": 1}
    assert history["waiting"] in set(kit.review_queue("in_review", viewer=OUTSIDER)["incident"])


def test_a_review_list_page_holds_what_the_viewer_may_see_their_own_first(kit, history):
    to_do = kit.review_queue("to_do", viewer="carmen")
    assert list(to_do["incident"]) == [history["draft"], history["waiting"]]  # both hers: newest first
    assert list(to_do["mine"]) == [True, True]
    assert to_do.set_index("incident").loc[history["waiting"], "status"] is None  # not started
    assert set(kit.review_queue("to_do", viewer="ana")["incident"]) == {history["secret"], history["draft"],
                                                                        history["waiting"]}
    assert kit.review_queue("to_do", viewer="ana")["incident"].iloc[0] == history["secret"]  # ana declared it
    assert history["secret"] in set(kit.review_queue("to_do", viewer=ADMIN)["incident"])
    assert history["secret"] not in set(kit.review_queue("to_do", viewer=OUTSIDER)["incident"])
    done = kit.review_queue("done", viewer=OUTSIDER)
    assert list(done["incident"]) == [history["waived"]] and list(done["status"]) == ["waived"]


def test_a_review_list_page_stops_at_its_limit_and_counts_open_follow_ups(kit, history):
    page = kit.review_queue("to_do", viewer=ADMIN, limit=1)
    assert len(page) == 1
    draft = kit.review_queue("to_do", viewer=ADMIN).set_index("incident").loc[history["draft"]]
    assert draft["open_follow_ups"] == 1 and draft["depth"] == "note"
    assert kit.review_queue("in_review", viewer=ADMIN, limit=0).empty


def test_a_review_list_needs_a_known_list_and_a_whole_number_limit(kit, history):
    with pytest.raises(ik.IncidentKitError, match="not a list of reviews"):
        kit.review_queue("everything", viewer=ADMIN)
    with pytest.raises(ik.IncidentKitError, match="needs a limit"):
        kit.review_queue("to_do", viewer=ADMIN, limit=None)
    with pytest.raises(ik.IncidentKitError, match="whole number"):
        kit.review_queue("to_do", viewer=ADMIN, limit=2.5)


def test_reviews_and_reviews_to_do_stop_at_their_limit(kit, history):
    assert len(kit.reviews(viewer=ADMIN)) == 3 and len(kit.reviews(viewer=ADMIN, limit=1)) == 1
    assert len(kit.reviews_to_do(viewer=ADMIN)) == 2 and len(kit.reviews_to_do(viewer=OUTSIDER)) == 1
    first = kit.reviews_to_do(viewer=ADMIN)["incident"].iloc[0]
    assert list(kit.reviews_to_do(viewer=ADMIN, limit=1)["incident"]) == [first]


# -- follow-ups -----------------------------------------------------------------------------------------------------
def test_follow_up_counts_agree_with_the_list_and_leave_out_a_private_incident_for_an_outsider(kit, history):
    for viewer, total in ((OUTSIDER, 4), ("ana", 5), (ADMIN, 5)):
        counts = kit.follow_up_counts(viewer=viewer, still_open=True, now=LATER)
        rows = kit.follow_ups(viewer=viewer, still_open=True, now=LATER)
        assert counts == {"total": total, "overdue": total - 1}  # "No date yet" is never late
        assert counts == {"total": len(rows), "overdue": int(rows["overdue"].sum())}
    assert kit.follow_up_counts(viewer=OUTSIDER, owner="ana", still_open=True) == {"total": 3, "overdue": 0}
    assert kit.follow_up_counts(viewer="ana", owner="ana", still_open=True, overdue=True, now=LATER) == {
        "total": 3, "overdue": 3}


def test_a_page_of_follow_ups_is_the_start_of_the_whole_list(kit, history):
    whole = kit.follow_ups(viewer=ADMIN, still_open=True)
    page = kit.follow_ups(viewer=ADMIN, still_open=True, limit=2)
    assert list(page["reference"]) == list(whole["reference"][:2])
    with pytest.raises(ik.IncidentKitError, match="whole number"):
        kit.follow_ups(viewer=ADMIN, limit=-1)


# -- needs an update and the status board ---------------------------------------------------------------------------
def test_needs_an_update_is_chosen_in_sql_and_agrees_with_the_overdue_count(kit, history):
    for viewer, late in ((OUTSIDER, [history["active"]]), ("ana", [history["active"], history["active_secret"]]),
                         (ADMIN, [history["active"], history["active_secret"]])):
        rows = kit.needs_update(viewer=viewer, now=LATER)
        assert sorted(rows["reference"]) == sorted(late)
        assert kit.incident_counts(viewer=viewer, active=True, now=LATER)["overdue"] == len(late)
    assert len(kit.needs_update(viewer=ADMIN, now=LATER, limit=1)) == 1
    assert kit.needs_update(viewer=ADMIN).empty  # nothing is late yet


def test_the_status_board_reads_each_part_in_sql_with_its_counts(kit, history):
    resolved = {history[k] for k in ("waiting", "draft", "in_review", "waived")}
    for viewer, secret in ((OUTSIDER, set()), ("ana", {"secret"}), (ADMIN, {"secret"})):
        seen_resolved = resolved | {history[k] for k in secret}
        seen_ongoing = {history["active"]} | ({history["active_secret"]} if secret else set())
        assert kit.status_board_counts(viewer=viewer, now=LATER) == {
            "ongoing": len(seen_ongoing), "overdue": len(seen_ongoing), "resolved": len(seen_resolved)}
        assert set(kit.status_board(viewer=viewer, part="ongoing")["reference"]) == seen_ongoing
        assert set(kit.status_board(viewer=viewer, part="resolved")["reference"]) == seen_resolved
        assert set(kit.status_board(viewer=viewer)["reference"]) == seen_ongoing | seen_resolved
    assert len(kit.status_board(viewer=ADMIN, part="resolved", limit=2)) == 2
    assert kit.status_board_counts(viewer=ADMIN, now=utcnow() + dt.timedelta(days=8))["resolved"] == 0
    with pytest.raises(ik.IncidentKitError, match="two parts"):
        kit.status_board(viewer=ADMIN, part="everything")


def test_an_active_incident_declared_over_a_year_ago_is_still_on_the_board(kit):
    long_ago = utcnow() - dt.timedelta(days=400)  # the board once read only the last year's incidents
    old = service.declare(kit.db, "A slow burn", declared_by="ana", started_at=long_ago, declared_at=long_ago)
    assert list(kit.status_board(viewer="ana", part="ongoing")["reference"]) == [old.reference]


def test_incident_counts_for_resolved_since_agree_with_the_list(kit, history):
    since = utcnow() - dt.timedelta(hours=1)
    for viewer in (OUTSIDER, "ana", ADMIN):
        rows = service.incidents(kit.db, viewer=viewer, resolved_since=since)
        counts = service.incident_counts(kit.db, viewer=viewer, resolved_since=since)
        assert counts["total"] == len(rows) and counts["active"] == 0
