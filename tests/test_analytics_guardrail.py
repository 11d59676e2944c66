"""No league tables: no chart, table or metric groups incident counts by team or person."""

from __future__ import annotations

import altair as alt
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from incident_kit import analytics, demo
from incident_kit.analytics import charts
from incident_kit.analytics.guardrail import chart_violations, frame_violations, is_person_or_team

from insights_pages import chart_specs, every_tab, run_insights

COUNTS_BY_TEAM = pd.DataFrame({"team": ["payments", "search", "mobile"], "incidents": [12, 7, 3]})


@pytest.fixture
def demo_db(kit, db_path):
    demo.load(kit.db, incidents=150, seed=7)
    return db_path


def test_every_chart_and_table_on_the_insights_page_passes_the_guardrail(monkeypatch, demo_db):
    at = run_insights(monkeypatch, demo_db)
    specs, tables = [], 0
    for label in every_tab(at):  # only the open tab is drawn: walk each in turn
        assert not at.exception, label
        specs += chart_specs(at)
        tables += len(at.dataframe)
        for table in at.dataframe:
            assert frame_violations(table.value) == [], label
    assert len(specs) == 15  # every chart on the page was walked, not an empty list (12 + 3 honest-trend charts)
    assert tables == 2  # the response summary and the period comparison
    for spec in specs:
        assert chart_violations(spec) == [], spec.get("encoding")


def _team_page():
    import altair as alt
    import pandas as pd
    import streamlit as st

    frame = pd.DataFrame({"team": ["payments", "search", "mobile"], "incidents": [12, 7, 3]})
    st.altair_chart(alt.Chart(frame).mark_bar().encode(x="team:N", y="incidents:Q"))


def test_the_page_walk_fails_on_a_chart_of_incident_counts_by_team():
    at = AppTest.from_function(_team_page).run()
    specs = chart_specs(at)
    assert len(specs) == 1
    problems = chart_violations(specs[0])
    assert any("'team'" in p for p in problems)


def test_a_person_grouping_hidden_in_a_transform_is_caught():
    frame = pd.DataFrame({"declared_by": ["ana", "bao"], "reference": ["INC-1", "INC-2"]})
    chart = (alt.Chart(frame).transform_aggregate(n="count()", groupby=["declared_by"])
             .mark_bar().encode(x="n:Q", y=alt.Y("rank:O")))
    problems = chart_violations(chart.to_dict())
    assert any("groupby" in p and "declared_by" in p for p in problems)


def test_facets_and_expressions_naming_people_are_caught():
    frame = pd.DataFrame({"owner": ["ana"], "n": [1]})
    faceted = alt.Chart(frame).mark_bar().encode(y="n:Q").facet(column="owner:N")
    assert chart_violations(faceted.to_dict())
    spec = {"transform": [{"filter": "datum.team == 'payments'"}], "mark": "bar"}
    assert chart_violations(spec) == ["transform[0].filter reads datum 'team'"]


def test_person_and_team_fields_are_recognised_and_counts_of_people_are_not():
    for name in ("team", "team_name", "declared_by", "created_by", "owner", "author", "lead", "comms_lead"):
        assert is_person_or_team(name), name
    for name in ("distinct_declarers", "severity", "month", "gap_minutes", "incidents", "leadership_time"):
        assert not is_person_or_team(name), name
    assert frame_violations(COUNTS_BY_TEAM) == ["column 'team'"]


def test_no_analytics_function_returns_a_person_or_team_column(kit):
    demo.load(kit.db, incidents=60, seed=3)
    frames = [analytics.response_times(kit), analytics.update_gaps(kit), analytics.follow_ups(kit),
              analytics.follow_up_summary(kit, by="severity"), analytics.reviews(kit)]
    bundle = analytics.insights(kit)
    frames += [v for v in bundle.values() if isinstance(v, pd.DataFrame)]
    for frame in frames:
        assert not frame.empty
        assert frame_violations(frame) == []
    assert not [k for k in bundle["declaration_summary"] if is_person_or_team(k)]


def test_every_chart_builder_passes_on_demo_data(kit):
    demo.load(kit.db, incidents=60, seed=3)
    d = analytics.insights(kit)
    built = [charts.duration_ecdf(d["response_distribution"]), charts.gap_histogram(d["gap_histogram"]),
             charts.cadence_chart(d["cadence_adherence"]), charts.declarations_chart(d["declarations_by_month"]),
             charts.declaration_shares_chart(d["declarations_by_month"]),
             charts.follow_up_completion_chart(d["follow_ups_by_month"], group_title="month"),
             charts.open_age_chart(d["open_age_histogram"]),
             charts.box_chart(d["completion_time_by_severity"], category="severity", category_title="severity",
                              value_title="days"),
             charts.review_depth_chart(d["review_depth_mix"]),
             charts.box_chart(d["publish_time_by_depth"], category="depth", category_title="depth",
                              value_title="days"),
             charts.themes_chart(d["themes"])]
    for chart in built:
        spec = chart.to_dict()
        assert chart_violations(spec) == []
        assert "tooltip" in str(spec)
