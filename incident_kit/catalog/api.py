"""The catalog part of the public Python API (mixed into ``Kit``)."""

from __future__ import annotations

from ..kit_part import KitPart
from . import service
from .models import IncidentType, Role, Severity, cadence_for


class CatalogAPI(KitPart):

    def severities(self) -> list[Severity]:
        """Ordered lowest first; the first is the default for new incidents."""
        return service.severities(self.db)

    def set_severities(self, items: list[dict], *, by=None) -> list[Severity]:
        return service.set_severities(self.db, items, by=self._by(by))

    def types(self) -> list[IncidentType]:
        return service.types(self.db)

    def add_type(self, label: str, *, description: str = "", engineering: bool = False, by=None) -> IncidentType:
        return service.add_type(self.db, label, description=description, engineering=engineering, by=self._by(by))

    def roles(self) -> list[Role]:
        return service.roles(self.db)

    def add_role(self, label: str, *, description: str = "", by=None) -> Role:
        return service.add_role(self.db, label, description=description, by=self._by(by))

    def load_demo(self, *, incidents: int = 400, seed: int = 42, append: bool = False, by=None) -> dict[str, int]:
        """Load the demo organisation (only into an empty database unless ``append``); returns row counts."""
        from .. import demo

        return demo.load(self.db, incidents=incidents, seed=seed, append=append, by=self._by(by))

    def update_cadence(self, severity: str | None) -> int:
        """Minutes between updates that ``severity`` promises (``catalog.models.DEFAULT_CADENCE_MINUTES`` if unknown)."""
        return cadence_for(service.severities(self.db, include_inactive=True), severity)

    def setting(self, name: str):
        return service.get_setting(self.db, name)

    def set_setting(self, name: str, value, *, by=None) -> None:
        service.set_setting(self.db, name, value, by=self._by(by))

    def save_settings(self, values: dict, *, by=None) -> dict:
        """Validate and save several settings at once (one transaction); a signed-in ``by`` must be an admin.

        ``admins`` must be a list of names. Returns the values as stored.
        """
        return service.save_settings(self.db, values, by=self._by(by))

    def can_administer(self, person) -> bool:
        """May ``person`` change settings, import and load demo data? Anyone may until admins are named."""
        return service.can_administer(self.db, person)

    def admin_refusal(self, person, doing: str = "change settings") -> str | None:
        """Why ``person`` may not do ``doing`` (one sentence to show them), or None when they may."""
        return service.admin_refusal(self.db, person, doing)
