"""The import part of the public Python API (mixed into ``Kit``)."""

from __future__ import annotations

import os
from collections.abc import Iterable

from .models import ImportFile, ImportSummary, Prepared


def _service():
    """The import service, loaded on first use: it needs pandas and pandera, which write commands do not."""
    from . import service

    return service


def _files(kind: str, items) -> list[ImportFile]:
    items = list(items if isinstance(items, (list, tuple)) else [items])
    if items and all(isinstance(i, ImportFile) for i in items):
        return items
    return _service().collect_files(kind, items)


class ImportAPI:
    db: object
    user: str

    def import_files(self, kind: str, paths: Iterable[str | os.PathLike | ImportFile], *, by: str | None = None,
                     max_file_mb: float | None = None, progress=None) -> ImportSummary:
        """Import Statuspage, Google Cloud or CSV files (and directories of them) in one transaction.

        Raises ``ImportRejected`` (an ``IncidentKitError``) whose ``report`` lists every problem;
        then nothing is written. Re-importing the same records updates them, never duplicates.
        """
        return _service().import_files(self.db, kind, _files(kind, paths), by=by or self.user,
                                    max_file_mb=max_file_mb, progress=progress)

    def prepare_import(self, kind: str, files: Iterable[str | os.PathLike | ImportFile], *,
                       max_file_mb: float | None = None) -> Prepared:
        """Read and validate without writing: ``.preview()``, ``.report`` and ``.ok``."""
        return _service().prepare(self.db, kind, _files(kind, files), user=self.user, max_file_mb=max_file_mb)

    def apply_import(self, prepared: Prepared, *, by: str | None = None) -> ImportSummary:
        """Write a prepared (valid) import in one transaction."""
        return _service().apply(self.db, prepared, by=by or self.user)

    @staticmethod
    def csv_template() -> bytes:
        """The CSV template (header and two example rows) offered for download."""
        from .csv import template

        return template()
