"""Commands that declare, change and read incidents."""

from __future__ import annotations

import click

from ..clock import iso, utcnow
from ..config import LIST_LIMIT_MAX
from ..incident.records import list_record, timeline_record
from .base import cli, echo, echo_json, json_option, pass_state, reply, reply_rows

BY = click.option("--by", metavar="NAME", help="Who is doing this [default: $INCIDENT_KIT_USER or your login].")


def _age(ts) -> str:
    if ts is None:
        return ""
    minutes = int((utcnow() - ts).total_seconds() // 60)
    if minutes < 60:
        return f"{minutes}m"
    if minutes < 48 * 60:
        return f"{minutes // 60}h{minutes % 60:02d}m"
    return f"{minutes // 1440}d"


@cli.command()
@click.argument("title")
@click.option("--severity", help="Severity name [default: the lowest].")
@click.option("--type", "type_", metavar="TYPE", help="Incident type, e.g. engineering, security.")
@click.option("--summary", default="", help="A sentence or two of context.")
@click.option("--private", is_flag=True, help="Only participants and admins can see it.")
@click.option("--started-at", metavar="ISO8601", help="When impact began, if before now (with an offset).")
@click.option("--lead", metavar="NAME", help="Incident lead.")
@click.option("--tag", "tags", multiple=True, help="A tag (repeatable).")
@click.option("--mode", type=click.Choice(["live", "retrospective", "test"]), default="live", show_default=True)
@click.option("--component", "components", multiple=True, metavar="NAME=IMPACT",
              help="A component it affects (repeatable); IMPACT is degraded_performance, partial_outage or major_outage.")
@BY
@json_option
@pass_state
def declare(state, title, severity, type_, summary, private, started_at, lead, tags, mode, components, by, as_json):
    """Declare an incident. Only TITLE is required."""
    affected = parse_components(components)
    inc = state.kit().declare(title, declared_by=by, severity=severity, type=type_, summary=summary,
                              private=private, started_at=started_at, lead=lead, tags=list(tags), mode=mode,
                              **({"components": affected} if affected else {}))
    reply(as_json, inc.to_dict(), f"Declared {inc.reference}: {inc.title} ({inc.severity}, {inc.status.value})")


@cli.command()
@click.argument("reference")
@click.argument("message")
@click.option("--external", is_flag=True, help="Written for customers (status page); default is internal.")
@click.option("--status", help="Move the incident to this status with the update.")
@click.option("--impact", default="", help="Who is affected and how.")
@click.option("--doing", default="", help="What we are doing.")
@click.option("--next-update-at", metavar="ISO8601", help="When the next update will come.")
@BY
@json_option
@pass_state
def update(state, reference, message, external, status, impact, doing, next_update_at, by, as_json):
    """Post an update to incident REFERENCE."""
    upd = state.kit().post_update(reference, message, by=by, audience="external" if external else "internal",
                                  status=status, impact=impact, doing=doing, next_update_at=next_update_at)
    reply(as_json, upd.to_dict(), f"Posted {upd.audience.value} update to {reference.upper()}.")


@cli.command()
@click.argument("reference")
@click.argument("new_status", metavar="STATUS")
@click.option("--note", help="Why (required when declining).")
@BY
@json_option
@pass_state
def status(state, reference, new_status, note, by, as_json):
    """Move REFERENCE to STATUS (investigating, fixing, monitoring, resolved, post_incident, closed, declined)."""
    kit = state.kit()
    if new_status.lower() == "declined":
        inc = kit.decline(reference, by=by, reason=note or "")
    else:
        inc = kit.change_status(reference, new_status, by=by, note=note)
    reply(as_json, inc.to_dict(), f"{inc.reference} is now {inc.status.value}.")


@cli.command()
@click.argument("reference")
@click.option("--note", help="A closing line for the timeline.")
@BY
@json_option
@pass_state
def resolve(state, reference, note, by, as_json):
    """Mark REFERENCE resolved (the learning phase comes next; resolved is not closed)."""
    inc = state.kit().resolve(reference, by=by, note=note)
    reply(as_json, inc.to_dict(), f"{inc.reference} is resolved.")


@cli.command()
@click.argument("reference")
@click.option("--status", "new_status", default="investigating", show_default=True)
@click.option("--reason")
@BY
@json_option
@pass_state
def reopen(state, reference, new_status, reason, by, as_json):
    """Reopen a resolved, closed or declined incident."""
    inc = state.kit().reopen(reference, by=by, status=new_status, reason=reason)
    reply(as_json, inc.to_dict(), f"{inc.reference} is {inc.status.value} again.")


@cli.command()
@click.argument("reference")
@click.argument("role")
@click.argument("person", required=False)
@BY
@json_option
@pass_state
def assign(state, reference, role, person, by, as_json):
    """Give ROLE (lead, comms, or a custom role) on REFERENCE to PERSON; omit PERSON to clear it."""
    inc = state.kit().assign_role(reference, role, person, by=by)
    reply(as_json, inc.to_dict(), f"{inc.reference}: {role} is {person or 'unassigned'}.")


@cli.command("list")
@click.option("--active", is_flag=True, help="Only incidents being worked on now.")
@click.option("--mine", metavar="NAME", help="Only incidents NAME declared, holds a role in, or was added to.")
@click.option("--type", "type_", metavar="TYPE")
@click.option("--severity")
@click.option("--search", metavar="TEXT", help="Match reference, title, summary or a tag.")
@click.option("--limit", type=click.IntRange(min=1, max=LIST_LIMIT_MAX), default=50, show_default=True)
@json_option
@pass_state
def list_(state, active, mine, type_, severity, search, limit, as_json):
    """List incidents, active first."""
    frame = state.kit().incidents(active=active, mine=mine, type=type_, severity=severity, search=search,
                                  limit=limit)
    if as_json:
        records = [list_record(row) for row in frame.to_dict(orient="records")]
        echo_json(records)  # a missing value (NaN in the frame) is null: base.json_ready
        return
    if frame.empty:
        echo("No incidents match. Declare one with: incident-kit declare \"What is happening\"")
        return
    for row in frame.itertuples():
        due = ""
        if row.next_update_due is not None and str(row.next_update_due) != "NaT":
            due = "update overdue" if row.next_update_due < utcnow() else ""
        lock = " [private]" if row.private else ""
        echo(f"{row.reference:<9} {row.status:<14} {row.severity:<9} {_age(row.declared_at):>6}  "
             f"{row.title}{lock}  {due}".rstrip())


@cli.command()
@click.argument("reference")
@json_option
@pass_state
def show(state, reference, as_json):
    """Show one incident with its timeline."""
    kit = state.kit()
    inc = kit.get(reference)
    entries = kit.timeline(reference)
    affected = kit.incident_components(reference)
    if as_json:
        data = inc.to_dict()
        data["components"] = {a.component.name: a.impact.value for a in affected}
        data["timeline"] = [timeline_record(r) for r in entries.itertuples()]
        echo_json(data)
        return
    echo(f"{inc.reference}  {inc.title}")
    echo(f"  status {inc.status.value} · severity {inc.severity} · type {inc.type or '—'} · mode {inc.mode.value}"
         f"{' · private' if inc.private else ''}")
    echo(f"  lead {inc.lead or '—'} · comms {inc.comms_lead or '—'} · accountable for updates: "
         f"{inc.accountable_for_updates}")
    echo(f"  declared {iso(inc.declared_at)} by {inc.declared_by} · started {iso(inc.started_at)}")
    if affected:
        echo("  affects " + " · ".join(f"{a.component.name}: {a.impact.label}" for a in affected))
    if inc.summary:
        echo(f"  {inc.summary}")
    echo("Timeline:")
    for r in entries.itertuples():
        aud = f" [{r.audience}]" if isinstance(r.audience, str) else ""
        echo(f"  {r.occurred_at:%Y-%m-%d %H:%M}Z  {r.actor:<10} {r.text}{aud}")


@cli.command()
@json_option
@pass_state
def severities(state, as_json):
    """List severities, lowest (the default) first, with update cadence targets."""
    reply_rows(as_json, state.kit().severities(), ("name", "rank", "description", "cadence_minutes"),
               lambda s: f"{s.name:<10} every {s.cadence_minutes:>4} min  {s.description}")


@cli.command()
@json_option
@pass_state
def types(state, as_json):
    """List incident types."""
    reply_rows(as_json, state.kit().types(), ("name", "label", "description", "engineering"),
               lambda t: f"{t.name:<18} {t.label}: {t.description}")


@cli.command()
@click.argument("reference")
@click.option("--title")
@click.option("--summary")
@click.option("--type", "type_", metavar="TYPE")
@click.option("--tags", metavar="A,B", help="Replace the tags with this comma-separated list.")
@click.option("--started-at", metavar="ISO8601")
@click.option("--private/--public", "private", default=None, help="Change who can see it.")
@BY
@json_option
@pass_state
def edit(state, reference, title, summary, type_, tags, started_at, private, by, as_json):
    """Edit the title, summary, type, tags, start time or privacy of REFERENCE."""
    inc = state.kit().edit(reference, by=by, title=title, summary=summary, type=type_, tags=tags,
                           started_at=started_at, private=private)
    reply(as_json, inc.to_dict(), f"Updated {inc.reference}.")


@cli.command()
@click.argument("reference")
@click.argument("into")
@BY
@json_option
@pass_state
def merge(state, reference, into, by, as_json):
    """Merge duplicate REFERENCE into incident INTO (both timelines record it)."""
    inc = state.kit().merge(reference, into, by=by)
    if as_json:
        echo_json(inc.to_dict())
    else:
        echo(f"{inc.reference} is merged into {inc.merged_into}.")


def parse_components(values) -> dict[str, str]:
    """``declare --component NAME=IMPACT`` values as {name: impact}; a value without '=' is one clear sentence.

    It lives here, not in ``components.py``: a ``declare`` process loads only this command module."""
    out: dict[str, str] = {}
    for value in values:
        name, sep, impact = value.rpartition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"write it as NAME=IMPACT, e.g. Checkout=partial_outage (got {value[:40]!r}).",
                                     param_hint="--component")
        out[name.strip()] = impact.strip()
    return out
