"""The timeline: one entry per event, with updates shown in full. Pure functions."""

from __future__ import annotations

from typing import TYPE_CHECKING

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import asdict, dataclass

if TYPE_CHECKING:  # pandas loads only where a frame is built, so write commands start fast
    import pandas as pd

from .models import Event, Status, Update


@dataclass(frozen=True)
class Entry:
    occurred_at: dt.datetime
    kind: str
    actor: str
    text: str
    event_id: int
    audience: str | None = None
    update_id: int | None = None


ROLE_LABELS = {"lead": "incident lead", "comms": "communications lead"}


def _status(value: str | None) -> str:
    """A status as the app words it ('post_incident' -> 'Post-incident'); unknown values as stored."""
    try:
        return Status(value).label
    except ValueError:
        return str(value)


def _word(value) -> str:
    """A stored value as a word: 'in_review' -> 'in review'; a review's or follow-up's status or a review depth in
    its own domain's words ('wont_do' -> "won't do", 'note' -> 'short note')."""
    if value is None:
        return "—"
    known = _labels().get(str(value))
    return known.lower() if known else str(value).replace("_", " ")


@functools.cache
def _labels() -> dict[str, str]:
    """Review depths and statuses, follow-up statuses: the words their domains give them (loaded on first use:
    those domains import this package's models)."""
    from ..follow_up.models import FollowUpStatus
    from ..review.models import DEPTH_LABELS, ReviewStatus

    return {**{str(s.value): s.label for s in ReviewStatus}, **{str(s.value): s.label for s in FollowUpStatus},
            **{str(d): label for d, label in DEPTH_LABELS.items()}}


def _declared(detail: str, types: Mapping[str, str]) -> str:
    """'Minor · customer_support · private' (as stored) -> 'Minor · Customer support · private'."""
    return " · ".join(types.get(part, part) for part in detail.split(" · "))


# What the importer appends to an imported incident's detail when it was posted after the fact.
_RETRO = " (posted after the fact: retrospective)"


def _imported(detail: str) -> str:
    """'from csv X1' (as stored: source, then its ID) -> 'Imported from a CSV file (X1)'."""
    from ..importers.models import SOURCE_LABELS

    retro = detail.endswith(_RETRO)
    body = detail.removesuffix(_RETRO)
    if not body.startswith("from "):
        return f"Imported {detail}"
    source, _, ident = body.removeprefix("from ").partition(" ")
    text = f"Imported from {SOURCE_LABELS.get(source, source)}" + (f" ({ident})" if ident else "")
    return text + (", posted after the fact" if retro else "")


def _impact(value: str | None) -> str:
    """An impact as people read it: 'partial_outage' -> 'Partial outage'."""
    return _word(value).capitalize()


def describe(event: Event, types: Mapping[str, str] | None = None) -> str:
    """A one-line, human description of an event. ``types`` maps the catalog's type names to their display names."""
    f, old, new, detail = event.field, event.old_value, event.new_value, event.detail
    if event.kind.startswith("role_"):
        f = ROLE_LABELS.get(f, f)
    match event.kind:
        case "declared":
            return f"Declared ({_declared(detail, types or {})})" if detail else "Declared"
        case "status_changed":
            text = f"Status {_status(old)} → {_status(new)}"
            return f"{text}: {detail}" if detail else text
        case "reopened":
            return f"Reopened ({_status(old)} → {_status(new)})" + (f": {detail}" if detail else "")
        case "severity_changed":
            return f"Severity {old} → {new}" + (f": {detail}" if detail else "")
        case "role_assigned":
            return f"{new} is now {f}" + (f" (was {old})" if old else "")
        case "role_unassigned":
            return f"{old} is no longer {f}"
        case "member_added":
            return f"{new} was added"
        case "field_edited":
            shown = (types or {}).get(new, new) if f == "type" else new
            return f"{f.replace('_', ' ').capitalize()} changed" + (f" to “{shown}”" if f != "summary" else "")
        case "related_linked":  # the reference only: a title stored by older versions is never shown
            return f"Related to {new}"
        case "related_unlinked":
            return f"No longer related to {old}"
        case "merged_in":
            return f"{new} was merged into this incident"
        case "update_posted":
            return f"Posted an {detail} update"
        case "imported":
            return _imported(detail) if detail else "Imported"
        case "import_updated":
            return (detail or f"{(f or 'record').replace('_', ' ').capitalize()} changed at the source")
        case "subscribed" | "unsubscribed":
            return detail or event.kind.capitalize()  # starts with a person's name: kept as written
        case "update_reminder":
            return f"Reminder: {detail}" if detail else "Reminder sent"
        case "review_started":
            return f"Review started: {_word(new).capitalize()}" + (f" ({detail})" if detail else "")
        case "review_depth_changed":
            return f"Review depth {_word(old)} → {_word(new)}" + (f" ({detail})" if detail else "")
        case "review_published":  # detail: the depth's label
            return f"{detail or 'Review'} published"
        case "review_status_changed":
            return f"{detail or 'Review'}: {_word(old)} → {_word(new)}"
        case "component_impact_changed":  # field: the component's name, as written when it changed
            if new is None:
                return f"{f} no longer affected (was {_impact(old)})"
            return f"{f}: {_impact(new)}" + (f" (was {_impact(old)})" if old else "")
        case "follow_up_added":
            return f"Follow-up added: {new}"
        case "follow_up_status_changed":
            return f"Follow-up {f} {_word(old)} → {_word(new)}" + (f" ({detail})" if detail else "")
        case _:
            parts = [event.kind.replace("_", " ").capitalize()]
            if f:
                parts.append(f"{_word(f)}: {old or '—'} → {new or '—'}")
            if detail:
                parts.append(detail)
            return " · ".join(parts)


def build(events: list[Event], updates: list[Update], types: Mapping[str, str] | None = None) -> list[Entry]:
    """Every event in order; an update event carries the update's own text. ``types``: as for ``describe``."""
    by_id = {u.id: u for u in updates}
    entries = []
    for ev in events:
        if ev.kind == "update_posted" and ev.new_value and int(ev.new_value) in by_id:
            u = by_id[int(ev.new_value)]
            entries.append(Entry(ev.occurred_at, ev.kind, ev.actor, u.message, ev.id,
                                 audience=u.audience.value, update_id=u.id))
        else:
            entries.append(Entry(ev.occurred_at, ev.kind, ev.actor, describe(ev, types), ev.id))
    return entries


def to_frame(entries: list[Entry]) -> pd.DataFrame:
    import pandas as pd

    columns = ["occurred_at", "kind", "actor", "text", "event_id", "audience", "update_id"]
    return pd.DataFrame([asdict(e) for e in entries], columns=columns)
