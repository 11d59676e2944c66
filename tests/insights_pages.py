"""Helpers for tests that drive the Insights page with Streamlit's AppTest."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import streamlit as st
from streamlit.testing.v1 import AppTest

from apptest_support import sign_in

REPO = Path(__file__).resolve().parent.parent
PAGE = "incident_kit/ui/views/insights.py"
# The tabs in order, each with its section headings (st.subheader) in the order the page draws them.
TABS = {
    "Communication": ["Response times", "Are we getting faster?", "How long things take", "Update cadence"],
    "Follow-ups": ["Completion by the due date", "Open follow-ups", "Time to complete",
                   "How soon follow-ups get done"],
    "Declaring": ["Declarations per month", "Declaring: routine or a signal?"],
    "Reviews": ["Review depth", "What keeps coming back"],
}
TAB_KEY = "ins_tab"


def run_insights(monkeypatch, db_path, *, user: str = "zoe", query: dict | None = None, **session) -> AppTest:
    """The Insights page as ``user`` (a display name given this session; zoe takes part in no incident),
    opened with ``query`` in its address (e.g. ``{"tab": "reviews"}``)."""
    monkeypatch.setenv("INCIDENT_KIT_DB", str(db_path))
    st.cache_resource.clear()  # each test sees its own database
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    if user:
        sign_in(at, user)
    for key, value in session.items():
        at.session_state[key] = value
    at.switch_page(PAGE)
    for name, value in (query or {}).items():
        at.query_params[name] = value
    return at.run()


def open_tab(at: AppTest, label: str) -> AppTest:
    """Pick a tab as a click would (the tabs' state is their label) and rerun."""
    at.session_state[TAB_KEY] = label
    return at.run()


def headings(at: AppTest) -> list[str]:
    return [h.value for h in at.subheader]


def every_tab(at: AppTest):
    """Open each tab in turn (the first is open already); yield its label once it has run."""
    for n, label in enumerate(TABS):
        if n:
            open_tab(at, label)
        assert headings(at) == TABS[label], (label, headings(at))
        yield label


def chart_specs(at: AppTest) -> list[dict]:
    """Every Vega-Lite spec the page sent, with its datasets' columns put back inline.

    Streamlit ships a chart's data separately (Arrow); the first rows go back into
    ``spec["datasets"]`` so the guardrail sees the columns the browser receives.
    """
    specs = []
    for element in at.get("vega_lite_chart") + at.get("arrow_vega_lite_chart"):
        proto = element.proto
        spec = json.loads(proto.spec)
        datasets = spec.setdefault("datasets", {})
        for named in proto.datasets:
            table = pa.ipc.open_stream(named.data.data).read_all()
            rows = table.slice(0, 5).to_pylist() or [{name: None for name in table.column_names}]
            datasets[named.name] = rows
        if proto.HasField("data") and proto.data.data:
            table = pa.ipc.open_stream(proto.data.data).read_all()
            datasets["_main"] = table.slice(0, 5).to_pylist() or [{n: None for n in table.column_names}]
        specs.append(spec)
    return specs
