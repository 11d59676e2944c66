"""The notification part of the public Python API (mixed into ``Kit``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas loads only where a frame is built, so write commands start fast
    import pandas as pd

from . import service
from .models import DrainResult, Subscription


class NotifyAPI:
    db: object
    user: str

    def subscribe(self, channel: str, *, person: str | None = None, incident: str | None = None,
                  min_severity: str | None = None, type: str | None = None,
                  by: str | None = None) -> Subscription:
        """Follow one incident, or every incident at/above ``min_severity`` and/or of ``type``.

        ``channel`` is an email address or an apprise URL (mailto://, json://, slack://, msteams://...).
        Stakeholders receive every internal update in the predictable format.
        """
        return service.subscribe(self.db, channel, person=person or self.user, by=by or self.user,
                                 incident=incident, min_severity=min_severity, type=type)

    def unsubscribe(self, subscription_id: int, *, by: str | None = None) -> Subscription:
        return service.unsubscribe(self.db, subscription_id, by=by or self.user)

    def subscriptions(self, *, person: str | None = None, incident: str | None = None,
                      include_ended: bool = False) -> list[Subscription]:
        return service.subscriptions(self.db, person=person, incident=incident, include_ended=include_ended)

    def set_contact(self, person: str, channel: str, *, by: str | None = None) -> str:
        """Where reminders to ``person`` go (else their newest subscription's channel)."""
        return service.set_contact(self.db, person, channel, by=by or self.user)

    def contact(self, person: str) -> str | None:
        return service.contact(self.db, person)

    def needs_update(self, *, viewer: str | None = None, now=None) -> pd.DataFrame:
        """Active incidents overdue for an update, most late first, with the accountable person."""
        return service.needs_update(self.db, viewer=viewer, now=now)

    def queue_reminders(self, *, now=None) -> int:
        return service.queue_reminders(self.db, now=now)

    def outbox(self, *, status: str | None = None, incident: str | None = None, kind: str | None = None,
               limit: int = 200) -> pd.DataFrame:
        return service.outbox(self.db, status=status, incident=incident, kind=kind, limit=limit)

    def outbox_counts(self) -> dict[str, int]:
        return service.outbox_counts(self.db)

    def delivery_body(self, delivery_id: int) -> str:
        return service.delivery_body(self.db, delivery_id)

    def deliver_notifications(self, *, smtp_url: str | None = None, now=None) -> DrainResult:
        """One worker pass in this thread: reminders, then every due delivery."""
        from ..clock import to_utc
        from .worker import Worker

        fixed = to_utc(now, field="now")
        worker = Worker(self.db, smtp_url=smtp_url, **({"clock": lambda: fixed} if fixed else {}))
        try:
            return worker.run_once()
        finally:
            worker.close()
