"""``incident-kit import statuspage|gcp|csv PATH...``: bring your history in, all or nothing."""

from __future__ import annotations

import math
import sys
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # pandas loads only where a frame is built, so write commands start fast
    import pandas as pd

from ..importers.models import KINDS, ImportRejected, ImportSummary
from ..words import count
from .base import cli, echo, echo_json, json_option, pass_state, reply

# Below this much data the import finishes before a bar would be worth drawing.
PROGRESS_MIN_BYTES = 1024 * 1024


def report_table(report: pd.DataFrame, *, width: int = 60) -> str:
    """The validation report as a plain fixed-width table (also used by the docs). A value from the file is cut
    to ``width``; a problem is incident-kit's own sentence and is shown whole (its end says what to do)."""
    shown = report.copy()
    shown["value"] = shown["value"].map(lambda v: v if len(str(v)) <= width else str(v)[:width - 1] + "…")
    return shown.to_string(index=False, justify="left")


class _Bar:
    """A tqdm bar on stderr for large imports (hidden when stderr is not a terminal)."""

    def __init__(self, total: int):
        from tqdm import tqdm

        self.bar = None
        if total >= PROGRESS_MIN_BYTES:
            self.bar = tqdm(total=total, unit="B", unit_scale=True, desc="reading", file=sys.stderr, disable=None,
                            leave=False)
        self.stage = "read"

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.bar is None:
            return
        if stage != self.stage:
            self.stage = stage
            self.bar.reset(total=max(total, 1))
            self.bar.set_description("writing")
            self.bar.unit, self.bar.unit_scale = "incident", False
        self.bar.n = done
        self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _finite(ctx, param, value):
    if value is not None and not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a number of megabytes, e.g. 25.")
    return value


@cli.command("import")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--max-file-mb", type=click.FloatRange(min=0, min_open=True), metavar="MB", callback=_finite,
              help="Refuse files bigger than this [default: $INCIDENT_KIT_IMPORT_MAX_MB or 10].")
@click.option("--by", metavar="NAME", help="Who is importing [default: $INCIDENT_KIT_USER or your login].")
@click.option("--dry-run", is_flag=True, help="Only check the files: print the report or what would be imported.")
@click.option("--skip-invalid", is_flag=True,
              help="Import the files that have no problems and list the others (by default one problem "
                   "anywhere imports nothing).")
@json_option
@pass_state
def import_(state, kind, paths, max_file_mb, by, dry_run, skip_invalid, as_json):
    """Import KIND files (statuspage, gcp, csv or postmortems); PATH may be files or directories.

    Everything is checked first; if any row has a problem, every problem is listed and
    nothing is imported (exit 1), unless --skip-invalid: then the files with problems are
    listed and left out, and the rest imported. Importing the same records again updates them.
    """
    from ..importers.service import collect_files

    kit = state.kit()
    files = collect_files(kind, paths)
    if dry_run:
        _dry_run(kit, kind, files, by, max_file_mb, skip_invalid, as_json)
        return
    bar = _Bar(sum(f.size for f in files))
    try:
        summary = kit.import_files(kind, files, by=by, max_file_mb=max_file_mb, skip_invalid=skip_invalid,
                                   progress=bar)
    except ImportRejected as exc:
        bar.close()
        if as_json:
            echo_json({"summary": exc.summary.to_dict(), "problems": exc.report.to_dict(orient="records")})
        else:
            echo(report_table(exc.report), err=True)
            echo(exc.summary.line(), err=True)
        raise
    bar.close()
    if as_json:
        problems = [] if summary.report is None else summary.report.to_dict(orient="records")
        echo_json({**summary.to_dict(), "problems": problems})
        return
    if summary.skipped:  # the files left out, and why, before the line that counts them
        echo(report_table(summary.report), err=True)
    echo(summary.line())


def _dry_run(kit, kind, files, by, max_file_mb, skip_invalid, as_json) -> None:
    from ..importers.service import rejected_message

    prepared = kit.prepare_import(kind, files, by=by, max_file_mb=max_file_mb, skip_invalid=skip_invalid)
    if not prepared.ok:
        if as_json:
            echo_json({"ok": False, "problems": prepared.report.to_dict(orient="records")})
        else:
            echo(report_table(prepared.report), err=True)
        raise ImportRejected(rejected_message(prepared).replace("nothing was imported", "nothing would be imported"),
                             prepared.report, ImportSummary(kind=kind, files=len(files), rejected=prepared.rejected))
    preview = prepared.preview()
    retro = int((preview["mode"] == "retrospective").sum())
    if as_json:
        echo_json({"ok": True, "incidents": len(preview), "updates": len(prepared.batch.updates),
                   "retrospective": retro, "skipped": prepared.skipped, "ended_quiet": prepared.ended_quiet,
                   "problems": prepared.report.to_dict(orient="records")})
        return
    if prepared.skipped:
        echo(report_table(prepared.report), err=True)
    echo(" ".join([f"{count(len(preview), 'incident')} and {count(len(prepared.batch.updates), 'update')} are valid "
                   f"({retro} retrospective); nothing was written (--dry-run).", *prepared.notes()]))
