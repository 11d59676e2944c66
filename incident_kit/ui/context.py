"""What every page needs: the shared Kit, the current person, safe actions and display helpers.

Pages call ``require_user()`` through the router (app.py), then read widgets,
call Kit methods inside ``attempt`` and render. Time and duration formatting
lives here as small pure functions so every page words them the same way.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
import streamlit as st

from .. import open as open_kit
from ..clock import UTC, utcnow
from ..config import resolve_db_path
from ..errors import IncidentKitError, NotFound

# Two people on one incident should see each other's changes within a few seconds;
# each refresh is one indexed read, so 5 s costs little even with many viewers.
LIVE_SECONDS = 5
# Rows the Incidents page shows at first and adds per "Show more" (10k rows would be a wall).
PAGE_SIZE = 50

# Page files, relative to app.py, for st.switch_page / st.page_link.
VIEWS = "incident_kit/ui/views/"
HOME_PAGE = VIEWS + "home.py"
DECLARE_PAGE = VIEWS + "declare.py"
INCIDENTS_PAGE = VIEWS + "incidents.py"
INCIDENT_PAGE = VIEWS + "incident.py"
SETTINGS_PAGE = VIEWS + "settings.py"

_NAME_KEY = "display_name"
_REF_KEY = "incident_ref"
_FLASH_KEY = "_flash"


@st.cache_resource(show_spinner=False)
def _kit_for(path: str):
    # One DuckDB connection per process and file; every call takes its own cursor.
    from ..notify.worker import start_background
    from ..snapshot import start_publisher

    shared = open_kit(path)
    start_background(shared)  # drains the notification outbox and queues overdue reminders
    start_publisher(shared)  # a read-only snapshot for notebooks and the CLI while the app holds the file
    return shared


def kit():
    return _kit_for(str(resolve_db_path()))


# -- identity ------------------------------------------------------------------
def oidc_configured() -> bool:
    """True when .streamlit/secrets.toml has an [auth] section (st.login is available)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def current_user() -> str | None:
    """The OIDC user when st.login is configured, else the display name given this session."""
    try:
        if st.user.get("is_logged_in"):
            return st.user.get("email") or st.user.get("name")
    except Exception:  # st.user is unavailable outside a session
        pass
    return st.session_state.get(_NAME_KEY)


def _sign_in() -> None:
    st.title("Welcome to incident-kit")
    if oidc_configured():
        st.write("Sign in so your teammates know who declared, updated or resolved an incident.")
        if st.button("Sign in", type="primary", icon=":material/login:"):
            st.login()
        return
    st.write("What should your teammates call you? Your name appears on what you declare and post.")
    with st.form("sign_in", border=False):
        name = st.text_input("Your name", placeholder="e.g. Ana Silva or ana@example.com")
        if st.form_submit_button("Continue", type="primary"):
            name = " ".join(name.split())
            if name:
                st.session_state[_NAME_KEY] = name
                st.rerun()
            st.error("Type a name first: it is how colleagues will recognise your updates.",
                     icon=":material/badge:")


def require_user() -> str:
    """The person using the app; asks once (or offers OIDC sign-in) and stops the run until known."""
    user = current_user()
    if not user:
        _sign_in()
        st.stop()
    with st.sidebar:
        st.caption(f":material/person: Signed in as **{user}**")
        if st.user.get("is_logged_in"):
            st.button("Sign out", on_click=st.logout, key="_sign_out")
        elif st.button("Change name", key="_change_name", type="tertiary"):
            del st.session_state[_NAME_KEY]
            st.rerun()
    return user


def can_administer(kit_, user: str) -> bool:
    """Whether ``user`` may change settings and import (the rule lives in the service: ``kit.can_administer``)."""
    return kit_.can_administer(user)


# -- actions and navigation ----------------------------------------------------------
def attempt(action, *args, **kwargs):
    """Run a service call; show a domain error as a friendly message, never a traceback."""
    try:
        return action(*args, **kwargs)
    except IncidentKitError as exc:
        st.error(str(exc), icon=":material/error:")
        return None


