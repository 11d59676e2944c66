"""``incident-kit export`` and ``incident-kit restore``: every table out, and back into a fresh store."""

from __future__ import annotations

import click

from ..export import FORMATS
from ..words import count
from .base import cli, echo, echo_json, json_option, pass_state


@cli.command("export")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="parquet", show_default=True)
@click.option("--out", "out_dir", required=True, metavar="DIR", type=click.Path(file_okay=False),
              help="Directory to write (created if needed): one file per table and manifest.json.")
@click.option("--include-private", is_flag=True, help="Also export private incidents and everything of theirs.")
@json_option
@pass_state
def export_(state, fmt, out_dir, include_private, as_json):
    """Write every table to DIR as Parquet, CSV (formula-safe) or JSON."""
    manifest = state.kit().export(out_dir, format=fmt, include_private=include_private)
    if as_json:
        echo_json(manifest)
        return
    rows = sum(t["rows"] for t in manifest["tables"].values())
    left = manifest["private_incidents_left_out"]
    echo(f"Wrote {len(manifest['tables'])} tables ({rows} rows) as {fmt} to {out_dir}"
         + (f"; left out {count(left, 'private incident')} (use --include-private)." if left else "."))


@cli.command()
@click.argument("source", metavar="SOURCE")
@json_option
@pass_state
def restore(state, source, as_json):
    """Load SOURCE into a new, empty database (--db), nothing lost.

    SOURCE is a directory written by `incident-kit export`, a DuckDB file, or a
    postgresql:// URL: e.g. move to PostgreSQL with
    `incident-kit --db postgresql://... restore data/incident_kit.duckdb`.
    """
    counts = state.kit().restore(source)
    if as_json:
        echo_json(counts)
    else:
        echo(f"Restored {sum(counts.values())} rows into {len(counts)} tables "
             f"({counts.get('incidents', 0)} incidents).")
