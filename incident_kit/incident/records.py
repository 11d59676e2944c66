"""An incident's list row and timeline entry as JSON records: one shape for ``incident-kit list --json`` and the
HTTP API's ``GET /incidents``, so the two (and ``--server``, which prints what the API answers) never drift."""

from __future__ import annotations

from ..clock import iso


def _time(value) -> str | None:
    """A frame's timestamp as ISO 8601 with an offset; None for a missing one (NaT)."""
    return None if value is None or str(value) == "NaT" else iso(value.to_pydatetime())


def _text(value):
    """A frame's text; None for a missing one (NaN)."""
    return None if value is None or (isinstance(value, float) and value != value) else value


def list_record(row: dict) -> dict:
    """One row of ``kit.incidents()`` (``frame.to_dict(orient="records")``) as JSON."""
    return {
        "reference": row["reference"], "title": row["title"], "severity": row["severity"], "type": _text(row["type"]),
        "status": row["status"], "mode": row["mode"], "private": bool(row["private"]),
        "declared_by": row["declared_by"], "declared_at": _time(row["declared_at"]),
        "started_at": _time(row["started_at"]), "resolved_at": _time(row["resolved_at"]),
        "lead": _text(row["lead"]), "comms_lead": _text(row["comms_lead"]),
        "accountable_for_updates": row["accountable"], "next_update_due": _time(row["next_update_due"]),
        "tags": list(row["tags"]),
    }


def timeline_record(row) -> dict:
    """One row of ``kit.timeline()`` (a named tuple from ``itertuples``) as JSON."""
    return {"occurred_at": _time(row.occurred_at), "kind": row.kind, "actor": row.actor, "text": row.text,
            "audience": _text(row.audience)}
