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
# Words people see; a state is an impact or "operational" (maintenance comes with scheduled maintenance).
IMPACT_LABELS = {"degraded_performance": "Degraded performance", "partial_outage": "Partial outage",
                 "major_outage": "Major outage"}
STATE_LABELS = {OPERATIONAL: "Operational", **IMPACT_LABELS}
IMPACT_ORDER = tuple(Impact)  # mildest first: rank = position + 1, operational = 0


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
    state: str  # "operational" or an Impact value
    incidents: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return state_label(self.state)


@dataclass(frozen=True)
class Affected:
    """One component an incident affects, with its impact."""

    component: Component
    impact: Impact


# -- the state rule, in one place ---------------------------------------------------------------------
def rank(impact: str | None) -> int:
    """0 for operational (no impact), then 1, 2, 3 from degraded performance to major outage."""
    return IMPACT_ORDER.index(Impact(impact)) + 1 if impact else 0


def state_of(ranks) -> str:
    """A component's state from the ranks of the impacts that count (``rank``): the worst wins, else operational."""
    worst = max(ranks, default=0)
    return IMPACT_ORDER[worst - 1].value if worst else OPERATIONAL
