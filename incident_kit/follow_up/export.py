"""Follow-ups as CSV (for GitHub Issues, Jira and Linear) and JSON. Pure functions.

The CSV's first two columns are Title and Description (GitLab reads only those two,
in that order); the header has no punctuation (Jira's importer advice); dates are
ISO 8601 (``YYYY-MM-DD``) so every importer can map them. A cell a spreadsheet would
run as a formula (``=HYPERLINK(...)``, ``@SUM(...)``, ``+cmd``) starts with ``'`` instead. ``Follow up ID`` survives
the round trip: fill in ``Tracker URL`` and read the file back with
``import_tracker_links`` to write the tracker links back.
"""

from __future__ import annotations

import csv
import io
import json

import pandas as pd

from ..clock import iso
from ..safe_output import csv_text
from .models import FollowUpStatus, Priority

# (CSV header, what it holds). Documented in docs/reviews.md; tests re-read the file by these names.
CSV_COLUMNS: list[tuple[str, str]] = [
    ("Title", "the follow-up's title (Jira: Summary)"),
    ("Description", "its description, then where it came from (incident reference and title, FU id)"),
    ("Assignee", "the owner"),
    ("Priority", "Low, Medium, High or Urgent"),
    ("Status", "Open, In progress, Done or Won't do"),
    ("Due Date", "YYYY-MM-DD (UTC), empty if none"),
    ("Labels", "incident-follow-up and the incident reference, space-separated"),
    ("Follow up ID", "FU-n: the key for writing the tracker link back"),
    ("Incident", "INC-n"),
    ("Tracker URL", "the issue's link in your tracker; fill it in to write it back"),
    ("Created", "ISO 8601 creation time with offset"),
]
CSV_HEADER = [name for name, _ in CSV_COLUMNS]
ID_COLUMN = "Follow up ID"
URL_COLUMN = "Tracker URL"
LABEL = "incident-follow-up"


def _text(value) -> str:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NaT:
        return ""
    return str(value)


def _date(value) -> str:
    if value is None or pd.isna(value):
        return ""
    return pd.Timestamp(value).tz_convert("UTC").strftime("%Y-%m-%d")


def _iso(value) -> str | None:
    if value is None or pd.isna(value):
        return None
    return iso(pd.Timestamp(value).to_pydatetime())


def description(row) -> str:
    origin = f"Follow-up {row['reference']} from incident {row['incident']}: {row['incident_title']}."
    body = _text(row.get("description")).strip()
    return f"{body}\n\n{origin}" if body else origin


def to_csv(frame: pd.DataFrame) -> str:
    """One row per follow-up, columns as in ``CSV_COLUMNS``; formula-like cells neutralised (``safe_output``)."""
    rows = ([
        row["title"],
        description(row),
        _text(row["owner"]),
        Priority(row["priority"]).label,
        FollowUpStatus(row["status"]).label,
        _date(row["due_at"]),
        f"{LABEL} {row['incident']}",
        row["reference"],
        row["incident"],
        _text(row["tracker_url"]),
        _iso(row["created_at"]) or "",
    ] for row in frame.to_dict(orient="records"))
    return csv_text(CSV_HEADER, rows)


def to_records(frame: pd.DataFrame) -> list[dict]:
    records = []
    for row in frame.to_dict(orient="records"):
        records.append({
            "id": row["reference"], "incident": row["incident"], "incident_title": row["incident_title"],
            "title": row["title"], "description": _text(row["description"]), "owner": row["owner"] or None,
            "priority": row["priority"], "status": row["status"],
            "wont_do_reason": _text(row["wont_do_reason"]) or None, "due_at": _iso(row["due_at"]),
            "overdue": bool(row["overdue"]), "tracker_url": _text(row["tracker_url"]) or None,
            "created_at": _iso(row["created_at"]), "created_by": row["created_by"],
            "completed_at": _iso(row["completed_at"]),
        })
    return records


def to_json(frame: pd.DataFrame) -> str:
    return json.dumps(to_records(frame), indent=2, ensure_ascii=False)


def read_links(text: str) -> list[tuple[str, str]]:
    """(follow-up id, tracker URL) pairs from a CSV with ``Follow up ID`` and ``Tracker URL`` columns.

    Accepts this module's own export (edited) and also lower-case ``id``/``tracker_url`` headers.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    fields = {name.strip().lower(): name for name in (reader.fieldnames or [])}
    id_col = fields.get(ID_COLUMN.lower()) or fields.get("id") or fields.get("follow_up_id")
    url_col = fields.get(URL_COLUMN.lower()) or fields.get("tracker_url") or fields.get("url")
    if not id_col or not url_col:
        from ..errors import IncidentKitError

        raise IncidentKitError(
            f"The file needs the columns '{ID_COLUMN}' and '{URL_COLUMN}' (as in the CSV export); "
            f"found: {', '.join(reader.fieldnames or []) or 'none'}.")
    pairs = []
    for row in reader:
        fid, url = (row.get(id_col) or "").strip(), (row.get(url_col) or "").strip()
        if fid and url:
            pairs.append((fid, url))
    return pairs