def flash(message: str) -> None:
    """A success message that survives the rerun or page switch that follows an action."""
    st.session_state[_FLASH_KEY] = message


def show_flash() -> None:
    message = st.session_state.pop(_FLASH_KEY, None)
    if message:
        st.success(message, icon=":material/check_circle:")


def open_incident(reference: str) -> None:
    """Go to the Incident page for ``reference`` (the URL carries ?ref= so it can be shared)."""
    st.session_state[_REF_KEY] = reference
    st.switch_page(INCIDENT_PAGE, query_params={"ref": reference})


def selected_reference() -> str | None:
    """The incident the Incident page shows: ?ref= wins, else the last one opened this session."""
    ref = st.query_params.get("ref") or st.session_state.get(_REF_KEY)
    return str(ref).strip().upper() or None if ref else None


def remember_reference(reference: str) -> None:
    st.session_state[_REF_KEY] = reference
    if st.query_params.get("ref") != reference:
        st.query_params["ref"] = reference


def load_incident(kit_, reference: str, user: str):
    """The incident if ``user`` may see it; otherwise a friendly message (never whether it exists)."""
    try:
        return kit_.get(reference, viewer=user)
    except NotFound:
        st.warning(
            f"We can't find an incident **{reference}** that you can see. Check the reference; if it is a "
            "private incident, ask its incident lead to add you.", icon=":material/search_off:")
    except IncidentKitError as exc:
        st.error(str(exc), icon=":material/error:")
    return None


# -- display helpers (pure) ----------------------------------------------------------
def browser_tz() -> dt.tzinfo:
    """The viewer's time zone as the browser reports it; UTC when unknown."""
    try:
        name = st.context.timezone
        return ZoneInfo(name) if name else UTC
    except (ZoneInfoNotFoundError, ValueError, AttributeError):
        return UTC


def _ts(value) -> dt.datetime | None:
    if value is None or value is pd.NaT or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def duration(delta: dt.timedelta) -> str:
    """'45 s', '12 min', '3 h 5 min', '4 d 2 h' — short and scannable."""
    seconds = int(abs(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def age(since, now: dt.datetime | None = None) -> str:
    start = _ts(since)
    return "—" if start is None else duration((now or utcnow()) - start)


def next_update_text(due, now: dt.datetime | None = None) -> tuple[str, bool]:
    """('in 25 min', False), ('overdue by 5 min', True) or ('—', False) when none is due."""
    when = _ts(due)
    if when is None:
        return "—", False
    delta = when - (now or utcnow())
    if delta.total_seconds() < 0:
        return f"overdue by {duration(delta)}", True
    return f"in {duration(delta)}", False


def when(value, tz: dt.tzinfo | None = None, *, with_date: bool = True) -> str:
    """A timestamp in the viewer's zone, e.g. '2026-11-26 14:05 CET'."""
    ts = _ts(value)
    if ts is None:
        return "—"
    local = ts.astimezone(tz or UTC)
    return local.strftime("%Y-%m-%d %H:%M %Z" if with_date else "%H:%M %Z")


def status_label(status: str) -> str:
    return str(status).replace("_", "-").capitalize()


LIST_COLUMNS = ["Reference", "Title", "Severity", "Status", "Lead", "Age", "Next update", "Updates by"]


def list_view(frame: pd.DataFrame, now: dt.datetime | None = None) -> pd.DataFrame:
    """The Incidents table as people read it: one row per incident, times made human."""
    now = now or utcnow()
    if frame is None or frame.empty:
        return pd.DataFrame(columns=LIST_COLUMNS)
    due = [next_update_text(v, now)[0] for v in frame["next_update_due"]]
    return pd.DataFrame({
        "Reference": frame["reference"],
        "Title": [f"🔒 {t}" if p else t for t, p in zip(frame["title"], frame["private"])],
        "Severity": frame["severity"],
        "Status": [status_label(s) for s in frame["status"]],
        "Lead": frame["lead"].fillna("—"),
        "Age": [age(v, now) for v in frame["started_at"]],  # since the impact began, as in the header
        "Next update": due,
        "Updates by": frame["accountable"],
    }).reset_index(drop=True)
