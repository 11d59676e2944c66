"""The status page subscribers part of the public Python API (mixed into ``Kit``).

A customer's steps (``request_status_updates``, ``confirm_status_updates``, ``unsubscribe_status_updates``)
name no person: the address and the emailed links are the proof. Everything else is for admins.
"""

from __future__ import annotations

from ..kit_part import KitPart
from . import service
from .models import Event, Subscriber


class SubscribersAPI(KitPart):

    def request_status_updates(self, email: str, *, components=(), now=None) -> None:
        """A customer asks for the status page's news by email (optionally only about ``components``): one
        confirmation email, nothing more until confirmed. Says nothing about the address's past."""
        service.request(self.db, email, components, now=now)

    def status_link(self, secret: str, purpose: str, *, now=None) -> Subscriber:
        """The subscriber an emailed link (``confirm`` or ``unsubscribe``) names, if it may still be used."""
        return service.check_link(self.db, secret, purpose, now=now)

    def confirm_status_updates(self, secret: str, *, now=None) -> Subscriber:
        """The confirm button behind a confirmation link: the subscription starts."""
        return service.confirm(self.db, secret, now=now)

    def unsubscribe_status_updates(self, secret: str, *, now=None) -> Subscriber:
        """An unsubscribe link (its button, or RFC 8058's one-click POST): the subscription ends at once."""
        return service.unsubscribe(self.db, secret, now=now)

    def expire_status_requests(self, *, now=None) -> int:
        """The worker's job: requests not confirmed in time expire, their addresses forgotten."""
        return service.expire(self.db, now=now)

    def status_subscriber_counts(self, *, viewer=None) -> dict[str, int]:
        """How many status page subscribers are in each state (admins)."""
        return service.counts(self.db, viewer=self._viewer(viewer))

    def status_subscribers(self, *, viewer=None, state: str | None = None, holding: bool = False,
                           limit: int | None = None) -> list[Subscriber]:
        """Status page subscribers, oldest first (admins); ``holding``: only those whose address is kept
        (waiting or subscribed); ``limit``: at most that many (None: all)."""
        return service.subscribers(self.db, viewer=self._viewer(viewer), state=state, holding=holding, limit=limit)

    def export_status_subscribers(self, *, viewer=None, state: str | None = None) -> str:
        """The status page subscribers as CSV, safe to open in a spreadsheet (admins)."""
        return service.export_csv(self.db, viewer=self._viewer(viewer), state=state)

    def remove_status_subscriber(self, subscriber_id, *, by=None) -> Subscriber:
        """End a subscription and forget its address (admins)."""
        return service.remove(self.db, subscriber_id, by=self._by(by))

    def status_subscriber_events(self, subscriber_id, *, viewer=None) -> list[Event]:
        """What happened to a status page subscriber (admins)."""
        return service.events(self.db, subscriber_id, viewer=self._viewer(viewer))
