"""Daily history and uptime per component, from the public incidents' impacts. Pure functions (no I/O).

How each impact counts (docs/notifications.md, "Public status page"):
- major outage: down for as long as it lasted (weight 1);
- partial outage: half down (weight 0.5): part of the customers or part of the function failed, so
  counting it as up would hide it and counting it as down would overstate it;
- degraded performance: up (weight 0): it worked, slowly; the day still shows the impact.
Overlapping incidents on one component never count twice: at each moment the worst impact wins.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..components.models import OPERATIONAL, rank, state_label, state_of

HISTORY_DAYS = 90  # what customers compare providers on; long enough to show a pattern
WEIGHTS = {"major_outage": 1.0, "partial_outage": 0.5, "degraded_performance": 0.0}


@dataclass(frozen=True)
class Span:
    """One incident's impact on one component, from its start to its end (None: still going)."""

    component_id: int
    impact: str
    start: dt.datetime
    end: dt.datetime | None


@dataclass(frozen=True)
class Day:
    date: dt.date
    state: str  # the worst impact that day, or "operational"
    uptime: float  # percent of the day up (weighted)

    @property
    def label(self) -> str:
        return state_label(self.state)


@dataclass(frozen=True)
class History:
    days: list[Day]  # oldest first
    uptime: float  # percent over the whole period


def _down_seconds(spans: list[Span], start: dt.datetime, end: dt.datetime) -> float:
    """Weighted downtime in [start, end): at each moment the worst weight among the overlapping spans."""
    cuts = {start, end}
    clipped = []
    for s in spans:
        a, b = max(s.start, start), min(s.end or end, end)
        if a < b:
            clipped.append((a, b, WEIGHTS.get(s.impact, 0.0)))
            cuts.update((a, b))
    points = sorted(cuts)
    total = 0.0
    for a, b in zip(points, points[1:]):
        weight = max((w for s, e, w in clipped if s <= a and e >= b), default=0.0)
        total += weight * (b - a).total_seconds()
    return total


def history(spans: list[Span], *, now: dt.datetime, days: int = HISTORY_DAYS) -> History:
    """The last ``days`` UTC days up to ``now`` (today counts up to now) for one component's spans."""
    now = now.astimezone(dt.timezone.utc)
    today = now.date()
    out: list[Day] = []
    down = seconds = 0.0
    for n in range(days - 1, -1, -1):
        date = today - dt.timedelta(days=n)
        start = dt.datetime.combine(date, dt.time(), tzinfo=dt.timezone.utc)
        end = min(start + dt.timedelta(days=1), now)
        length = (end - start).total_seconds()
        d = _down_seconds(spans, start, end)
        touching = [s.impact for s in spans if s.start < end and (s.end is None or s.end > start)]
        state = state_of([rank(i) for i in touching]) if touching else OPERATIONAL
        out.append(Day(date, state, 100.0 * (1 - d / length) if length else 100.0))
        down += d
        seconds += length
    return History(out, 100.0 * (1 - down / seconds) if seconds else 100.0)
