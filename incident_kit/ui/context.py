"""What every page needs: the shared Kit, the current person, and safe actions."""

from __future__ import annotations

import streamlit as st

from .. import open as open_kit
from ..config import resolve_db_path
from ..errors import IncidentKitError


@st.cache_resource(show_spinner=False)
def _kit_for(path: str):
    # One DuckDB connection per process and file; every call takes its own cursor.
    return open_kit(path)


def kit():
    return _kit_for(str(resolve_db_path()))


def current_user() -> str | None:
    """The OIDC user when st.login is configured, else the display name given this session."""
    try:
        if st.user.is_logged_in:
            return st.user.get("email") or st.user.get("name")
    except Exception:  # st.user is unavailable when auth is not configured
        pass
    return st.session_state.get("display_name")


def attempt(action, *args, **kwargs):
    """Run a service call; show a domain error as a friendly message, never a traceback."""
    try:
        return action(*args, **kwargs)
    except IncidentKitError as exc:
        st.error(str(exc), icon=":material/error:")
        return None
