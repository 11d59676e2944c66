"""Remember the typed display name per browser, so a reload or a shared link does not ask again.

The name lives in a first-party cookie. The server reads it from ``st.context.cookies``
(the cookies the browser sent when the session opened); a tiny inline component
(``st.components.v2``, which runs in the page itself, no iframe and no download)
writes or clears it with ``document.cookie``. Streamlit cannot set a cookie from
Python: a session talks over a websocket, which has no response headers.

The cookie is a convenience, not a credential: it holds a name anyone could type.
"""

from __future__ import annotations

import functools
from urllib.parse import quote, unquote

import streamlit as st

from ..identity import NAME_MAX  # a longer cookie is ignored: no name anywhere in the kit is longer

COOKIE = "incident_kit_name"
# A person rarely changes the name they go by; "Change name" forgets it at once.
MAX_AGE_SECONDS = 365 * 24 * 3600

_JS = """
export default function (component) {
  const data = component.data || {};
  const secure = window.location.protocol === "https:" ? "; Secure" : "";
  const attrs = "; path=/; SameSite=Lax" + secure;
  document.cookie = data.value
    ? data.cookie + "=" + data.value + "; max-age=" + data.max_age + attrs
    : data.cookie + "=; max-age=0" + attrs;
}
"""


@functools.cache
def _component():
    # Registered once per process, on first use (never at import, so plain imports need no runtime).
    return st.components.v2.component("incident_kit.remembered_name", js=_JS)


def clean(value) -> str | None:
    """A stored or typed name as one line; None when empty or longer than a name may be."""
    name = " ".join(str(value or "").split())
    return name if name and len(name) <= NAME_MAX else None


def read() -> str | None:
    """The name this browser remembered when the session opened, if any (and if sane)."""
    try:
        raw = st.context.cookies.get(COOKIE)
    except Exception:  # no browser session (bare script runs)
        return None
    return clean(unquote(raw)) if isinstance(raw, str) else None  # AppTest hands back a mock


def write(name: str | None, *, key: str) -> None:
    """Make this browser remember ``name`` (or forget it with None); renders nothing visible."""
    # Percent-encoded, so a name can never add cookie attributes or a second cookie (";", "=", ",").
    value = quote(name, safe="") if name else ""
    _component()(key=key, data={"cookie": COOKIE, "value": value, "max_age": MAX_AGE_SECONDS})
