"""``incident-kit maintenance``: schedule planned work on components, list, cancel and end it early."""

from __future__ import annotations

import click

from ..clock import utcnow
from ..maintenance.records import record
from .base import cli, echo, echo_json, json_option, pass_state, reply


def _line(m, now) -> str:
    where = f" on {', '.join(m.components)}" if m.components else ""
    return (f"#{m.id} {m.title}{where}: {m.start:%Y-%m-%d %H:%M} to {m.end:%Y-%m-%d %H:%M} UTC, "
            f"{m.status_at(now).label.lower()}")


@cli.group("maintenance")
def maintenance() -> None:
    """Schedule, list, cancel and complete maintenance windows (planned work on components)."""


@maintenance.command("schedule")
@click.argument("title")
@click.option("--start", required=True, metavar="ISO", help="When the work starts, e.g. 2026-12-24T02:00Z.")
@click.option("--end", required=True, metavar="ISO", help="When it should end, e.g. 2026-12-24T03:00Z.")
@click.option("--component", "components", multiple=True, metavar="NAME", help="A component it covers (repeatable).")
@click.option("--message", default="", metavar="TEXT", help="What customers should know.")
@json_option
@pass_state
def schedule(state, title, start, end, components, message, as_json):
    """Schedule maintenance TITLE from --start to --end; its components show "under maintenance" meanwhile."""
    made = state.kit().schedule_maintenance(title, start=start, end=end, components=components, message=message)
    reply(as_json, record(made, utcnow()), f"Scheduled {_line(made, utcnow())}.")


@maintenance.command("list")
@json_option
@pass_state
def list_(state, as_json):
    """Every maintenance window, latest start first, with its status now."""
    shown, now = state.kit(read_only=True).maintenances(), utcnow()
    if as_json:
        echo_json([record(m, now) for m in shown])
        return
    if not shown:
        echo("No maintenance scheduled. Schedule some with: incident-kit maintenance schedule TITLE --start --end")
    for m in shown:
        echo(_line(m, now))


@maintenance.command("cancel")
@click.argument("maintenance_id", metavar="ID")
@pass_state
def cancel(state, maintenance_id):
    """Cancel maintenance ID (it is kept, marked cancelled)."""
    echo(f"Cancelled {_line(state.kit().cancel_maintenance(maintenance_id), utcnow())}.")


@maintenance.command("complete")
@click.argument("maintenance_id", metavar="ID")
@pass_state
def complete(state, maintenance_id):
    """End maintenance ID early: its components are no longer under maintenance."""
    echo(f"Completed {_line(state.kit().complete_maintenance(maintenance_id), utcnow())}.")
