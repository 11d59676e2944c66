"""Components, impacts and states as plain data (no I/O), and the one ordering of impacts."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Impact(StrEnum):
    """How badly an incident affects a component, mildest first (the order is the severity)."""

    DEGRADED_PERFORMANCE = "degraded_performance"
    PARTIAL_OUTAGE = "partial_outage"
    MAJOR_OUTAGE = "major_outage"

    @property
    def label(self) -> str:
        return IMPACT_LABELS[self.value]


OPERATIONAL = "operational"
UNDER_MAINTENANCE = "under_maintenance"
# Words people see; a state is "operational", "under_maintenance" or an impact.
IMPACT_LABELS = {"degraded_performance": "Degraded performance", "partial_outage": "Partial outage",
                 "major_outage": "Major outage"}
STATE_LABELS = {OPERATIONAL: "Operational", UNDER_MAINTENANCE: "Under maintenance", **IMPACT_LABELS}
IMPACT_ORDER = tuple(Impact)  # mildest first
# Every state, mildest first: its rank is its position. Maintenance ranks below every impact, so an incident
# during a window shows its impact (as Atlassian Statuspage does): customers see what is actually broken.
STATE_ORDER = (OPERATIONAL, UNDER_MAINTENANCE, *(impact.value for impact in IMPACT_ORDER))


def state_label(value: str | None) -> str:
    """'partial_outage' -> 'Partial outage'; an unknown stored value as it is."""
    return STATE_LABELS.get(value or OPERATIONAL, str(value))


@dataclass(frozen=True)
class Component:
    id: int
    name: str
    slug: str
    group: str | None
    description: str
    internal: bool
    archived: bool = False

    @property
    def public(self) -> bool:
        return not self.internal


@dataclass(frozen=True)
class ComponentState:
    """A component and its current state; ``incidents`` are the active incidents affecting it that the
    viewer may see (references), which may include ones the state ignores (test incidents, private ones)."""

    component: Component
    state: str  # "operational", "under_maintenance" or an Impact value
    incidents: tuple[str, ...] = ()
    maintenances: tuple[int, ...] = ()  # the maintenance windows in progress that cover it

    @property
    def label(self) -> str:
        return state_label(self.state)


@dataclass(frozen=True)
class Affected:
    """One component an incident affects, with its impact."""

    component: Component
    impact: Impact


# -- the state rule, in one place ---------------------------------------------------------------------
def rank(state: str | None) -> int:
    """0 for operational (None), 1 under maintenance, then 2, 3, 4 from degraded performance to major outage."""
    return STATE_ORDER.index(str(state)) if state else 0


MAINTENANCE_RANK = rank(UNDER_MAINTENANCE)


def state_of(ranks) -> str:
    """A component's state from the ranks of what counts (``rank``: the impacts of its active, non-private,
    non-test incidents, and maintenance in progress): the worst wins, else operational."""
    return STATE_ORDER[max(ranks, default=0)]
