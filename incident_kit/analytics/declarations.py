"""Declaration health: how often and how widely incidents are declared (engagement, not a target)."""

from __future__ import annotations

import pandas as pd

from . import schemas, store
from .query import Filters, as_python, make_filters, run


def declaration_dict(frame: pd.DataFrame) -> dict:
    return {k: as_python(v) for k, v in frame.to_dict(orient="records")[0].items()}


def declarations_by_month(source, filters: Filters | None = None, **fields) -> pd.DataFrame:
    """Per month: declarations, distinct declarers, non-engineering and lowest-severity shares."""
    return schemas.validate(schemas.DeclarationsModel,
                            run(source, store.DECLARATIONS_BY_MONTH, make_filters(filters, **fields)))


def declaration_summary(source, filters: Filters | None = None, **fields) -> dict:
    """The same four numbers over the whole window, as a dict."""
    return declaration_dict(run(source, store.DECLARATION_SUMMARY, make_filters(filters, **fields)))
