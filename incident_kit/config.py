"""Settings, declared as plain data in one place.

A setting that was never saved reads as its default here. The seed catalog (severities, types,
roles) is frozen inside migration 0001, as migrations stand alone; after that the lists live in
the database and are edited through the catalog service (the Settings page), so every process
sees the same configuration.
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

# The two built-in roles (the seed catalog is migration 0001's; custom roles come through the catalog service).
LEAD_ROLE = "lead"
COMMS_ROLE = "comms"


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
    Setting("public_url", "",
            "The address customers reach this app at, e.g. https://status.example.com: the links in status page "
            "emails and the static page's subscribe form point there. Empty: nobody can subscribe by email."),
    # Alertmanager's conventional levels (kube-prometheus: critical, warning, info) plus "error"; "critical"
    # already names a default severity, so it needs no entry.
    Setting("alert_severities", {"error": "Major", "warning": "Moderate", "info": "Minor"},
            "Which of our severities an alert's severity label means, e.g. {\"page\": \"Critical\"}. A label "
            "that already names a severity (in any case) is that severity; an unknown label gets the lowest."),
    Setting("resolve_with_alerts", False,
            "Resolve an incident that alerts opened when all its alerts resolve, with a final update saying so. "
            "Off: the resolution is noted on the timeline and a person resolves the incident."),
    Setting("declare_during_maintenance", False,
            "Declare incidents for alerts whose component label names a component under maintenance. Off: "
            "such an alert is noted on the maintenance instead."),
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
