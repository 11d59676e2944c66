"""The incident record: catalog, incidents, roles, members, updates and the event log.

The seed catalog and settings are frozen here (migrations stand alone, ``db/migrate.py``): a new
database starts with exactly these, whatever later code holds; the Settings page changes them after.
"""

import json

# Lowest first. The lowest level must feel safe to pick: it is the default.
SEVERITIES = [
    {"name": "Minor", "description": "Routine and low-impact: happens regularly; declare freely.",
     "cadence_minutes": 240},  # a routine incident still deserves a heartbeat, but not a busy one
    {"name": "Moderate", "description": "Some customers or colleagues notice; a workaround exists.",
     "cadence_minutes": 120},
    {"name": "Major",
     "description": "Significant impact on customers, revenue or people; needs coordinated response.",
     "cadence_minutes": 60},
    {"name": "Critical", "description": "Severe, widespread impact or risk; all hands and frequent updates.",
     "cadence_minutes": 30},  # stakeholders of a critical incident expect to hear every half hour
]

# Non-engineering types are first-class: support, security, data, legal, people.
TYPES = [
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

BUILTIN_ROLES = ("lead", "comms")  # config.LEAD_ROLE, config.COMMS_ROLE
ROLES = [
    {"name": "lead", "label": "Incident lead", "description": "Coordinates the response and makes decisions."},
    {"name": "comms", "label": "Communications lead",
     "description": "Accountable for updates to stakeholders on the severity's cadence."},
    {"name": "scribe", "label": "Scribe", "description": "Keeps the timeline complete while others work."},
]

# (name, value) of each setting a new database starts with; a setting without a row reads as its default
# (config.SETTINGS), so a setting added later needs no row here.
SETTINGS = [("admins", []), ("trust_typed_names", False), ("public_name", "Our services")]

STATEMENTS = [
    """CREATE TABLE severities (
        name VARCHAR PRIMARY KEY,
        rank INTEGER NOT NULL,            -- 1 = lowest
        description VARCHAR NOT NULL,
        cadence_minutes INTEGER NOT NULL,
        active BOOLEAN NOT NULL DEFAULT TRUE
    )""",
    """CREATE TABLE incident_types (
        name VARCHAR PRIMARY KEY,
        label VARCHAR NOT NULL,
        description VARCHAR NOT NULL,
        engineering BOOLEAN NOT NULL,
        position INTEGER NOT NULL,
        active BOOLEAN NOT NULL DEFAULT TRUE
    )""",
    """CREATE TABLE roles (
        name VARCHAR PRIMARY KEY,
        label VARCHAR NOT NULL,
        description VARCHAR NOT NULL,
        builtin BOOLEAN NOT NULL,
        position INTEGER NOT NULL,
        active BOOLEAN NOT NULL DEFAULT TRUE
    )""",
    """CREATE TABLE settings (
        name VARCHAR PRIMARY KEY,
        value JSON NOT NULL
    )""",
    """CREATE TABLE incidents (
        id INTEGER PRIMARY KEY,
        reference VARCHAR NOT NULL UNIQUE,
        title VARCHAR NOT NULL,
        summary VARCHAR NOT NULL DEFAULT '',
        severity VARCHAR NOT NULL,
        type VARCHAR,
        status VARCHAR NOT NULL,
        mode VARCHAR NOT NULL,
        private BOOLEAN NOT NULL DEFAULT FALSE,
        declared_by VARCHAR NOT NULL,
        declared_at TIMESTAMPTZ NOT NULL,
        started_at TIMESTAMPTZ NOT NULL,
        resolved_at TIMESTAMPTZ,
        closed_at TIMESTAMPTZ,
        tags VARCHAR[] NOT NULL DEFAULT [],
        source VARCHAR,
        external_id VARCHAR,
        merged_into INTEGER,
        updated_at TIMESTAMPTZ NOT NULL
    )""",
    "CREATE UNIQUE INDEX incidents_source_external_id ON incidents (source, external_id)",
    "CREATE SEQUENCE incident_roles_id_seq",
    """CREATE TABLE incident_roles (
        id BIGINT PRIMARY KEY DEFAULT nextval('incident_roles_id_seq'),
        incident_id INTEGER NOT NULL,
        role VARCHAR NOT NULL,
        person VARCHAR NOT NULL,
        assigned_at TIMESTAMPTZ NOT NULL,
        assigned_by VARCHAR NOT NULL,
        unassigned_at TIMESTAMPTZ      -- NULL while the person holds the role
    )""",
    """CREATE TABLE incident_members (
        incident_id INTEGER NOT NULL,
        person VARCHAR NOT NULL,
        added_at TIMESTAMPTZ NOT NULL,
        added_by VARCHAR NOT NULL
    )""",
    "CREATE SEQUENCE updates_id_seq",
    """CREATE TABLE updates (
        id BIGINT PRIMARY KEY DEFAULT nextval('updates_id_seq'),
        incident_id INTEGER NOT NULL,
        posted_at TIMESTAMPTZ NOT NULL,
        author VARCHAR NOT NULL,
        audience VARCHAR NOT NULL,       -- internal | external
        status VARCHAR,                  -- the incident status the update reports
        message VARCHAR NOT NULL,
        impact VARCHAR NOT NULL DEFAULT '',
        doing VARCHAR NOT NULL DEFAULT '',
        next_update_at TIMESTAMPTZ,
        external_id VARCHAR              -- for imported updates
    )""",
    "CREATE INDEX updates_incident ON updates (incident_id)",
    "CREATE SEQUENCE events_id_seq",
    """CREATE TABLE events (
        id BIGINT PRIMARY KEY DEFAULT nextval('events_id_seq'),
        incident_id INTEGER NOT NULL,
        occurred_at TIMESTAMPTZ NOT NULL,
        actor VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        field VARCHAR,
        old_value VARCHAR,
        new_value VARCHAR,
        detail VARCHAR
    )""",
    "CREATE INDEX events_incident ON events (incident_id)",
]


def seed(tx) -> None:
    tx.executemany(
        "INSERT INTO severities (name, rank, description, cadence_minutes) VALUES (?, ?, ?, ?)",
        [(s["name"], i + 1, s["description"], s["cadence_minutes"]) for i, s in enumerate(SEVERITIES)],
    )
    tx.executemany(
        "INSERT INTO incident_types (name, label, description, engineering, position) VALUES (?, ?, ?, ?, ?)",
        [(t["name"], t["label"], t["description"], t["engineering"], i) for i, t in enumerate(TYPES)],
    )
    tx.executemany(
        "INSERT INTO roles (name, label, description, builtin, position) VALUES (?, ?, ?, ?, ?)",
        [(r["name"], r["label"], r["description"], r["name"] in BUILTIN_ROLES, i) for i, r in enumerate(ROLES)],
    )
    tx.executemany(
        "INSERT INTO settings (name, value) VALUES (?, ?)",
        [(name, json.dumps(value)) for name, value in SETTINGS],
    )
