"""Learn from incidents: insight metrics as validated DataFrames, and charts for them.

Metric definitions are in ``definitions.DEFINITIONS`` (and the README). Response
metrics count ``live`` incidents only and say how many they excluded. Nothing
here ranks or compares teams or people by incident counts (``guardrail``).
"""

from .definitions import DEFINITIONS
from .metrics import (NATIVE_SOURCE, Filters, cadence_adherence, completion_time_by_severity, declaration_summary,
                      declarations_by_month, follow_up_summary, follow_ups, gap_histogram, insights, make_filters,
                      metrics_summary, open_age_histogram, publish_time_by_depth, response_distribution,
                      response_summary, response_times, review_depth_mix, reviews, scope_counts, themes,
                      update_gaps)

__all__ = ["DEFINITIONS", "NATIVE_SOURCE", "Filters", "make_filters", "insights", "metrics_summary",
           "scope_counts", "response_times", "update_gaps", "response_summary", "response_distribution",
           "cadence_adherence", "gap_histogram", "follow_ups", "follow_up_summary", "open_age_histogram",
           "completion_time_by_severity", "declarations_by_month", "declaration_summary", "reviews",
           "review_depth_mix", "publish_time_by_depth", "themes"]
