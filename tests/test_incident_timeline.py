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
    (ev("imported", detail="from statuspage abc"), "Imported from statuspage abc"),
    (ev("review_started", "review", None, "standard"), "Review started: standard"),
    (ev("follow_up_added", "follow_up", None, "Add an alert"), "Follow-up added: Add an alert"),
    (ev("follow_up_status_changed", "FU-3", "open", "done", "Add an alert"), "Follow-up FU-3 open → done (Add an alert)"),
    (ev("subscribed", detail="ops follows this incident's updates"), "ops follows this incident's updates"),
    (ev("update_reminder", detail="cora reminded"), "Reminder: cora reminded"),
    (ev("something_new", "x", "1", "2", "why"), "Something new · x: 1 → 2 · why"),
])
def test_every_event_reads_as_one_plain_line(event, text):
    assert describe(event) == text
