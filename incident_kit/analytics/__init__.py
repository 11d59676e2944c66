"""Learn from incidents: insight metrics as validated DataFrames, and charts for them.

Metric definitions are in ``definitions.DEFINITIONS`` (and docs/metrics.md). Response
metrics count ``live`` incidents only and say how many they excluded. Nothing
here ranks or compares teams or people by incident counts (``guardrail``).

Names are loaded from their modules on first use (PEP 562 ``__getattr__``), so
``analytics.metrics_summary`` (the command line's ``metrics --json``) runs
without importing pandas or pandera; everything else loads them as before.
"""

from __future__ import annotations

import importlib

# public name -> module that defines it
_WHERE = {
    "DEFINITIONS": "definitions", "NATIVE_SOURCE": "store", "Filters": "query", "make_filters": "query",
    "insights": "metrics", "metrics_summary": "summary",
    "scope_counts": "response", "response_times": "response", "update_gaps": "response",
    "response_summary": "response", "response_distribution": "response", "cadence_adherence": "response",
    "gap_histogram": "response",
    "follow_ups": "follow_up_metrics", "follow_up_summary": "follow_up_metrics",
    "open_age_histogram": "follow_up_metrics", "completion_time_by_severity": "follow_up_metrics",
    "declarations_by_month": "declarations", "declaration_summary": "declarations",
    "reviews": "review_metrics", "review_depth_mix": "review_metrics", "publish_time_by_depth": "review_metrics",
    "themes": "review_metrics",
}
__all__ = list(_WHERE)


def __getattr__(name: str):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
