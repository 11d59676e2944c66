"""What an import reads, what it produces, and the mapping tables it follows (plain data, no I/O)."""

from __future__ import annotations

import math
import os
from typing import TYPE_CHECKING
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

if TYPE_CHECKING:  # pandas loads only where a frame is built, so write commands start fast
    import pandas as pd

from ..errors import IncidentKitError
from ..words import count
from ..incident.models import Status

KINDS = ("statuspage", "gcp", "csv", "postmortems")
# Each importer's SOURCE (stored on the incidents it brings in) as people name it, e.g. on the timeline.
SOURCE_LABELS = {"statuspage": "Atlassian Statuspage", "gcp": "Google Cloud status", "csv": "a CSV file",
                 "postmortem": "a postmortem document"}
EXTENSIONS = {"statuspage": (".json",), "gcp": (".json",), "csv": (".csv",),
              "postmortems": (".md", ".markdown")}

# The biggest single file an import reads. Real exports are far smaller (a Statuspage
# page of 100 incidents is ~0.4 MB, Google Cloud's whole history ~2 MB), and a file is
# parsed in memory, so a 10 MB ceiling keeps a mistaken upload (a database dump, a log)
# from stalling the app. Raise it with INCIDENT_KIT_IMPORT_MAX_MB or --max-file-mb.
DEFAULT_MAX_FILE_MB = 10.0
MAX_FILE_MB_ENV = "INCIDENT_KIT_IMPORT_MAX_MB"

# Statuspage update status -> incident-kit status ("identified" means the cause is known: fixing).
STATUSPAGE_STATUS = {
    "investigating": Status.INVESTIGATING,
    "identified": Status.FIXING,
    "monitoring": Status.MONITORING,
    "resolved": Status.RESOLVED,
    "postmortem": Status.POST_INCIDENT,
}
# Statuspage impact, lowest first; mapped onto the configured severities by rank.
STATUSPAGE_IMPACTS = ("none", "minor", "major", "critical")

# Google Cloud update status -> incident-kit status: anything but AVAILABLE means still affected.
GCP_STATUS = {
    "SERVICE_INFORMATION": Status.INVESTIGATING,
    "SERVICE_DISRUPTION": Status.INVESTIGATING,
    "SERVICE_OUTAGE": Status.INVESTIGATING,
    "AVAILABLE": Status.RESOLVED,
}
GCP_SEVERITIES = ("low", "medium", "high")
GCP_AUTHOR = "Google Cloud"

# Statuses a CSV row may carry (merged needs a target incident, so it cannot be imported).
CSV_STATUSES = tuple(s.value for s in Status if s != Status.MERGED)
RESOLVED_LIKE = frozenset({Status.RESOLVED.value, Status.POST_INCIDENT.value, Status.CLOSED.value})

# The normalised frames every importer produces before anything is written.
INCIDENT_FIELDS = ["source", "external_id", "title", "summary", "severity", "type", "status", "mode",
                   "private", "declared_by", "declared_at", "started_at", "resolved_at", "closed_at", "tags"]
UPDATE_FIELDS = ["source", "incident_external_id", "external_id", "posted_at", "author", "audience", "status",
                 "message"]
# Fields a re-import compares and overwrites (type, private and roles stay as the team set them).
SYNCED_FIELDS = ["title", "summary", "severity", "status", "mode", "declared_at", "started_at", "resolved_at",
                 "closed_at", "tags"]
REPORT_COLUMNS = ["file", "where", "id", "field", "value", "problem"]


class ImportRejected(IncidentKitError):
    """The files have problems; nothing was imported. ``report`` lists every one."""

    def __init__(self, message: str, report: pd.DataFrame, summary: "ImportSummary"):
        super().__init__(message)
        self.report = report
        self.summary = summary


@dataclass(frozen=True)
class ImportFile:
    """One file to import: a name for messages, its size, and how to read its bytes."""

    name: str
    size: int
    read: Callable[[], bytes]

    @classmethod
    def from_path(cls, path: str | os.PathLike) -> "ImportFile":
        p = Path(path)
        return cls(str(p), p.stat().st_size, p.read_bytes)

    @classmethod
    def from_bytes(cls, name: str, data: bytes) -> "ImportFile":
        return cls(name, len(data), lambda: data)


@dataclass
class Batch:
    """Normalised incidents and updates, ready to write (timestamps tz-aware UTC)."""

    incidents: pd.DataFrame
    updates: pd.DataFrame
    # Postmortems only: per external_id, review sections, contributing factors and action items,
    # written for incidents the import creates (a re-import leaves the team's review alone).
    learning: pd.DataFrame | None = None


