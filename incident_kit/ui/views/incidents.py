"""Incidents: a live list, active first then recent, with filters. Click a row to open it."""

import pandas as pd
import streamlit as st

from incident_kit.incident.models import ACTIVE
from incident_kit.ui import context as ctx

kit = ctx.kit()
user = ctx.current_user()

types = ctx.attempt(kit.types) or []
type_labels = {t.name: t.label for t in types}
severity_names = [s.name for s in ctx.attempt(kit.severities) or []]

head, action = st.columns([4, 1], vertical_alignment="bottom")
head.title("Incidents")
if action.button("Declare", type="primary", icon=":material/campaign:", width="stretch"):
    st.switch_page(ctx.DECLARE_PAGE)

# Filters live outside the live fragment: a refresh never touches what someone is typing.
c_search, c_type, c_sev, c_toggles = st.columns([3, 1.4, 1.4, 1.2], vertical_alignment="bottom")
search = c_search.text_input("Search", placeholder="Reference, title, summary or tag", key="list_search",
                             label_visibility="collapsed")
incident_type = c_type.selectbox("Type", list(type_labels), index=None, format_func=type_labels.get,
                                 placeholder="Any type", key="list_type", label_visibility="collapsed")
severity = c_sev.selectbox("Severity", severity_names, index=None, placeholder="Any severity",
                           key="list_severity", label_visibility="collapsed")
with c_toggles:
    active_only = st.toggle("Active only", key="list_active")
    mine = st.toggle("Mine", key="list_mine", help="Incidents you declared, held a role on or were added to.")

filters = dict(viewer=user, active=active_only, mine=user if mine else None, type=incident_type,
               severity=severity, search=search)
signature = repr(sorted((k, v) for k, v in filters.items()))
if st.session_state.get("list_signature") != signature:  # new filters: start from the first page again
    st.session_state["list_signature"] = signature
    st.session_state["list_limit"] = ctx.PAGE_SIZE


def _overdue_style(value: str) -> str:
    return "color: #c62828; font-weight: 600" if str(value).startswith("overdue") else ""


def _table(rows, key: str, *, active: bool) -> None:
    view = ctx.list_view(rows)
    # "Age" alone is ambiguous once an incident is over: say what is measured.
    if active:
        view = view.rename(columns={"Age": "Impact for"})
    else:
        view["Age"] = [ctx.age(start, end) if end is not None and not pd.isna(end) else "—"
                       for start, end in zip(rows["started_at"], rows["resolved_at"])]
        view = view.rename(columns={"Age": "Impact lasted"}).drop(columns=["Next update"])
    event = st.dataframe(
        view.style.map(_overdue_style, subset=["Next update"]) if active else view, hide_index=True, width="stretch",
        on_select="rerun", selection_mode=["single-row", "single-cell"], key=key)
    # Clicking any cell (or ticking the row) opens that incident.
    picked = [*event.selection.rows, *(row for row, _ in event.selection.cells)] if event is not None else []
    if picked:
        ctx.open_incident(view["Reference"].iat[picked[0]])


def _show_more() -> None:
    st.session_state["list_limit"] += ctx.PAGE_SIZE


@st.fragment(run_every=ctx.LIVE_SECONDS)
def live_list():
    counts = ctx.attempt(kit.incident_counts, **filters)
    rows = ctx.attempt(kit.incidents, **filters, limit=st.session_state["list_limit"])
    if counts is None or rows is None:
        return
    if counts["total"] == 0:
        if any(v for k, v in filters.items() if k != "viewer"):
            st.info("No incidents match these filters.", icon=":material/filter_alt_off:")
        else:
            st.info("No incidents yet. Declare one when something isn't right, or load the demo data on Home.",
                    icon=":material/campaign:")
        return
    st.caption(f"**{counts['active']}** active · **{counts['overdue']}** need an update now · "
               f"showing {len(rows):,} of {counts['total']:,} · refreshes every {ctx.LIVE_SECONDS} s · "
               "click a row to open it")
    is_active = rows["status"].isin([s.value for s in ACTIVE])
    if is_active.any():
        st.subheader(f"Active ({counts['active']})")
        _table(rows[is_active], "list_active_table", active=True)
    if (~is_active).any():
        st.subheader("Recent")
        _table(rows[~is_active], "list_recent_table", active=False)
    if len(rows) < counts["total"]:
        st.button(f"Show {ctx.PAGE_SIZE} more", icon=":material/expand_more:", on_click=_show_more)


live_list()
