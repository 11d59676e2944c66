"""Commands that keep everyone updated: subscriptions, the notification worker, the status page."""

from __future__ import annotations

import threading

import click

from ..clock import iso
from ..config import LIST_LIMIT_MAX
from ..notify.channels import redact  # a channel's tokens are never printed (apprise loads only to show one)
from .base import cli, echo, echo_json, json_option, pass_state, reply

BY = click.option("--by", metavar="NAME", help="Who is doing this [default: $INCIDENT_KIT_USER or your login].")
SMTP = click.option("--smtp-url", metavar="URL", envvar="INCIDENT_KIT_SMTP_URL", show_envvar=True,
                    help="apprise mailto:// URL used for subscribers who gave an email address.")


def _shown(sub) -> dict:
    return {**sub.to_dict(), "channel": redact(sub.channel)}


def _ts(value):
    if value is None or str(value) == "NaT":
        return None
    return iso(value.to_pydatetime()) if hasattr(value, "to_pydatetime") else iso(value)


@cli.command()
@click.option("--channel", required=True, metavar="CHANNEL",
              help="An email address, an apprise URL (mailto://..., json://host/path, slack://...), or a signed "
                   "webhook: webhook+https://host/path receives incident events as signed JSON.")
@click.option("--incident", metavar="REF", help="Follow this one incident.")
@click.option("--min-severity", metavar="SEVERITY", help="Follow every incident at this severity or above.")
@click.option("--type", "type_", metavar="TYPE", help="Follow every incident of this type.")
@click.option("--person", metavar="NAME", help="Who is subscribing [default: --by].")
@BY
@json_option
@pass_state
def subscribe(state, channel, incident, min_severity, type_, person, by, as_json):
    """Receive every internal update, in the predictable format, on CHANNEL.

    A signed webhook receives incident events (declared, updated, status changed, resolved, closed) as
    JSON signed with Standard Webhooks; its signing secret is printed here once and never again.
    """
    kit = state.kit()
    sub = kit.subscribe(channel, person=person or by, incident=incident, min_severity=min_severity, type=type_,
                        by=by)
    text = f"Subscription {sub.id}: {sub.person} follows {sub.describe()} on {redact(sub.channel)}."
    if sub.signing_secret:
        reply(as_json, {**_shown(sub), "signing_secret": sub.signing_secret},
              f"{text}\nSigning secret, shown only now (the receiver verifies every event with it): "
              f"{sub.signing_secret}")
        return
    reply(as_json, _shown(sub), text)


@cli.command()
@click.argument("subscription_id", type=int)
@BY
@json_option
@pass_state
def unsubscribe(state, subscription_id, by, as_json):
    """End subscription SUBSCRIPTION_ID (it is kept in the history)."""
    sub = state.kit().unsubscribe(subscription_id, by=by)
    reply(as_json, _shown(sub), f"Subscription {sub.id} ended: {sub.person} no longer follows {sub.describe()}.")


@cli.command()
@click.option("--person", metavar="NAME", help="Only this person's subscriptions.")
@click.option("--incident", metavar="REF", help="Only subscriptions to this incident.")
@click.option("--all", "include_ended", is_flag=True, help="Include ended subscriptions.")
@json_option
@pass_state
def subscriptions(state, person, incident, include_ended, as_json):
    """List subscriptions."""
    subs = state.kit().subscriptions(person=person, incident=incident, include_ended=include_ended)
    if as_json:
        echo_json([_shown(s) for s in subs])
        return
    if not subs:
        echo("No subscriptions. Add one with: incident-kit subscribe --channel EMAIL_OR_URL --incident INC-1")
    for s in subs:
        ended = "  (ended)" if s.ended_at else ""
        echo(f"{s.id:>4}  {s.person:<12} {s.describe():<36} {redact(s.channel)}{ended}")


