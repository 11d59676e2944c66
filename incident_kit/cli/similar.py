"""``incident-kit similar TEXT|REF``: has this happened before?"""

from __future__ import annotations

import re

import click

from ..similar import LIMIT_MAX
from .base import cli, echo_json, json_option, pass_state


# Titles are hostile text: drop control characters (escape sequences could restyle the terminal).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@cli.command()
@click.argument("query", metavar="TEXT|REF")
@click.option("--limit", "-k", type=click.IntRange(1, LIMIT_MAX), default=5, show_default=True,
              help="How many incidents to list.")
@json_option
@pass_state
def similar(state, query, limit, as_json):
    """Past incidents most like TEXT (a few words) or like incident REF (e.g. INC-12), best first.

    With --json prints a list of {"reference", "title", "score"} (BM25 scores; higher is closer).
    Opens the database read-only; while the app holds it, reads the app's latest snapshot.
    """
    kit = state.kit(read_only=True)
    found = kit.similar(query, limit=limit)
    if as_json:
        echo_json(found)
        return
    if not found:
        click.echo("Nothing similar found.")
    for item in found:
        title = _CONTROL.sub(" ", item["title"])
        click.echo(f"{item['reference']:<10} {item['score']:>8.2f}  {title}")
