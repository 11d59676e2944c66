"""Known answers: every metric on the hand-built data set in tests/insights_data.py.

quantile_cont interpolates linearly: for sorted values v[0..n-1] and quantile q,
position = q * (n - 1); the result is v[floor] + frac * (v[ceil] - v[floor]).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import incident_kit as ik
from incident_kit import analytics
from incident_kit.analytics.resampling import clean, exact_median_ci95
from incident_kit.errors import IncidentKitError

from insights_data import NOW, build


@pytest.fixture(scope="module", params=["duckdb", "postgres"])
def org(request, tmp_path_factory):
    """The known-answer organisation, on each store: both must give every answer below."""
    if request.param == "postgres":
        target = request.getfixturevalue("pg_server").fresh_database()
    else:
        target = tmp_path_factory.mktemp("org") / "org.duckdb"
    k = ik.open(target, user="tester")
    build(k)
    yield k
    k.close()


def summary(org, **filters):
    return analytics.response_summary(org, **filters).set_index("metric")


def test_scope_counts_every_mode_and_reports_what_response_metrics_exclude(org):
    row = analytics.scope_counts(org).iloc[0]
    # INC-1, 2, 5 live; INC-3, 6 retrospective; INC-4 test.
    assert (row["incidents"], row["live"], row["retrospective"], row["test"]) == (6, 3, 2, 1)
    assert (row["counted"], row["excluded"]) == (3, 3)


def test_time_to_declare_is_declared_minus_started_on_live_incidents_only(org):
    # live: INC-1 10, INC-2 0, INC-5 0 -> sorted [0, 0, 10]; the retrospective INC-3 (300) is excluded.
    # median = 0; p90 position 0.9*2 = 1.8 -> 0 + 0.8*(10-0) = 8.
    row = summary(org).loc["time_to_declare"]
    assert (row["n"], row["median"], row["p90"]) == (3, 0, pytest.approx(8.0))
    assert row["excluded"] == 3


def test_time_to_first_update_is_first_update_minus_declared(org):
    # INC-1 5, INC-2 20, INC-5 10 -> sorted [5, 10, 20]; median 10; p90 at 1.8 -> 10 + 0.8*10 = 18.
    row = summary(org).loc["time_to_first_update"]
    assert (row["n"], row["median"], row["p90"]) == (3, 10, pytest.approx(18.0))


def test_update_gaps_are_pooled_up_to_the_resolving_update(org):
    # INC-1: 5 -> 35 -> 125 (resolves): 30, 90; the note at 200 is after resolution, not counted.
    # INC-2 (still open): 20 -> 260: 240.  INC-5: 10 -> 130 (resolves): 120.  INC-3 is retrospective.
    gaps = analytics.update_gaps(org)
    assert sorted(gaps["gap_minutes"].round(6)) == [30, 90, 120, 240]
    # pooled sorted [30, 90, 120, 240]: median at 1.5 -> 90 + 0.5*30 = 105; p90 at 2.7 -> 120 + 0.7*120 = 204.
    row = summary(org).loc["update_gap"]
    assert (row["n"], row["median"], row["p90"]) == (4, pytest.approx(105.0), pytest.approx(204.0))


def test_cadence_adherence_is_the_share_of_gaps_within_the_severity_target(org):
    # Minor (240): 240 -> within (a gap equal to the target is on time). Moderate (120): 120 -> within.
    # Major (60): 30 within, 90 late -> 1/2.  Overall 3 of 4 = 0.75.
    frame = analytics.cadence_adherence(org).set_index("severity")
    assert frame.loc["Minor", "share"] == 1.0
    assert frame.loc["Moderate", "share"] == 1.0
    major = frame.loc["Major"]
    assert (major["gaps"], major["within_cadence"], major["share"]) == (2, 1, 0.5)
    assert "Critical" not in frame.index  # its only incident is retrospective
    assert analytics.metrics_summary(org, now=NOW)["cadence_adherence"] == 0.75


def test_time_to_resolve_and_impact_duration_use_resolved_incidents(org):
    # resolve: INC-1 125, INC-5 130 -> median 127.5, p90 at 0.9 -> 125 + 0.9*5 = 129.5 (INC-2 is open).
    # impact: INC-1 125 + 10 = 135, INC-5 130 -> sorted [130, 135]: median 132.5, p90 130 + 0.9*5 = 134.5.
    s = summary(org)
    assert tuple(s.loc["time_to_resolve", ["n", "median", "p90"]]) == (2, 127.5, pytest.approx(129.5))
    assert tuple(s.loc["impact_duration", ["n", "median", "p90"]]) == (2, 132.5, pytest.approx(134.5))


def test_response_metrics_can_count_every_mode_when_asked(org):
    # modes=None adds INC-3 (declare 300, first update 1, gap 99, resolve 100, impact 400) and INC-4, INC-6.
    s = summary(org, modes=None)
    assert s.loc["update_gap", "n"] == 5 and s.loc["update_gap", "excluded"] == 0
    assert s.loc["time_to_resolve", "n"] == 3  # 100, 125, 130 -> median 125
    assert s.loc["time_to_resolve", "median"] == 125


def test_a_viewer_does_not_count_private_incidents_they_may_not_see(org):
    # zoe cannot see the private INC-5: resolve times are INC-1's only.
    hidden = summary(org, viewer="zoe")
    assert hidden.loc["time_to_resolve", "n"] == 1 and hidden.loc["time_to_resolve", "median"] == 125
    assert analytics.scope_counts(org, viewer="zoe").iloc[0]["incidents"] == 5
    # dev declared it, so dev's numbers include it.
    assert summary(org, viewer="dev").loc["time_to_resolve", "n"] == 2


def test_filters_by_severity_type_dates_and_references(org):
    assert analytics.scope_counts(org, severities=["Major"]).iloc[0]["incidents"] == 1
    assert analytics.scope_counts(org, types=["engineering"]).iloc[0]["incidents"] == 2  # INC-1, INC-4
    # dates are whole inclusive UTC days: 3 to 5 March -> INC-2, INC-3, INC-4.
    counts = analytics.scope_counts(org, since="2026-03-03", until=dt.date(2026, 3, 5)).iloc[0]
    assert (counts["incidents"], counts["live"], counts["retrospective"], counts["test"]) == (3, 1, 1, 1)
    gaps = analytics.update_gaps(org, references=["INC-1"])
    assert list(gaps["gap_minutes"].round(6)) == [30, 90]


def test_source_filter_restricts_to_where_incidents_came_from(org):
    assert analytics.scope_counts(org, sources=["native"]).iloc[0]["incidents"] == 6
    assert analytics.update_gaps(org, sources=["statuspage"]).empty
    assert analytics.response_summary(org, sources=["statuspage"]).set_index("metric").loc["update_gap", "n"] == 0


def test_audience_filter_counts_only_that_audiences_updates(org):
    # every update in the hand-built set is internal
    assert analytics.update_gaps(org, audience="external").empty
    assert len(analytics.update_gaps(org, audience="internal")) == 4


def test_follow_up_completion_by_due_date_and_ages(org):
    # due (date passed, not won't-do): f1, f2, f3 -> 3; done by due: f1 -> 1/3. f5 is due in July; f6 has no date.
    # open: f3 (created 4 Mar: 89 days old on 1 June, overdue since 1 Apr: 61 days), f5 (created 10 Apr: 52 days).
    # done: f1 7 days, f2 17, f6 2 -> sorted [2, 7, 17]: median 7, p90 at 1.8 -> 7 + 0.8*10 = 15.
    # f7 belongs to the test incident and is left out.
    row = analytics.follow_up_summary(org, now=NOW).iloc[0]
    assert (row["follow_ups"], row["open"], row["overdue"], row["done"], row["wont_do"]) == (6, 2, 1, 3, 1)
    assert (row["due"], row["done_by_due"]) == (3, 1)
    assert row["completion_rate_by_due"] == pytest.approx(1 / 3)
    assert row["median_open_age_days"] == pytest.approx((89 + 52) / 2)
    assert row["median_overdue_days"] == pytest.approx(61)
    assert row["median_days_to_complete"] == pytest.approx(7)
    assert row["p90_days_to_complete"] == pytest.approx(15)


def test_follow_ups_by_severity_and_by_created_month(org):
    # Major (INC-1): f1-f4, rate 1/3.  Moderate (INC-5): f5, f6, nothing due yet -> no rate.
    by_sev = analytics.follow_up_summary(org, by="severity", now=NOW).set_index("group")
    assert list(by_sev.index) == ["Moderate", "Major"]  # ordered by severity rank
    assert by_sev.loc["Major", "completion_rate_by_due"] == pytest.approx(1 / 3)
    assert pd.isna(by_sev.loc["Moderate", "completion_rate_by_due"])
    by_month = analytics.follow_up_summary(org, by="month", now=NOW).set_index("group")
    assert by_month["follow_ups"].to_dict() == {"2026-03": 4, "2026-04": 2}
    rows = analytics.follow_ups(org, now=NOW).set_index("id")
    assert rows.loc[3, "open_age_days"] == pytest.approx(89) and bool(rows.loc[3, "is_overdue"])


def test_follow_up_grouping_must_be_known(org):
    with pytest.raises(IncidentKitError, match="severity"):
        analytics.follow_up_summary(org, by="owner")


def test_declarations_per_month_with_declarers_and_shares(org):
    # March (test INC-4 left out): INC-1 Major eng, INC-2 Minor support, INC-3 Critical security,
    # INC-5 Moderate legal -> 4 declarations by ana, bao, dev = 3 people; non-engineering 3/4; lowest 1/4.
    # April: none (listed as 0).  May: INC-6, Minor, no type -> non-engineering share undefined; lowest 1/1.
    frame = analytics.declarations_by_month(org).set_index("month")
    assert list(frame.index) == ["2026-03", "2026-04", "2026-05"]
    assert tuple(frame.loc["2026-03", ["declarations", "distinct_declarers"]]) == (4, 3)
    assert frame.loc["2026-03", "non_engineering_share"] == 0.75
    assert frame.loc["2026-03", "lowest_severity_share"] == 0.25
    assert frame.loc["2026-04", "declarations"] == 0
    assert pd.isna(frame.loc["2026-05", "non_engineering_share"])
    assert frame.loc["2026-05", "lowest_severity_share"] == 1.0
    # whole window: 5 declarations by ana, bao, dev; non-engineering 3 of 4 typed; lowest 2 of 5.
    assert analytics.declaration_summary(org) == {"declarations": 5, "distinct_declarers": 3,
                                                  "non_engineering_share": 0.75, "lowest_severity_share": 0.4}


def test_review_depth_mix_uses_each_incidents_latest_review(org):
    # INC-1 standard, INC-2 none, INC-3 note, INC-5 workshop (its earlier 'note' draft is superseded);
    # the test incident's review is left out -> four depths, a quarter each.
    mix = analytics.review_depth_mix(org).set_index("depth")
    assert list(mix.index) == ["none", "note", "standard", "workshop"]
    assert mix["reviews"].tolist() == [1, 1, 1, 1] and mix["share"].tolist() == [0.25] * 4
    # time to publish: INC-1 3 Mar 00:00 -> 7 Mar 12:00 = 4.5 days; INC-3 1 day.
    assert mix.loc["standard", "median_days_to_publish"] == pytest.approx(4.5)
    assert mix.loc["note", "median_days_to_publish"] == pytest.approx(1.0)
    assert sorted(analytics.reviews(org)["days_to_publish"].dropna().round(6)) == [1.0, 4.5]


def test_recurring_themes_from_tags_and_contributing_factors(org):
    # tag database: INC-1, 2, 5 (INC-4 is a test) = 3 incidents in 1 month; tag deploy: INC-1, INC-6 = 2 in
    # 2 months; factor missing alert: INC-1, INC-3 = 2 (the test review's is left out). Others appear once.
    frame = analytics.themes(org)
    assert list(zip(frame["theme"], frame["kind"], frame["incidents"], frame["months"])) == [
        ("database", "tag", 3, 1), ("deploy", "tag", 2, 2), ("missing alert", "contributing factor", 2, 1)]
    assert len(analytics.themes(org, min_incidents=1)) == 6


def test_metrics_summary_has_exactly_the_documented_keys(org):
    out = analytics.metrics_summary(org, now=NOW)
    assert list(out) == ["incidents", "live", "retrospective", "update_gap_minutes", "time_to_first_update_minutes",
                         "time_to_declare_minutes", "time_to_resolve_minutes", "impact_duration_minutes",
                         "cadence_adherence", "follow_ups"]
    assert out["update_gap_minutes"] | {"median_ci95": None} == {"n": 4, "median": 105.0, "p90": 204.0,
                                                                 "median_ci95": None}
    lo, hi = out["update_gap_minutes"]["median_ci95"]
    assert lo <= 105.0 <= hi
    assert out["follow_ups"]["completion_rate_by_due"] == pytest.approx(0.333, abs=1e-3)


def test_an_empty_database_gives_empty_frames_not_errors(kit):
    assert analytics.update_gaps(kit).empty
    assert analytics.follow_up_summary(kit).empty
    assert analytics.declarations_by_month(kit).empty
    out = analytics.metrics_summary(kit)
    assert out["incidents"] == 0
    assert out["update_gap_minutes"] == {"n": 0, "median": None, "p90": None, "median_ci95": None}
    assert out["follow_ups"]["km_median_days_to_complete"] is None
    assert out["cadence_adherence"] is None


def test_an_empty_date_range_is_refused_with_a_hint(kit):
    with pytest.raises(IncidentKitError, match="before"):
        analytics.scope_counts(kit, since="2026-03-05", until="2026-03-01")


def test_response_distribution_is_the_percentile_curve_of_each_duration(org):
    # time to resolve: [125, 130] -> the 0th percentile 125, the 50th 127.5, the 100th 130; 51 points.
    dist = analytics.response_distribution(org)
    resolve = dist[dist["metric"] == "time_to_resolve"].set_index("share")["minutes"]
    assert len(resolve) == 51
    assert (resolve.loc[0.0], resolve.loc[0.5], resolve.loc[1.0]) == (125, 127.5, 130)
    assert set(dist["n"][dist["metric"] == "time_to_first_update"]) == {3}


def test_gap_histogram_counts_gaps_as_multiples_of_their_target(org):
    # INC-1 (Major, 60): 30 -> 0.5x, bin (0.25, 0.5]; 90 -> 1.5x, bin (1.25, 1.5].
    # INC-2 (Minor, 240): 240 -> exactly 1x, bin (0.75, 1] (on time).  INC-5 (Moderate, 120): 120 -> 1x.
    hist = analytics.gap_histogram(org)
    assert list(zip(hist["bin_start"], hist["gaps"], hist["within_cadence"])) == [
        (0.25, 1, True), (0.75, 2, True), (1.25, 1, False)]


def test_open_age_histogram_and_completion_time_box(org):
    # open: f3 89 days = week 12, overdue; f5 52 days = week 7, not yet due.
    ages = analytics.open_age_histogram(org, now=NOW)
    assert list(zip(ages["weeks_open"], ages["overdue"], ages["follow_ups"])) == [(7, False, 1), (12, True, 1)]
    # done per severity: Major f1 7, f2 17 -> min 7, p25 7 + 0.25*10 = 9.5, median 12, p75 14.5, p90 16, max 17;
    # Moderate f6 2.
    box = analytics.completion_time_by_severity(org, now=NOW).set_index("severity")
    assert list(box.index) == ["Moderate", "Major"]
    major = box.loc["Major"]
    assert [major[c] for c in ("n", "min", "p25", "median", "p75", "p90", "max")] == pytest.approx(
        [2, 7, 9.5, 12, 14.5, 16, 17])
    assert box.loc["Moderate", "median"] == pytest.approx(2)


def test_publish_time_by_depth_summarises_published_reviews(org):
    box = analytics.publish_time_by_depth(org).set_index("depth")
    assert list(box.index) == ["note", "standard"]  # none is waived, the workshop is a draft
    assert box.loc["standard", "median"] == pytest.approx(4.5) and box.loc["note", "n"] == 1


def test_the_page_bundle_equals_the_single_metric_functions(org):
    bundle = analytics.insights(org, now=NOW, severities=["Major", "Moderate", "Minor"])
    f = dict(severities=["Major", "Moderate", "Minor"])
    pd.testing.assert_frame_equal(bundle["response_summary"], analytics.response_summary(org, **f))
    pd.testing.assert_frame_equal(bundle["cadence_adherence"], analytics.cadence_adherence(org, **f))
    pd.testing.assert_frame_equal(bundle["follow_ups_by_month"],
                                  analytics.follow_up_summary(org, by="month", now=NOW, **f))
    pd.testing.assert_frame_equal(bundle["themes"], analytics.themes(org, **f))
    assert bundle["declaration_summary"] == analytics.declaration_summary(org, **f)


def test_audience_filter_measures_gaps_and_first_update_within_that_audience(kit):
    from incident_kit.incident import service

    ref = kit.declare("Mixed audiences", declared_by="ana", started_at=NOW - dt.timedelta(hours=3)).reference
    declared = kit.get(ref).declared_at
    for minutes, audience in ((10, "internal"), (25, "external"), (40, "internal"), (85, "external")):
        service.post_update(kit.db, ref, "Progress", by="ana", audience=audience,
                            posted_at=declared + dt.timedelta(minutes=minutes))

    assert list(analytics.update_gaps(kit)["gap_minutes"]) == [15.0, 15.0, 45.0]
    assert list(analytics.update_gaps(kit, audience="external")["gap_minutes"]) == [60.0]
    assert list(analytics.update_gaps(kit, audience="internal")["gap_minutes"]) == [30.0]
    first = analytics.response_times(kit, audience="external")["time_to_first_update_minutes"]
    assert list(first) == [25.0]
    assert list(analytics.response_times(kit)["time_to_first_update_minutes"]) == [10.0]


def test_the_command_line_summary_equals_the_validated_frames(org):
    out = analytics.metrics_summary(org, now=NOW)
    frames = analytics.insights(org, now=NOW)

    for row in frames["response_summary"].itertuples():
        got = out[f"{row.metric}_minutes"]
        assert got["n"] == row.n
        assert got["median"] == (None if pd.isna(row.median) else round(row.median, 3))
        assert got["p90"] == (None if pd.isna(row.p90) else round(row.p90, 3))
        if row.metric != "update_gap":  # the page's "likely between": the exact bootstrap interval of the median
            values = clean(analytics.response_times(org)[f"{row.metric}_minutes"])
            expected = exact_median_ci95(values) if len(values) else (np.nan, np.nan)
            assert (row.median_low, row.median_high) == pytest.approx(expected, nan_ok=True), row.metric
            assert (got["median_ci95"] is None) == pd.isna(row.median_low), row.metric
    adherence = frames["cadence_adherence"]
    assert out["cadence_adherence"] == round(adherence["within_cadence"].sum() / adherence["gaps"].sum(), 3)
    fu = frames["follow_ups_all"].iloc[0]
    assert out["follow_ups"]["total"] == fu["follow_ups"]
    assert out["follow_ups"]["done_by_due"] == fu["done_by_due"]
    assert out["follow_ups"]["completion_rate_by_due"] == round(fu["completion_rate_by_due"], 3)
    assert out["follow_ups"]["median_days_to_complete"] == round(fu["median_days_to_complete"], 3)
    assert out["follow_ups"]["p90_days_to_complete"] == round(fu["p90_days_to_complete"], 3)
    assert out["follow_ups"]["median_open_age_days"] == round(fu["median_open_age_days"], 3)
