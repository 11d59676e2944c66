"""Each Insights figure's one-line reading says what a support lead needs, in their words (pure functions)."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from incident_kit.analytics import readings

# Method names and statistician's words: they belong in "How this is worked out", never in a reading.
METHOD_WORDS = re.compile(r"p90|kaplan|bootstrap|symmetric|xmr|percentile|confidence|natural process|95 ?%|"
                          r"median|interval of", re.I)


@pytest.mark.parametrize("n, noun, expected", [(1, "incident", "1 incident"), (2, "incident", "2 incidents"),
                                                (0, "follow-up", "0 follow-ups"), (1200, "group", "1,200 groups")])
def test_counts_have_the_right_plural(n, noun, expected):
    assert readings.plural(n, noun) == expected


@pytest.mark.parametrize("share, expected", [(1.0, "all"), (0.97, "nearly all"), (0.9, "9 in 10"),
                                             (0.61, "6 in 10"), (0.05, "1 in 10"), (0.04, "fewer than 1 in 10"),
                                             (0.0, "none"), (None, "—")])
def test_shares_are_said_as_so_many_in_ten(share, expected):
    assert readings.in_ten(share) == expected


def _summary(**rows) -> pd.DataFrame:
    return pd.DataFrame([{"metric": m, "n": n, "median": med, "p90": p90, "median_low": lo, "median_high": hi}
                         for m, (n, med, p90, lo, hi) in rows.items()])


def test_response_times_read_as_half_within_and_nine_in_ten():
    summary = _summary(time_to_declare=(40, 10.2, 61.0, 8.0, 12.4), time_to_resolve=(40, 80.0, 600.0, 70.0, 95.0),
                       update_gap=(90, 30.0, 55.0, float("nan"), float("nan")))
    assert readings.response(summary, "time_to_declare") == \
        "Half were declared within 10 min (likely between 8 min and 12 min); 9 in 10 within 1 h 1 min."
    assert readings.response(summary, "time_to_resolve") == \
        "Half were resolved within 1 h 20 min (likely between 1 h 10 min and 1 h 35 min); 9 in 10 within 10 h."
    assert readings.response(summary, "update_gap") == \
        "Half of the gaps between updates were within 30 min; 9 in 10 within 55 min."
    assert readings.response(_summary(time_to_declare=(0, None, None, None, None)), "time_to_declare") == ""
    without_ranges = summary.drop(columns=["median_low", "median_high"])  # the likely range is optional
    assert readings.response(without_ranges, "time_to_resolve") == \
        "Half were resolved within 1 h 20 min; 9 in 10 within 10 h."
    unnamed = pd.concat([pd.DataFrame({"metric": [None], "n": [3], "median": [1.0], "p90": [2.0]}), summary])
    assert readings.response(unnamed, "time_to_declare").startswith("Half were declared within 10 min")
    assert readings.response(summary, "impact_duration") == ""  # not in the frame


@pytest.mark.parametrize("low, high, expected", [(8.0, 12.4, "8–12 min"), (64.0, 95.0, "1 h 4 min – 1 h 35 min"),
                                                 (50.0, 70.0, "50 min – 1 h 10 min"), (60.0, 120.0, "1–2 h"),
                                                 (5.0, 5.1, "5 min"), (None, 3.0, "—")])
def test_a_likely_range_says_its_unit_once_when_it_can(low, high, expected):
    assert readings.span(low, high) == expected


def test_a_comparison_names_what_changed_or_says_nothing_clearly_did():
    def table(*verdicts):
        return pd.DataFrame([{"label": label, "verdict": v, "n_before": 30, "n_after": 30, "median_before": 90.0,
                              "median_after": 45.0} for label, v in zip(["Time to declare", "Time to resolve"],
                                                                          verdicts)])

    split = dt.date(2026, 3, 1)
    assert readings.comparison(table("no detectable change", "shorter"), split) == (
        "Time to resolve got shorter since 1 Mar 2026 (half within 45 min, was 1 h 30 min). "
        "The other measures show no clear change.")
    assert readings.comparison(table("no detectable change", "no detectable change"), split).startswith(
        "No clear change since 1 Mar 2026")
    assert readings.comparison(table("not enough data", "not enough data"), split).startswith("Too few incidents")


def test_follow_ups_read_as_so_many_in_ten_done_within_days():
    figures = {"km_median_days_to_complete": 21.4, "km_done_within_30_days": 0.62, "km_done_within_60_days": 0.8,
               "km_done_within_90_days": None}
    assert readings.follow_up_completion(figures) == \
        "Follow-ups: 6 in 10 done within 30 days, 8 in 10 within 60 days; half within 21 days."
    assert readings.follow_up_completion({"km_median_days_to_complete": None, "km_done_within_30_days": 0.2}) == \
        "Follow-ups: 2 in 10 done within 30 days; fewer than half done so far."
    summary = pd.DataFrame({"group": ["Minor", "Major"], "due": [8, 2], "done_by_due": [6, 0],
                            "completion_rate_by_due": [0.75, 0.0]})
    assert readings.done_by_due(summary) == "Of the 10 follow-ups due so far, 6 in 10 were done by their due date."
    assert readings.done_by_due_per_group(summary) == "Done by the due date: Minor 8 in 10, Major none."
    ages = pd.DataFrame({"weeks_open": [0, 3, 9], "overdue": pd.array([False, True, None], dtype="boolean"),
                         "follow_ups": [1, 1, 0]})
    assert readings.open_follow_ups(ages) == "2 follow-ups are open; 1 of them is overdue."
    assert readings.open_follow_ups(ages.iloc[:1]) == "1 follow-up is open; none is overdue."


def test_declarations_read_against_their_usual_range_and_the_month_under_way():
    xmr = pd.DataFrame({"month": ["2026-01", "2026-02", "2026-03"], "declarations": [9, 10, 30],
                        "signal": ["", "", ""]})
    assert readings.usual_range(xmr) == "Declarations per month stayed within their usual range."
    xmr.loc[2, "signal"] = "above"
    assert readings.usual_range(xmr) == "Outside the usual range, worth a conversation: Mar 2026 (30, above)."
    months = pd.DataFrame({"month": ["2026-01", "2026-02", "2026-03"], "declarations": [1, 11, 4],
                           "non_engineering_share": [0.0, 0.3, 0.25], "lowest_severity_share": [1.0, 0.5, 0.5]})
    assert readings.declarations(months) == "4 incidents declared in Mar 2026, against 6 a month on average before."
    assert readings.declarations(months.iloc[:1], dt.date(2026, 1, 20)) == "1 incident declared so far in Jan 2026."
    assert readings.declaration_shares(months, dt.date(2026, 3, 2)) == \
        "So far in Mar 2026, 3 in 10 declarations were outside engineering and 5 in 10 at the lowest severity."


def test_reviews_themes_and_groups_read_in_the_apps_words():
    mix = pd.DataFrame({"depth": ["note", "standard", "workshop"], "reviews": [5, 4, 1], "share": [0.5, 0.4, 0.1]})
    assert readings.review_depths(mix) == "The most common choice: short notes (5 in 10 reviews); full workshops: 1 in 10."
    box = pd.DataFrame({"depth": ["note", "workshop"], "median": [0.4, 9.2]})
    assert readings.halves(box, "depth", lead="Half of the reviews were published within",
                           names={"note": "Short note", "workshop": "Full workshop"}) == \
        "Half of the reviews were published within: Short note under a day, Full workshop 9 days."
    themes = pd.DataFrame({"theme": ["database", "dns"], "incidents": [1, 25]})
    assert readings.themes(themes) == "Came up most: dns (25 incidents), database (1 incident)."
    groups = pd.DataFrame({"group": [1, 1, 2, 2], "name": ["Queue backlog"] * 2 + ["Disk full"] * 2})
    assert readings.recurring(groups) == \
        "2 groups of incidents that read alike; the biggest, “Queue backlog”, holds 2 incidents."


def test_the_headline_counts_with_the_right_plurals():
    assert readings.scope(1, 1, 0) == ("**1** incident declared in this window. Response times count the **1** "
                                       "live one; none is left out.")
    assert readings.scope(12, 10, 2).endswith("**2** declared after the fact or as a test are left out.")


def test_no_reading_names_a_method():
    figures = {"km_median_days_to_complete": 3.0, "km_done_within_30_days": 0.9}
    lines = [readings.follow_up_completion(figures), readings.response(
        _summary(time_to_declare=(4, 1.0, 2.0, 0.5, 1.5)), "time_to_declare"), readings.scope(3, 2, 1)]
    for line in lines:
        assert line and not METHOD_WORDS.search(line), line
