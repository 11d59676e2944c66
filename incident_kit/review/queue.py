"""Lists of reviews, read in SQL: every review or every one to do (``kit.reviews``, ``kit.reviews_to_do``), and
the Reviews page's queues: how many are in each, and one page of one.

A queue (``models.QUEUES``) holds incidents awaiting a review nobody started and the reviews in the
statuses ``models.QUEUE_OF_STATUS`` puts there. Visibility is the one rule (``visible_sql``), so a private
incident the viewer may not see is neither counted nor listed. The viewer's own rows come first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas loads only where a frame is built, so write commands start fast
    import pandas as pd

from .. import bounds
from ..analytics import memo
from ..errors import IncidentKitError
from ..incident.visibility import scope
from . import store
from .models import QUEUES, parse_depth, parse_queue, parse_status

PAGE_SIZE = 50  # one screen of rows; a page asks for more with "Show more"


def counts(db, *, viewer: str | None = None) -> dict[str, int]:
    """``{queue: how many}`` for every queue, as the viewer may see them."""
    person = None if viewer is None else str(viewer)

    def read() -> dict[str, int]:
        found = db.read(lambda tx: store.queue_counts(tx, scope=scope(tx, viewer), person=person))
        return {q: found.get(q, 0) for q in QUEUES}

    # One query over every review and every incident awaiting one (about a second on PostgreSQL at 1M incidents):
    # kept per data version, so a repeat view of unchanged data is a lookup; any committed change reads again.
    return memo.remember(db, ("review.counts", memo.viewer_key(viewer)), read)


def page(db, queue: str, *, viewer: str | None = None, limit: int = PAGE_SIZE) -> pd.DataFrame:
    """The first ``limit`` rows of one queue: the viewer's own first (``mine``), then the newest (``at``)."""
    queue_ = parse_queue(queue)
    limit_ = bounds.limit(limit)
    if limit_ is None:
        raise IncidentKitError("A page of reviews needs a limit: how many rows to show.")
    person = None if viewer is None else str(viewer)

    def read() -> pd.DataFrame:
        frame = db.read(lambda tx: store.queue_page(tx, queue_, scope=scope(tx, viewer), person=person, limit=limit_))

        from . import schemas

        return schemas.validate_queue(frame)

    return memo.remember(db, ("review.page", queue_, limit_, memo.viewer_key(viewer)), read)  # as counts: kept


def reviews(db, *, viewer: str | None = None, status: str | None = None, depth: str | None = None,
            limit: int | None = None) -> pd.DataFrame:
    """One row per review the viewer may see, unfinished first; the first ``limit`` (None: all)."""
    status_ = parse_status(status).value if status else None
    depth_ = parse_depth(depth).value if depth else None
    limit_ = bounds.limit(limit)

    def work(tx):
        see_all, who = scope(tx, viewer)
        return store.list_reviews(tx, see_all=see_all, viewer=who, status=status_, depth=depth_, limit=limit_)

    from . import schemas

    return schemas.validate_list(db.read(work))


def to_do(db, *, viewer: str | None = None, limit: int | None = None) -> pd.DataFrame:
    """Incidents that await a review nobody has started, as the viewer may see them (newest resolved first)."""
    limit_ = bounds.limit(limit)

    def work(tx):
        see_all, who = scope(tx, viewer)
        return store.to_do(tx, see_all=see_all, viewer=who, limit=limit_)

    from . import schemas

    return schemas.validate_to_do(db.read(work))
