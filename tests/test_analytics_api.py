"""Insights through the Kit (``analytics/api.py``): the viewer goes with every call, as for every other domain."""

from __future__ import annotations

import datetime as dt

import pytest

from incident_kit import analytics
from incident_kit.kit_part import MissingActor


@pytest.fixture
def two_incidents(kit):
    kit.declare("Checkout is down", declared_by="ana")
    kit.declare("Leaked key", declared_by="bao", private=True)
    return kit


def test_insights_through_the_kit_count_only_what_the_viewer_may_see(two_incidents):
    kit = two_incidents
    assert kit.insights(viewer="zoe")["scope_counts"]["incidents"].iloc[0] == 1
    assert kit.insights(viewer="bao")["scope_counts"]["incidents"].iloc[0] == 2
    assert kit.insights()["scope_counts"]["incidents"].iloc[0] == 2  # the local operator sees everything
    assert kit.metrics_summary(viewer="zoe")["incidents"] == 1


def test_the_kit_gives_the_same_answers_as_the_analytics_functions(two_incidents):
    kit = two_incidents
    today = dt.date.today()
    ours = kit.insights(viewer="zoe", since=today - dt.timedelta(days=30), until=today)
    theirs = analytics.insights(kit, viewer="zoe", since=today - dt.timedelta(days=30), until=today)
    assert all(ours[name].equals(theirs[name]) for name in ours if hasattr(ours[name], "equals"))


def test_a_viewer_inside_filters_is_kept_when_no_viewer_is_given(two_incidents):
    kit = two_incidents
    filters = analytics.make_filters(viewer="zoe")
    assert kit.insights(filters)["scope_counts"]["incidents"].iloc[0] == 1  # never widened to everyone
    assert kit.insights(filters, viewer="bao")["scope_counts"]["incidents"].iloc[0] == 2  # viewer= wins


def test_a_kit_without_a_local_operator_refuses_insights_that_do_not_say_who_is_looking(two_incidents):
    kit = two_incidents
    kit.user = None  # as the app's Kit is: no trusted default
    today = dt.date.today()
    for call in (lambda: kit.insights(), lambda: kit.metrics_summary(), lambda: kit.declarations_xmr(),
                 lambda: kit.follow_up_completion(), lambda: kit.reviews_to_do(),
                 lambda: kit.period_comparison(since=today - dt.timedelta(days=30), until=today,
                                               split=today - dt.timedelta(days=15))):
        with pytest.raises(MissingActor):
            call()
    assert kit.insights(viewer="zoe")["scope_counts"]["incidents"].iloc[0] == 1
    assert set(kit.follow_up_completion(viewer="zoe")) == {"curves", "figures"}
