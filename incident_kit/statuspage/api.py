"""The status-page part of the public Python API (mixed into ``Kit``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pathlib import Path

from ..kit_part import KitPart

if TYPE_CHECKING:  # pandas loads only where a frame is built, so write commands start fast
    import pandas as pd

from . import service


class StatusPageAPI(KitPart):

    def build_status_page(self, out_dir, *, base_url: str | None = None, now=None) -> list[Path]:
        """Write the public index.html, feed.xml and components/{slug}/feed.atom (external updates of
        non-private, non-test incidents and public components only)."""
        return service.build(self.db, out_dir, base_url=base_url, now=now)

    def public_status(self, *, now=None) -> service.PublicView:
        """What the public status page shows, read once (no viewer: it holds only what anyone may see);
        ``.page()`` and ``.feed(component=slug)`` render it exactly as the static build does."""
        return service.public_view(self.db, now=now)

    def status_board(self, *, viewer: str | None = None, now=None, part: str | None = None,
                     limit: int | None = None) -> pd.DataFrame:
        """The internal status page: the incidents the viewer may see that are active (``part="ongoing"``) or
        resolved this week (``"resolved"``), or both (None); the first ``limit`` of each (None: all)."""
        return service.board(self.db, viewer=self._viewer(viewer), now=now, part=part, limit=limit)

    def status_board_counts(self, *, viewer: str | None = None, now=None) -> dict[str, int]:
        """The internal status page's totals: ``{"ongoing", "overdue", "resolved"}`` (resolved this week)."""
        return service.board_counts(self.db, viewer=self._viewer(viewer), now=now)
