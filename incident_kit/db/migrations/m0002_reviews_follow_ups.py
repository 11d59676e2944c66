"""Reviews (chosen depth, lifecycle, editable sections with history) and follow-ups.

The tables are created here, with the incident record, so that the reviews
feature and the insights metrics share one schema contract.
"""

STATEMENTS = [
    "CREATE SEQUENCE reviews_id_seq",
    """CREATE TABLE reviews (
        id BIGINT PRIMARY KEY DEFAULT nextval('reviews_id_seq'),
        incident_id INTEGER NOT NULL,
        depth VARCHAR NOT NULL,                 -- none | note | standard | workshop
        status VARCHAR NOT NULL,                -- draft | in_review | published | waived
        waived_reason VARCHAR,                  -- the one-line reason for "no review"
        created_at TIMESTAMPTZ NOT NULL,
        created_by VARCHAR NOT NULL,
        published_at TIMESTAMPTZ,
        scheduled_for TIMESTAMPTZ,              -- workshop date
        contributing_factors VARCHAR[] NOT NULL DEFAULT [],  -- short theme labels, like tags
        updated_at TIMESTAMPTZ NOT NULL
    )""",
    "CREATE INDEX reviews_incident ON reviews (incident_id)",
    """CREATE TABLE review_sections (
        review_id BIGINT NOT NULL,
        section VARCHAR NOT NULL,
        version INTEGER NOT NULL,               -- append-only: the current text is the highest version
        body VARCHAR NOT NULL,
        edited_at TIMESTAMPTZ NOT NULL,
        edited_by VARCHAR NOT NULL
    )""",
    "CREATE SEQUENCE follow_ups_id_seq",
    """CREATE TABLE follow_ups (
        id BIGINT PRIMARY KEY DEFAULT nextval('follow_ups_id_seq'),
        incident_id INTEGER NOT NULL,
        title VARCHAR NOT NULL,
        owner VARCHAR,
        priority VARCHAR NOT NULL DEFAULT 'medium',   -- low | medium | high | urgent
        status VARCHAR NOT NULL DEFAULT 'open',       -- open | in_progress | done | wont_do
        wont_do_reason VARCHAR,
        due_at TIMESTAMPTZ,
        tracker_url VARCHAR,
        created_at TIMESTAMPTZ NOT NULL,
        created_by VARCHAR NOT NULL,
        completed_at TIMESTAMPTZ,
        updated_at TIMESTAMPTZ NOT NULL
    )""",
    "CREATE INDEX follow_ups_incident ON follow_ups (incident_id)",
]
