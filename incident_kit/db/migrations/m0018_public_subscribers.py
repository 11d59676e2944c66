"""Status page subscribers: people who asked, by email, to hear about public incidents and maintenance.

* ``public_subscribers``: one row per subscription request (double opt-in). ``state`` is pending
  (a confirmation email went out), confirmed, unsubscribed, removed (by an admin) or expired (never
  confirmed in time). ``email`` is held only while pending or confirmed: ending a subscription in any
  way overwrites it with NULL (the row stays, so counts and the events keep their history).
* ``public_subscriber_components``: the public components a subscriber chose; none means all of them.
* ``public_subscriber_links``: the SHA-512 digests of the secrets in the links we emailed (confirm,
  unsubscribe), never the secrets themselves.
* ``public_subscriber_events``: what happened to a subscriber and who did it.
* ``outbox`` gains ``public_subscriber_id`` and ``headers`` (extra email headers as JSON, such as
  List-Unsubscribe), and ``incident_id`` may now be NULL: a confirmation email or a maintenance
  notice is about no incident. A placeholder incident id would have made every outbox query lie.
"""

STATEMENTS = [
    "CREATE SEQUENCE public_subscribers_id_seq",
    """CREATE TABLE public_subscribers (
        id BIGINT PRIMARY KEY DEFAULT nextval('public_subscribers_id_seq'),
        email VARCHAR,                     -- NULL once the subscription ended (not kept)
        email_key VARCHAR,                 -- lower-case address for look-ups; NULL with email
        state VARCHAR NOT NULL,            -- pending | confirmed | unsubscribed | removed | expired
        created_at TIMESTAMPTZ NOT NULL,
        expires_at TIMESTAMPTZ NOT NULL,   -- a pending request expires then
        confirmed_at TIMESTAMPTZ,
        ended_at TIMESTAMPTZ
    )""",
    """CREATE TABLE public_subscriber_components (
        subscriber_id BIGINT NOT NULL,
        component_id BIGINT NOT NULL,
        PRIMARY KEY (subscriber_id, component_id)
    )""",
    """CREATE TABLE public_subscriber_links (
        digest VARCHAR PRIMARY KEY,        -- SHA-512 of the secret in the emailed link
        subscriber_id BIGINT NOT NULL,
        purpose VARCHAR NOT NULL,          -- confirm | unsubscribe
        created_at TIMESTAMPTZ NOT NULL
    )""",
    """CREATE TABLE public_subscriber_events (
        subscriber_id BIGINT NOT NULL,
        kind VARCHAR NOT NULL,             -- requested, confirmed, unsubscribed, removed, expired, replaced
        actor VARCHAR NOT NULL,
        occurred_at TIMESTAMPTZ NOT NULL,
        detail VARCHAR NOT NULL
    )""",
    "ALTER TABLE outbox ALTER COLUMN incident_id DROP NOT NULL",
    "ALTER TABLE outbox ADD COLUMN public_subscriber_id BIGINT",
    "ALTER TABLE outbox ADD COLUMN headers VARCHAR",
]
