"""The notification part of the public Python API (mixed into ``Kit``).

Every change takes ``by=`` and every read ``viewer=`` (``KitPart``): the app passes the person using
it; a Kit with a local operator (the CLI, a notebook) acts as that operator and sees everything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas loads only where a frame is built, so write commands start fast
    import pandas as pd

from ..kit_part import KitPart
from . import service
from .models import DrainResult, Subscription


class NotifyAPI(KitPart):
    def subscribe(self, channel: str, *, person: str | None = None, incident: str | None = None,
                  min_severity: str | None = None, type: str | None = None,
                  by: str | None = None) -> Subscription:
        """Follow one incident, or every incident at/above ``min_severity`` and/or of ``type``.

        ``channel`` is an email address or an apprise URL (mailto://, json://, slack://, workflow://...).
        Stakeholders receive every internal update in the predictable format. ``person`` defaults to ``by``.
        """
        by = self._by(by)
        return service.subscribe(self.db, channel, person=person or by, by=by, incident=incident,
                                 min_severity=min_severity, type=type)

    def unsubscribe(self, subscription_id: int, *, by: str | None = None) -> Subscription:
        """End a subscription: the subscriber's own, or anyone's for an admin."""
        return service.unsubscribe(self.db, subscription_id, by=self._by(by))

    def subscriptions(self, *, viewer: str | None = None, person: str | None = None, incident: str | None = None,
                      include_ended: bool = False, mine: bool = False) -> list[Subscription]:
        """The subscriptions ``viewer`` may see (``mine=True``: only their own); others' channels redacted."""
        return service.subscriptions(self.db, viewer=self._viewer(viewer), person=person, incident=incident,
                                     include_ended=include_ended, mine=mine)

    def set_contact(self, person: str | None, channel: str, *, by: str | None = None) -> str:
        """Where reminders to ``person`` (default: ``by``) go; else their newest subscription's channel."""
        by = self._by(by)
        return service.set_contact(self.db, person or by, channel, by=by)

    def contact(self, person: str | None = None, *, viewer: str | None = None) -> str | None:
        """Where reminders to ``person`` (default: the viewer) go, if the viewer may know."""
        viewer = self._viewer(viewer)
        return service.contact(self.db, person or viewer or self.user, viewer=viewer)

    def needs_update(self, *, viewer: str | None = None, now=None, limit: int | None = None) -> pd.DataFrame:
        """Active incidents overdue for an update, most late first, with the accountable person; the first
        ``limit`` (None: all). How many there are: ``incident_counts(active=True)["overdue"]``."""
        return service.needs_update(self.db, viewer=self._viewer(viewer), now=now, limit=limit)

    def queue_reminders(self, *, now=None) -> int:
        """The worker's job (it acts for nobody): queue a reminder for every overdue incident."""
        return service.queue_reminders(self.db, now=now)

    def outbox(self, *, viewer: str | None = None, status: str | None = None, incident: str | None = None,
               kind: str | None = None, limit: int = 200) -> pd.DataFrame:
        """Deliveries the viewer may see, newest first, with channels redacted."""
        return service.outbox(self.db, viewer=self._viewer(viewer), status=status, incident=incident, kind=kind,
                              limit=limit)

    def outbox_counts(self, *, viewer: str | None = None) -> dict[str, int]:
        return service.outbox_counts(self.db, viewer=self._viewer(viewer))

    def delivery_body(self, delivery_id: int, *, viewer: str | None = None) -> str:
        return service.delivery_body(self.db, delivery_id, viewer=self._viewer(viewer))

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
