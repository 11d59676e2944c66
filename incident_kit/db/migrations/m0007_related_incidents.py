"""Related incidents: a person links an incident to earlier ones it resembles (from "Has this happened before?").

A link is never deleted: unlinking stamps ``unlinked_at``, so the review's history stays true.
"""

STATEMENTS = [
    """CREATE TABLE related_incidents (
        incident_id INTEGER NOT NULL,
        related_id INTEGER NOT NULL,
        linked_at TIMESTAMPTZ NOT NULL,
        linked_by VARCHAR NOT NULL,
        unlinked_at TIMESTAMPTZ,
        unlinked_by VARCHAR
    )""",
    "CREATE INDEX related_incidents_incident ON related_incidents (incident_id)",
    "CREATE INDEX related_incidents_related ON related_incidents (related_id)",
]
