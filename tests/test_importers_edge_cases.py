"""Broken input gets a clear, row-level report and imports nothing (all or nothing)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from incident_kit.importers.models import ImportFile, ImportRejected
from incident_kit.importers.csv import template

pytestmark = pytest.mark.both_stores

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "imports"


def _incident(id: str = "abc123", **over) -> dict:
    base = {"id": id, "name": "API errors", "status": "resolved", "impact": "minor",
            "created_at": "2024-05-01T10:00:00.000Z", "started_at": "2024-05-01T09:50:00.000Z",
            "resolved_at": "2024-05-01T11:00:00.000Z", "components": [],
            "incident_updates": [
                {"id": f"{id}-u2", "status": "resolved", "body": "Fixed.", "created_at": "2024-05-01T11:00:00.000Z"},
                {"id": f"{id}-u1", "status": "investigating", "body": "Looking.", "created_at": "2024-05-01T10:00:00Z"}]}
    base.update(over)
    return base


def _page(*incidents) -> bytes:
    return json.dumps({"page": {"name": "Acme"}, "incidents": list(incidents)}).encode()


def _rejected(kit, kind, files, **kw) -> ImportRejected:
    with pytest.raises(ImportRejected) as info:
        kit.import_files(kind, files, **kw)
    assert "nothing was imported" in str(info.value)
    assert kit.db.read(lambda tx: tx.fetchall("SELECT count(*) FROM incidents")[0][0]) == 0
    assert kit.db.read(lambda tx: tx.fetchall("SELECT count(*) FROM updates")[0][0]) == 0
    return info.value


def _problems(exc: ImportRejected) -> set[tuple[str, str]]:
    return {(r.field, r.problem) for r in exc.report.itertuples()}


def test_missing_required_fields_are_each_reported(kit):
    inc = _incident()
    del inc["name"], inc["created_at"]
    inc["incident_updates"][0].pop("body")
    exc = _rejected(kit, "statuspage", [ImportFile.from_bytes("page.json", _page(inc))])

    assert ("name", "is missing") in _problems(exc)
    assert ("created_at", "is missing") in _problems(exc)
    assert ("body", "is missing") in _problems(exc)
    where = set(exc.report["where"])
    assert {"incidents[0]", "incidents[0].incident_updates[0]"} <= where
    assert exc.summary.rejected == 2  # one incident and one update


def test_unknown_statuses_and_impacts_are_rejected_with_the_allowed_values(kit):
    inc = _incident(impact="catastrophic")
    inc["incident_updates"][0]["status"] = "scheduled"
    exc = _rejected(kit, "statuspage", [ImportFile.from_bytes("page.json", _page(inc))])

    rows = {r.field: r for r in exc.report.itertuples()}
    assert rows["impact"].value == "catastrophic"
    assert rows["impact"].problem == "is not one of: none, minor, major, critical"
    assert rows["status"].value == "scheduled" and "investigating, identified" in rows["status"].problem


def test_unknown_gcp_update_status_is_rejected(kit):
    data = json.loads((FIXTURES / "gcp-current.json").read_text())
    data[1]["updates"][0]["status"] = "SERVICE_ON_FIRE"
    exc = _rejected(kit, "gcp", [ImportFile.from_bytes("gcp.json", json.dumps(data).encode())])
    assert exc.report.iloc[0]["where"] == "[1].updates[0]"
    assert exc.report.iloc[0]["value"] == "SERVICE_ON_FIRE"


def test_json_timestamps_without_a_zone_are_rejected(kit):
    exc = _rejected(kit, "statuspage", [ImportFile.from_bytes(
        "page.json", _page(_incident(created_at="2024-05-01T10:00:00")))])
    assert ("created_at", "has no time zone; add an offset (Z for UTC) so it is not misread") in _problems(exc)


def test_duplicate_ids_within_a_file_are_rejected(kit):
    exc = _rejected(kit, "statuspage", [ImportFile.from_bytes(
        "page.json", _page(_incident(), _incident(name="Other")))])
    dup = exc.report[(exc.report["field"] == "id") & ~exc.report["where"].str.contains(".", regex=False)]
    assert list(dup["where"]) == ["incidents[0]", "incidents[1]"]
    assert set(dup["problem"]) == {"appears more than once in this file (ids must be unique)"}


def test_the_same_incident_in_two_files_is_rejected_naming_both(kit):
    page = _page(_incident())
    exc = _rejected(kit, "statuspage", [ImportFile.from_bytes("a.json", page), ImportFile.from_bytes("b.json", page)])
    assert any("also appears in b.json" in p for p in exc.report["problem"])


def test_gcp_old_schema_duplicate_service_and_number_is_rejected(kit):
    data = json.loads((FIXTURES / "gcp-old-schema.json").read_text())
    data.append(dict(data[0]))
    exc = _rejected(kit, "gcp", [ImportFile.from_bytes("old.json", json.dumps(data).encode())])
    incidents = exc.report[~exc.report["where"].str.contains(".", regex=False)]
    assert set(incidents["id"]) == {"storage/20008"}


@pytest.mark.parametrize("content", [b"", b"   \n"])
def test_an_empty_file_is_rejected(kit, content):
    exc = _rejected(kit, "statuspage", [ImportFile.from_bytes("empty.json", content)])
    assert exc.report.iloc[0]["problem"].startswith("is empty")
    assert exc.report.iloc[0]["where"] == "(whole file)"


def test_a_file_without_incidents_is_rejected(kit):
    exc = _rejected(kit, "statuspage", [ImportFile.from_bytes("none.json", _page())])
    assert "contains no incidents" in exc.report.iloc[0]["problem"]


def test_malformed_json_is_rejected_with_its_line(kit):
    exc = _rejected(kit, "gcp", [ImportFile.from_bytes("broken.json", b'[\n {"id": "x",\n')])
    row = exc.report.iloc[0]
    assert row["problem"].startswith("is not valid JSON") and row["where"] == "line 3"


def test_a_file_of_the_wrong_kind_is_rejected(kit):
    exc = _rejected(kit, "statuspage", [ImportFile.from_bytes("gcp.json", (FIXTURES / "gcp-current.json").read_bytes())])
    # a list of GCP incidents parses as incidents but lacks every Statuspage field
    assert ("name", "is missing") in _problems(exc)
    exc = _rejected(kit, "gcp", [ImportFile.from_bytes("sp.json", (FIXTURES / "statuspage-zoom.json").read_bytes())])
    assert "is not a Google Cloud file" in exc.report.iloc[0]["problem"]


def test_a_20_mb_file_is_refused_before_it_is_parsed(kit, tmp_path):
    big = tmp_path / "big.json"
    with open(big, "wb") as fh:
        fh.write(b'{"incidents": [')
        fh.write(b" " * (20 * 1024 * 1024))
        fh.write(b"]}")
    exc = _rejected(kit, "statuspage", [big])
    problem = exc.report.iloc[0]["problem"]
    assert problem.startswith("is 20.0 MB; the limit is 10.0 MB per file")
    assert "ask whoever runs incident-kit to raise the limit" in problem and "--" not in problem  # shown in the app


def test_the_size_limit_is_configurable(kit, monkeypatch):
    page = ImportFile.from_bytes("page.json", _page(_incident()))
    exc = _rejected(kit, "statuspage", [page], max_file_mb=0.0001)
    assert "the limit is 0.0 MB" in exc.report.iloc[0]["problem"]
    monkeypatch.setenv("INCIDENT_KIT_IMPORT_MAX_MB", "0.0001")
    _rejected(kit, "statuspage", [page])
    monkeypatch.setenv("INCIDENT_KIT_IMPORT_MAX_MB", "25")
    assert kit.import_files("statuspage", [page]).new == 1


def test_one_bad_file_stops_the_good_ones_too(kit):
    good = ImportFile.from_bytes("good.json", _page(_incident()))
    bad = ImportFile.from_bytes("bad.json", b"{")
    exc = _rejected(kit, "statuspage", [good, bad])
    assert list(exc.report["file"]) == ["bad.json"]


def test_every_problem_in_every_file_comes_back_at_once(kit):
    a = ImportFile.from_bytes("a.json", _page(_incident(impact="huge"), _incident(id="x2", created_at="yesterday")))
    b = ImportFile.from_bytes("b.json", b"")
    exc = _rejected(kit, "statuspage", [a, b])
    assert list(exc.report["file"]) == ["a.json", "a.json", "b.json"]
    assert list(exc.report["field"][:2]) == ["impact", "created_at"]


# -- CSV ------------------------------------------------------------------------
HEADER = "external_id,title,status,declared_at,resolved_at\n"


def _csv(kit, body: str, header: str = HEADER) -> ImportRejected:
    return _rejected(kit, "csv", [ImportFile.from_bytes("history.csv", (header + body).encode())])


def test_csv_times_with_another_offset_are_refused_not_converted(kit):
    exc = _csv(kit, "A1,Outage,resolved,2024-01-31T14:05:00+02:00,2024-01-31T15:00:00Z\n")
    row = exc.report.iloc[0]
    assert (row["where"], row["field"], row["value"]) == ("line 2", "declared_at", "2024-01-31T14:05:00+02:00")
    assert row["problem"].startswith("is not in UTC")


def test_csv_times_without_a_zone_are_refused(kit):
    exc = _csv(kit, "A1,Outage,resolved,2024-01-31 14:05,2024-01-31T15:00:00Z\n")
    assert exc.report.iloc[0]["problem"].startswith("has no time zone")


def test_csv_text_that_is_not_a_time_is_refused(kit):
    exc = _csv(kit, "A1,Outage,resolved,31/01/2024,2024-01-31T15:00:00Z\n")
    assert exc.report.iloc[0]["problem"].startswith("is not an ISO 8601 date and time")


def test_csv_missing_values_and_unknown_status_are_reported_per_line(kit):
    exc = _csv(kit, "A1,,resolved,2024-01-31T14:05:00Z,\nA2,Outage,on fire,2024-01-31T14:05:00Z,\n")
    got = {(r.where, r.field, r.problem) for r in exc.report.itertuples()}
    assert ("line 2", "title", "is missing") in got
    assert ("line 2", "resolved_at", "is required when the status is resolved, post_incident or closed") in got
    assert ("line 3", "status", "is not one of: investigating, fixing, monitoring, resolved, post_incident, "
                                "closed, declined") in got


def test_csv_duplicate_ids_and_unknown_severity_are_reported(kit):
    exc = _csv(kit, "A1,One,investigating,2024-01-31T14:05:00Z,SEV9\nA1,Two,investigating,2024-01-31T14:05:00Z,\n",
               header="external_id,title,status,declared_at,severity\n")
    got = {(r.where, r.field) for r in exc.report.itertuples()}
    assert {("line 2", "external_id"), ("line 3", "external_id"), ("line 2", "severity")} <= got


def test_csv_with_unknown_or_missing_columns_is_refused(kit):
    exc = _csv(kit, "A1,x\n", header="external_id,titel\n")
    problems = " ".join(exc.report["problem"])
    assert "unknown column titel" in problems and "lacks the required columns title, status, declared_at" in problems


def test_csv_with_only_a_header_is_refused(kit):
    exc = _csv(kit, "")
    assert "has a header but no rows" in exc.report.iloc[0]["problem"]


def test_csv_template_itself_imports_cleanly(kit):
    summary = kit.import_files("csv", [ImportFile.from_bytes("template.csv", template())])
    assert summary.new == 2
