"""Learn from incidents: insight metrics as validated DataFrames, and charts for them.

Metric definitions are in ``definitions.DEFINITIONS`` (and the README). Response
metrics count ``live`` incidents only and say how many they excluded. Nothing
here ranks or compares teams or people by incident counts (``guardrail``).
"""

from .definitions import DEFINITIONS
from .metrics import (Filters, cadence_adherence, declaration_summary, declarations_by_month, follow_up_summary,
                      follow_ups, make_filters, metrics_summary, response_summary, response_times,
                      review_depth_mix, reviews, scope_counts, themes, update_gaps)

__all__ = ["DEFINITIONS", "Filters", "make_filters", "scope_counts", "response_times", "update_gaps",
           "response_summary", "cadence_adherence", "follow_ups", "follow_up_summary", "declarations_by_month",
           "declaration_summary", "reviews", "review_depth_mix", "themes", "metrics_summary"]
