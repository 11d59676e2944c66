"""The follow-up part of the public Python API (mixed into ``Kit``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import os
from pathlib import Path

if TYPE_CHECKING:  # pandas loads only where a frame is built, so write commands start fast
    import pandas as pd

from ..kit_part import KitPart
from . import service
from .models import FollowUp


class FollowUpAPI(KitPart):
    def add_follow_up(self, reference: str, title: str, *, owner: str | None = None, due=None,
                      priority: str = "medium", description: str = "", tracker_url: str | None = None,
                      source: str | None = None, by: str | None = None) -> FollowUp:
        """Add a follow-up action to an incident. ``owner`` defaults to ``by``; ``due`` (a date, or an aware
        datetime) defaults by severity: 7, 14, 21 days for the three highest levels, else 30."""
        return service.add(self.db, reference, title, by=self._by(by), owner=owner, due=due, priority=priority,
                           description=description, tracker_url=tracker_url, source=source)

    def complete_follow_up(self, follow_up: str | int, *, by: str | None = None) -> FollowUp:
        """Mark a follow-up (``FU-12`` or ``12``) done."""
        return service.complete(self.db, follow_up, by=self._by(by))

    def set_follow_up_status(self, follow_up: str | int, status: str, *, reason: str | None = None,
                             by: str | None = None) -> FollowUp:
        """open, in_progress, done or wont_do (``reason`` required)."""
        return service.set_status(self.db, follow_up, status, by=self._by(by), reason=reason)

    def edit_follow_up(self, follow_up: str | int, *, by: str | None = None, **fields) -> FollowUp:
        """Change title, description, owner, priority, due or tracker_url."""
        return service.edit(self.db, follow_up, by=self._by(by), **fields)

    def link_follow_up(self, follow_up: str | int, url: str, *, by: str | None = None) -> FollowUp:
        """Write back the tracker issue's URL."""
        return service.link(self.db, follow_up, url, by=self._by(by))

    def import_tracker_links(self, source: str | os.PathLike, *, by: str | None = None) -> dict[str, int]:
        """Write back tracker links from a CSV (a path, or the CSV text) with ``Follow up ID`` and ``Tracker URL``."""
        text = str(source)
        if isinstance(source, os.PathLike) or ("\n" not in text and Path(text).exists()):
            text = Path(source).read_text(encoding="utf-8")
        return service.import_links(self.db, text, by=self._by(by))

    def follow_up(self, follow_up: str | int, *, viewer: str | None = None) -> FollowUp:
        return service.get(self.db, follow_up, viewer=self._viewer(viewer))

    def follow_ups(self, *, viewer: str | None = None, incident: str | None = None, owner: str | None = None,
                   status=None, still_open: bool = False, overdue: bool = False, now=None,
                   include_private: bool = True, limit: int | None = None) -> pd.DataFrame:
        """Follow-ups as a validated DataFrame (one row each, with an ``overdue`` flag); the first ``limit``
        rows (None: every one)."""
        return service.follow_ups(self.db, viewer=self._viewer(viewer), incident=incident, owner=owner, status=status,
                                  still_open=still_open, overdue=overdue, now=now, include_private=include_private,
                                  limit=limit)

    def follow_up_counts(self, *, viewer: str | None = None, incident: str | None = None, owner: str | None = None,
                         status=None, still_open: bool = False, overdue: bool = False, now=None,
                         include_private: bool = True) -> dict[str, int]:
        """``{"total", "overdue"}`` for the same filters (and visibility) as ``follow_ups()``, counted in SQL."""
        return service.counts(self.db, viewer=self._viewer(viewer), incident=incident, owner=owner, status=status,
                              still_open=still_open, overdue=overdue, now=now, include_private=include_private)

    def open_follow_up_count(self, reference: str, *, viewer: str | None = None) -> int:
        """How many of the incident's follow-ups are still open or in progress (shown when it closes)."""
        return service.still_open_count(self.db, reference, viewer=self._viewer(viewer))

    def export_follow_ups(self, *, format: str = "csv", include_private: bool | None = None, **filters) -> str:
        """CSV (columns in ``follow_up.export.CSV_COLUMNS``) or JSON of ``follow_ups(**filters)``.

        Like ``export``, private incidents' follow-ups are left out unless ``include_private=True``;
        an export for a ``viewer`` (the app's download) holds what that viewer may see, private ones included.
        """
        from . import export

        if include_private is None:
            include_private = filters.get("viewer") is not None
        filters["viewer"] = self._viewer(filters.get("viewer"))
        frame = service.follow_ups(self.db, include_private=include_private, **filters)
        fmt = str(format).lower()
        if fmt == "csv":
            return export.to_csv(frame)
        if fmt == "json":
            return export.to_json(frame)
        from ..errors import IncidentKitError

        raise IncidentKitError(f"Export format '{format}' is not one of: csv, json.")