@dataclass
class Prepared:
    """The result of reading and validating, before anything is written."""

    kind: str
    files: list[str]
    batch: Batch | None
    report: pd.DataFrame  # empty when everything is valid (else the problems of the skipped files)
    # Files left out because they have problems, when the import was asked to skip them (the report lists why).
    skipped: list[str] = field(default_factory=list)
    # Incidents without an end time and quiet for longer than the setting imported_open_max_days: ended at
    # their last update (see mapping.end_quiet) so they are neither late for years nor shown as ongoing.
    ended_quiet: int = 0
    open_max_days: float = 0

    @property
    def ok(self) -> bool:
        """Something valid to write, and every problem belongs to a file that was skipped."""
        if self.batch is None:
            return False
        return self.report.empty or set(self.report["file"]) <= set(self.skipped)

    @property
    def rejected(self) -> int:
        """Records (or whole files) with at least one problem."""
        if self.report.empty:
            return 0
        return int(self.report[["file", "where"]].drop_duplicates().shape[0])

    def notes(self) -> list[str]:
        """What the import changes beyond the source's own words, one sentence each (the report's notes)."""
        out = []
        if self.skipped:
            n = len(self.skipped)
            out.append(f"{count(n, 'file')} with problems will be left out (the report lists {_it(n)} and why); "
                       "the other files will be imported.")
        if self.ended_quiet:
            out.append(ended_quiet_note(self.ended_quiet, self.open_max_days, done=False))
        return out

    def preview(self) -> pd.DataFrame:
        import pandas as pd

        if self.batch is None:
            return pd.DataFrame(columns=INCIDENT_FIELDS)
        return self.batch.incidents[INCIDENT_FIELDS]


@dataclass
class ImportSummary:
    kind: str
    files: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    retrospective: int = 0
    rejected: int = 0
    updates_new: int = 0
    updates_changed: int = 0
    reviews_new: int = 0
    follow_ups_new: int = 0
    references: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # files left out for their problems (asked for)
    ended_quiet: int = 0  # incidents without an end time imported as resolved at their last update
    open_max_days: float = 0
    report: pd.DataFrame | None = None  # the problems of the skipped files (empty when none were skipped)

    def to_dict(self) -> dict:
        keys = ["kind", "files", "new", "updated", "unchanged", "retrospective", "rejected", "updates_new",
                "updates_changed"]
        if self.kind == "postmortems":
            keys += ["reviews_new", "follow_ups_new"]
        return {**{k: getattr(self, k) for k in keys}, "skipped": list(self.skipped),
                "ended_quiet": self.ended_quiet}

    def line(self) -> str:
        """The counts, then one sentence per thing the import did beyond copying (skipped files, ended incidents)."""
        if self.kind == "postmortems":
            text = (f"{self.new} new, {self.unchanged} already imported, {self.rejected} rejected "
                    f"({count(self.reviews_new, 'published review')}, {count(self.follow_ups_new, 'follow-up')}) "
                    f"from {count(self.files, 'file')}")
        else:
            text = (f"{self.new} new, {self.updated} updated, {self.unchanged} unchanged, "
                    f"{self.retrospective} retrospective, {self.rejected} rejected "
                    f"({count(self.updates_new, 'new update')}, {self.updates_changed} changed) from {count(self.files, 'file')}")
        if self.skipped:
            text += (f". {count(len(self.skipped), 'file')} with problems {_was(len(self.skipped))} skipped: "
                     + _names(self.skipped))
        if self.ended_quiet:
            text += ". " + ended_quiet_note(self.ended_quiet, self.open_max_days, done=True).rstrip(".")
        return text


def _was(n: int) -> str:
    return "was" if n == 1 else "were"


def _it(n: int) -> str:
    return "it" if n == 1 else "them"


SKIPPED_NAMES_SHOWN = 5  # the summary line names a few skipped files; the report lists every one and why


def _names(paths: list[str]) -> str:
    names = [Path(p).name for p in paths]
    shown = ", ".join(names[:SKIPPED_NAMES_SHOWN])
    more = len(names) - SKIPPED_NAMES_SHOWN
    return shown + (f" and {more} more (the report lists each and why)" if more > 0 else "")


def ended_quiet_note(n: int, days: float, *, done: bool) -> str:
    """The report's sentence for incidents ended at their last update (see ``Prepared.ended_quiet``): after the
    import (``done``), or in its preview."""
    one = n == 1
    shown = f"{days:g} day{'' if f'{days:g}' == '1' else 's'}"
    if done:
        said = f"had no end time and {_was(n)} imported as resolved at {'its' if one else 'their'} last update"
    else:
        said = (f"{'has' if one else 'have'} no end time and will be imported as resolved at "
                f"{'its' if one else 'their'} last update")
    return f"{count(n, 'incident')} {said} (nothing happened for over {shown})."


def empty_report() -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(columns=REPORT_COLUMNS)


def max_file_bytes(max_file_mb: float | None = None) -> int:
    if max_file_mb is None:
        env = os.environ.get(MAX_FILE_MB_ENV)
        try:
            max_file_mb = float(env) if env else DEFAULT_MAX_FILE_MB
        except ValueError:
            raise IncidentKitError(f"{MAX_FILE_MB_ENV}='{env}' is not a number of megabytes, e.g. 25.") from None
    if not math.isfinite(max_file_mb) or max_file_mb <= 0:  # float("nan") and "inf" parse, but are no limit
        raise IncidentKitError("The import size limit must be a positive number of megabytes.")
    return int(max_file_mb * 1024 * 1024)
