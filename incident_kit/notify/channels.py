"""Where a delivery goes: an apprise URL, an email address sent through the configured SMTP URL, or a
signed webhook (``webhook+https://receiver/path``).

No hand-written SMTP, Slack or chat clients: apprise does the talking. A signed webhook is the one
channel apprise cannot serve (its body is our JSON event, signed byte for byte): ``webhooks.py`` posts it.
"""

from __future__ import annotations

import os
import re
import urllib.parse

from ..clock import quoted
from ..errors import IncidentKitError
from ..safe_output import header_text

# An apprise mailto:// URL without a recipient, e.g.
#   mailtos://user:password@smtp.example.com?from=incidents@example.com
# Subscribers who give a plain email address are mailed through it.
SMTP_ENV_VAR = "INCIDENT_KIT_SMTP_URL"

_EMAIL = re.compile(r"^[^@\s:/]+@[^@\s:/]+\.[^@\s:/]+$")
EXAMPLES = "e.g. ana@example.com, mailto://..., json://host/path, slack://..., webhook+https://host/path"
# A signed webhook: the receiver's http(s) address behind this prefix. Any host the app can reach is
# allowed, loopback and private networks included (a receiver beside the app is common; the tests use one),
# as for every apprise channel: what may be reached is decided by who may subscribe, not by the address.
SIGNED_PREFIX = "webhook+"
URL_MAX = 2000  # longer addresses are refused by common servers and proxies (8 KB request lines at most)


class DeliveryError(Exception):
    """A channel refused or could not be reached; the message is stored as ``last_error``."""


class Gone(DeliveryError):
    """The receiver says it is gone for good (HTTP 410): no retry, and its subscription ends."""


def is_email(channel: str) -> bool:
    return bool(_EMAIL.match(channel))


def is_signed(channel: str | None) -> bool:
    """Whether ``channel`` is a signed webhook (it receives incident events as signed JSON)."""
    return (channel or "").strip().lower().startswith(SIGNED_PREFIX)


def signed_url(channel: str) -> str:
    """The receiver's http(s) address of a signed-webhook channel."""
    return channel.strip()[len(SIGNED_PREFIX):]


def _validate_signed(text: str) -> str:
    url = signed_url(text)
    try:
        parts = urllib.parse.urlsplit(url)
        ok = parts.scheme.lower() in ("http", "https") and bool(parts.hostname) and parts.port != 0
    except ValueError:  # an unbalanced "[" in the host, a port that is no number
        ok = False
    if not ok or len(url) > URL_MAX or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise IncidentKitError(
            f"A signed webhook needs the receiver's address starting with https:// or http:// and naming a host, "
            f"as webhook+https://host/path; got '{quoted(text)}'.")
    return SIGNED_PREFIX + url


def validate(channel: str) -> str:
    """Return the cleaned channel, or raise IncidentKitError saying what is accepted."""
    text = (channel or "").strip()
    if not text:
        raise IncidentKitError(f"A channel is required: an email address or an apprise URL ({EXAMPLES}).")
    if is_email(text):
        return text
    if is_signed(text):
        return _validate_signed(text)
    import apprise  # loaded only when a channel is checked or used (fast CLI start)

    if "://" in text and apprise.Apprise().add(text):
        return text
    raise IncidentKitError(
        f"Channel '{quoted(text)}' is neither an email address nor a URL apprise understands ({EXAMPLES}).")


def resolve(channel: str, smtp_url: str | None = None, headers: dict[str, str] | None = None) -> str:
    """The apprise URL to notify for ``channel`` (an email address goes through ``smtp_url``).

    ``headers`` (an email's extra headers, such as List-Unsubscribe) become apprise's ``+Name=value``
    arguments of the email plugin; other channels have no headers to set."""
    if not is_email(channel):
        return channel
    smtp_url = smtp_url or os.environ.get(SMTP_ENV_VAR)
    if not smtp_url:
        raise DeliveryError(
            f"{channel} is an email address but no SMTP server is configured; set {SMTP_ENV_VAR} to an "
            "apprise mailto:// URL such as mailtos://user:pass@smtp.example.com?from=incidents@example.com.")
    parts = urllib.parse.urlsplit(smtp_url)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    query = [(k, v) for k, v in query if k != "to"] + [("to", channel)]
    query += [(f"+{name}", header_text(value, limit=URL_MAX)) for name, value in (headers or {}).items()]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def _reasons(result) -> list[str]:
    """apprise 2 returns a result whose attempts carry their own log lines (the why of a failure)."""
    found = []
    for service in getattr(result, "results", ()) or ():
        for attempt in getattr(service, "attempts", ()) or ():
            for entry in getattr(attempt, "logs", ()) or ():
                if str(getattr(entry, "level", "")).upper() in ("WARNING", "ERROR", "CRITICAL"):
                    found.append(str(getattr(entry, "message", entry)))
    return list(dict.fromkeys(found))


