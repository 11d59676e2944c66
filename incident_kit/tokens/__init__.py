"""API tokens (hashed, scoped, revocable) and the idempotency keys of API declarations."""
