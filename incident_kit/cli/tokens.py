"""``incident-kit api-token``: create, list and revoke the tokens other tools use to reach the HTTP API."""

from __future__ import annotations

import click

from ..clock import utcnow
from ..tokens.models import SCOPES
from .base import cli, echo, echo_json, json_option, pass_state

# While the app holds the DuckDB file, tokens are made in the app (the API does not make tokens).
IN_SETTINGS = ("The database {path} is in use by another process{pid}, probably the running app, so this "
               "command cannot open it; create or revoke API tokens in the app's Settings page, or stop the app "
               "first.")


def _when(value) -> str:
    return "—" if value is None else f"{value:%Y-%m-%d %H:%M}Z"


@cli.group("api-token")
def api_token() -> None:
    """Create, list and revoke API tokens for the HTTP API (/api/v1 of the running app)."""


@api_token.command("create")
@click.argument("name")
@click.option("--scope", "scopes", multiple=True, required=True, type=click.Choice(list(SCOPES)),
              help="What the token may do (repeatable): " + "; ".join(f"{k}: {v}" for k, v in SCOPES.items()) + ".")
@click.option("--expires", metavar="DURATION", help="Ends the token after e.g. 90d, 12h or 2w [default: never].")
@json_option
@pass_state
def create(state, name, scopes, expires, as_json):
    """Create the token NAME and print it once (it acts as token:NAME; only its hash is kept)."""
    new = state.kit(while_app_runs=IN_SETTINGS).create_api_token(name, list(scopes), expires=expires)
    if as_json:
        echo_json(new.to_dict())
        return
    until = f"until {_when(new.token.expires_at)}" if new.token.expires_at else "with no expiry"
    echo(f"Created the token {new.token.name} ({', '.join(new.token.scopes)}), {until}. Copy it now; it is not "
         "shown again:", err=True)
    echo(new.secret)


@api_token.command("list")
@json_option
@pass_state
def list_(state, as_json):
    """Every token: name, scopes, created, last used, expiry (never the secret)."""
    tokens = state.kit(while_app_runs=IN_SETTINGS).api_tokens()
    if as_json:
        echo_json([t.to_dict() for t in tokens])
        return
    if not tokens:
        echo("No API tokens yet. Create one with: incident-kit api-token create NAME --scope incidents:read")
        return
    now = utcnow()
    for t in tokens:
        ends = "never" if t.expires_at is None else _when(t.expires_at)
        echo(f"{t.name:<20} {t.state(now):<8} {' '.join(t.scopes):<40} created {_when(t.created_at)}  "
             f"last used {_when(t.last_used_at)}  expires {ends}")


@api_token.command("revoke")
@click.argument("name")
@json_option
@pass_state
def revoke(state, name, as_json):
    """End the token NAME now (it stays listed; requests with it get 401)."""
    token = state.kit(while_app_runs=IN_SETTINGS).revoke_api_token(name)
    if as_json:
        echo_json(token.to_dict())
        return
    echo(f"Revoked the token {token.name}; requests with it are now refused.")
