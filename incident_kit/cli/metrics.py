"""``incident-kit metrics``: the insight numbers as one JSON object (or a short text summary)."""

from __future__ import annotations

import click

from .base import cli, echo, echo_json, json_option, pass_state


@cli.command()
@click.option("--since", metavar="DATE", help="Incidents declared on or after this UTC day (YYYY-MM-DD).")
@click.option("--until", metavar="DATE", help="Incidents declared on or before this UTC day (YYYY-MM-DD).")
@json_option
@pass_state
def metrics(state, since, until, as_json):
    """Response, cadence and follow-up metrics (medians and p90s, never league tables).

    Opens the database read-only; while the app holds it, reads the app's latest snapshot.
    """
    from .. import analytics

    if state.server:  # the running app's API answers with the same object
        store, out = None, state.kit().metrics(since=since, until=until)
    else:
        store = state.reader()
        out = analytics.metrics_summary(store, since=since, until=until)
    taken = getattr(store, "snapshot_time", None)  # set when reading the app's snapshot
    if taken is not None:
        # stderr in JSON mode, so stdout stays one JSON object for other tools
        echo(f"(from the snapshot taken {taken.isoformat(timespec='seconds')})", err=as_json)
    if as_json:
        echo_json(out)
        return
    echo(f"{out['incidents']} incidents: {out['live']} live, {out['retrospective']} retrospective "
         "(response metrics count live incidents only)")
    for key, label in (("time_to_declare_minutes", "time to declare"),
                       ("time_to_first_update_minutes", "time to first update"),
                       ("update_gap_minutes", "update gap"),
                       ("time_to_resolve_minutes", "time to resolve"),
                       ("impact_duration_minutes", "impact duration")):
        m = out[key]
        if m["n"]:
            echo(f"  {label:<22} median {m['median']:>8.1f} min   p90 {m['p90']:>8.1f} min   (n={m['n']})")
        else:
            echo(f"  {label:<22} no data")
    share = out["cadence_adherence"]
    echo(f"  cadence adherence      {'no gaps yet' if share is None else f'{share:.0%} of gaps within target'}")
    fu = out["follow_ups"]
    rate = fu["completion_rate_by_due"]
    echo(f"  follow-ups             {fu['total']} total, {fu['open']} open ({fu['overdue']} overdue), "
         f"{'no due dates passed yet' if rate is None else f'{rate:.0%} done by their due date'}")
