"""The catalog part of the public Python API (mixed into ``Kit``)."""

from __future__ import annotations

from ..incident.models import IncidentType, Role, Severity
from . import service


class CatalogAPI:
    db: object

    def severities(self) -> list[Severity]:
        """Ordered lowest first; the first is the default for new incidents."""
        return service.severities(self.db)

    def set_severities(self, items: list[dict]) -> list[Severity]:
        return service.set_severities(self.db, items)

    def types(self) -> list[IncidentType]:
        return service.types(self.db)

    def add_type(self, label: str, *, description: str = "", engineering: bool = False) -> IncidentType:
        return service.add_type(self.db, label, description=description, engineering=engineering)

    def roles(self) -> list[Role]:
        return service.roles(self.db)

    def add_role(self, label: str, *, description: str = "") -> Role:
        return service.add_role(self.db, label, description=description)

    def setting(self, name: str):
        return service.get_setting(self.db, name)

    def set_setting(self, name: str, value) -> None:
        service.set_setting(self.db, name, value)
