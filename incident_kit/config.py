"""Settings and seed data, declared as plain data in one place.

The defaults below seed a new database (migration 0001); after that the
lists live in the database and are edited through the catalog service
(the Settings page), so every process sees the same configuration.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

# Where the embedded DuckDB file lives when neither --db nor INCIDENT_KIT_DB is given.
DEFAULT_DB_PATH = Path("data") / "incident_kit.duckdb"
DB_ENV_VAR = "INCIDENT_KIT_DB"

# Bounds on sizes a person types (plain data here, so the CLI can show them without loading pandas).
# Ten years of a large organisation; benchmarks/bench_store.py loads this many. Memory grows with it
# (20,000 incidents took 5.7 s and 430 MB RSS on the 2-core machine); unbounded, it ran until killed.
DEMO_MAX = 100_000
# The most rows one list call returns; a bigger number is refused rather than overflowing BIGINT.
LIST_LIMIT_MAX = 1_000_000

# Lowest first. The lowest level must feel safe to pick: it is the default.
DEFAULT_SEVERITIES: list[dict] = [
    {
        "name": "Minor",
        "description": "Routine and low-impact: happens regularly; declare freely.",
        # A routine incident still deserves a heartbeat, but not a busy one.
        "cadence_minutes": 240,
    },
    {
        "name": "Moderate",
        "description": "Some customers or colleagues notice; a workaround exists.",
        "cadence_minutes": 120,
    },
    {
        "name": "Major",
        "description": "Significant impact on customers, revenue or people; needs coordinated response.",
        "cadence_minutes": 60,
    },
    {
        "name": "Critical",
        "description": "Severe, widespread impact or risk; all hands and frequent updates.",
        # Stakeholders of a critical incident expect to hear every half hour.
        "cadence_minutes": 30,
    },
]

# Non-engineering types are first-class: support, security, data, legal, people.
DEFAULT_TYPES: list[dict] = [
    {"name": "engineering", "label": "Engineering", "engineering": True,
     "description": "Systems, services or infrastructure misbehaving."},
    {"name": "customer_support", "label": "Customer support", "engineering": False,
     "description": "A spike of tickets, a confused customer base, a support tooling outage."},
    {"name": "security", "label": "Security", "engineering": False,
     "description": "Suspicious access, a leaked credential, a phishing wave."},
    {"name": "data_privacy", "label": "Data / privacy", "engineering": False,
     "description": "Personal data exposed, sent to the wrong place or kept too long."},
    {"name": "legal_compliance", "label": "Legal / compliance", "engineering": False,
     "description": "A regulatory deadline at risk, a contract breach, an audit finding."},
    {"name": "people_facilities", "label": "People / facilities", "engineering": False,
     "description": "Office access, building issues, anything affecting colleagues' wellbeing."},
    {"name": "other", "label": "Other", "engineering": False,
     "description": "Anything else worth coordinating on."},
]

# Built-in roles; custom roles are added through the catalog service.
LEAD_ROLE = "lead"
COMMS_ROLE = "comms"
DEFAULT_ROLES: list[dict] = [
    {"name": LEAD_ROLE, "label": "Incident lead",
     "description": "Coordinates the response and makes decisions."},
    {"name": COMMS_ROLE, "label": "Communications lead",
     "description": "Accountable for updates to stakeholders on the severity's cadence."},
    {"name": "scribe", "label": "Scribe",
     "description": "Keeps the timeline complete while others work."},
]


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    help: str


SETTINGS: list[Setting] = [
    Setting("admins", [], "People who can change settings, import and see every private incident "
                          "(a list of names or emails, as people sign in with)."),
    Setting("trust_typed_names", False,
            "Believe the name a person types when there is no sign-in (OIDC). Off: admin rights and private "
            "incidents need a verified sign-in. Turn on only for a trusted single-team install: anyone can "
            "type an admin's name."),
    Setting("public_name", "Our services", "Organisation name shown on the public status page."),
    # Status pages often never post "resolved" (Twilio's 2023 sample has one such incident): imported as open,
    # it would be years late for an update, remind a vendor's name and show as ongoing forever.
    Setting("imported_open_max_days", 7,
            "An imported incident with no end time whose last update is older than this many days is imported "
            "as resolved at that last update (the import report counts them)."),
]


def resolve_db_path(path: str | os.PathLike | None = None) -> Path | str:
    """--db wins, then INCIDENT_KIT_DB, then data/incident_kit.duckdb.

    A URL (``postgresql://user@host:port/db``) is returned as the string it is;
    anything else is the path of a DuckDB file.
    """
    target = path or os.environ.get(DB_ENV_VAR)
    if not target:
        return DEFAULT_DB_PATH
    if is_url(target):
        return str(target)
    return Path(target)


def is_url(target: object) -> bool:
    """A store URL (``scheme://...``) rather than a file path."""
    return "://" in str(target)
