"""Sections of the Incident page contributed by other domains (reviews, follow-ups, subscriptions...).

Each panel module defines ``render(kit, incident, user) -> None``. The Incident
page renders every panel listed in ``PANELS`` after its own controls.
"""

import importlib

# Module names inside this package, rendered in this order.
PANELS: list[str] = [
    "review",
    "similar",
    "subscribe",
]


def incident_panels():
    return [importlib.import_module(f"{__name__}.{name}") for name in PANELS]
