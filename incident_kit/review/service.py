"""The rules for reviews. Each public function is one atomic change with its timeline event.

It also holds the closing rule: an incident closes only when its review is published
or waived (a ``before_status_change`` subscriber, so the incident service itself needs no
knowledge of reviews). ``register`` subscribes it; ``incident_kit.reactions`` calls that
before any incident changes, whatever was imported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import datetime as dt
from dataclasses import dataclass

if TYPE_CHECKING:  # pandas loads only where a frame is built, so write commands start fast
    import pandas as pd

from ..catalog import store as catalog
from .. import bounds
from ..clock import utcnow
from ..errors import IncidentKitError, InvalidTransition
from ..incident import service as incident_service
from ..incident import store as incident_store
from ..identity import clean_person
from ..incident.models import ACTIVE, Incident, Mode, Status, normalise_tags
from . import hints as hint_rules
from . import prefill, store
from .models import (DONE, NEEDS_NO_REVIEW, REASON_MAX, SECTION_BY_KEY, Depth, Review, ReviewStatus,
                     check_transition, parse_depth, parse_status, sections_for, suggest_depth)


# A review section is a few pages of prose; 100,000 characters (~40 pages) is past any real one.
SECTION_MAX = 100_000


# -- the closing rule ------------------------------------------------------------
def require_finished_review(tx, kind: str, incident_id: int, payload: dict) -> None:
    """Refuse to close an incident whose review is not published or waived (test incidents are exempt)."""
    if payload.get("new") != Status.CLOSED.value:
        return
    incident = incident_store.get_by_id(tx, incident_id)
    if incident is None or incident.mode == Mode.TEST:
        return
    ref = incident.reference
    review = store.for_incident(tx, incident_id)
    if review is None:
        raise InvalidTransition(
            f"{ref} cannot close yet: it has no review. Start a short note or a standard review, or waive the "
            "review with a one-line reason, then close it.")
    if review.status not in DONE:
        raise InvalidTransition(
            f"{ref} cannot close yet: its review ({review.depth.label.lower()}) is {review.status.label.lower()}. "
            "Publish it, or waive it with a one-line reason (“No review”), then close it.")


def register(subscribe) -> None:
    """Install the closing rule with ``incident.hooks.subscribe`` (called by ``incident_kit.reactions``)."""
    subscribe("before_status_change", require_finished_review)


# -- helpers ---------------------------------------------------------------------
def _reason(reason, depth: Depth) -> str | None:
    text = " ".join(str(reason or "").split())
    if depth == Depth.NONE and not text:
        raise IncidentKitError("Say in one line why no review is needed (e.g. 'Routine; nothing new to learn').")
    if len(text) > REASON_MAX:
        raise IncidentKitError(f"The reason is {len(text)} characters; one line (under {REASON_MAX}) is enough.")
    return text or None


def _review_or_explain(tx, incident: Incident) -> Review:
    review = store.for_incident(tx, incident.id)
    if review is None:
        raise IncidentKitError(f"{incident.reference} has no review yet; start one first (a short note, a "
                               "standard review or a full workshop).")
    return review


def participants(tx, incident: Incident) -> list[str]:
    """Everyone named on the incident: declarer, anyone who held a role, added members."""
    roles = incident_store.role_history(tx, incident.id)
    people = [incident.declared_by, *roles["person"].tolist(), *incident_store.members(tx, incident.id)]
    return list(dict.fromkeys(p for p in people if p))


def _gather(tx, incident: Incident, viewer=None) -> prefill.Prefill:
    return prefill.gather(incident, incident_service.visible_events(tx, incident, viewer),
                          incident_store.updates(tx, incident.id),
                          incident_store.role_history(tx, incident.id), incident_store.members(tx, incident.id),
                          {t.name: t.label for t in catalog.types(tx, include_inactive=True)})


def _suggest(tx, incident: Incident) -> Depth:
    levels = catalog.severities(tx)
    rank = next((s.rank for s in levels if s.name == incident.severity), 1)
    return suggest_depth(rank, len(levels))


def _write_missing_sections(tx, review_id: int, depth: Depth, existing: dict[str, str], facts, *, by: str,
                            now: dt.datetime) -> None:
    for spec in sections_for(depth):
        if spec.key not in existing:
            store.add_section_version(tx, review_id, spec.key, prefill.starting_text(spec.key), by=by, now=now)


# -- changes -----------------------------------------------------------------------
def start(db, reference: str, *, depth, by: str, reason: str | None = None, scheduled_for=None) -> Review:
    """Choose the depth and start the review, prefilled from the record.

    A resolved incident moves to post-incident (recorded as its own status event).
    """
    by = clean_person(by, "Started by")
    depth_ = parse_depth(depth)
    why = _reason(reason, depth_)
    scheduled = bounds.when(scheduled_for, field="workshop date", allow_future=True)
    if scheduled is not None and depth_ != Depth.WORKSHOP:
        raise IncidentKitError("Only a full workshop has a scheduled date; choose depth workshop or leave it empty.")

    def work(tx) -> Review:
        incident = incident_service.load_for_change(tx, reference, by)
        if incident.status in ACTIVE:
            raise IncidentKitError(f"{incident.reference} is still {incident.status.value}; resolve it first, "
                                   "then start the review.")
        if incident.status in NEEDS_NO_REVIEW:
            raise IncidentKitError(f"{incident.reference} is {incident.status.value}; it needs no review.")
        existing = store.for_incident(tx, incident.id)
        if existing is not None:
            raise IncidentKitError(
                f"{incident.reference} already has a review ({existing.depth.label.lower()}, "
                f"{existing.status.label.lower()}); change its depth instead.")
        now = utcnow()
        if incident.status == Status.RESOLVED:
            incident_service.move(tx, incident, Status.POST_INCIDENT, by=by, now=now,
                                   detail="The learning phase starts with the review")
            moved = incident_store.get_by_id(tx, incident.id)
            assert moved is not None  # loaded above, in this transaction; nothing is hard-deleted
            incident = moved
        status = ReviewStatus.WAIVED if depth_ == Depth.NONE else ReviewStatus.DRAFT
        review_id = store.insert(tx, incident_id=incident.id, depth=depth_, status=status, waived_reason=why,
                                 created_at=now, created_by=by)
        incident_store.record_event(tx, incident.id, actor=by, kind="review_started", occurred_at=now,
                                    field="review", new=depth_.value, detail=why)
        if scheduled is not None:
            store.set_scheduled(tx, review_id, scheduled, now=now)
        _write_missing_sections(tx, review_id, depth_, {}, _gather(tx, incident), by=by, now=now)
        return store.get(tx, review_id)

    return db.write(work)


def change_depth(db, reference: str, depth, *, by: str, reason: str | None = None) -> Review:
    """Go deeper or lighter at any time; text already written is kept (and comes back if the depth does)."""
    by = clean_person(by, "Changed by")
    depth_ = parse_depth(depth)
    why = _reason(reason, depth_)

    def work(tx) -> Review:
        incident = incident_service.load_for_change(tx, reference, by)
        review = _review_or_explain(tx, incident)
        if review.depth == depth_:
            raise IncidentKitError(f"The review of {incident.reference} is already a {depth_.label.lower()}.")
        now = utcnow()
        if depth_ == Depth.NONE:
            status, published = ReviewStatus.WAIVED, None
        elif review.status in (ReviewStatus.WAIVED, ReviewStatus.PUBLISHED):
            status, published = ReviewStatus.DRAFT, None  # new sections to write: back to draft
        else:
            status, published = review.status, review.published_at
        store.set_depth(tx, review.id, depth_, status, waived_reason=why if depth_ == Depth.NONE else None,
                        published_at=published, now=now)
        incident_store.record_event(tx, incident.id, actor=by, kind="review_depth_changed", occurred_at=now,
                                    field="depth", old=review.depth.value, new=depth_.value,
                                    detail=why or (f"review is now {status.label.lower()}"
                                                   if status != review.status else None))
        _write_missing_sections(tx, review.id, depth_, review.sections, _gather(tx, incident), by=by, now=now)
        return store.get(tx, review.id)

    return db.write(work)


def _section_key(review: Review, section: str) -> str:
    wanted = str(section or "").strip().lower()
    allowed = [spec for spec, _ in review.visible_sections]
    for spec in allowed:
        if wanted in (spec.key, spec.title.lower(), spec.key.replace("_", " "), spec.key.replace("_", "-")):
            return spec.key
    if wanted in SECTION_BY_KEY:
        raise IncidentKitError(f"A {review.depth.label.lower()} has no '{SECTION_BY_KEY[wanted].title}' section; "
                               "change the depth to add it.")
    raise IncidentKitError(f"Section '{section}' is not one of: {', '.join(s.key for s in allowed) or 'none'}.")


def edit_section(db, reference: str, section: str, body: str, *, by: str) -> Review:
    """Save a new version of one section (markdown); older versions are kept."""
    by = clean_person(by, "Edited by")
    text = bounds.text(str(body or "").replace("\r\n", "\n"), what="The section", limit=SECTION_MAX)

    def work(tx) -> Review:
        incident = incident_service.load_for_change(tx, reference, by)
        review = _review_or_explain(tx, incident)
        if review.status == ReviewStatus.WAIVED:
            raise IncidentKitError(f"The review of {incident.reference} is waived; change its depth to write one.")
        if review.status == ReviewStatus.PUBLISHED:
            raise IncidentKitError(f"The review of {incident.reference} is published; move it back to in review "
                                   "to edit it.")
        key = _section_key(review, section)
        if review.sections.get(key, "") == text:
            raise IncidentKitError(f"Nothing to save: '{SECTION_BY_KEY[key].title}' already says that.")
        now = utcnow()
        version = store.add_section_version(tx, review.id, key, text, by=by, now=now)
        store.set_status(tx, review.id, review.status, published_at=review.published_at, now=now)  # updated_at
        # no field/old/new: the text lives in review_sections; the timeline says which section and version
        incident_store.record_event(tx, incident.id, actor=by, kind="review_section_edited", occurred_at=now,
                                    detail=f"{SECTION_BY_KEY[key].title}, version {version}")
        return store.get(tx, review.id)

    return db.write(work)


def set_status(db, reference: str, status: str, *, by: str) -> Review:
    """draft → in_review → published (and back to in review to edit a published review)."""
    by = clean_person(by, "Changed by")
    target = parse_status(status)

    def work(tx) -> Review:
        incident = incident_service.load_for_change(tx, reference, by)
        review = _review_or_explain(tx, incident)
        check_transition(review.status, target)
        now = utcnow()
        published = now if target == ReviewStatus.PUBLISHED else None
        store.set_status(tx, review.id, target, published_at=published, now=now)
        incident_store.record_event(tx, incident.id, actor=by,
                                    kind="review_published" if target == ReviewStatus.PUBLISHED
                                    else "review_status_changed",
                                    occurred_at=now, field="review", old=review.status.value, new=target.value,
                                    detail=review.depth.label)
        return store.get(tx, review.id)

    return db.write(work)


def schedule(db, reference: str, when, *, by: str) -> Review:
    """Set (or clear, with None) the workshop date."""
    by = clean_person(by, "Scheduled by")
    at = bounds.when(when, field="workshop date", allow_future=True)

    def work(tx) -> Review:
        incident = incident_service.load_for_change(tx, reference, by)
        review = _review_or_explain(tx, incident)
        if review.depth != Depth.WORKSHOP:
            raise IncidentKitError("Only a full workshop has a scheduled date; change the depth to workshop first.")
        if review.scheduled_for == at:
            raise IncidentKitError("The workshop is already scheduled for that time.")
        now = utcnow()
        store.set_scheduled(tx, review.id, at, now=now)
        incident_store.record_event(tx, incident.id, actor=by, kind="review_scheduled", occurred_at=now,
                                    field="scheduled_for", old=prefill.when(review.scheduled_for) + " UTC"
                                    if review.scheduled_for else None,
                                    new=prefill.when(at) + " UTC" if at else None)
        return store.get(tx, review.id)

    return db.write(work)


def set_contributing_factors(db, reference: str, factors, *, by: str) -> Review:
    """Short theme labels (like tags), e.g. 'config drift', 'missing alert'; used by the insights."""
    by = clean_person(by, "Changed by")
    labels = normalise_tags(factors)  # theme labels are normalised exactly like tags

    def work(tx) -> Review:
        incident = incident_service.load_for_change(tx, reference, by)
        review = _review_or_explain(tx, incident)
        if list(review.contributing_factors) == labels:
            raise IncidentKitError("Nothing to change: the contributing factors are already those.")
        now = utcnow()
        store.set_factors(tx, review.id, labels, now=now)
        incident_store.record_event(tx, incident.id, actor=by, kind="review_factors_changed", occurred_at=now,
                                    field="contributing_factors", old=", ".join(review.contributing_factors) or None,
                                    new=", ".join(labels) or None)
        return store.get(tx, review.id)

    return db.write(work)


@dataclass(frozen=True)
class SectionHint:
    section: str
    hint: hint_rules.Hint


def _hints(tx, incident: Incident, review: Review) -> list[SectionHint]:
    """Hints on what people wrote only: record text a section started with and quoted lines are skipped."""
    names = participants(tx, incident)
    gone = store.dismissals(tx, review.id)
    facts = _gather(tx, incident)
    out = []
    for spec, text in review.visible_sections:
        started = prefill.section_text(spec.key, facts) + "\n" + prefill.starting_text(spec.key)
        for h in hint_rules.find(hint_rules.authored(text, prefilled=started), names=names):
            if (spec.key, h.key) not in gone:
                out.append(SectionHint(spec.key, h))
    return out


def dismiss_hint(db, reference: str, section: str, hint_key: str, *, by: str) -> None:
    """Dismiss one hint in one section (it stays dismissed while those words stay)."""
    by = clean_person(by, "Dismissed by")

    def work(tx) -> None:
        incident = incident_service.load_for_change(tx, reference, by)
        review = _review_or_explain(tx, incident)
        key = _section_key(review, section)
        live = {h.hint.key for h in _hints(tx, incident, review) if h.section == key}
        if hint_key not in live:
            raise IncidentKitError(f"There is no open hint '{hint_key}' in '{SECTION_BY_KEY[key].title}'; "
                                   "it may already be dismissed or the text changed.")
        now = utcnow()
        store.dismiss(tx, review.id, key, hint_key, by=by, now=now)
        incident_store.record_event(tx, incident.id, actor=by, kind="review_hint_dismissed", occurred_at=now,
                                    detail=f"{SECTION_BY_KEY[key].title}: {hint_key}")

    db.write(work)


def close_incident(db, reference: str, *, by: str) -> tuple[Incident, int]:
    """Close the incident (the closing rule applies) and say how many follow-ups are still open."""
    from ..follow_up import store as follow_up_store

    by = clean_person(by, "Closed by")

    def work(tx):
        incident = incident_service.load_for_change(tx, reference, by)
        incident_service.move(tx, incident, Status.CLOSED, by=by, now=utcnow())
        return incident_store.get_by_id(tx, incident.id), follow_up_store.count_still_open(tx, incident.id)

    return db.write(work)


# -- reading ---------------------------------------------------------------------------
def get(db, reference: str, *, viewer: str | None = None) -> Review | None:
    return db.read(lambda tx: store.for_incident(tx, incident_service.load_visible(tx, reference, viewer).id))


def hints(db, reference: str, *, viewer: str | None = None) -> list[SectionHint]:
    def work(tx):
        incident = incident_service.load_visible(tx, reference, viewer)
        review = store.for_incident(tx, incident.id)
        return [] if review is None else _hints(tx, incident, review)

    return db.read(work)


def check_text(db, reference: str, text: str, *, viewer: str | None = None) -> list[hint_rules.Hint]:
    """Hints for text not saved yet (the editor's live check), with the incident's participant names."""
    return db.read(lambda tx: hint_rules.find(text, names=participants(tx, incident_service.load_visible(tx, reference, viewer))))


def history(db, reference: str, *, section: str | None = None, viewer: str | None = None) -> pd.DataFrame:
    def work(tx):
        incident = incident_service.load_visible(tx, reference, viewer)
        review = _review_or_explain(tx, incident)
        return store.history(tx, review.id, section)

    from . import schemas  # pandera loads only for reads

    return schemas.validate_history(db.read(work))


def prefill_for(db, reference: str, *, viewer: str | None = None) -> prefill.Prefill:
    return db.read(lambda tx: _gather(tx, incident_service.load_visible(tx, reference, viewer), viewer))


def suggested_depth(db, reference: str, *, viewer: str | None = None) -> Depth:
    return db.read(lambda tx: _suggest(tx, incident_service.load_visible(tx, reference, viewer)))
