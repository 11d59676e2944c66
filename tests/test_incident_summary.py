"""incident_counts, summary and members: the reads behind the app's header and counts."""

from __future__ import annotations

import datetime as dt

import pytest

import incident_kit as ik
from incident_kit.incident import service

pytestmark = pytest.mark.both_stores


def test_counts_match_the_list_for_the_same_filters(kit):
    kit.declare("A", declared_by="ana")
    kit.declare("B", declared_by="bao", severity="Major")
    kit.declare("C", declared_by="ana")
    kit.resolve("INC-3", by="ana")
    assert kit.incident_counts() == {"total": 3, "active": 2, "overdue": 0}
    assert kit.incident_counts(severity="major") == {"total": 1, "active": 1, "overdue": 0}
    assert kit.incident_counts(mine="ana")["total"] == len(kit.incidents(mine="ana")) == 2
    assert kit.incident_counts(search="b")["total"] == len(kit.incidents(search="b"))


def test_overdue_counts_active_incidents_past_their_promised_update(kit):
    past = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=2)
    kit.declare("Late", declared_by="ana", started_at=past)
    service.post_update(kit.db, "INC-1", "Looking", by="ana", posted_at=past, next_update_at=past + dt.timedelta(minutes=30))
    kit.declare("On time", declared_by="ana")
    assert kit.incident_counts()["overdue"] == 1
    assert kit.incident_counts(now=past)["overdue"] == 0


def test_counts_hide_private_incidents_from_non_participants(kit):
    kit.declare("Public", declared_by="ana")
    kit.declare("Secret", declared_by="ana", private=True)
    assert kit.incident_counts(viewer="ana")["total"] == 2
    assert kit.incident_counts(viewer="bao")["total"] == 1
    kit.set_setting("admins", ["bao"])
    assert kit.incident_counts(viewer="bao")["total"] == 2


def test_summary_has_the_accountable_person_and_next_update(kit):
    kit.declare("Checkout", declared_by="ana", lead="bao", severity="Critical")
    row = kit.summary("inc-1")
    assert (row["reference"], row["lead"], row["comms_lead"], row["accountable"]) == ("INC-1", "bao", None, "bao")
    assert row["next_update_due"] - row["declared_at"] == dt.timedelta(minutes=30)
    kit.assign_role("INC-1", "comms", "carmen", by="bao")
    assert kit.summary("INC-1")["accountable"] == "carmen"
    kit.resolve("INC-1", by="bao")
    assert kit.summary("INC-1")["next_update_due"] is None
    assert kit.summary("INC-1")["tags"] == []


def test_summary_of_a_private_incident_is_not_found_for_others(kit):
    kit.declare("Secret", declared_by="ana", private=True)
    assert kit.summary("INC-1", viewer="ana")["title"] == "Secret"
    with pytest.raises(ik.NotFound):
        kit.summary("INC-1", viewer="bao")
    with pytest.raises(ik.NotFound):
        kit.summary("INC-9")


def test_members_lists_people_added(kit):
    kit.declare("Secret", declared_by="ana", private=True)
    kit.add_member("INC-1", "bao", by="ana")
    assert kit.members("INC-1", viewer="bao") == ["bao"]
    with pytest.raises(ik.NotFound):
        kit.members("INC-1", viewer="carmen")
