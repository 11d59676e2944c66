"""The API-token part of the public Python API (mixed into ``Kit``)."""

from __future__ import annotations

from ..kit_part import KitPart
from . import idempotency, service
from .models import ApiToken, NewToken


class TokensAPI(KitPart):
    def create_api_token(self, name: str, scopes, *, expires=None, by=None) -> NewToken:
        """Create a token acting as ``token:NAME`` with ``scopes``; ``expires`` is ``90d``, ``12h``, ``2w`` or
        ``never`` (the default). The answer holds the secret: it is shown once and never stored."""
        return service.create(self.db, name, scopes, by=self._by(by), expires=expires)

    def api_tokens(self, *, viewer=None) -> list[ApiToken]:
        """Every token (without secrets), revoked and expired ones too; admins only."""
        return service.tokens(self.db, viewer=self._viewer(viewer))

    def revoke_api_token(self, name: str, *, by=None) -> ApiToken:
        """End a token now (it stays listed, with who revoked it and when)."""
        return service.revoke(self.db, name, by=self._by(by))

    def api_token_audit(self, *, viewer=None) -> list[dict]:
        """Who created and revoked which token, and when."""
        return service.audit(self.db, viewer=self._viewer(viewer))

    def authenticate_api_token(self, secret: str) -> ApiToken | None:
        """The live token a presented secret is, or None for any bad one (unknown, expired, revoked)."""
        return service.authenticate(self.db, secret)

    def declare_once(self, idempotency_key: str, title: str, *, declared_by=None, **fields):
        """``declare`` at most once per (actor, ``idempotency_key``): returns ``(incident, created)``;
        a retry gets the first incident and ``created=False``."""
        return idempotency.declare_once(self.db, idempotency_key, title, declared_by=self._by(declared_by),
                                        **fields)
