"""Keeping everyone updated: subscriptions, contacts and the notification outbox.

Nothing here is ever deleted: an unsubscribe sets ``ended_at``; a contact
change appends a row (the newest one counts); a delivery moves through
pending -> sending -> sent | failed and keeps its attempts and last error.
"""

STATEMENTS = [
    "CREATE SEQUENCE subscriptions_id_seq",
    """CREATE TABLE subscriptions (
        id BIGINT PRIMARY KEY DEFAULT nextval('subscriptions_id_seq'),
        person VARCHAR NOT NULL,
        channel VARCHAR NOT NULL,          -- an apprise URL (mailto://, json://, slack://...) or an email address
        incident_id INTEGER,               -- one incident; NULL for a rule over many incidents
        min_severity VARCHAR,              -- rule: incidents at this severity's rank or above
        type VARCHAR,                      -- rule: incidents of this type
        created_at TIMESTAMPTZ NOT NULL,
        created_by VARCHAR NOT NULL,
        ended_at TIMESTAMPTZ,              -- set by unsubscribe; NULL while active
        ended_by VARCHAR
    )""",
    """CREATE TABLE contacts (
        person VARCHAR NOT NULL,
        channel VARCHAR NOT NULL,          -- where reminders to this person go
        set_at TIMESTAMPTZ NOT NULL,
        set_by VARCHAR NOT NULL
    )""",
    "CREATE SEQUENCE outbox_id_seq",
    """CREATE TABLE outbox (
        id BIGINT PRIMARY KEY DEFAULT nextval('outbox_id_seq'),
        kind VARCHAR NOT NULL,             -- update | reminder
        incident_id INTEGER NOT NULL,
        update_id BIGINT,
        subscription_id BIGINT,
        recipient VARCHAR NOT NULL,        -- the person
        channel VARCHAR NOT NULL,
        title VARCHAR NOT NULL,
        body VARCHAR NOT NULL,             -- plain text in the predictable update format
        dedupe_key VARCHAR UNIQUE,         -- reminders: one per incident per due time
        status VARCHAR NOT NULL,           -- pending | sending | sent | failed
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TIMESTAMPTZ NOT NULL,
        last_error VARCHAR,
        claimed_by VARCHAR,                -- the worker delivering it now
        claimed_until TIMESTAMPTZ,         -- after this a crashed worker's claim may be taken over
        created_at TIMESTAMPTZ NOT NULL,
        sent_at TIMESTAMPTZ
    )""",
]
