"""What every page needs: the shared Kit, the current person, safe actions and display helpers.

Pages call ``require_user()`` through the router (app.py), then read widgets,
call Kit methods inside ``attempt`` and render. Time and duration formatting
lives here as small pure functions so every page words them the same way.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
import streamlit as st

from .. import open as open_kit
from ..clock import UTC, utcnow
from ..config import resolve_db_path
from ..errors import IncidentKitError, NotFound
from ..identity import Person
from . import display, remembered_name

# Two people on one incident should see each other's changes within a few seconds;
# each refresh is one indexed read, so 5 s costs little even with many viewers.
LIVE_SECONDS = 5
# Rows the Incidents page shows at first and adds per "Show more" (10k rows would be a wall).
PAGE_SIZE = 50
# A board of cards (Status): each card is half a dozen elements to send and draw, so a page holds fewer; at 1M
# incidents 50 ongoing and 50 resolved cards took 0.85 s to arrive on a warm view, most of it the cards.
CARDS_PAGE_SIZE = 20

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
_FORGET_KEY = "_forget_name"  # set by "Change name": ignore the remembered name for this session


@st.cache_resource(show_spinner=False)
def _kit_for(path: str):
    # One DuckDB connection per process and file; every call takes its own cursor.
    from ..notify.worker import start_background
    from ..snapshot import start_publisher

    shared = open_kit(path)
    start_background(shared)  # drains the notification outbox and queues overdue reminders
    start_publisher(shared)  # a read-only snapshot for notebooks and the CLI while the app holds the file
    shared.prepare_similar()  # the similar-incident index, built in the background before anyone asks
    shared.prepare_insights()  # PostgreSQL: the analytics copy, taken in the background before anyone asks
    return shared


def kit():
    """The shared Kit; when the database cannot be opened, its one-sentence reason and nothing else."""
    try:
        return _kit_for(str(resolve_db_path()))
    except IncidentKitError as exc:  # StoreUnavailable: locked, corrupted, unreadable, newer schema...
        # Not cached: the next run tries again, so the page recovers once the file is free.
        st.error(app_words(exc), icon=":material/database:")
        st.stop()


# -- identity ------------------------------------------------------------------
def oidc_configured() -> bool:
    """True when .streamlit/secrets.toml has an [auth] section (st.login is available)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def _signed_in_email() -> str | None:
    try:
        if st.user.get("is_logged_in"):
            return st.user.get("email") or st.user.get("name")
    except Exception:  # st.user is unavailable outside a session
        pass
    return None


def current_user():
    """The person using the app: the OIDC user (verified) when signed in, else the typed display name.

    A typed name comes from this session, or from the cookie this browser keeps so that a reload
    or a shared link does not ask again (unless the person chose "Change name" in this session).
    """
    email = _signed_in_email()
    if email:
        return Person(email, verified=True)
    if oidc_configured():  # sign-in is required: a typed or remembered name does not count
        return None
    name = st.session_state.get(_NAME_KEY)
    if not name and not st.session_state.get(_FORGET_KEY):
        name = remembered_name.read()
        if name:
            st.session_state[_NAME_KEY] = name
    return Person(name, verified=False) if name else None


def _sign_in() -> None:
    st.title("Welcome to incident-kit")
    if oidc_configured():
        st.write("Sign in so your teammates know who declared, updated or resolved an incident.")
        if st.button("Sign in", type="primary", icon=":material/login:"):
            st.login()
        return
    if st.session_state.get(_FORGET_KEY):
        remembered_name.write(None, key="_forget_name_cookie")
    st.write("What should your teammates call you? Your name appears on what you declare and post.")
    with st.form("sign_in", border=False):
        name = st.text_input("Your name", placeholder="e.g. Ana Silva or ana@example.com",
                             max_chars=remembered_name.NAME_MAX)
        if st.form_submit_button("Continue", type="primary"):
            name = remembered_name.clean(name)
            if name:
                st.session_state[_NAME_KEY] = name
                st.session_state.pop(_FORGET_KEY, None)
                st.rerun()
            st.error("Type a name first: it is how colleagues will recognise your updates.",
                     icon=":material/badge:")


