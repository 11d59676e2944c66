"""Learning metrics: review depth mix, time to publish, and recurring themes."""

from __future__ import annotations

import pandas as pd

from . import schemas, store
from .query import BOX, Filters, make_filters, run


def review_frames(stats: pd.DataFrame) -> dict:
    mix = stats[["depth", "reviews", "share", "published", "waived", "in_progress", "median", "p90"]].rename(
        columns={"median": "median_days_to_publish", "p90": "p90_days_to_publish"})
    box = stats.loc[stats["n"] > 0, ["depth"] + BOX].reset_index(drop=True)
    return {"review_depth_mix": schemas.validate(schemas.ReviewDepthModel, mix.reset_index(drop=True)),
            "publish_time_by_depth": schemas.validate(schemas.BoxModel, box)}


def recurring_themes(frame: pd.DataFrame, *, min_incidents: int, limit: int | None) -> pd.DataFrame:
    frame = frame[frame["incidents"] >= min_incidents]
    if limit is not None:
        frame = frame.head(limit)
    return schemas.validate(schemas.ThemesModel, frame.reset_index(drop=True))


def reviews(source, filters: Filters | None = None, **fields) -> pd.DataFrame:
    """One row per incident's (latest) review: depth, status and days from start to publication."""
    return schemas.validate(schemas.ReviewsModel, run(source, store.REVIEWS, make_filters(filters, **fields)))


def review_depth_mix(source, filters: Filters | None = None, **fields) -> pd.DataFrame:
    """Per review depth: how many, their share, and time to publish (days)."""
    return review_frames(run(source, store.REVIEW_STATS, make_filters(filters, **fields)))["review_depth_mix"]


def publish_time_by_depth(source, filters: Filters | None = None, **fields) -> pd.DataFrame:
    """Days from starting a review to publishing it, per depth: n, min, p25, median, p75, p90, max."""
    return review_frames(run(source, store.REVIEW_STATS, make_filters(filters, **fields)))["publish_time_by_depth"]


def themes(source, filters: Filters | None = None, *, min_incidents: int = 2, limit: int | None = 20,
           **fields) -> pd.DataFrame:
    """Recurring themes: tags and contributing factors seen in at least ``min_incidents`` incidents."""
    frame = run(source, store.THEMES, make_filters(filters, **fields))
    return recurring_themes(frame, min_incidents=min_incidents, limit=limit)
