"""The domains that react to incident changes, in one list.

* ``review.service``: an incident closes only with a published or waived review;
* ``notify.service``: a posted update queues one delivery per subscriber, in the update's transaction;
* ``notify.webhooks``: a declaration, an internal update, a status change, resolving or closing queues one
  signed event per signed-webhook subscriber, in the change's transaction (never a private incident);
* ``components.service``: a declaration that names components sets their impacts, in its transaction;
* ``subscribers.notices``: an external update of a public incident queues one email per status page subscriber
  who follows it, in the update's transaction; and (``install_maintenance``, over ``maintenance.hooks``) a
  window scheduled, started, completed or cancelled queues its notices the same way.

Each exposes ``register(subscribe)``. ``incident.hooks`` calls ``install`` before the first event
of a process, so these rules cannot be switched off by importing less (or in another order).
A new reacting domain adds its ``register`` here.
"""

from __future__ import annotations

from collections.abc import Callable


def install(subscribe: Callable) -> None:
    """Register every reacting domain's callbacks with ``subscribe(kind, callback)`` (``incident.hooks``)."""
    from .components import service as components_service
    from .notify import service as notify_service
    from .notify import webhooks as notify_webhooks
    from .review import service as review_service

    from .subscribers import notices

    for register in (review_service.register, notify_service.register, notify_webhooks.register,
                     components_service.register, notices.register):
        register(subscribe)


def install_maintenance(subscribe: Callable) -> None:
    """Register the domains that react to maintenance events (``maintenance.hooks``)."""
    from .subscribers import notices

    notices.register_maintenance(subscribe)
