"""Reading incidents: one by reference, its timeline, and the filtered list behind every page.

``viewer=None`` is the trusted local caller; any other viewer sees only what the
visibility rule (``visibility.py``) allows, and a private incident they may not
see is reported exactly like a missing one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas loads only where a frame is built, so write commands start fast
    import pandas as pd

from ..catalog import service as catalog
from ..clock import to_utc, utcnow
from .. import bounds
from . import store
from .loading import load_visible, visible_events
from .models import Event, Incident, Update
from .visibility import scope



def get(db, reference: str, *, viewer: str | None = None) -> Incident:
    return db.read(lambda tx: load_visible(tx, reference, viewer))


def events(db, reference: str, *, viewer: str | None = None) -> list[Event]:
    return db.read(lambda tx: visible_events(tx, load_visible(tx, reference, viewer), viewer))


def updates(db, reference: str, *, viewer: str | None = None) -> list[Update]:
    return db.read(lambda tx: store.updates(tx, load_visible(tx, reference, viewer).id))


def role_history(db, reference: str, *, viewer: str | None = None) -> pd.DataFrame:
    return db.read(lambda tx: store.role_history(tx, load_visible(tx, reference, viewer).id))


def incidents(db, *, viewer: str | None = None, active: bool = False, mine: str | None = None,
              type: str | None = None, severity: str | None = None, search: str | None = None,
              since=None, until=None, limit: int | None = None) -> pd.DataFrame:
    since_, until_ = to_utc(since, field="since"), to_utc(until, field="until")
    limit_ = bounds.limit(limit)

    def work(tx):
        see_all, who = scope(tx, viewer)
        return store.list_incidents(tx, see_all=see_all, viewer=who, active_only=active, mine=mine,
                                    type=catalog.resolve_type(tx, type),
                                    severity=catalog.resolve_severity(tx, severity) if severity else None,
                                    search=(search or "").strip() or None, since=since_, until=until_,
                                    limit=limit_)

    frame = db.read(work)
    from .schemas import IncidentList

    return IncidentList.validate(frame)


def incident_counts(db, *, viewer: str | None = None, active: bool = False, mine: str | None = None,
                    type: str | None = None, severity: str | None = None, search: str | None = None,
                    now=None) -> dict[str, int]:
    """How many incidents the viewer can see with these filters: total, active, overdue for an update."""
    now_ = to_utc(now, field="now") or utcnow()

    def work(tx):
        see_all, who = scope(tx, viewer)
        return store.count_incidents(tx, now=now_, see_all=see_all, viewer=who, active_only=active,
                                     mine=mine, type=catalog.resolve_type(tx, type),
                                     severity=catalog.resolve_severity(tx, severity) if severity else None,
                                     search=(search or "").strip() or None)

    return db.read(work)


def summary(db, reference: str, *, viewer: str | None = None) -> dict:
    """One incident as it appears in the list: lead, comms lead, accountable, next update due..."""

    def work(tx):
        incident = load_visible(tx, reference, viewer)
        see_all, who = scope(tx, viewer)
        return store.summary_by_reference(tx, incident.reference, see_all=see_all, viewer=who)

    from .schemas import IncidentList

    frame = IncidentList.validate(db.read(work))
    row = frame.iloc[0].to_dict()
    row["tags"] = list(row.get("tags") if row.get("tags") is not None else [])
    import pandas as pd

    return {k: (None if pd.api.types.is_scalar(v) and pd.isna(v) else v) for k, v in row.items()}


def members(db, reference: str, *, viewer: str | None = None) -> list[str]:
    """People explicitly added to the incident (who may see it when it is private)."""
    return db.read(lambda tx: store.members(tx, load_visible(tx, reference, viewer).id))
