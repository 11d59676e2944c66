"""Subscribing to the status page by email, on the public status page app (no sign-in, no JavaScript).

* ``POST /status-page/subscribe`` (a form: ``email``, optional repeated ``component`` slugs) answers the
  same "check your email" page, with the same status, whatever the address: new, pending, confirmed, or
  over its own rate. Nobody learns who is subscribed.
* ``GET /status-page/confirm/{secret}`` shows ONE confirm button (link scanners that prefetch a link do not
  confirm); the button's ``POST`` confirms.
* ``GET /status-page/unsubscribe/{secret}`` shows one button; a ``POST`` to the same address, the button or
  RFC 8058's ``List-Unsubscribe=One-Click`` from a mail client, ends the subscription at once.

Rate limits (the ``limits`` package, a moving window in this process's memory, as for API tokens): per
client address, over it a 429 page; per email address, over it nothing is sent but the answer is the same.
"""

from __future__ import annotations

import math
import urllib.parse

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from ..errors import IncidentKitError, NotFound
from ..subscribers.models import email_key
from ..subscribers.service import SubscriptionsClosed
from .deps import open_shared

# A person subscribes once or twice; a few more cover typos. More from one address in an hour is someone
# mailing a stranger again and again. Per client: a household or an office behind one address, not a script.
PER_ADDRESS = "3/hour"
PER_CLIENT = "20/hour"
FORM_MAX = 16_384  # bytes: an address and a hundred component slugs fit many times over
NO_STORE = {"Cache-Control": "no-store"}  # the steps' pages answer one person: never cached
_HEADERS: dict[str, str] = dict(NO_STORE)

CHECK = ["If that address can receive our emails, a message is on its way: open the link in it to confirm.",
         "Until you confirm, you will receive nothing else, and the request is forgotten after a few days."]


class Limits:
    """Moving windows per client and per email address: the API's ``auth.RateLimit``, one for each."""

    def __init__(self, per_address: str = PER_ADDRESS, per_client: str = PER_CLIENT):
        from .auth import RateLimit

        self.client = RateLimit(per_client, namespace="subscribe-client")
        self.address = RateLimit(per_address, namespace="subscribe-address")

    def client_wait(self, host: str) -> int:
        """0 when this client may try (counted); else the seconds until it may."""
        return self.client.wait_seconds(host)

    def address_allows(self, address: str) -> bool:
        return self.address.wait_seconds(email_key(address)) == 0


class _Named:
    """What the steps' pages need of the status page: its name (one setting, not the whole page's read)."""

    def __init__(self):
        self.name = str(open_shared().setting("public_name") or "Our services")


def _page(view, status: int = 200, **fields) -> HTMLResponse:
    from ..statuspage.render import message_page

    return HTMLResponse(message_page(name=view.name, **fields), status_code=status, headers=_HEADERS)


async def _form(request: Request) -> dict[str, list[str]]:
    body = await request.body()
    if len(body) > FORM_MAX:
        return {}
    return urllib.parse.parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=200)


def add_routes(page: FastAPI, *, headers: dict[str, str], view=_Named) -> None:
    """Add the subscription routes to the status page app (its security ``headers``, but never cached);
    ``view()`` reads the page's name."""
    _HEADERS.update({**headers, **NO_STORE})
    page.state.limits = Limits()

    @page.post("/subscribe")
    async def subscribe(request: Request):
        v = view()
        host = request.client.host if request.client else "unknown"
        wait = page.state.limits.client_wait(host)
        if wait:
            minutes = max(1, math.ceil(wait / 60))
            response = _page(v, 429, heading="Too many attempts", home="./",
                             lines=[f"Too many subscription attempts from your network; try again in {minutes} "
                                    f"minute{'s' if minutes != 1 else ''}."])
            response.headers["Retry-After"] = str(wait)
            return response
        form = await _form(request)
        email = (form.get("email") or [""])[0]
        try:
            from ..subscribers.models import clean_email

            address = clean_email(email)
            # Over the address's limit nothing is sent, and the answer is the same: a limit says nothing
            # about whether the address is subscribed.
            if page.state.limits.address_allows(address):
                open_shared().request_status_updates(address, components=form.get("component", []))
        except SubscriptionsClosed:
            return _page(v, 503, heading="Email updates are not available", home="./",
                         lines=["Subscribing by email is not open yet. The status page and its Atom feed "
                                "have every update."])
        except IncidentKitError as exc:
            return _page(v, 400, heading="Please check the form", home="./", lines=[str(exc)])
        return _page(v, heading="Check your email", home="./", lines=CHECK)

    @page.get("/confirm/{secret}")
    def confirm_page(secret: str):
        v = view()
        try:
            open_shared().status_link(secret, "confirm")
        except NotFound as exc:
            return _page(v, 404, heading="This link has expired", home="../", lines=[str(exc)])
        return _page(v, heading="Confirm your subscription", home="../",
                     lines=[f"Press the button to start receiving {v.name} status updates by email."],
                     button="Confirm my subscription", action=secret)

    @page.post("/confirm/{secret}")
    def confirm(secret: str):
        v = view()
        try:
            done = open_shared().confirm_status_updates(secret)
        except NotFound as exc:
            return _page(v, 404, heading="This link has expired", home="../", lines=[str(exc)])
        what = ", ".join(done.components) if done.components else "every part of the service on this page"
        return _page(v, heading="You are subscribed", home="../",
                     lines=[f"You will receive our status updates about: {what}.",
                            "Every email has a link to unsubscribe in one click."])

    @page.get("/unsubscribe/{secret}")
    def unsubscribe_page(secret: str):
        v = view()
        try:
            open_shared().status_link(secret, "unsubscribe")
        except NotFound:
            return _page(v, heading="You are not subscribed", home="../",
                         lines=["This subscription has ended already; you will receive nothing more."])
        return _page(v, heading="Unsubscribe", home="../",
                     lines=[f"Press the button to stop receiving {v.name} status updates by email."],
                     button="Unsubscribe", action=secret)

    @page.post("/unsubscribe/{secret}")
    def unsubscribe(secret: str):  # the button, or RFC 8058's one-click POST (whatever its body says)
        v = view()
        try:
            open_shared().unsubscribe_status_updates(secret)
        except NotFound as exc:
            return _page(v, 404, heading="This link has expired", home="../", lines=[str(exc)])
        return _page(v, heading="You are unsubscribed", home="../",
                     lines=["You will receive no more status updates by email. Your address is forgotten."])
