"""Follow-up metrics: completion by due date, open and overdue ages, time to complete."""

from __future__ import annotations

import pandas as pd

from ..errors import IncidentKitError
from . import schemas, store
from .query import BOX, Filters, make_filters, run

FOLLOW_UP_COLUMNS = ["follow_ups", "open", "overdue", "done", "wont_do", "due", "done_by_due",
                      "completion_rate_by_due", "median_open_age_days", "p90_open_age_days", "median_overdue_days",
                      "median_days_to_complete", "p90_days_to_complete"]


def follow_up_frames(stats: pd.DataFrame) -> dict:
    stats = stats.rename(columns={"overdue_count": "overdue_n"})
    out = {}
    for by, key in (("all", None), ("severity", "severity"), ("month", "month")):
        rows = stats[(stats["level"] == by) & (stats["follow_ups"] > 0)]
        rows = rows.sort_values({"all": "level", "severity": "severity_rank", "month": "month"}[by]).copy()
        rows.insert(0, "group", "all" if key is None else rows[key])
        rows["overdue"] = rows["overdue_n"]
        rows["completion_rate_by_due"] = rows["done_by_due"] / rows["due"].where(rows["due"] > 0)
        out[by] = schemas.validate(schemas.FollowUpSummaryModel,
                                   rows[["group"] + FOLLOW_UP_COLUMNS].reset_index(drop=True))
    ages = stats[(stats["level"] == "open_age") & stats["weeks_open"].notna()].sort_values(["weeks_open", "overdue"])
    ages = ages[["weeks_open", "overdue", "follow_ups"]].reset_index(drop=True)
    box = stats[(stats["level"] == "severity") & (stats["done"] > 0)].sort_values("severity_rank")
    box = box[["severity", "severity_rank", "done"] + [f"{c}_days_to_complete" for c in BOX[1:]]]
    box.columns = ["severity", "severity_rank", "n"] + BOX[1:]
    return {"follow_ups_all": out["all"], "follow_ups_by_severity": out["severity"],
            "follow_ups_by_month": out["month"],
            "open_age_histogram": schemas.validate(schemas.OpenAgeModel, ages),
            "completion_time_by_severity": schemas.validate(schemas.BoxModel, box.reset_index(drop=True))}


def follow_ups(source, filters: Filters | None = None, *, now=None, **fields) -> pd.DataFrame:
    """One row per follow-up of an incident in scope, with its age and completion time in days."""
    return schemas.validate(schemas.FollowUpsModel, run(source, store.FOLLOW_UPS, make_filters(filters, **fields), now))


def _follow_up_stats(source, f: Filters, now) -> dict:
    return follow_up_frames(run(source, store.FOLLOW_UP_STATS, f, now))


def follow_up_summary(source, filters: Filters | None = None, *, by: str = "all", now=None,
                      **fields) -> pd.DataFrame:
    """Completion by due date, open/overdue age and time to complete, per ``by`` group.

    ``by`` is ``"all"``, ``"severity"`` or ``"month"`` (the month the follow-up was created).
    """
    if by not in ("all", "severity", "month"):
        raise IncidentKitError(f"Group follow-ups by one of: all, severity, month; not '{by}'.")
    key = "follow_ups_all" if by == "all" else f"follow_ups_by_{by}"
    return _follow_up_stats(source, make_filters(filters, **fields), now)[key]


def open_age_histogram(source, filters: Filters | None = None, *, now=None, **fields) -> pd.DataFrame:
    """Open follow-ups by whole weeks since they were created (52 = a year or more), overdue or not."""
    return _follow_up_stats(source, make_filters(filters, **fields), now)["open_age_histogram"]


def completion_time_by_severity(source, filters: Filters | None = None, *, now=None, **fields) -> pd.DataFrame:
    """Days to complete follow-ups, per severity: n, min, p25, median, p75, p90, max."""
    return _follow_up_stats(source, make_filters(filters, **fields), now)["completion_time_by_severity"]
