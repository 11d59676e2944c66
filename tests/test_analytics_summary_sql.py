"""``metrics --json``'s one statement (``analytics/summary_store.py``) reads the times and gaps its own way: one
join of ``update_facts`` for both. Its figures must stay those of the page's CTEs (``times``, ``gaps``) for every
filter: each audience, every mode, a date window, a viewer who may not see a private incident."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from incident_kit import analytics
from incident_kit.analytics.percentiles import linear
from incident_kit.analytics.resampling import clean
from incident_kit.incident import service

UTC = dt.timezone.utc
T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
NOW = dt.datetime(2026, 6, 1, tzinfo=UTC)

# (mode, private, severity, started minutes before, [(minutes after declared, audience, resolves)])
INCIDENTS = [
    ("live", False, "Major", 10, [(5, "internal", False), (25, "external", False), (35, "internal", False),
                                  (125, "external", True), (200, "internal", False), (260, "external", False)]),
    ("live", False, "Minor", 0, [(20, "external", False), (260, "internal", False)]),
    ("live", True, "Moderate", 0, [(10, "internal", False), (70, "external", False), (130, "internal", True)]),
    ("retrospective", False, "Critical", 300, [(1, "internal", False), (100, "external", True)]),
    ("live", False, "Critical", 5, []),  # no update yet: no time to first update
    ("test", False, "Minor", 0, [(3, "internal", False)]),
]


@pytest.fixture
def varied(kit):
    for i, (mode, private, severity, before, updates) in enumerate(INCIDENTS):
        declared = T0 + dt.timedelta(days=i * 20)  # two months a window below can split
        inc = service.declare(kit.db, f"Incident {i}", declared_by="ana", severity=severity, mode=mode,
                              private=private, declared_at=declared,
                              started_at=declared - dt.timedelta(minutes=before))
        for minutes, audience, resolves in updates:
            service.post_update(kit.db, inc.reference, "Progress", by="ana", audience=audience,
                                status="resolved" if resolves else None,
                                posted_at=declared + dt.timedelta(minutes=minutes))
    return kit


def figures(values) -> dict:
    ordered = clean(values)
    q = linear(ordered, (0.5, 0.9))
    return {"n": len(ordered), "median": None if q is None else round(float(q[0]), 3),
            "p90": None if q is None else round(float(q[1]), 3)}


@pytest.mark.parametrize("filters", [
    {}, {"audience": "internal"}, {"audience": "external"}, {"modes": None}, {"modes": ["retrospective"]},
    {"since": "2026-03-20", "until": "2026-05-01"}, {"viewer": "bao"}, {"audience": "external", "viewer": "bao"},
], ids=lambda f: ",".join(f"{k}={v}" for k, v in f.items()) or "none")
def test_the_summary_equals_the_pages_times_and_gaps_for_every_filter(varied, filters):
    out = analytics.metrics_summary(varied, now=NOW, **filters)
    times = analytics.response_times(varied, **filters)
    gaps = analytics.update_gaps(varied, **filters)

    for metric in ("time_to_declare", "time_to_first_update", "time_to_resolve", "impact_duration"):
        got = out[f"{metric}_minutes"]
        assert {k: got[k] for k in ("n", "median", "p90")} == figures(times[f"{metric}_minutes"]), metric
    got = out["update_gap_minutes"]
    assert {k: got[k] for k in ("n", "median", "p90")} == figures(gaps["gap_minutes"])
    targeted = gaps[gaps["cadence_minutes"].notna()]
    expected = round(float(np.mean(targeted["within_cadence"])), 3) if len(targeted) else None
    assert out["cadence_adherence"] == expected


def test_the_summary_of_nothing_is_zeros_and_nulls_not_an_error(kit):
    out = analytics.metrics_summary(kit, now=NOW)
    assert (out["incidents"], out["live"], out["retrospective"]) == (0, 0, 0)
    assert out["update_gap_minutes"] == {"n": 0, "median": None, "p90": None, "median_ci95": None}
    assert out["cadence_adherence"] is None
    assert (out["follow_ups"]["total"], out["follow_ups"]["open"], out["follow_ups"]["due"]) == (0, 0, 0)
