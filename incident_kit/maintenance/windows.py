"""The public question other domains ask: which components are under maintenance now (inside their tx)."""

from __future__ import annotations

from ..clock import utcnow
from . import store


def under_maintenance(tx, *, now=None) -> dict[int, list[int]]:
    """Component id -> ids of the maintenance windows in progress that cover it."""
    return store.active_components(tx, now or utcnow())
