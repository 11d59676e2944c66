"""The CSV importer: documented columns, UTC times, defaults, and re-import by external_id."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from incident_kit.importers.csv import COLUMNS, template
from incident_kit.importers.models import ImportFile

pytestmark = pytest.mark.both_stores


def _file(text: str) -> ImportFile:
    return ImportFile.from_bytes("history.csv", text.encode())


def _recent(hours: float) -> str:
    """A UTC time ``hours`` ago: an incident still open then is not yet past the import's quiet limit (7 days)."""
    at = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=hours)
    return at.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _row(kit, external_id):
    frame = kit.incidents()
    return frame[frame["external_id"] == external_id].iloc[0]


def test_template_rows_map_onto_the_incident_record(kit):
    kit.import_files("csv", [_file(template().decode())], by="importer")

    first = _row(kit, "OLD-101")
    assert first["source"] == "csv"
    assert (first["title"], first["severity"], first["type"], first["status"]) == (
        "Checkout returning 500s", "Major", "engineering", "closed")
    assert list(first["tags"]) == ["deploy", "checkout"]
    assert first["declared_by"] == "ana" and not first["private"]
    assert first["started_at"] == pd.Timestamp("2024-01-31T13:50:00Z")
    assert first["resolved_at"] == pd.Timestamp("2024-01-31T15:20:00Z")
    assert kit.get(first["reference"]).closed_at == pd.Timestamp("2024-02-07T10:00:00Z")
    second = _row(kit, "OLD-102")
    assert second["private"] and second["type"] == "security"
    assert second["started_at"] == second["declared_at"]  # empty started_at means declared_at


def test_defaults_lowest_severity_importing_user_and_detected_mode(kit):
    text = ("external_id,title,status,declared_at,started_at,resolved_at,severity,mode\n"
            "A,Live one,resolved,2024-01-01T10:00:00Z,,2024-01-01T12:00:00Z,,\n"
            "B,Written up later,resolved,2024-01-03T10:00:00Z,2024-01-01T09:00:00Z,2024-01-01T12:00:00Z,major,\n"
            f"C,A drill,investigating,{_recent(5)},,,,test\n")
    summary = kit.import_files("csv", [_file(text)], by="importer")

    assert summary.retrospective == 1
    a, b, c = (_row(kit, x) for x in "ABC")
    assert (a["severity"], a["declared_by"], a["mode"]) == ("Minor", "importer", "live")
    assert (b["severity"], b["mode"]) == ("Major", "retrospective")  # declared after it was resolved
    assert (c["mode"], c["status"]) == ("test", "investigating") and pd.isna(c["resolved_at"])


def test_csv_reimport_updates_by_external_id(kit):
    kit.import_files("csv", [_file(f"external_id,title,status,declared_at\nA,Old title,investigating,{_recent(3)}\n")])
    summary = kit.import_files("csv", [_file(f"external_id,title,status,declared_at,resolved_at\nA,New title,"
                                             f"resolved,{_recent(3)},{_recent(2)}\n")])

    assert (summary.new, summary.updated) == (0, 1)
    row = _row(kit, "A")
    assert (row["title"], row["status"]) == ("New title", "resolved")
    assert len(kit.incidents()) == 1
    fields = {e.field for e in kit.events(row["reference"]) if e.kind == "import_updated"}
    assert fields == {"title", "status", "resolved_at"}


def test_headers_are_matched_loosely_and_blank_lines_skipped(kit):
    text = "External ID,Title,Status,Declared-At\n\nA,One,Investigating,2024-01-01T10:00:00Z\n"
    assert kit.import_files("csv", [_file(text)]).new == 1


def test_every_template_column_is_documented_on_the_importing_page():
    from pathlib import Path

    page = (Path(__file__).resolve().parent.parent / "docs" / "importing.md").read_text()
    section = page.split("## CSV columns", 1)[1].split("\n## ", 1)[0]
    for name, _, _ in COLUMNS:
        assert f"| `{name}` |" in section, name


NA_LIKE = ["NA", "N/A", "n/a", "null", "NULL", "None", "NaN", "nan", "#N/A", "-", "<NA>"]


def test_words_that_mean_missing_to_pandas_are_titles_as_written(kit, python, subprocess_env):
    """pandas.read_csv would read these as missing (na_filter, keep_default_na): here a cell is its text."""
    rows = "".join(f"T{i},{t},resolved,2024-05-01T10:00:00Z,2024-05-01T11:00:00Z\n" for i, t in enumerate(NA_LIKE))
    summary = kit.import_files("csv", [_file("external_id,title,status,declared_at,resolved_at\n" + rows)])

    assert summary.new == len(NA_LIKE)
    assert sorted(kit.incidents()["title"]) == sorted(NA_LIKE)
    kit.close()  # the command line opens the file itself
    import json
    import subprocess

    listed = subprocess.run([python, "-m", "incident_kit", "list", "--json"], env=subprocess_env,
                            capture_output=True, text=True, timeout=120)
    assert sorted(r["title"] for r in json.loads(listed.stdout)) == sorted(NA_LIKE)


def test_an_empty_title_is_still_a_problem(kit):
    from incident_kit.importers.models import ImportRejected

    with pytest.raises(ImportRejected) as caught:
        kit.import_files("csv", [_file("external_id,title,status,declared_at\nA,,investigating,"
                                       "2024-05-01T10:00:00Z\nB,   ,investigating,2024-05-01T10:00:00Z\n")])
    report = caught.value.report
    assert report[["where", "field", "problem"]].values.tolist() == [["line 2", "title", "is missing"],
                                                                    ["line 3", "title", "is missing"]]
    assert kit.incidents().empty
