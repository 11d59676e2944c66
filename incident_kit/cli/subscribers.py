"""``incident-kit status-page subscribers``: who subscribed to the status page by email (admins)."""

from __future__ import annotations

import click

from ..safe_output import write_file
from .base import echo, echo_json, json_option, pass_state, reply
from .notify import status_page


@status_page.group("subscribers")
def subscribers() -> None:
    """Status page subscribers by email: count, list, export and remove (admins only, once admins are named)."""


@subscribers.command("list")
@click.option("--state", "state_", type=click.Choice(["pending", "confirmed", "unsubscribed", "removed", "expired"]),
              help="Only subscribers in this state.")
@json_option
@pass_state
def list_(state, state_, as_json):
    """Every subscriber, oldest first, and how many are in each state."""
    kit = state.kit(read_only=True)
    found = kit.status_subscribers(state=state_)
    counts = kit.status_subscriber_counts()
    if as_json:
        echo_json({"counts": counts, "subscribers": [s.to_dict() for s in found]})
        return
    echo(", ".join(f"{n} {name}" for name, n in counts.items()))
    for s in found:
        what = ", ".join(s.components) if s.components else "every component"
        echo(f"{s.id}  {s.email or '(address forgotten)'}  {s.state}  {what}")


@subscribers.command("export")
@click.option("--state", "state_", type=click.Choice(["pending", "confirmed", "unsubscribed", "removed", "expired"]),
              help="Only subscribers in this state.")
@click.option("--out", "out_file", metavar="FILE", type=click.Path(dir_okay=False),
              help="Write the CSV to FILE (default: print it).")
@pass_state
def export(state, state_, out_file):
    """Subscribers as CSV (cells that a spreadsheet would run as a formula are shown as text)."""
    text = state.kit(read_only=True).export_status_subscribers(state=state_)
    if out_file:
        echo(str(write_file(out_file, text)))
    else:
        echo(text, nl=False)


@subscribers.command("remove")
@click.argument("subscriber_id", metavar="ID")
@json_option
@pass_state
def remove(state, subscriber_id, as_json):
    """End subscriber ID's subscription and forget the address (the row and its history stay)."""
    done = state.kit().remove_status_subscriber(subscriber_id)
    reply(as_json, done.to_dict(), f"Removed subscriber {done.id}; the address is forgotten.")
