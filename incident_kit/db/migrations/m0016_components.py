"""Components: the parts of the product an incident can affect, and which incidents affect which.

* ``components``: the catalog. ``name_key`` is the name in lower case, ``UNIQUE``, so "Checkout" and
  "checkout" are one component; ``slug`` names it in URLs (the status page, per-component feeds).
  Archiving sets ``archived_at``; nothing is deleted, so an old incident still names what it affected.
* ``incident_components``: one row per (incident, component). ``impact`` is degraded_performance,
  partial_outage or major_outage, or NULL once the incident no longer affects it (the row stays; every
  change is also a timeline event). Named ``incident_id`` so exports leave a private incident's rows out.
"""

STATEMENTS = [
    "CREATE SEQUENCE components_id_seq",
    """CREATE TABLE components (
        id BIGINT PRIMARY KEY DEFAULT nextval('components_id_seq'),
        name VARCHAR NOT NULL,
        name_key VARCHAR NOT NULL UNIQUE,  -- lower(name): names are unique whatever their case
        slug VARCHAR NOT NULL UNIQUE,      -- for URLs; never reused, archived ones included
        group_name VARCHAR,                -- optional heading on the status page
        description VARCHAR NOT NULL,
        internal BOOLEAN NOT NULL,         -- internal components never show on the public status page
        created_at TIMESTAMPTZ NOT NULL,
        created_by VARCHAR NOT NULL,
        archived_at TIMESTAMPTZ,
        archived_by VARCHAR
    )""",
    """CREATE TABLE incident_components (
        incident_id INTEGER NOT NULL,
        component_id BIGINT NOT NULL,
        impact VARCHAR,                    -- NULL: no longer affected (the row is kept)
        changed_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (incident_id, component_id)
    )""",
]
