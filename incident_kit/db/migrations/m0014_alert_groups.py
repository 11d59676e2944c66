"""Alert groups: which incident an alert group (Alertmanager's ``groupKey``, a generic ``dedup_key``) opened.

One row per group and *generation*: the first firing of a group opens generation 1 and its incident; a
group that fires again after that incident ended opens generation 2 and a new incident, and so on. The
unique key ``(source, group_hash, generation)`` is what makes twenty simultaneous deliveries of one new
group declare one incident: the nineteen that lose the race insert nothing (``ON CONFLICT DO NOTHING``),
roll back the incident they were declaring, and read the winner's row.

``alert_group_alerts`` keeps each alert's fingerprint and whether it is firing, so a repeat (Alertmanager
re-sends every group_interval and repeat_interval) changes nothing and a new alert in the group is seen.
The groupKey itself is not stored, only its SHA-256: it can hold any label value a sender chose.
"""

STATEMENTS = [
    "CREATE SEQUENCE alert_groups_id_seq",
    """CREATE TABLE alert_groups (
        id BIGINT PRIMARY KEY DEFAULT nextval('alert_groups_id_seq'),
        source VARCHAR NOT NULL,           -- alertmanager | grafana | generic: keys are namespaced by sender
        group_hash VARCHAR NOT NULL,       -- SHA-256 (hex) of the groupKey or dedup_key
        generation INTEGER NOT NULL,       -- 1, then one more each time the group fires after its incident ended
        incident_id INTEGER NOT NULL,
        status VARCHAR NOT NULL,           -- firing | resolved
        opened_at TIMESTAMPTZ NOT NULL,
        opened_by VARCHAR NOT NULL,        -- who delivered the first firing (token:NAME from the API)
        resolved_at TIMESTAMPTZ,
        UNIQUE (source, group_hash, generation)
    )""",
    """CREATE TABLE alert_group_alerts (
        alert_group_id BIGINT NOT NULL,      -- named so exports drop the alerts of a private incident's group too
        fingerprint VARCHAR NOT NULL,
        status VARCHAR NOT NULL,           -- firing | resolved
        first_fired_at TIMESTAMPTZ NOT NULL,
        changed_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (alert_group_id, fingerprint)
    )""",
]
