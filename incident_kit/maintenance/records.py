"""A maintenance window as a JSON-ready dict: the CLI's ``--json`` and the HTTP API share it."""

from __future__ import annotations

from ..clock import iso
from .models import Maintenance


def record(m: Maintenance, now) -> dict:
    return {"id": m.id, "title": m.title, "message": m.message, "start": iso(m.start), "end": iso(m.end),
            "components": list(m.components), "status": m.status_at(now).value, "ended_at": iso(m.ended_at),
            "ended_by": m.ended_by, "created_at": iso(m.created_at), "created_by": m.created_by}
