"""``incident-kit similar TEXT|REF``: has this happened before?"""

from __future__ import annotations

import re

import click

from ..similar import LIMIT_MAX, MIN_RELEVANCE, MIN_RELEVANCE_BY_REFERENCE
from .base import cli, echo_json, json_option, pass_state


# Titles are hostile text: drop control characters (escape sequences could restyle the terminal).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@cli.command()
@click.argument("query", metavar="TEXT|REF")
@click.option("--limit", "-k", type=click.IntRange(1, LIMIT_MAX), default=5, show_default=True,
              help="How many incidents to list.")
@click.option("--min-relevance", type=float, default=None, metavar="0-1",
              help=f"List only incidents scoring at least this (0 lists any incident sharing a word). "
                   f"[default: {MIN_RELEVANCE} for TEXT, {MIN_RELEVANCE_BY_REFERENCE} for REF]")
@json_option
@pass_state
def similar(state, query, limit, min_relevance, as_json):
    """Past incidents like TEXT (a few words) or like incident REF (e.g. INC-12), best first.

    The score runs from 0 to 1: an incident's BM25 score as a share of the most any incident could
    score for TEXT (for REF, for REF's title). Only incidents reaching --min-relevance are listed, so
    unrelated text finds nothing. With --json prints a list of
    {"reference", "title", "score"}. Opens the database read-only; while the app holds it, reads the
    app's latest snapshot.
    """
    kit = state.kit(read_only=True)
    found = kit.similar(query, limit=limit, min_relevance=min_relevance)
    if as_json:
        echo_json(found)
        return
    if not found:
        click.echo("Nothing similar found.")
    for item in found:
        title = _CONTROL.sub(" ", item["title"])
        click.echo(f"{item['reference']:<10} {item['score']:>5.2f}  {title}")