@cli.command("needs-update")
@click.option("--viewer", metavar="NAME", help="Only incidents NAME may see.")
@json_option
@pass_state
def needs_update(state, viewer, as_json):
    """Active incidents whose next update is overdue, most late first, with who is accountable."""
    frame = state.kit().needs_update(viewer=viewer)
    if as_json:
        echo_json([{"reference": r.reference, "title": r.title, "severity": r.severity, "status": r.status,
                    "accountable": r.accountable, "next_update_due": _ts(r.next_update_due),
                    "minutes_late": round(float(r.minutes_late), 1), "late": r.late}
                   for r in frame.itertuples()])
        return
    if frame.empty:
        echo("Every active incident is up to date.")
    for r in frame.itertuples():
        echo(f"{r.reference:<9} {r.late:>14} late  {r.severity:<9} accountable: {r.accountable:<12} {r.title}")


@cli.group()
def notify():
    """Deliver notifications: the worker, the outbox and where reminders go."""


@notify.command("run")
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit.")
@click.option("--interval", type=click.FloatRange(min=0.1), default=5.0, show_default=True,
              help="Seconds between passes when running continuously.")
@SMTP
@json_option
@pass_state
def notify_run(state, once, interval, smtp_url, as_json):
    """Drain the outbox (and queue overdue reminders); runs until Ctrl-C unless --once."""
    from ..notify.worker import Worker

    worker = Worker(state.kit(), smtp_url=smtp_url)
    try:
        if once:
            result = worker.run_once()
            if as_json:
                echo_json(result.to_dict())
            else:
                echo(f"{result.sent} sent, {result.retrying} to retry, {result.failed} failed, "
                     f"{result.reminders} reminders queued.")
            return
        echo(f"Delivering notifications every {interval:g}s; press Ctrl-C to stop.", err=True)
        stop = threading.Event()
        try:
            worker.run_forever(stop, interval=interval)
        except KeyboardInterrupt:
            stop.set()
    finally:
        worker.close()


@notify.command("outbox")
@click.option("--status", type=click.Choice(["pending", "sending", "sent", "failed"]))
@click.option("--incident", metavar="REF")
@click.option("--limit", type=click.IntRange(min=1, max=LIST_LIMIT_MAX), default=50, show_default=True)
@json_option
@pass_state
def notify_outbox(state, status, incident, limit, as_json):
    """Recent deliveries with their state, attempts and last error."""
    frame = state.kit().outbox(status=status, incident=incident, limit=limit)
    if as_json:
        echo_json([{"id": int(r.id), "kind": r.kind, "incident": r.reference, "recipient": r.recipient,
                    "channel": r.channel, "status": r.status, "attempts": int(r.attempts),
                    "next_attempt_at": _ts(r.next_attempt_at), "last_error": r.last_error,
                    "sent_at": _ts(r.sent_at)} for r in frame.itertuples()])
        return
    if frame.empty:
        echo("The outbox is empty.")
    for r in frame.itertuples():
        err = f"  {r.last_error}" if isinstance(r.last_error, str) else ""
        about = r.reference if isinstance(r.reference, str) else ''  # none: a status page subscriber's email
        echo(f"{r.id:>6} {r.kind:<8} {about:<9} {r.status:<8} x{r.attempts} "
             f"{r.recipient} {r.channel}{err}")


@notify.command("contact")
@click.argument("person")
@click.argument("channel")
@BY
@pass_state
def notify_contact(state, person, channel, by):
    """Send reminders for PERSON to CHANNEL (an email address or an apprise URL)."""
    state.kit().set_contact(person, channel, by=by)
    echo(f"Reminders for {person} go to {redact(channel)}.")


@cli.group("status-page")
def status_page():
    """The public status page: static HTML and an Atom feed of external updates."""


@status_page.command("build")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Directory to write.")
@click.option("--base-url", metavar="URL", help="Where the page will be served (for feed links and ids).")
@json_option
@pass_state
def status_page_build(state, out_dir, base_url, as_json):
    """Write index.html, feed.xml and a feed per public component from external updates of non-private incidents."""
    paths = state.kit().build_status_page(out_dir, base_url=base_url)
    if as_json:
        echo_json([str(p) for p in paths])
    else:
        for p in paths:
            echo(str(p))

from . import subscribers as _subscribers  # noqa: E402,F401  (adds ``status-page subscribers``)
