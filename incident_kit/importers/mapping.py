"""The mapping rules shared by every source (pure functions over normalised frames)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..incident.models import ACTIVE, Mode, Status
from .models import RESOLVED_LIKE

TITLE_MAX = 200  # the incident record's limit (incident.service.TITLE_MAX)


def severity_by_rank(level: str, source_levels: tuple[str, ...], configured: list[str]) -> str:
    """Scale a source level onto the configured list by rank; halves round down (never inflate)."""
    i = source_levels.index(level)
    n, k = len(configured), len(source_levels)
    if n == 1 or k == 1:
        return configured[0]
    num = i * (n - 1)
    pos, rem = divmod(num, k - 1)
    if 2 * rem > k - 1:  # strictly more than half: round up
        pos += 1
    return configured[pos]


def to_utc(series: pd.Series) -> pd.Series:
    """Parse ISO 8601 strings with any offset into UTC timestamps (validated beforehand)."""
    return pd.to_datetime(series, utc=True, format="ISO8601").astype("datetime64[us, UTC]")


def clean_title(text: str) -> tuple[str, str]:
    """(title, overflow): a title longer than the record allows keeps its full text in the summary."""
    title = " ".join(str(text).split())
    if len(title) <= TITLE_MAX:
        return title, ""
    return title[:TITLE_MAX - 1] + "…", title


def public_incidents(source: str, external_ids: pd.Series, titles: pd.Series, severities: pd.Series,
                     **columns) -> pd.DataFrame:
    """The incident frame of a public status page (Statuspage, Google Cloud): the title cleaned (its overflow
    becomes the summary), no type or mode, never private; ``columns`` (declared_by, dates, tags, ...) follow."""
    split = titles.map(clean_title)
    return pd.DataFrame({
        "source": source,
        "external_id": external_ids.astype(str),
        "title": split.map(lambda t: t[0]),
        "summary": split.map(lambda t: t[1]),
        "severity": severities,
        "type": None,
        "mode": None,
        "private": False,
        **columns,
    })


def tags(values) -> list[str]:
    seen: list[str] = []
    for v in values or ():
        t = " ".join(str(v).split()).lower()
        if t and t not in seen:
            seen.append(t)
    return seen


def derive(incidents: pd.DataFrame, updates: pd.DataFrame) -> pd.DataFrame:
    """Status, resolved_at, started_at and mode from the updates (the rules in docs/importing.md).

    A source end time wins over the updates' statuses (the incident is resolved); the
    retrospective rule is applied afterwards, on the final resolution time.

    ``incidents`` has external_id, declared_at, started_at, resolved_at, and a
    ``fallback_status`` used when no update carries a status. ``updates`` has
    incident_external_id, posted_at and status (None when the source has none).
    """
    inc = incidents.copy()
    with_status = updates[updates["status"].notna()].sort_values(["incident_external_id", "posted_at"], kind="stable")
    grouped = with_status.groupby("incident_external_id", sort=False)
    latest = grouped["status"].last()
    earliest = grouped["status"].first()
    first_resolved = with_status[with_status["status"].isin(list(RESOLVED_LIKE))].groupby(
        "incident_external_id")["posted_at"].min()

    status = inc["external_id"].map(latest)
    status = status.where(status.notna(), inc["fallback_status"])
    # A source end time (Statuspage resolved_at, Google Cloud end) means the incident is over,
    # whatever its last update says: incidents posted after the fact often carry one update only.
    ended_by_source = inc["resolved_at"].notna() & ~status.isin(list(RESOLVED_LIKE))
    inc["status"] = status.where(~ended_by_source, Status.RESOLVED.value)
    resolved_now = inc["status"].isin(list(RESOLVED_LIKE))
    # An incident that is not over has no resolution time; a resolved one without a source time
    # takes the time of the first update that said so.
    resolved = inc["resolved_at"].where(resolved_now)
    said = first_resolved.to_dict()
    said_resolved = pd.Series(pd.to_datetime([said.get(e) for e in inc["external_id"]], utc=True),
                              index=inc.index).astype("datetime64[us, UTC]")
    resolved = resolved.fillna(said_resolved.where(resolved_now))
    inc["resolved_at"] = resolved.astype("datetime64[us, UTC]")
    # Impact cannot start after the incident is posted (Statuspage backfills say it does).
    started = inc["started_at"].fillna(inc["declared_at"])
    inc["started_at"] = started.where(started <= inc["declared_at"], inc["declared_at"])
    after_fact = inc["resolved_at"].notna() & (inc["declared_at"] >= inc["resolved_at"])
    first_says_resolved = inc["external_id"].map(earliest).isin(list(RESOLVED_LIKE))
    retro = after_fact | first_says_resolved
    if "mode" in inc and inc["mode"].notna().any():
        inc["mode"] = inc["mode"].where(inc["mode"].notna(), retro.map({True: Mode.RETROSPECTIVE.value,
                                                                          False: Mode.LIVE.value}))
    else:
        inc["mode"] = retro.map({True: Mode.RETROSPECTIVE.value, False: Mode.LIVE.value})
    return inc.drop(columns=["fallback_status"])


def end_quiet(incidents: pd.DataFrame, updates: pd.DataFrame, *, now: dt.datetime,
              quiet_for: dt.timedelta) -> tuple[pd.DataFrame, int]:
    """(incidents, how many were ended): an active incident whose last activity (its declaration, its start or
    its newest update) is older than ``quiet_for`` is resolved at that last activity.

    Status pages often never post "resolved": imported as open, such an incident would be years late for an
    update, remind a vendor's name and show as ongoing on the status page forever.
    """
    active = incidents["status"].isin([s.value for s in ACTIVE])
    if not active.any():
        return incidents, 0
    times = [incidents["declared_at"], incidents["started_at"]]
    if len(updates):
        newest = updates.groupby("incident_external_id")["posted_at"].max()
        times.append(incidents["external_id"].map(newest))
    last = pd.concat([pd.to_datetime(t, utc=True) for t in times], axis=1).max(axis=1)
    quiet = active & last.notna() & (last < pd.Timestamp(now) - quiet_for)
    if not quiet.any():
        return incidents, 0
    out = incidents.copy()
    out.loc[quiet, "status"] = Status.RESOLVED.value
    out["resolved_at"] = out["resolved_at"].where(~quiet, last).astype("datetime64[us, UTC]")
    return out, int(quiet.sum())


STATUS_VALUES = {s.value for s in Status}
