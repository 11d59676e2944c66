"""What a status page subscriber's email says. Pure functions: plain text, the public page's words only.

Nothing here sees an internal update, a severity or a person: an incident notice is the update as the
public page renders it (``render_update(audience="external")``), a maintenance notice names only the
public components. Every email ends with a visible unsubscribe link, and carries it as the RFC 8058
headers (``headers``), so a mail client's own "Unsubscribe" button ends the subscription in one click.
Subjects are made one line by ``safe_output.header_text`` when sent (and here, so the outbox shows them so).
"""

from __future__ import annotations

import datetime as dt

from ..incident.format import render_update
from ..safe_output import header_text
from .models import CONFIRM_WITHIN

PAGE_PATH = "/status-page"  # where the app serves the status page (``web.statuspage.PREFIX``)


def page_url(base: str) -> str:
    return f"{base.rstrip('/')}{PAGE_PATH}/"


def subscribe_url(base: str) -> str:
    """Where a subscribe form posts (the static page is hosted elsewhere: it needs the whole address)."""
    return f"{base.rstrip('/')}{PAGE_PATH}/subscribe"


def link(base: str, purpose: str, secret: str) -> str:
    """``{base}/status-page/confirm/{secret}`` or ``.../unsubscribe/{secret}``."""
    return f"{base.rstrip('/')}{PAGE_PATH}/{purpose}/{secret}"


def headers(unsubscribe_url: str) -> dict[str, str]:
    """RFC 2369 and RFC 8058: one-click unsubscribe by a POST of ``List-Unsubscribe=One-Click`` to the URL."""
    return {"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _when(ts: dt.datetime) -> str:
    return ts.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _footer(name: str, base: str, unsubscribe_url: str) -> list[str]:
    return ["", "--", f"You receive this because you subscribed to {name} status updates.",
            f"Status page: {page_url(base)}", f"Unsubscribe (one click): {unsubscribe_url}"]


def confirmation(*, name: str, base: str, confirm_url: str, unsubscribe_url: str,
                 components: tuple[str, ...]) -> tuple[str, str]:
    days = CONFIRM_WITHIN.days
    what = ", ".join(components) if components else "every part of the service on the status page"
    body = [f"Someone, probably you, asked to receive {name} status updates by email about: {what}.", "",
            "To start receiving them, open this link and press the confirm button:", confirm_url, "",
            f"If you did not ask, ignore this email: the request is forgotten in {days} days and you will "
            "receive nothing more."]
    return header_text(f"Confirm your subscription to {name} status updates"), \
        "\n".join(body + _footer(name, base, unsubscribe_url))


def incident_notice(*, name: str, base: str, unsubscribe_url: str, reference: str, title: str, status: str,
                    status_label: str, message: str, impact: str, doing: str, next_update_at,
                    affects: list[str]) -> tuple[str, str]:
    text = render_update(reference=reference, title=title, status=status, message=message, impact=impact,
                         doing=doing, next_update_at=next_update_at, audience="external")
    lines = [text]
    if affects:
        lines += ["", "Affects: " + "; ".join(affects)]
    return header_text(f"[{name}] {title}: {status_label}"), "\n".join(lines + _footer(name, base, unsubscribe_url))


MAINTENANCE_WORDS = {"scheduled": "Scheduled maintenance", "started": "Maintenance in progress",
                     "completed": "Maintenance completed", "cancelled": "Maintenance cancelled"}


def maintenance_notice(*, name: str, base: str, unsubscribe_url: str, kind: str, title: str, message: str,
                       start: dt.datetime, end: dt.datetime, components: tuple[str, ...]) -> tuple[str, str]:
    heading = MAINTENANCE_WORDS[kind]
    lines = [f"{heading}: {title}", "", f"From {_when(start)} to {_when(end)}."]
    if components:
        lines.append("Affects: " + ", ".join(components))
    if message:
        lines += ["", message]
    return header_text(f"[{name}] {heading}: {title}"), "\n".join(lines + _footer(name, base, unsubscribe_url))