def require_user():
    """The person using the app; asks once (or offers OIDC sign-in) and stops the run until known."""
    user = current_user()
    if not user:
        _sign_in()
        st.stop()
    shared = kit()  # an unopenable database stops here, its reason in the main area (not the sidebar)
    with st.sidebar:
        if _signed_in_email():  # "signed in" only when a sign-in provider vouches for the name
            st.caption(f":material/person: Signed in as **{md_text(user)}**")
            st.button("Sign out", on_click=st.logout, key="_sign_out")
            return user
        st.caption(f":material/person: You are: **{md_text(user)}**")
        if st.button("Change name", key="_change_name", type="tertiary"):
            del st.session_state[_NAME_KEY]
            st.session_state[_FORGET_KEY] = True
            st.rerun()
        if remembered_name.read() != user:  # remember it in this browser (a no-op once the cookie matches)
            remembered_name.write(str(user), key="_remember_name_cookie")
        _warn_admins_about_trusted_names(shared, user)
    return user


def can_administer(kit_, user) -> bool:
    """May ``user`` change settings, import and load demo data? The rule is the service's (``kit.can_administer``)."""
    return bool(attempt(kit_.can_administer, user))


TRUSTED_NAMES_WARNING = (
    "Typed names are trusted: anyone who can open this app can type an admin's name to change settings or "
    "read every private incident. Keep this only if everyone who can reach the app may see everything; "
    "otherwise set up sign-in and turn it off in Settings.")


def _warn_admins_about_trusted_names(shared, user) -> None:
    """Admins see, on every page, that typed names are trusted (the setting opts out of verified identity)."""
    if shared.setting("trust_typed_names") and shared.can_administer(user):
        st.caption(":material/warning: Typed names are trusted, so anyone can act as an admin. See Settings.")


# -- actions and navigation ----------------------------------------------------------
def attempt(action, *args, **kwargs):
    """Run a service call; show a domain error as a friendly message, never a traceback."""
    try:
        return action(*args, **kwargs)
    except IncidentKitError as exc:
        st.error(app_words(exc), icon=":material/error:")
        return None


def flash(message: str, *, toast: bool = False) -> None:
    """A success message that survives the rerun or page switch that follows an action; ``toast``: shown as a
    toast (a message sent just before ``st.rerun()`` is lost with its run about one time in two in Chromium).

    ``message`` is Markdown: escape any user text in it (``md_text``), as for any other st call.
    """
    st.session_state[_FLASH_KEY] = (message, toast)


def show_flash() -> None:
    """Show what the last action flashed, if anything (once)."""
    message, toast = st.session_state.pop(_FLASH_KEY, None) or (None, False)
    if message and toast:
        st.toast(message)
    elif message:
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
            f"We can't find an incident **{md_text(reference, limit=40)}** that you can see. Check the reference; if it is a "
            "private incident, ask its incident lead to add you.", icon=":material/search_off:")
    except IncidentKitError as exc:
        st.error(app_words(exc), icon=":material/error:")
    return None


# -- display helpers (pure; the rules live in display.py) -------------------------------
def app_words(exc: IncidentKitError) -> str:
    """An error as the app says it: its sentence for the app (never a command-line flag), as inert Markdown."""
    return md_text(getattr(exc, "in_app", None) or str(exc))


def md_text(value, *, limit: int | None = None) -> str:
    """User text (a name, a title, a ?ref= value) as inert Markdown, one line: ``display.text``.

    Streamlit reads st.markdown/st.warning/st.caption strings as Markdown, so a title like
    ``![x](http://host/x.png)`` would load an image; escaped, it is just text. ``limit``
    shortens with an ellipsis (a 5,000-character reference must not fill the page).
    """
    return display.text(value, limit=limit)


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


duration = display.duration  # one wording of durations for every page


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
