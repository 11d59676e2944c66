"""Scheduled maintenance: planned windows of work on components.

* ``maintenances``: one row per window. Its status is not stored: it follows the clock
  (``maintenance.models.status_at``), except ``ended_as`` ('cancelled' or 'completed', set when someone
  cancels it or ends it early). Nothing is deleted.
* ``maintenance_components``: the components a window covers (ids from ``components``).
* ``maintenance_events``: what happened to a window and who did it (scheduled, started, completed,
  cancelled, alert_recorded); one 'started' and one 'completed' each at most, so notifications can hook in.
"""

STATEMENTS = [
    "CREATE SEQUENCE maintenances_id_seq",
    """CREATE TABLE maintenances (
        id BIGINT PRIMARY KEY DEFAULT nextval('maintenances_id_seq'),
        title VARCHAR NOT NULL,
        message VARCHAR NOT NULL,
        starts_at TIMESTAMPTZ NOT NULL,
        ends_at TIMESTAMPTZ NOT NULL,
        ended_as VARCHAR,                  -- NULL: follows the clock; 'cancelled' or 'completed' (early)
        ended_at TIMESTAMPTZ,
        ended_by VARCHAR,
        created_at TIMESTAMPTZ NOT NULL,
        created_by VARCHAR NOT NULL
    )""",
    """CREATE TABLE maintenance_components (
        maintenance_id BIGINT NOT NULL,
        component_id BIGINT NOT NULL,
        PRIMARY KEY (maintenance_id, component_id)
    )""",
    """CREATE TABLE maintenance_events (
        maintenance_id BIGINT NOT NULL,
        kind VARCHAR NOT NULL,             -- scheduled, started, completed, cancelled, alert_recorded
        actor VARCHAR NOT NULL,
        occurred_at TIMESTAMPTZ NOT NULL,
        detail VARCHAR NOT NULL
    )""",
]
