"""A source's end time ends the incident, whatever its last update says (synthetic files)."""

from __future__ import annotations

import datetime as dt
import json

from incident_kit import analytics
from incident_kit.importers.models import ImportFile

UTC = dt.timezone.utc


def _gcp(**over) -> bytes:
    inc = {"id": "gcp-after-the-fact", "number": "1", "begin": "2025-03-04T08:00:00+00:00",
           "created": "2025-03-04T14:00:00+00:00", "end": "2025-03-04T10:30:00+00:00",
           "external_desc": "Storage errors in europe-west1", "severity": "medium", "affected_products": [],
           "updates": [{"created": "2025-03-04T14:00:00+00:00", "status": "SERVICE_DISRUPTION",
                        "text": "Between 08:00 and 10:30 some requests failed."}]}
    inc.update(over)
    return json.dumps([inc]).encode()


def _import(kit, kind: str, name: str, data: bytes):
    return kit.import_files(kind, [ImportFile.from_bytes(name, data)])


def test_gcp_incident_posted_after_it_ended_imports_as_resolved_and_retrospective(kit):
    _import(kit, "gcp", "gcp.json", _gcp())

    inc = kit.incidents(limit=None).iloc[0]
    got = kit.get(inc["reference"])
    assert got.status.value == "resolved"
    assert got.resolved_at == dt.datetime(2025, 3, 4, 10, 30, tzinfo=UTC)
    assert got.mode.value == "retrospective"  # end hours before created


def test_gcp_incident_posted_after_it_ended_is_not_counted_as_live(kit):
    _import(kit, "gcp", "gcp.json", _gcp())

    counts = analytics.scope_counts(kit).iloc[0]
    assert (counts["live"], counts["retrospective"]) == (0, 1)
    assert analytics.response_times(kit).empty
    assert kit.incidents(active=True, limit=None).empty


def test_gcp_end_after_creation_ends_a_live_incident_at_that_time(kit):
    _import(kit, "gcp", "gcp.json", _gcp(created="2025-03-04T09:00:00+00:00", updates=[
        {"created": "2025-03-04T09:00:00+00:00", "status": "SERVICE_OUTAGE", "text": "Investigating."}]))

    got = kit.get(kit.incidents(limit=None).iloc[0]["reference"])
    assert (got.status.value, got.mode.value) == ("resolved", "live")
    times = analytics.response_times(kit).iloc[0]
    assert times["time_to_resolve_minutes"] == 90.0


def test_gcp_incident_without_an_end_stays_active(kit):
    _import(kit, "gcp", "gcp.json", _gcp(end=None))

    got = kit.get(kit.incidents(limit=None).iloc[0]["reference"])
    assert got.status.value == "investigating" and got.resolved_at is None


def test_statuspage_resolved_at_wins_over_a_monitoring_last_update(kit):
    page = {"page": {"name": "Acme"}, "incidents": [{
        "id": "sp1", "name": "API errors", "status": "monitoring", "impact": "minor",
        "created_at": "2024-05-01T10:00:00Z", "started_at": "2024-05-01T09:50:00Z",
        "resolved_at": "2024-05-01T11:00:00Z", "components": [],
        "incident_updates": [{"id": "u1", "status": "monitoring", "body": "A fix is out.",
                              "created_at": "2024-05-01T10:00:00Z"}]}]}
    _import(kit, "statuspage", "page.json", json.dumps(page).encode())

    got = kit.get(kit.incidents(limit=None).iloc[0]["reference"])
    assert got.status.value == "resolved"
    assert got.resolved_at == dt.datetime(2024, 5, 1, 11, 0, tzinfo=UTC)
    assert got.mode.value == "live"
