"""The incident part of the public Python API (mixed into ``Kit``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas loads only where a frame is built, so write commands start fast
    import pandas as pd

from ..catalog.service import types as catalog_types
from ..kit_part import KitPart
from . import service, timeline
from .models import Event, Incident, Update


class IncidentAPI(KitPart):
    def declare(self, title: str, *, declared_by: str | None = None, severity: str | None = None,
                type: str | None = None, summary: str = "", private: bool = False, started_at=None,
                mode: str = "live", tags=None, lead: str | None = None, components=None) -> Incident:
        """Declare an incident. Only the title is required; severity defaults to the lowest.

        ``components`` maps component names to impacts, e.g. ``{"Checkout": "partial_outage"}``.
        """
        return service.declare(self.db, title, declared_by=self._by(declared_by), severity=severity, type=type,
                               summary=summary, private=private, started_at=started_at, mode=mode,
                               tags=tags, lead=lead, components=components)

    def post_update(self, reference: str, message: str, *, by: str | None = None, audience: str = "internal",
                    status: str | None = None, impact: str = "", doing: str = "",
                    next_update_at=None) -> Update:
        return service.post_update(self.db, reference, message, by=self._by(by), audience=audience,
                                   status=status, impact=impact, doing=doing, next_update_at=next_update_at)

    def change_status(self, reference: str, status: str, *, by: str | None = None, note: str | None = None) -> Incident:
        return service.change_status(self.db, reference, status, by=self._by(by), note=note)

    def change_severity(self, reference: str, severity: str, *, by: str | None = None,
                        reason: str | None = None) -> Incident:
        return service.change_severity(self.db, reference, severity, by=self._by(by), reason=reason)

    def assign_role(self, reference: str, role: str, person: str | None, *, by: str | None = None) -> Incident:
        return service.assign_role(self.db, reference, role, person, by=self._by(by))

    def add_member(self, reference: str, person: str, *, by: str | None = None) -> Incident:
        return service.add_member(self.db, reference, person, by=self._by(by))

    def edit(self, reference: str, *, by: str | None = None, **fields) -> Incident:
        """Edit title, summary, type, tags, started_at, private or mode."""
        return service.edit(self.db, reference, by=self._by(by), **fields)

    def resolve(self, reference: str, *, by: str | None = None, note: str | None = None,
                final_update: str | None = None, external_update: str | None = None) -> Incident:
        """Resolve; optionally post the final update (and its customer version) in the same change."""
        return service.resolve(self.db, reference, by=self._by(by), note=note, final_update=final_update,
                               external_update=external_update)

    def reopen(self, reference: str, *, by: str | None = None, status: str = "investigating",
               reason: str | None = None) -> Incident:
        return service.reopen(self.db, reference, by=self._by(by), status=status, reason=reason)

    def decline(self, reference: str, *, reason: str, by: str | None = None) -> Incident:
        return service.decline(self.db, reference, by=self._by(by), reason=reason)

    def merge(self, reference: str, into: str, *, by: str | None = None) -> Incident:
        return service.merge(self.db, reference, into, by=self._by(by))

    def get(self, reference: str, *, viewer: str | None = None) -> Incident:
        return service.get(self.db, reference, viewer=self._viewer(viewer))

    def events(self, reference: str, *, viewer: str | None = None) -> list[Event]:
        return service.events(self.db, reference, viewer=self._viewer(viewer))

    def updates(self, reference: str, *, viewer: str | None = None) -> list[Update]:
        return service.updates(self.db, reference, viewer=self._viewer(viewer))

    def role_history(self, reference: str, *, viewer: str | None = None) -> pd.DataFrame:
        return service.role_history(self.db, reference, viewer=self._viewer(viewer))

    def timeline(self, reference: str, *, viewer: str | None = None) -> pd.DataFrame:
        """Events and updates in order, one row each (the audit trail, readable)."""
        types = {t.name: t.label for t in catalog_types(self.db, include_inactive=True)}  # retired ones too
        return timeline.to_frame(timeline.build(self.events(reference, viewer=self._viewer(viewer)),
                                                self.updates(reference, viewer=self._viewer(viewer)), types))

    def incidents(self, *, viewer: str | None = None, active: bool = False, mine: str | None = None,
                  type: str | None = None, severity: str | None = None, search: str | None = None,
                  since=None, until=None, limit: int | None = None) -> pd.DataFrame:
        """One row per incident, active first. ``viewer`` hides private incidents they may not see."""
        return service.incidents(self.db, viewer=self._viewer(viewer), active=active, mine=mine, type=type,
                                 severity=severity, search=search, since=since, until=until, limit=limit)

    def incident_counts(self, *, viewer: str | None = None, active: bool = False, mine: str | None = None,
                        type: str | None = None, severity: str | None = None, search: str | None = None,
                        now=None) -> dict[str, int]:
        """``{"total", "active", "overdue"}`` for the same filters (and visibility) as ``incidents()``."""
        return service.incident_counts(self.db, viewer=self._viewer(viewer), active=active, mine=mine, type=type,
                                       severity=severity, search=search, now=now)

    def summary(self, reference: str, *, viewer: str | None = None) -> dict:
        """One incident's list row: lead, comms_lead, accountable, next_update_due, update_count..."""
        return service.summary(self.db, reference, viewer=self._viewer(viewer))

    def members(self, reference: str, *, viewer: str | None = None) -> list[str]:
        return service.members(self.db, reference, viewer=self._viewer(viewer))