def send(channel: str, title: str, body: str, *, smtp_url: str | None = None,
         headers: dict[str, str] | None = None) -> None:
    """Deliver plain text ``body`` to ``channel``; raise DeliveryError with apprise's reason.

    The title becomes an email's subject: one line, whatever it holds (``safe_output.header_text``)."""
    import apprise  # loaded only when a channel is checked or used (fast CLI start)

    title = header_text(title)
    url = resolve(channel, smtp_url, headers)
    notifier = apprise.Apprise()
    if not notifier.add(url):
        raise DeliveryError(f"apprise does not understand the channel {redact(channel)}.")
    try:
        result = notifier.notify(title=title, body=body, body_format=apprise.NotifyFormat.TEXT)
    except Exception as exc:  # a plugin bug must not kill the worker
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from None
    if not result:
        reason = "; ".join(_reasons(result)) or "the channel reported a failure"
        raise DeliveryError(reason[:500])


# apprise's generic webhooks (json://, xml://, form://, their secure forms): the path is the owner's own,
# and often the secret (hooks.zapier.com/hooks/catch/123/abc/), but apprise prints it whole.
GENERIC_WEBHOOKS = frozenset({"json", "jsons", "xml", "xmls", "form", "forms"})


def redact(channel: str) -> str:
    """A channel as logs, the CLI and the app may show it: recognisable, without its secrets.

    An email address stays as it is. An apprise URL is printed by apprise itself in privacy mode
    (``url(privacy=True)``: tokens cut to their first and last character, passwords as ****), without
    its query (which holds headers, GET parameters and signatures), and with a generic webhook's path
    cut the same way; a signed webhook likewise (scheme, host, port and its path cut, no user or query).
    Anything apprise does not understand keeps its scheme and host only.
    """
    text = (channel or "").strip()
    if not text or is_email(text):
        return text
    import apprise  # loaded only when a channel is shown (fast CLI start)
    from apprise import URLBase

    if is_signed(text):  # not apprise's: asked, it would log the whole URL as unsupported
        try:
            parts = urllib.parse.urlsplit(signed_url(text))
            host, port = parts.hostname or "", f":{parts.port}" if parts.port else ""
        except ValueError:
            return f"{SIGNED_PREFIX}…"
        path = "/".join(URLBase.pprint(segment, privacy=True) for segment in parts.path.rstrip("/").split("/"))
        host = f"[{host}]" if ":" in host else host
        return f"{SIGNED_PREFIX}{parts.scheme}://{host}{port}{path}"

    try:
        plugin = apprise.Apprise.instantiate(text, suppress_exceptions=True)
        shown = plugin.url(privacy=True) if plugin else None
    except Exception:  # a plugin that cannot print itself: show no more than for an unknown URL
        shown = None
    parts = urllib.parse.urlsplit(shown or text)
    if shown is None:
        host = parts.hostname or ""
        port = f":{parts.port}" if _port(parts) else ""
        return f"{parts.scheme}://{host}{port}/…" if parts.scheme else "…"
    path = parts.path.rstrip("/")
    if parts.scheme.lower() in GENERIC_WEBHOOKS:
        path = "/".join(URLBase.pprint(segment, privacy=True) for segment in path.split("/"))
    return urllib.parse.urlunsplit(parts._replace(path=path, query="", fragment=""))


def _port(parts: urllib.parse.SplitResult) -> int | None:
    try:
        return parts.port
    except ValueError:  # not a number: not worth showing
        return None
