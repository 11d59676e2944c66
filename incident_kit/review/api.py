"""The review part of the public Python API (mixed into ``Kit``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas loads only where a frame is built, so write commands start fast
    import pandas as pd

from ..clock import utcnow
from ..follow_up import service as follow_up_service
from ..incident import service as incident_service
from ..incident.models import Incident
from ..kit_part import KitPart
from . import queue as queues
from . import service
from .hints import Hint
from .models import Depth, Review
from .prefill import Prefill
from .service import SectionHint


class ReviewAPI(KitPart):
    def start_review(self, reference: str, *, depth: str, reason: str | None = None, scheduled_for=None,
                     by: str | None = None) -> Review:
        """Start the review at a depth the team chooses: "none" (needs a one-line ``reason``), "note",
        "standard" or "workshop". Prefilled from the record; a resolved incident moves to post-incident."""
        return service.start(self.db, reference, depth=depth, by=self._by(by), reason=reason,
                             scheduled_for=scheduled_for)

    def change_review_depth(self, reference: str, depth: str, *, reason: str | None = None,
                            by: str | None = None) -> Review:
        return service.change_depth(self.db, reference, depth, by=self._by(by), reason=reason)

    def edit_review_section(self, reference: str, section: str, text: str, *, by: str | None = None) -> Review:
        """Save a new version of a section (markdown). Returns the review; see ``review_hints`` for hints."""
        return service.edit_section(self.db, reference, section, text, by=self._by(by))

    def set_review_status(self, reference: str, status: str, *, by: str | None = None) -> Review:
        """draft → in_review → published; published → in_review to edit again."""
        return service.set_status(self.db, reference, status, by=self._by(by))

    def publish_review(self, reference: str, *, by: str | None = None) -> Review:
        """Move an in-review review to published."""
        return service.set_status(self.db, reference, "published", by=self._by(by))

    def schedule_review(self, reference: str, when, *, by: str | None = None) -> Review:
        """Set the workshop date (an aware datetime or ISO 8601 with offset)."""
        return service.schedule(self.db, reference, when, by=self._by(by))

    def set_contributing_factors(self, reference: str, factors, *, by: str | None = None) -> Review:
        return service.set_contributing_factors(self.db, reference, factors, by=self._by(by))

    def review(self, reference: str, *, viewer: str | None = None) -> Review | None:
        """The incident's review, or None if none was started."""
        return service.get(self.db, reference, viewer=self._viewer(viewer))

    def reviews(self, *, viewer: str | None = None, status: str | None = None,
                depth: str | None = None, limit: int | None = None) -> pd.DataFrame:
        """One row per reviewed incident, unfinished first, with the count of still-open follow-ups; the first
        ``limit`` (None: every one)."""
        return queues.reviews(self.db, viewer=self._viewer(viewer), status=status, depth=depth, limit=limit)

    def reviews_to_do(self, *, viewer: str | None = None, limit: int | None = None) -> pd.DataFrame:
        """Incidents awaiting a review nobody has started (resolved or post-incident), newest resolved first; the
        first ``limit`` (None: every one)."""
        return queues.to_do(self.db, viewer=self._viewer(viewer), limit=limit)

    def review_counts(self, *, viewer: str | None = None) -> dict[str, int]:
        """How many rows each list of the Reviews page holds: ``{"to_do", "in_review", "done"}``, counted in SQL
        (to do: awaiting a review nobody started, or a draft; done: published or waived)."""
        return queues.counts(self.db, viewer=self._viewer(viewer))

    def review_queue(self, queue: str, *, viewer: str | None = None, limit: int = queues.PAGE_SIZE) -> pd.DataFrame:
        """One page of one list (``"to_do"``, ``"in_review"`` or ``"done"``): the viewer's own first, then the
        newest; columns incident, title, queue, depth, status (both empty when not started), mine, at,
        open_follow_ups."""
        return queues.page(self.db, queue, viewer=self._viewer(viewer), limit=limit)

    def review_history(self, reference: str, *, section: str | None = None,
                       viewer: str | None = None) -> pd.DataFrame:
        """Every saved version of every section (or one section), oldest first."""
        return service.history(self.db, reference, section=section, viewer=self._viewer(viewer))

    def review_hints(self, reference: str, *, viewer: str | None = None) -> list[SectionHint]:
        """Blameless-language hints in the current sections that nobody dismissed."""
        return service.hints(self.db, reference, viewer=self._viewer(viewer))

    def check_review_text(self, reference: str, text: str, *, viewer: str | None = None) -> list[Hint]:
        return service.check_text(self.db, reference, text, viewer=self._viewer(viewer))

    def dismiss_review_hint(self, reference: str, section: str, hint_key: str, *, by: str | None = None) -> None:
        service.dismiss_hint(self.db, reference, section, hint_key, by=self._by(by))

    def review_prefill(self, reference: str, *, viewer: str | None = None) -> Prefill:
        """What the record says: timeline, key times and durations, roles, severity history, impacts."""
        return service.prefill_for(self.db, reference, viewer=self._viewer(viewer))

    def suggest_review_depth(self, reference: str, *, viewer: str | None = None) -> Depth:
        """A suggestion from severity only; the team chooses."""
        return service.suggested_depth(self.db, reference, viewer=self._viewer(viewer))

    def close_incident(self, reference: str, *, by: str | None = None) -> tuple[Incident, int]:
        """Close (only with a published or waived review); returns the incident and its still-open follow-ups."""
        return service.close_incident(self.db, reference, by=self._by(by))

    def export_review(self, reference: str, format: str = "markdown", *, viewer: str | None = None) -> str:
        """The review as a Markdown or HTML (printable) document."""
        incident = incident_service.get(self.db, reference, viewer=self._viewer(viewer))
        review = service.get(self.db, reference, viewer=self._viewer(viewer))
        if review is None:
            from ..errors import IncidentKitError

            raise IncidentKitError(f"{incident.reference} has no review to export; start one first.")
        frame = follow_up_service.follow_ups(self.db, viewer=self._viewer(viewer), incident=incident.reference)
        facts = service.prefill_for(self.db, reference, viewer=self._viewer(viewer))  # fills sections nobody wrote
        from ..similar import service as similar_service  # bm25s and scipy load only when asked
        from . import export  # Jinja2 and markdown-it load only to export

        related = similar_service.related(self.db, reference, viewer=self._viewer(viewer))  # linked by people, visible ones
        return export.render(incident, review, frame, format=format, generated_at=utcnow(), facts=facts,
                             related=related)
