"""The pure display helpers the pages share (no Streamlit run needed)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from incident_kit.ui import context as ctx

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.timezone.utc)


def test_duration_is_short_and_scannable():
    assert ctx.duration(dt.timedelta(seconds=42)) == "42 s"
    assert ctx.duration(dt.timedelta(minutes=12, seconds=59)) == "12 min"
    assert ctx.duration(dt.timedelta(hours=3)) == "3 h"
    assert ctx.duration(dt.timedelta(hours=3, minutes=5)) == "3 h 5 min"
    assert ctx.duration(dt.timedelta(days=4, hours=2)) == "4 d 2 h"
    assert ctx.duration(-dt.timedelta(minutes=5)) == "5 min"


def test_next_update_text_flags_overdue():
    assert ctx.next_update_text(NOW + dt.timedelta(minutes=25), NOW) == ("in 25 min", False)
    assert ctx.next_update_text(NOW - dt.timedelta(minutes=5), NOW) == ("overdue by 5 min", True)
    assert ctx.next_update_text(None, NOW) == ("—", False)
    assert ctx.next_update_text(pd.NaT, NOW) == ("—", False)


def test_when_uses_the_viewers_time_zone():
    from zoneinfo import ZoneInfo

    assert ctx.when(NOW) == "2026-03-01 12:00 UTC"
    assert ctx.when(NOW, ZoneInfo("Europe/Berlin")) == "2026-03-01 13:00 CET"
    assert ctx.when(NOW, with_date=False) == "12:00 UTC"
    assert ctx.when(None) == "—"


def test_list_view_makes_the_incident_list_readable(kit):
    kit.declare("Checkout failing", declared_by="ana", lead="bao", private=True)
    view = ctx.list_view(kit.incidents())
    assert list(view.columns) == ctx.LIST_COLUMNS
    row = view.iloc[0]
    assert (row["Reference"], row["Title"], row["Severity"], row["Status"], row["Lead"], row["Updates by"]) == (
        "INC-1", "🔒 Checkout failing", "Minor", "Investigating", "bao", "bao")
    assert row["Next update"].startswith("in 3 h")  # Minor promises an update every 4 hours
    assert ctx.list_view(kit.incidents(search="nothing")).empty
