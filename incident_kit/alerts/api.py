"""The alert-intake part of the public Python API (mixed into ``Kit``); the HTTP routes call these."""

from __future__ import annotations

from ..kit_part import KitPart


def _service():
    """The service loads pydantic (the payload models): only when an alert arrives, not with every command."""
    from . import service

    return service


class AlertAPI(KitPart):

    def receive_alertmanager(self, payload: dict, *, by: str | None = None) -> dict:
        """Take one Prometheus Alertmanager (webhook version 4) or Grafana webhook delivery, as ``by``.

        Returns ``{"outcome", "incident"}``: outcome is declared, unchanged, alert_added, resolved_noted,
        resolved, reopened_as_new (with ``previous_incident``) or accepted (about an incident ``by`` may not
        see, whose reference is then None). A malformed payload raises ``IncidentKitError`` (one sentence).
        """
        by = self._by(by)
        return _service().receive_alertmanager(self.db, payload, by=by)

    def receive_alert(self, event: dict, *, by: str | None = None) -> dict:
        """Take one generic alert event ``{"status": "firing"|"resolved", "title", "dedup_key", "severity"?,
        "description"?, "source_url"?, "labels"?}``, as ``by``; answers like ``receive_alertmanager``."""
        by = self._by(by)
        return _service().receive_event(self.db, event, by=by)
