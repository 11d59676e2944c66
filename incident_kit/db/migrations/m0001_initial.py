"""The incident record: catalog, incidents, roles, members, updates and the event log."""

from ...config import DEFAULT_ROLES, DEFAULT_SEVERITIES, DEFAULT_TYPES, SETTINGS

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
    import json

    tx.executemany(
        "INSERT INTO severities (name, rank, description, cadence_minutes) VALUES (?, ?, ?, ?)",
        [(s["name"], i + 1, s["description"], s["cadence_minutes"]) for i, s in enumerate(DEFAULT_SEVERITIES)],
    )
    tx.executemany(
        "INSERT INTO incident_types (name, label, description, engineering, position) VALUES (?, ?, ?, ?, ?)",
        [(t["name"], t["label"], t["description"], t["engineering"], i) for i, t in enumerate(DEFAULT_TYPES)],
    )
    tx.executemany(
        "INSERT INTO roles (name, label, description, builtin, position) VALUES (?, ?, ?, ?, ?)",
        [(r["name"], r["label"], r["description"], r["name"] in ("lead", "comms"), i)
         for i, r in enumerate(DEFAULT_ROLES)],
    )
    tx.executemany(
        "INSERT INTO settings (name, value) VALUES (?, ?)",
        [(s.name, json.dumps(s.default)) for s in SETTINGS],
    )
