"""Learn from incidents: insight metrics as validated DataFrames, and charts for them.

Metric definitions are in ``definitions.DEFINITIONS`` (and the README). Response
metrics count ``live`` incidents only and say how many they excluded. Nothing
here ranks or compares teams or people by incident counts (``guardrail``).
"""

from .definitions import DEFINITIONS
from .declarations import declaration_summary, declarations_by_month
from .follow_ups import completion_time_by_severity, follow_up_summary, follow_ups, open_age_histogram
from .metrics import insights, metrics_summary
from .query import Filters, make_filters
from .response import (cadence_adherence, gap_histogram, response_distribution, response_summary, response_times,
                       scope_counts, update_gaps)
from .reviews import publish_time_by_depth, review_depth_mix, reviews, themes
from .store import NATIVE_SOURCE

__all__ = ["DEFINITIONS", "NATIVE_SOURCE", "Filters", "make_filters", "insights", "metrics_summary",
           "scope_counts", "response_times", "update_gaps", "response_summary", "response_distribution",
           "cadence_adherence", "gap_histogram", "follow_ups", "follow_up_summary", "open_age_histogram",
           "completion_time_by_severity", "declarations_by_month", "declaration_summary", "reviews",
           "review_depth_mix", "publish_time_by_depth", "themes"]
