import datetime as dt

import pytest

from incident_kit.incident.models import Event
from incident_kit.incident.timeline import describe

pytestmark = pytest.mark.both_stores

T = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


def ev(kind, field=None, old=None, new=None, detail=None):
    return Event(1, 1, T, "ana", kind, field, old, new, detail)


@pytest.mark.parametrize("event,text", [
    (ev("declared", detail="Minor · security"), "Declared (Minor · security)"),
    (ev("status_changed", "status", "investigating", "resolved", "Rolled back"),
     "Status Investigating → Resolved: Rolled back"),
    (ev("role_assigned", "lead", "bao", "ana"), "ana is now incident lead (was bao)"),
    (ev("role_unassigned", "comms", "cam", None), "cam is no longer communications lead"),
    (ev("imported", detail="from statuspage abc"), "Imported from Atlassian Statuspage (abc)"),
    (ev("imported", detail="from csv X1 (posted after the fact: retrospective)"),
     "Imported from a CSV file (X1), posted after the fact"),
    (ev("review_started", "review", None, "standard"), "Review started: Standard review"),
    (ev("review_started", "review", None, "note"), "Review started: Short note"),
    (ev("review_status_changed", "review", "draft", "in_review", "Short note"), "Short note: draft → in review"),
    (ev("review_published", "review", "in_review", "published", "Standard review"), "Standard review published"),
    (ev("follow_up_status_changed", "FU-2", "open", "wont_do", "Add an alert"),
     "Follow-up FU-2 open → won't do (Add an alert)"),
    (ev("follow_up_added", "follow_up", None, "Add an alert"), "Follow-up added: Add an alert"),
    (ev("follow_up_status_changed", "FU-3", "open", "done", "Add an alert"), "Follow-up FU-3 open → done (Add an alert)"),
    (ev("subscribed", detail="ops follows this incident's updates"), "ops follows this incident's updates"),
    (ev("update_reminder", detail="cora reminded"), "Reminder: cora reminded"),
    (ev("something_new", "x", "1", "2", "why"), "Something new · x: 1 → 2 · why"),
])
def test_every_event_reads_as_one_plain_line(event, text):
    assert describe(event) == text


def test_a_declaration_names_the_type_by_its_display_name():
    declared = ev("declared", detail="Minor · customer_support · private")
    assert describe(declared, {"customer_support": "Customer support"}) == "Declared (Minor · Customer support · private)"
    assert describe(declared) == "Declared (Minor · customer_support · private)"  # a type the catalog no longer knows


def test_the_incident_timeline_shows_the_catalogs_type_name(kit):
    kit.declare("Refunds stuck", declared_by="ana", severity="Minor", type="customer_support")
    assert kit.timeline("INC-1")["text"].iloc[0] == "Declared (Minor · Customer support)"
