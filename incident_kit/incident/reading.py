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


def _filters(tx, viewer, *, active=False, mine=None, type=None, severity=None, search=None, **rest) -> dict:
    """The store's filters (``store.list_params``) for this viewer: visibility and the catalog names resolved."""
    see_all, who = scope(tx, viewer)
    return dict(see_all=see_all, viewer=who, active_only=active, mine=mine, type=catalog.resolve_type(tx, type),
                severity=catalog.resolve_severity(tx, severity) if severity else None,
                search=(search or "").strip() or None, **rest)


def incidents(db, *, viewer: str | None = None, active: bool = False, mine: str | None = None,
              type: str | None = None, severity: str | None = None, search: str | None = None,
              since=None, until=None, resolved_since=None, limit: int | None = None) -> pd.DataFrame:
    """The list rows; ``resolved_since``: only incidents no longer active that were resolved at or after it."""
    filters = dict(active=active, mine=mine, type=type, severity=severity, search=search,
                   since=to_utc(since, field="since"), until=to_utc(until, field="until"),
                   resolved_since=to_utc(resolved_since, field="resolved since"), limit=bounds.limit(limit))
    frame = db.read(lambda tx: store.list_incidents(tx, **_filters(tx, viewer, **filters)))
    from .schemas import IncidentList

    return IncidentList.validate(frame)


def incident_counts(db, *, viewer: str | None = None, active: bool = False, mine: str | None = None,
                    type: str | None = None, severity: str | None = None, search: str | None = None,
                    resolved_since=None, now=None) -> dict[str, int]:
    """How many incidents the viewer can see with these filters: total, active, overdue for an update."""
    now_ = to_utc(now, field="now") or utcnow()
    filters = dict(active=active, mine=mine, type=type, severity=severity, search=search,
                   resolved_since=to_utc(resolved_since, field="resolved since"))
    return db.read(lambda tx: store.count_incidents(tx, now=now_, **_filters(tx, viewer, **filters)))


def overdue(db, *, viewer: str | None = None, now=None, limit: int | None = None) -> pd.DataFrame:
    """Active incidents the viewer may see whose next update was due before ``now``, most late first (list rows)."""
    now_ = to_utc(now, field="now") or utcnow()
    limit_ = bounds.limit(limit)
    frame = db.read(lambda tx: store.overdue_incidents(tx, now=now_, limit=limit_, **_filters(tx, viewer, active=True)))
    from .schemas import IncidentList

    return IncidentList.validate(frame)


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
