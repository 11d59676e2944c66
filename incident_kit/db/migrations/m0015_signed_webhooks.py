"""Signed webhooks: a subscription's signing secret.

A subscription whose channel is a signed webhook (``webhook+https://…``) receives incident events as
JSON signed with Standard Webhooks (HMAC-SHA256). The worker signs each attempt with the subscription's
secret, so the secret is kept here as it was generated (``whsec_`` and base64 of 32 random bytes):
a digest could not sign. It is shown once, to whoever subscribes, and never read back by any list;
every other subscription leaves it NULL, which is also how the store tells the two kinds apart.

It only adds a column to a table of migration 3, so it applies whether or not migration 13 has run.
"""

STATEMENTS = [
    "ALTER TABLE subscriptions ADD COLUMN signing_secret VARCHAR",
]
