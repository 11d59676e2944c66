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


def _ago(**delta) -> str:
    return (dt.datetime.now(UTC) - dt.timedelta(**delta)).replace(microsecond=0).isoformat()


def _quiet_since(**delta) -> bytes:
    """A Google Cloud incident with no end whose last update was ``delta`` ago."""
    return _gcp(end=None, begin=_ago(days=30), created=_ago(days=30), updates=[
        {"created": _ago(days=30), "status": "SERVICE_DISRUPTION", "text": "Looking into it."},
        {"created": _ago(**delta), "status": "SERVICE_DISRUPTION", "text": "Still looking."}])


def test_gcp_incident_without_an_end_stays_active_while_updates_are_recent(kit):
    summary = _import(kit, "gcp", "gcp.json", _quiet_since(days=6))

    got = kit.get(kit.incidents(limit=None).iloc[0]["reference"])
    assert got.status.value == "investigating" and got.resolved_at is None
    assert summary.ended_quiet == 0 and "no end time" not in summary.line()


def test_gcp_incident_without_an_end_quiet_for_over_a_week_is_resolved_at_its_last_update(kit):
    summary = _import(kit, "gcp", "gcp.json", _quiet_since(days=8))

    got = kit.get(kit.incidents(limit=None).iloc[0]["reference"])
    assert got.status.value == "resolved" and got.mode.value == "live"
    assert got.resolved_at == max(u.posted_at for u in kit.updates(got.reference))
    assert summary.ended_quiet == 1
    assert summary.line().endswith("1 incident had no end time and was imported as resolved at its last update "
                                   "(nothing happened for over 7 days)")


def test_the_quiet_limit_is_a_setting(kit):
    kit.set_setting("imported_open_max_days", 10)
    assert _import(kit, "gcp", "gcp.json", _quiet_since(days=8)).ended_quiet == 0
    assert kit.get(kit.incidents(limit=None).iloc[0]["reference"]).status.value == "investigating"


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


def test_a_quiet_limit_that_is_no_number_of_days_is_one_sentence(kit):
    import pytest

    from incident_kit.errors import IncidentKitError

    from incident_kit.catalog import store as catalog_store

    for bad in ("soon", 0, -3, True, 10**9):
        with pytest.raises(IncidentKitError, match="it must be a number of days between 0 and 36,525, e.g. 7"):
            kit.set_setting("imported_open_max_days", bad)  # refused when saved...
        # ...and a value stored before that check (an older version, a hand edit) is one sentence when read
        kit.db.write(lambda tx: catalog_store.set_setting(tx, "imported_open_max_days", bad))
        with pytest.raises(IncidentKitError, match="it must be a number of days between 0 and 36,525, e.g. 7"):
            _import(kit, "gcp", "gcp.json", _quiet_since(days=8))
    assert kit.incidents(limit=None).empty
