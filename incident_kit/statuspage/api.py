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
        """Write the public index.html and feed.xml (external updates of non-private incidents only)."""
        return service.build(self.db, out_dir, base_url=base_url, now=now)

    def status_board(self, *, viewer: str | None = None, now=None) -> pd.DataFrame:
        """The internal status page: every incident the viewer may see, active or resolved this week."""
        return service.board(self.db, viewer=self._viewer(viewer), now=now)
