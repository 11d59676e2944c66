"""The import part of the public Python API (mixed into ``Kit``)."""

from __future__ import annotations

import os
from collections.abc import Iterable

from ..kit_part import KitPart
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


class ImportAPI(KitPart):
    def import_files(self, kind: str, paths: Iterable[str | os.PathLike | ImportFile], *, by: str | None = None,
                     max_file_mb: float | None = None, skip_invalid: bool = False, progress=None) -> ImportSummary:
        """Import Statuspage, Google Cloud, CSV or postmortem files (and directories of them) in one transaction.

        ``by`` is the person importing: the declarer of rows and documents that name none. Raises
        ``ImportRejected`` (an ``IncidentKitError``) whose ``report`` lists every problem; then nothing is
        written. With ``skip_invalid`` the files with problems are left out (the summary names them) and the
        rest imported. Re-importing the same records updates them, never duplicates.
        """
        by = self._by(by)  # who acts is settled before any file is read
        return _service().import_files(self.db, kind, _files(kind, paths), by=by, max_file_mb=max_file_mb,
                                       skip_invalid=skip_invalid, progress=progress)

    def prepare_import(self, kind: str, files: Iterable[str | os.PathLike | ImportFile], *, by: str | None = None,
                       max_file_mb: float | None = None, skip_invalid: bool = False) -> Prepared:
        """Read and validate without writing: ``.preview()``, ``.report``, ``.notes()`` and ``.ok``.

        ``by`` is the person who will import (the preview shows them as the declarer where the files name none).
        """
        by = self._by(by)  # who acts is settled before any file is read
        return _service().prepare(self.db, kind, _files(kind, files), by=by, max_file_mb=max_file_mb,
                                  skip_invalid=skip_invalid)

    def apply_import(self, prepared: Prepared, *, by: str | None = None) -> ImportSummary:
        """Write a prepared (valid) import in one transaction."""
        return _service().apply(self.db, prepared, by=self._by(by))

    @staticmethod
    def csv_template() -> bytes:
        """The CSV template (header and two example rows) offered for download."""
        from .csv import template

        return template()
