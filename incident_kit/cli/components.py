"""``incident-kit components``: the catalog of the parts of the product incidents affect."""

from __future__ import annotations

import click

from .base import cli, echo, echo_json, json_option, pass_state, reply

FIELDS = ("name", "slug", "group", "description", "internal", "archived")


def _record(component) -> dict:
    return {name: getattr(component, name) for name in FIELDS}


@cli.group("components")
def components() -> None:
    """Add, list and archive components (the parts of the product an incident can affect)."""


@components.command("add")
@click.argument("name")
@click.option("--group", metavar="G", help="A heading to list it under, e.g. Shop.")
@click.option("--description", metavar="D", default="", help="A sentence saying what it is.")
@click.option("--internal", is_flag=True, help="Never shown on the public status page.")
@json_option
@pass_state
def add(state, name, group, description, internal, as_json):
    """Add the component NAME (admins only, once admins are named)."""
    made = state.kit().add_component(name, group=group, description=description, internal=internal)
    reply(as_json, _record(made), f"Added {'internal ' if made.internal else ''}component {made.name} ({made.slug}).")


@components.command("list")
@click.option("--archived", is_flag=True, help="Include archived components.")
@json_option
@pass_state
def list_(state, archived, as_json):
    """Every component with its current state."""
    kit = state.kit(read_only=True)
    shown = kit.components(include_archived=archived)
    current = {s.component.id: s for s in kit.component_states()}
    if as_json:
        echo_json([{**_record(c), "state": current[c.id].state if c.id in current else None} for c in shown])
        return
    if not shown:
        echo("No components yet. Add one with: incident-kit components add NAME")
        return
    for c in shown:
        state_ = "archived" if c.archived else current[c.id].label if c.id in current else ""
        where = f"{c.group} / " if c.group else ""
        echo(f"{where}{c.name} ({c.slug}){' · internal' if c.internal else ''}: {state_}")


@components.command("archive")
@click.argument("name")
@pass_state
def archive(state, name):
    """Archive the component NAME: kept with its history, offered no more (admins only)."""
    echo(f"Archived {state.kit().archive_component(name).name}.")
