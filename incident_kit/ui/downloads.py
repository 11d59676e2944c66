"""Offer a table as a CSV download, written only when someone asks for it; a chart with its data.

Streamlit calls the function given as ``data`` when the button is clicked, so a
page with many downloads does not write every CSV on every run; the click does
not rerun the page either. Every CSV goes through ``safe_output.frame_csv``
(formulas neutralised).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from incident_kit.safe_output import frame_csv


def csv_download(frame: pd.DataFrame, key: str, label: str = "Download the data (CSV)") -> None:
    """A button that downloads ``frame`` as ``{key}.csv`` (widget key ``download_{key}``)."""
    st.download_button(label, lambda: frame_csv(frame).encode(), file_name=f"{key}.csv", mime="text/csv",
                       key=f"download_{key}", icon=":material/download:", on_click="ignore")


def chart_with_data(chart, frame: pd.DataFrame, *, key: str, caption: str) -> None:
    """A chart (an Altair chart, or a Vega-Lite spec from ``analytics.charts.spec``), how to read it, and the
    data behind it as a CSV download."""
    if isinstance(chart, dict):
        st.vega_lite_chart(chart, width="stretch")
    else:
        st.altair_chart(chart, width="stretch")
    st.caption(caption)
    csv_download(frame, key)
