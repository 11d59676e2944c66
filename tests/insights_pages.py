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


def run_insights(monkeypatch, db_path, *, user: str = "zoe", **session) -> AppTest:
    """The Insights page as ``user`` (a display name given this session; zoe takes part in no incident)."""
    monkeypatch.setenv("INCIDENT_KIT_DB", str(db_path))
    st.cache_resource.clear()  # each test sees its own database
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    if user:
        sign_in(at, user)
    for key, value in session.items():
        at.session_state[key] = value
    at.switch_page(PAGE)
    return at.run()


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
