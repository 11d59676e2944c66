"""The catalog's own records: severities, incident types and roles (plain data, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Severity:
    name: str
    rank: int  # 1 = lowest
    description: str
    cadence_minutes: int


@dataclass(frozen=True)
class IncidentType:
    name: str
    label: str
    description: str
    engineering: bool


@dataclass(frozen=True)
class Role:
    name: str
    label: str
    description: str


# The update cadence a severity promises when it has none on record (a removed level,
# a missing row): hourly, the middle of the seeded levels (30 min .. 4 h).
DEFAULT_CADENCE_MINUTES = 60


def cadence_for(severities: list[Severity], name: str | None) -> int:
    """The update cadence in minutes of severity ``name``, or ``DEFAULT_CADENCE_MINUTES``."""
    for level in severities:
        if level.name == name:
            return level.cadence_minutes
    return DEFAULT_CADENCE_MINUTES


def cadence_sql(severity: str = "s") -> str:
    """``cadence_for`` in SQL: the cadence of the severity row aliased ``severity`` (a LEFT JOIN), else the default."""
    return f"coalesce({severity}.cadence_minutes, {DEFAULT_CADENCE_MINUTES})"
