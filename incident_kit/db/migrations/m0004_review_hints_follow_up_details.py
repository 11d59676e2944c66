"""What reviews and follow-ups need beyond the m0002 contract.

* ``review_hint_dismissals``: a blameless-language hint the author dismissed
  stays dismissed (per review, section and hint), and who dismissed it when is kept.
* ``follow_ups.description``: the body of the tracker issue a follow-up becomes
  when exported (GitHub Issues, Jira and Linear all import a description).
"""

STATEMENTS = [
    """CREATE TABLE review_hint_dismissals (
        review_id BIGINT NOT NULL,
        section VARCHAR NOT NULL,
        hint_key VARCHAR NOT NULL,              -- rule and the matched words, e.g. 'should_have:should have'
        dismissed_at TIMESTAMPTZ NOT NULL,
        dismissed_by VARCHAR NOT NULL
    )""",
    "CREATE INDEX review_hint_dismissals_review ON review_hint_dismissals (review_id)",
    "ALTER TABLE follow_ups ADD COLUMN description VARCHAR DEFAULT ''",
]
