"""``incident-kit demo``: a deterministic demo organisation."""

from __future__ import annotations

import click

from ..config import DEMO_MAX
from .base import cli, echo, echo_json, json_option, pass_state


@cli.command()
@click.option("--incidents", "count", type=click.IntRange(min=1, max=DEMO_MAX), default=400,
              show_default=True, help=f"How many incidents to generate (at most {DEMO_MAX:,}).")
@click.option("--seed", type=int, default=42, show_default=True, help="Same seed, same data.")
@click.option("--append", is_flag=True, help="Add to a database that already holds incidents.")
@json_option
@pass_state
def demo(state, count, seed, append, as_json):
    """Fill the database with ~13 months of realistic demo incidents."""
    from ..demo import load

    counts = load(state.kit().db, incidents=count, seed=seed, append=append)
    if as_json:
        echo_json(counts)
    else:
        echo(", ".join(f"{n} {name.replace('_', ' ')}" for name, n in counts.items()))
