"""Which incidents a metric is about (``Filters``), and running named queries in one read.

Every metric function takes a ``Kit`` (or a ``Database``) first, then optional
``Filters`` (or the same fields as keyword arguments). ``run_many`` binds the
request once (``store.PARAMS``) and runs several queries from ``store.py`` in
one ``Database.read``, which is one consistent view of the data.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import math
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..kit_part import KitPart
from ..clock import UTC, quoted, to_utc, utcnow
from ..errors import IncidentKitError
from ..incident.visibility import scope
from . import store

log = logging.getLogger(__name__)

if TYPE_CHECKING:  # frames are built by DuckDB on demand; ``metrics --json`` never loads pandas
    import pandas as pd

    from ..db.base import AnalyticsTx

LIVE_ONLY = ("live",)


@dataclasses.dataclass(frozen=True)
class Filters:
    """Which incidents a metric is about.

    * ``since`` / ``until``: the declaration window. A date is a whole UTC day and
      both ends are inclusive; a datetime ``until`` is exclusive.
    * ``severities``, ``types``: names; ``None`` means all.
    * ``sources``: where incidents came from (``"native"`` = declared here, or an
      importer's source such as ``"statuspage"``); ``references``: exactly these incidents.
    * ``viewer``: ``None`` is a trusted caller (notebook, CLI); a name counts only
      the private incidents that person may see, like every other read.
    * ``modes``: which modes response metrics count (default ``("live",)``;
      ``None`` = every mode, e.g. for imported incidents). Learning metrics
      (declarations, follow-ups, reviews) always leave out ``test`` incidents.
    * ``audience``: count only ``"internal"`` or ``"external"`` updates in
      response metrics; ``None`` = both.
    """

    since: object = None
    until: object = None
    severities: tuple[str, ...] | None = None
    types: tuple[str, ...] | None = None
    sources: tuple[str, ...] | None = None
    references: tuple[str, ...] | None = None
    viewer: str | None = None
    modes: tuple[str, ...] | None = LIVE_ONLY
    audience: str | None = None


def _tuple(values) -> tuple[str, ...] | None:
    if values is None:
        return None
    if isinstance(values, str):
        values = [values]
    return tuple(str(v) for v in values)


def _instant(value, *, field: str, end: bool) -> dt.datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str) and len(value.strip()) == 10:
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise IncidentKitError(f"{field.capitalize()} '{quoted(value)}' is not a date; use YYYY-MM-DD.") from None
    if isinstance(value, dt.datetime):
        return to_utc(value, field=field)
    if isinstance(value, dt.date):
        start = dt.datetime(value.year, value.month, value.day, tzinfo=UTC)
        if not end:
            return start
        # A date ``until`` includes that day; until 9999-12-31, the calendar's last day, has no end at all.
        return start + dt.timedelta(days=1) if value < dt.date.max else None
    return to_utc(value, field=field)


def make_filters(filters: Filters | None = None, **fields) -> Filters:
    """``Filters`` from an existing one and/or keyword fields (lists become tuples)."""
    base = filters or Filters()
    unknown = set(fields) - {f.name for f in dataclasses.fields(Filters)}
    if unknown:
        raise TypeError(f"Unknown filter(s): {', '.join(sorted(unknown))}")
    for key in ("severities", "types", "sources", "references", "modes"):
        if key in fields:
            fields[key] = _tuple(fields[key])
    return dataclasses.replace(base, **fields)


def _db(source, viewer):
    """The store under a Kit or a Database. A Kit with no local operator (the app, the HTTP API) must name a
    viewer: ``viewer=None`` would see every private incident, so it raises ``MissingActor`` instead."""
    if isinstance(source, KitPart):
        source.viewing(viewer)
    return getattr(source, "db", source)


def params(filters: Filters, now) -> dict:
    since = _instant(filters.since, field="since", end=False)
    until = _instant(filters.until, field="until", end=True)
    if since and until and since >= until:
        raise IncidentKitError("The date range is empty: 'since' must be before 'until'.")
    if filters.audience not in (None, "internal", "external"):
        raise IncidentKitError(f"Audience '{filters.audience}' is not one of: internal, external.")
    now_ = to_utc(now, field="now") if now is not None else utcnow()
    return {"see_all": filters.viewer is None, "viewer": filters.viewer, "since": since, "until": until,
            "severities": _list(filters.severities), "types": _list(filters.types),
            "sources": _list(filters.sources), "refs": _list(filters.references),
            "modes": _list(filters.modes), "audience": filters.audience, "now": now_}


def _read(source, queries: dict[str, store.Query], filters: Filters, now, *, fetch: str) -> dict:
    bound = params(filters, now)

    def work(tx: AnalyticsTx):  # Database.analytics_read: one consistent view for every query
        see_all, who = scope(tx, bound["viewer"])  # the one visibility rule (incident/visibility.py)
        values = [see_all if name == "see_all" else who if name == "viewer" else bound[name]
                  for name in store.PARAMS]
        frames = tx.df if fetch == "df" else tx.fetchnumpy
        out = {name: (tx.fetchnumpy if q.arrays else frames)(store.compose(q, see_all), values)
               for name, q in queries.items()}
        if fetch == "df" and "gap_stats" in out:
            out["severity_names"] = tx.df(store.SEVERITY_NAMES)
        return out

    # PostgreSQL: over an in-process DuckDB copy of the columns this SQL reads
    return _db(source, filters.viewer).analytics_read(work, store.TABLES, names=store.names_read())


def prepare(db) -> threading.Thread:
    """Make the store ready for analytics reads in a background thread, and return it.

    On PostgreSQL that is the whole in-process copy the analytics run on (``db/pgcopy.py``), taken once per
    process: ~N s at a million incidents (see docs/scale.md), which the first Insights view would otherwise
    wait for. Later changes refresh only the incidents they touched. A view asked meanwhile waits for this copy
    (the copy's lock) instead of taking its own. On DuckDB the analytics read the file itself: nothing to do.
    """
    def work() -> None:
        try:
            db.analytics_read(lambda tx: None, store.TABLES, names=store.names_read())
        except Exception:  # the next view copies again and says what went wrong, in a sentence
            log.warning("Preparing the analytics copy failed; the first Insights view will try again.",
                        exc_info=True)

    thread = threading.Thread(target=work, name="ik-analytics-prepare", daemon=True)
    thread.start()
    return thread


def run_many(source, queries: dict[str, store.Query], filters: Filters, now=None) -> dict[str, pd.DataFrame]:
    """Run several queries over the same scope in one consistent read (see store.py), as frames (a query marked
    ``arrays``: numpy arrays by column)."""
    return _read(source, queries, filters, now, fetch="df")


def run_parts(source, queries: dict[str, store.Query], filters: Filters, now=None) -> dict[str, pd.DataFrame]:
    """``run_many``, reusing each query's last result while none of the tables it reads has changed.

    After a change, only the queries that read a changed table run (in one read): an update posted writes
    ``update_facts``, so the durations and gaps run again while the counts, follow-ups, reviews, declarations
    and themes are reused (about half the Insights bundle at a million incidents). Each result is kept under
    ``Database.table_versions`` of the tables it reads (``store.tables_read``), read before the read, and the
    bound ``now`` when its SQL reads it (``store.reads_now``). Exact: an unchanged table gives the same rows.
    """
    from .memo import _MISS, fresh_copy, parts_for, viewer_key

    db = _db(source, filters.viewer)
    at = params(filters, now)["now"]  # one instant for every query of the call, reused or not
    versions = db.table_versions(store.TABLES, names=store.names_read())
    kept = parts_for(db)
    out: dict = {}
    missing: dict[str, store.Query] = {}
    labels: dict[str, tuple] = {}
    for name, q in queries.items():
        key = (name, q, filters, viewer_key(filters.viewer), at if store.reads_now(q) else None)
        version = tuple(versions[t] for t in store.tables_read(q))
        hit = kept.get(key, version, None)
        if hit is _MISS:
            missing[name], labels[name] = q, (key, version)
        else:
            out.update(fresh_copy(hit))
    if missing:
        fresh = run_many(source, missing, filters, at)
        for name, (key, version) in labels.items():
            part = {name: fresh[name]}
            if name == "gap_stats":  # read with it, from a table it reads (severities)
                part["severity_names"] = fresh["severity_names"]
            kept.put(key, version, None, fresh_copy(part))
            out.update(part)
    return out


def run_arrays(source, queries: dict[str, store.Query], filters: Filters, now=None) -> dict[str, dict]:
    """The same, each result as numpy arrays by column (``fetchnumpy``: no pandas, no Python tuple per row)."""
    return _read(source, queries, filters, now, fetch="fetchnumpy")


def run(source, query: store.Query, filters: Filters, now=None) -> pd.DataFrame:
    return run_many(source, {"one": query}, filters, now)["one"]


def _list(values: Iterable[str] | None) -> list[str] | None:
    return None if values is None else list(values)


def as_python(value):
    """A JSON-ready Python value: None for NULL/NaN/pd.NA, numpy scalars unwrapped, floats to 3 decimals."""
    if hasattr(value, "item"):  # a numpy scalar
        value = value.item()
    if value is None or type(value).__name__ == "NAType" or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float):
        return round(value, 3)
    return value


# The five-number summary plus p90, as box-plot frames name their columns.
BOX = ["n", "min", "p25", "median", "p75", "p90", "max"]
