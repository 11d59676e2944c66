"""The maintenance part of the public Python API (mixed into ``Kit``)."""

from __future__ import annotations

from ..kit_part import KitPart
from . import service
from .models import Event, Maintenance


class MaintenanceAPI(KitPart):

    def schedule_maintenance(self, title: str, *, start, end, components=(), message: str = "", by=None,
                             now=None) -> Maintenance:
        """Schedule maintenance from ``start`` to ``end`` on the named components (anyone who may declare)."""
        return service.schedule(self.db, title, start=start, end=end, components_=components, message=message,
                                by=self._by(by), now=now)

    def maintenances(self) -> list[Maintenance]:
        """Every maintenance window, latest start first; ``m.status_at(now)`` says where it stands."""
        return service.maintenances(self.db)

    def public_maintenances(self, *, now=None) -> list[Maintenance]:
        """For the public status page: upcoming, ongoing and recent (7 days) windows, not cancelled, naming
        only public components and no person."""
        return service.public_maintenances(self.db, now=now)

    def maintenance_events(self, maintenance_id) -> list[Event]:
        """What happened to a maintenance window, and who did it."""
        return service.events(self.db, maintenance_id)

    def cancel_maintenance(self, maintenance_id, *, by=None, now=None) -> Maintenance:
        """Cancel a window (whoever scheduled it, a token, or an admin); it is kept."""
        return service.cancel(self.db, maintenance_id, by=self._by(by), now=now)

    def complete_maintenance(self, maintenance_id, *, by=None, now=None) -> Maintenance:
        """End an ongoing window early."""
        return service.complete(self.db, maintenance_id, by=self._by(by), now=now)

    def advance_maintenances(self, *, now=None) -> list[Event]:
        """Record the 'started' and 'completed' events the clock has caused since last time (once each)."""
        return service.advance(self.db, now=now)
