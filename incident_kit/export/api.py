"""The export part of the public Python API (mixed into ``Kit``)."""

from __future__ import annotations

import os
from pathlib import Path

from ..kit_part import KitPart


class ExportAPI(KitPart):

    def export(self, out_dir: str | os.PathLike, *, format: str = "parquet", include_private: bool = False,
               by: str | None = None) -> dict:
        """Write every table as Parquet, CSV or JSON (+ manifest.json); private incidents only if asked.

        A checked ``by`` (a ``Person``) must be an admin: an export holds every table."""
        from . import service  # pandas and numpy load only to export or restore

        return service.export(self.db, out_dir, format=format, include_private=include_private, by=self._by(by))

    def restore(self, source: str | os.PathLike, *, by: str | None = None) -> dict[str, int]:
        """Load an export directory (any format), a DuckDB file or a postgresql:// URL into this store,
        which must hold no incidents yet."""
        from . import service

        if Path(str(source)).is_dir():
            return service.restore(self.db, source, by=self._by(by))
        return service.copy_from(self.db, source, by=self._by(by))
