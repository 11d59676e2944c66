"""The public question other domains ask: which components are under maintenance now (inside their tx)."""

from __future__ import annotations

from ..clock import utcnow
from . import store


def under_maintenance(tx, *, now=None) -> dict[int, list[int]]:
    """Component id -> ids of the maintenance windows in progress that cover it."""
    return store.active_components(tx, now or utcnow())


def hold_alert(tx, component_name: str | None, detail: str, *, by, now) -> int | None:
    """Inside the alert intake's transaction: when ``component_name`` names a component under maintenance now,
    note the alert on that window (once per alert: an 'alert_recorded' event) and return the window's id;
    else None (the alert goes on to declare as usual)."""
    from ..components import service as components  # the components domain asks windows for its states
    from ..errors import NotFound

    if not component_name or not str(component_name).strip():
        return None
    try:
        component = components.find(tx, component_name)
    except NotFound:
        return None
    held = store.active_components(tx, now).get(component.id)
    if not held:
        return None
    if not store.has_event(tx, held[0], "alert_recorded", detail):
        store.record_event(tx, held[0], kind="alert_recorded", actor=str(by), now=now, detail=detail)
    return held[0]
