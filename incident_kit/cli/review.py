"""Commands for reviews (``review ...``), follow-ups (``follow-ups ...``) and closing (``close``)."""

from __future__ import annotations

from pathlib import Path

import click

from ..review.models import Depth, SECTION_BY_KEY
from ..safe_output import write_file
from .base import cli, echo, echo_json, json_option, pass_state

BY = click.option("--by", metavar="NAME", help="Who is doing this [default: $INCIDENT_KIT_USER or your login].")
DEPTHS = [d.value for d in Depth]


def _print_hints(kit, reference: str) -> None:
    for item in kit.review_hints(reference):
        h = item.hint
        echo(f"hint [{item.section}] {h.message}  (dismiss: incident-kit review dismiss {reference} "
             f"{item.section} '{h.key}')")


def _review_line(review) -> str:
    line = f"{review.incident}: {review.depth.label.lower()}, {review.status.label.lower()}"
    if review.waived_reason:
        line += f" ({review.waived_reason})"
    return line


@cli.group()
def review():
    """Start, write, publish and export post-incident reviews."""


@review.command("start")
@click.argument("reference")
@click.option("--depth", type=click.Choice(DEPTHS), help="How deep to go [default: suggested from severity].")
@click.option("--reason", help="One line: why no review is needed (required with --depth none).")
@click.option("--scheduled-for", metavar="ISO8601", help="Workshop date (with an offset).")
@BY
@json_option
@pass_state
def review_start(state, reference, depth, reason, scheduled_for, by, as_json):
    """Start the review of REFERENCE, prefilled from the record (a resolved incident moves to post-incident)."""
    kit = state.kit()
    chosen = depth or kit.suggest_review_depth(reference).value
    rev = kit.start_review(reference, depth=chosen, reason=reason, scheduled_for=scheduled_for, by=by)
    if as_json:
        echo_json(rev.to_dict())
        return
    suggested = "" if depth else " (suggested from severity; pass --depth to choose)"
    echo(f"Started: {_review_line(rev)}{suggested}. {rev.incident} is {kit.get(reference).status.label.lower()}.")


@review.command("depth")
@click.argument("reference")
@click.argument("depth", type=click.Choice(DEPTHS))
@click.option("--reason", help="One line: why no review is needed (required for none).")
@BY
@pass_state
def review_depth(state, reference, depth, reason, by):
    """Change the depth of REFERENCE's review; text already written is kept."""
    echo(f"Changed: {_review_line(state.kit().change_review_depth(reference, depth, reason=reason, by=by))}.")


@review.command("edit")
@click.argument("reference")
@click.argument("section")
@click.option("--text", help="The new markdown.")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Read the new markdown from a file ('-' is not supported; use --text).")
@BY
@pass_state
def review_edit(state, reference, section, text, path, by):
    """Save a new version of SECTION (e.g. summary, timeline, contributing_factors); hints are printed."""
    if (text is None) == (path is None):
        raise click.UsageError("Give exactly one of --text or --file.")
    body = text if text is not None else path.read_text(encoding="utf-8")
    kit = state.kit()
    kit.edit_review_section(reference, section, body, by=by)
    echo(f"Saved {section} of {reference.upper()}'s review.")
    _print_hints(kit, reference)


@review.command("status")
@click.argument("reference")
@click.argument("status", type=click.Choice(["draft", "in_review", "published"]))
@BY
@pass_state
def review_status(state, reference, status, by):
    """Move the review: draft → in_review → published (published → in_review to edit again)."""
    echo(f"Review of {_review_line(state.kit().set_review_status(reference, status, by=by))}.")


@review.command("show")
@click.argument("reference")
@json_option
@pass_state
def review_show(state, reference, as_json):
    """Show the review's depth, status, sections and open hints."""
    kit = state.kit()
    rev = kit.review(reference)
    if rev is None:
        raise click.ClickException(f"{reference.upper()} has no review; start one with "
                                   f"`incident-kit review start {reference.upper()}`.")
    if as_json:
        data = rev.to_dict()
        data["hints"] = [{"section": h.section, "key": h.hint.key, "match": h.hint.match, "why": h.hint.why,
                          "suggestion": h.hint.suggestion} for h in kit.review_hints(reference)]
        echo_json(data)
        return
    echo(_review_line(rev))
    for spec, body in rev.visible_sections:
        echo(f"\n## {spec.title} ({spec.key})\n{body or '(not written yet)'}")
    _print_hints(kit, reference)


@review.command("dismiss")
@click.argument("reference")
@click.argument("section")
@click.argument("hint_key")
@BY
@pass_state
def review_dismiss(state, reference, section, hint_key, by):
    """Dismiss one blameless-language hint (HINT_KEY as printed, e.g. 'root_cause:root cause')."""
    state.kit().dismiss_review_hint(reference, section, hint_key, by=by)
    echo(f"Dismissed {hint_key} in {SECTION_BY_KEY.get(section, section)!s}.")


