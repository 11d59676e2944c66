"""90 days of daily history and uptime per component, on fixed data (a pure function)."""

from __future__ import annotations

import datetime as dt

import pytest

from incident_kit.statuspage.uptime import Span, history

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 12, 6, 0, 0, tzinfo=UTC)  # midnight: 90 whole days before it, today has no length


def at(day: int, hour: int = 0) -> dt.datetime:
    """``day`` days before NOW, at ``hour``."""
    return NOW - dt.timedelta(days=day) + dt.timedelta(hours=hour)


def test_no_incidents_is_ninety_operational_days_and_full_uptime():
    h = history([], now=NOW)
    assert len(h.days) == 90 and all(d.state == "operational" for d in h.days) and h.uptime == 100.0
    assert h.days[-1].date == NOW.date() and h.days[0].date == NOW.date() - dt.timedelta(days=89)


def test_a_major_outage_counts_as_down_for_as_long_as_it_lasted():
    h = history([Span(1, "major_outage", at(2, 0), at(2, 6))], now=NOW)
    day = h.days[-3]
    assert day.state == "major_outage" and day.uptime == pytest.approx(75.0)
    assert h.uptime == pytest.approx(100 * (1 - 6 / (89 * 24)))  # today (0 s long) adds nothing


def test_a_partial_outage_counts_as_half_down():
    h = history([Span(1, "partial_outage", at(2, 0), at(2, 12))], now=NOW)
    assert h.days[-3].state == "partial_outage" and h.days[-3].uptime == pytest.approx(75.0)


def test_degraded_performance_counts_as_up_but_colours_the_day():
    h = history([Span(1, "degraded_performance", at(5, 1), at(5, 23))], now=NOW)
    assert h.days[-6].state == "degraded_performance" and h.days[-6].uptime == 100.0 and h.uptime == 100.0


def test_overlapping_incidents_count_once_at_the_worst_impact():
    spans = [Span(1, "partial_outage", at(3, 0), at(3, 12)), Span(1, "major_outage", at(3, 6), at(3, 12))]
    d = history(spans, now=NOW).days[-4]
    # 0-6 h partial (half of 6 h down) and 6-12 h major (6 h down): 9 h of 24 down
    assert d.state == "major_outage" and d.uptime == pytest.approx(100 * (1 - 9 / 24))


def test_an_ongoing_outage_runs_to_now_and_across_midnight():
    now = NOW + dt.timedelta(hours=6)
    h = history([Span(1, "major_outage", at(1, 18), None)], now=now)
    assert h.days[-2].uptime == pytest.approx(75.0) and h.days[-1].uptime == 0.0
    assert h.days[-1].state == "major_outage"


def test_an_outage_before_the_ninety_days_is_left_out():
    h = history([Span(1, "major_outage", at(200), at(100))], now=NOW)
    assert h.uptime == 100.0
