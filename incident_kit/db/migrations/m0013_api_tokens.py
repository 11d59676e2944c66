"""API tokens, their audit trail, and the idempotency keys of API declarations.

* ``api_tokens``: a token is kept as its 8-character lookup prefix and the SHA-512 digest of the
  whole token, never the token itself. A name is never reused (``UNIQUE`` even after revocation), so
  ``token:NAME`` on a timeline names one token forever. Revoking sets ``revoked_at``; nothing is deleted.
* ``api_token_events``: who created or revoked which token, and when (tokens append nothing to incidents).
* ``api_idempotency_keys``: one row per (token, ``Idempotency-Key``), claimed before the declaration and
  pointing at its incident after; the primary key is what makes two concurrent retries declare once.
"""

STATEMENTS = [
    "CREATE SEQUENCE api_tokens_id_seq",
    """CREATE TABLE api_tokens (
        id BIGINT PRIMARY KEY DEFAULT nextval('api_tokens_id_seq'),
        name VARCHAR NOT NULL UNIQUE,      -- never reused, so token:NAME on a timeline is one token
        prefix VARCHAR NOT NULL,           -- the token's first 8 characters after "ik_", for lookup
        digest VARCHAR NOT NULL,           -- SHA-512 of the whole token, hex; the token itself is never stored
        scopes VARCHAR NOT NULL,           -- space-separated, e.g. "incidents:read incidents:write"
        created_at TIMESTAMPTZ NOT NULL,
        created_by VARCHAR NOT NULL,
        expires_at TIMESTAMPTZ,            -- NULL: does not expire
        last_used_at TIMESTAMPTZ,          -- refreshed at most once a minute per token
        revoked_at TIMESTAMPTZ,
        revoked_by VARCHAR
    )""",
    "CREATE INDEX api_tokens_prefix ON api_tokens (prefix)",
    """CREATE TABLE api_token_events (
        token_id BIGINT NOT NULL,
        occurred_at TIMESTAMPTZ NOT NULL,
        actor VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,             -- created | revoked
        detail VARCHAR
    )""",
    """CREATE TABLE api_idempotency_keys (
        owner VARCHAR NOT NULL,            -- the token's name: keys of different tokens never collide
        key VARCHAR NOT NULL,
        request_hash VARCHAR NOT NULL,     -- SHA-256 of the request body: the same key with another body is refused
        claim VARCHAR NOT NULL,            -- a random id of the request holding the key
        state VARCHAR NOT NULL,            -- pending | done | failed
        reference VARCHAR,                 -- the incident it declared, once done
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (owner, key)
    )""",
]