@review.command("export")
@click.argument("reference")
@click.option("--format", "fmt", type=click.Choice(["md", "markdown", "html"]), default="md", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
@pass_state
def review_export(state, reference, fmt, output):
    """Export REFERENCE's review as Markdown or printable HTML (to stdout unless --output)."""
    text = state.kit().export_review(reference, format=fmt)
    if output:
        write_file(output, text)
        echo(f"Wrote {output}.")
    else:
        echo(text, nl=False)


@review.command("list")
@click.option("--status", type=click.Choice(["draft", "in_review", "published", "waived"]))
@json_option
@pass_state
def review_list(state, status, as_json):
    """List reviews, unfinished first."""
    frame = state.kit().reviews(status=status)
    if as_json:
        echo_json([{"incident": r["incident"], "title": r["title"], "depth": r["depth"], "status": r["status"],
                    "open_follow_ups": int(r["open_follow_ups"])} for r in frame.to_dict(orient="records")])
        return
    if frame.empty:
        echo("No reviews yet. Start one with: incident-kit review start INC-N")
    for r in frame.itertuples():
        echo(f"{r.incident:<9} {r.depth:<9} {r.status:<10} {r.open_follow_ups:>2} open follow-ups  {r.title}")


@cli.command("close")
@click.argument("reference")
@BY
@json_option
@pass_state
def close(state, reference, by, as_json):
    """Close REFERENCE (its review must be published or waived); shows how many follow-ups are still open."""
    inc, still_open = state.kit().close_incident(reference, by=by)
    if as_json:
        data = inc.to_dict()
        data["open_follow_ups"] = still_open
        echo_json(data)
        return
    tail = ("all follow-ups are done or decided." if still_open == 0 else
            f"{still_open} follow-up{'s are' if still_open != 1 else ' is'} still open "
            f"(incident-kit follow-ups list --incident {inc.reference} --open).")
    echo(f"{inc.reference} is closed; {tail}")


# -- follow-ups ------------------------------------------------------------------------
@cli.group("follow-ups")
def follow_ups():
    """Add, track, complete and export follow-up actions."""


def _when(ts) -> str:
    if ts is None or str(ts) == "NaT":
        return "—"
    return f"{ts:%Y-%m-%d}"


@follow_ups.command("list")
@click.option("--incident", metavar="REF")
@click.option("--owner", metavar="NAME", help="Only NAME's follow-ups ('my follow-ups').")
@click.option("--open", "still_open", is_flag=True, help="Only open and in-progress ones.")
@click.option("--overdue", is_flag=True, help="Only open or in-progress ones past their due date.")
@json_option
@pass_state
def fu_list(state, incident, owner, still_open, overdue, as_json):
    """List follow-ups: still open first, by due date."""
    from ..follow_up.export import to_records

    frame = state.kit().follow_ups(incident=incident, owner=owner, still_open=still_open, overdue=overdue)
    if as_json:
        echo_json(to_records(frame))
        return
    if frame.empty:
        echo("No follow-ups match.")
    for r in frame.itertuples():
        flag = " OVERDUE" if r.overdue else ""
        echo(f"{r.reference:<7} {r.incident:<8} {r.status:<11} {r.priority:<7} due {_when(r.due_at)}  "
             f"{r.owner or '—':<10} {r.title}{flag}")


@follow_ups.command("add")
@click.argument("reference")
@click.argument("title")
@click.option("--owner", metavar="NAME", help="Who owns it [default: you].")
@click.option("--due", metavar="YYYY-MM-DD", help="Due date [default: by severity, 7 to 30 days].")
@click.option("--priority", type=click.Choice(["low", "medium", "high", "urgent"]), default="medium",
              show_default=True)
@click.option("--description", default="")
@click.option("--tracker-url", metavar="URL")
@BY
@json_option
@pass_state
def fu_add(state, reference, title, owner, due, priority, description, tracker_url, by, as_json):
    """Add a follow-up to incident REFERENCE."""
    item = state.kit().add_follow_up(reference, title, owner=owner, due=due, priority=priority,
                                     description=description, tracker_url=tracker_url, by=by)
    if as_json:
        echo_json(item.to_dict())
    else:
        echo(f"Added {item.reference} to {item.incident}: {item.title} (owner {item.owner}, due "
             f"{_when(item.due_at)}).")


@follow_ups.command("done")
@click.argument("follow_up")
@BY
@pass_state
def fu_done(state, follow_up, by):
    """Mark FOLLOW_UP (e.g. FU-12) done."""
    item = state.kit().complete_follow_up(follow_up, by=by)
    echo(f"{item.reference} is done.")


@follow_ups.command("status")
@click.argument("follow_up")
@click.argument("status", type=click.Choice(["open", "in_progress", "done", "wont_do"]))
@click.option("--reason", help="Why it won't be done (required for wont_do).")
@BY
@pass_state
def fu_status(state, follow_up, status, reason, by):
    """Set FOLLOW_UP's status; wont_do needs --reason."""
    item = state.kit().set_follow_up_status(follow_up, status, reason=reason, by=by)
    echo(f"{item.reference} is {item.status.label.lower()}.")


@follow_ups.command("link")
@click.argument("follow_up")
@click.argument("url")
@BY
@pass_state
def fu_link(state, follow_up, url, by):
    """Write back the tracker issue URL of FOLLOW_UP."""
    item = state.kit().link_follow_up(follow_up, url, by=by)
    echo(f"{item.reference} → {item.tracker_url}")


@follow_ups.command("import-links")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@BY
@pass_state
def fu_import_links(state, path, by):
    """Write back tracker links from a CSV with 'Follow up ID' and 'Tracker URL' columns (e.g. the export)."""
    counts = state.kit().import_tracker_links(path, by=by)
    echo(f"Linked {counts['linked']} follow-ups ({counts['unchanged']} already had that link).")


@follow_ups.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--incident", metavar="REF")
@click.option("--owner", metavar="NAME")
@click.option("--open", "still_open", is_flag=True, help="Only open and in-progress ones.")
@click.option("--include-private", is_flag=True, help="Also export follow-ups of private incidents.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
@pass_state
def fu_export(state, fmt, incident, owner, still_open, include_private, output):
    """Export follow-ups as CSV (GitHub Issues, Jira, Linear) or JSON (private incidents' left out by default)."""
    text = state.kit().export_follow_ups(format=fmt, incident=incident, owner=owner, still_open=still_open,
                                         include_private=include_private)
    if output:
        write_file(output, text)
        echo(f"Wrote {output}.")
    else:
        echo(text, nl=False)


