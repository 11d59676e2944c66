"""Queue status page subscribers' emails inside the transaction of the change they tell of.

* An external update of an incident the public page shows (not private, not a test) reaches every confirmed
  subscriber who follows the whole page or one of the components the incident affects (``incident.hooks``).
* A maintenance window scheduled, started, completed or cancelled reaches every confirmed subscriber who
  follows the whole page or one of its components (``maintenance.hooks``).

Each email carries its own unsubscribe secret (only its digest is stored): the text is written now, and
the store never holds a secret it could put in a later email.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from ..catalog import service as catalog
from ..components import store as components_store
from ..components.models import state_label
from ..incident.models import Status
from ..notify import public as outbox
from ..notify.models import DeliveryKind
from . import mail, store
from .models import Purpose, link_digest, new_secret


def base_url(tx) -> str:
    """The setting ``public_url`` (the address customers reach the app at), or '' when it is not set."""
    return str(catalog.setting(tx, "public_url") or "").strip()


def page_name(tx) -> str:
    return str(catalog.setting(tx, "public_name") or "Our services")


def queue(tx, recipients: list[int], write: Callable[[str], tuple[str, str]], *, kind: DeliveryKind, now,
          incident_id: int | None = None, update_id: int | None = None) -> int:
    """One email per subscriber in ``recipients``: ``write(unsubscribe_url)`` gives (subject, body)."""
    base = base_url(tx)
    if not recipients or not base:
        return 0  # no subscriber, or no address to put in the links (subscribing needs one: it was unset since)
    links, rows = [], []
    for subscriber_id in recipients:
        secret = new_secret()
        url = mail.link(base, Purpose.UNSUBSCRIBE.value, secret)
        subject, body = write(url)
        links.append((link_digest(secret), subscriber_id, Purpose.UNSUBSCRIBE.value))
        rows.append([kind.value, incident_id, update_id, subscriber_id, subject, body, mail.headers(url), now])
    store.insert_links(tx, links, now=now)
    outbox.queue_many(tx, rows)
    return len(rows)


# -- incidents -----------------------------------------------------------------------------------------
def _on_update_posted(tx, kind: str, incident_id: int, payload: dict) -> None:
    if payload.get("detail") != "external" or payload.get("new") is None:
        return  # internal updates never leave the organisation
    incident, update = payload.get("incident"), payload.get("update")
    if incident is None or update is None or not store.incident_is_public(tx, incident_id):
        return
    recipients = store.incident_recipients(tx, incident_id)
    if not recipients:
        return
    public = {c.id: c.name for c in components_store.components(tx, include_internal=False)}
    affects = [f"{c.name}: {state_label(impact)}" for c, impact in components_store.affected(tx, incident_id)
               if c.id in public]
    status = update.status or incident.status
    name, base = page_name(tx), base_url(tx)

    def write(unsubscribe_url: str) -> tuple[str, str]:
        return mail.incident_notice(name=name, base=base, unsubscribe_url=unsubscribe_url,
                                    reference=incident.reference, title=incident.title, status=str(status),
                                    status_label=Status(status).label, message=update.message,
                                    impact=update.impact or "", doing=update.doing or "",
                                    next_update_at=update.next_update_at, affects=affects)

    queue(tx, recipients, write, kind=DeliveryKind.NOTICE, now=update.posted_at, incident_id=incident_id,
          update_id=update.id)


def register(subscribe) -> None:
    """External updates reach status page subscribers (``incident.hooks``, via ``incident_kit.reactions``)."""
    subscribe("update_posted", _on_update_posted)


# -- maintenance ---------------------------------------------------------------------------------------
def _on_maintenance(tx, kind: str, maintenance, now: dt.datetime) -> None:
    if kind not in mail.MAINTENANCE_WORDS:
        return
    recipients = store.maintenance_recipients(tx, maintenance.id)
    if not recipients:
        return
    public = {c.name for c in components_store.components(tx, include_internal=False)}
    shown = tuple(c for c in maintenance.components if c in public)
    name, base = page_name(tx), base_url(tx)

    def write(unsubscribe_url: str) -> tuple[str, str]:
        return mail.maintenance_notice(name=name, base=base, unsubscribe_url=unsubscribe_url, kind=kind,
                                       title=maintenance.title, message=maintenance.message,
                                       start=maintenance.start, end=maintenance.end, components=shown)

    queue(tx, recipients, write, kind=DeliveryKind.NOTICE, now=now)


def register_maintenance(subscribe) -> None:
    """Maintenance notices (``maintenance.hooks``, via ``incident_kit.reactions.install_maintenance``)."""
    subscribe(_on_maintenance)
