"""The insights part of the public Python API (mixed into ``Kit``).

The pages reach analytics here, like every other domain, so the viewer travels with every call:
a Kit opened without a local operator (the app) refuses a call that does not say who is looking.
Each method takes ``analytics.Filters`` and/or its fields as keywords (``since=``, ``until=``,
``severities=``, ``types=``...); ``viewer=`` wins over a viewer inside ``filters``. Answers are kept
per data version (``analytics.memo``), as when the analytics functions are called directly.

Building charts from these frames is pure rendering: ``analytics.charts`` and
``analytics.trend_charts`` take a frame and return an Altair chart, and pages may import them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..kit_part import KitPart

if TYPE_CHECKING:  # pandas loads only where a frame is built, so write commands start fast
    import pandas as pd

    from .query import Filters


class AnalyticsAPI(KitPart):
    def _scope(self, filters, viewer, fields: dict):
        """The ``Filters`` of a call, its viewer said (or refused: ``KitPart._viewer``)."""
        from .query import make_filters

        asked = viewer if viewer is not None else getattr(filters, "viewer", None)
        return make_filters(filters, **fields, viewer=self._viewer(asked))

    def insights(self, filters: Filters | None = None, *, viewer=None, now=None, **fields) -> dict:
        """Every frame the Insights page shows (``analytics.metrics.INSIGHT_FRAMES``), from one read."""
        from .metrics import insights

        return insights(self.db, self._scope(filters, viewer, fields), now=now)

    def prepare_insights(self) -> None:
        """Take the copy analytics run on in the background (the app calls this once, when it opens the store):
        on PostgreSQL the first Insights view of a process need not wait for copying the whole store."""
        from .query import prepare

        prepare(self.db)

    def metrics_summary(self, filters: Filters | None = None, *, viewer=None, now=None, **fields) -> dict:
        """The figures of ``incident-kit metrics --json``: medians, p90s and their intervals, follow-ups."""
        from .summary import metrics_summary

        return metrics_summary(self.db, self._scope(filters, viewer, fields), now=now)

    def period_comparison(self, filters: Filters | None = None, *, split, viewer=None, **fields) -> pd.DataFrame:
        """Medians before and after ``split`` with their 95% intervals and what can be said about the change."""
        from .trends import period_comparison

        return period_comparison(self.db, self._scope(filters, viewer, fields), split=split)

    def declarations_xmr(self, filters: Filters | None = None, *, viewer=None, **fields) -> pd.DataFrame:
        """Declarations per month with their natural process limits (an XmR chart's data)."""
        from .trends import declarations_xmr

        return declarations_xmr(self.db, self._scope(filters, viewer, fields))

    def follow_up_completion(self, filters: Filters | None = None, *, viewer=None, now=None, **fields) -> dict:
        """``{"curves": …, "figures": …}``: Kaplan–Meier completion of follow-ups, the curves and the figures."""
        from .survival import completion

        return completion(self.db, self._scope(filters, viewer, fields), now=now)
