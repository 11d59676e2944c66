"""Reviews written elsewhere (imported postmortems): published as they are, inside the importer's transaction."""

from __future__ import annotations

import datetime as dt

from ..errors import IncidentKitError
from ..incident import store as incident_store
from ..words import plural
from . import store
from .models import Depth, ReviewStatus, sections_for


def add_published(tx, incident_id: int, sections: dict[str, str], factors: list[str], *, by: str,
                  now: dt.datetime, detail: str) -> int:
    """Inside a caller's transaction: a standard review already written elsewhere, published as it is.

    For imports (one transaction for the whole batch). ``sections`` maps section keys to markdown;
    keys a standard review lacks belong in "notes" (the caller's job, so nothing is dropped here).
    """
    unknown = set(sections) - {s.key for s in sections_for(Depth.STANDARD)}
    if unknown:
        raise IncidentKitError(f"A standard review has no {plural(len(unknown), 'section')} "
                               f"{', '.join(sorted(unknown))}.")
    review_id = store.insert(tx, incident_id=incident_id, depth=Depth.STANDARD, status=ReviewStatus.PUBLISHED,
                             waived_reason=None, created_at=now, created_by=by)
    for spec in sections_for(Depth.STANDARD):
        store.add_section_version(tx, review_id, spec.key, sections.get(spec.key, ""), by=by, now=now)
    store.set_status(tx, review_id, ReviewStatus.PUBLISHED, published_at=now, now=now)
    if factors:
        store.set_factors(tx, review_id, list(factors), now=now)
    incident_store.record_event(tx, incident_id, actor=by, kind="review_published", occurred_at=now,
                                field="review", new=ReviewStatus.PUBLISHED.value, detail=detail)
    return review_id
