"""The components part of the public Python API (mixed into ``Kit``)."""

from __future__ import annotations

from ..kit_part import KitPart
from . import service
from .models import Affected, Component, ComponentState


class ComponentsAPI(KitPart):

    def components(self, *, include_archived: bool = False) -> list[Component]:
        """The catalog of components, by group then name (everyone inside may read it)."""
        return service.components(self.db, include_archived=include_archived)

    def add_component(self, name: str, *, group: str | None = None, description: str = "", internal: bool = False,
                      by=None) -> Component:
        """Add a component (admins only); ``internal`` ones never show on the public status page."""
        return service.add(self.db, name, group=group, description=description, internal=internal, by=self._by(by))

    def archive_component(self, name: str, *, by=None) -> Component:
        """Archive a component (admins only): kept with its history, offered no more."""
        return service.archive(self.db, name, by=self._by(by))

    def restore_component(self, name: str, *, by=None) -> Component:
        return service.restore(self.db, name, by=self._by(by))

    def set_component_impact(self, reference: str, component: str, impact: str | None, *, by=None) -> list[Affected]:
        """How an incident affects a component now (None: no longer); a timeline event. Returns all it affects."""
        return service.set_impact(self.db, reference, component, impact, by=self._by(by))

    def incident_components(self, reference: str, *, viewer=None) -> list[Affected]:
        """The components an incident affects, with their impacts."""
        return service.affected(self.db, reference, viewer=self._viewer(viewer))

    def component_states(self, *, viewer=None, now=None) -> list[ComponentState]:
        """Each component's current state: the worst impact among its active, non-private, non-test incidents,
        else under maintenance during a maintenance window (``now``: the clock, for tests), else operational."""
        return service.states(self.db, viewer=self._viewer(viewer), now=now)

    def public_component_states(self, *, now=None) -> list[ComponentState]:
        """The same for the public (the status page): public components, non-private non-test incidents only."""
        return service.public_states(self.db, now=now)
