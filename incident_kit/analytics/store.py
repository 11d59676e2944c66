"""SQL for the insight metrics, as named constants.

Each query is a body that reads a few common tables defined as CTEs in front of it
(``compose``):

* ``p`` binds the request once (``$1`` … ``$11``, in ``PARAMS`` order), so every
  query takes the same parameter list; values are always bound, never spliced;
* ``scope``: the incidents the request is about (declared in the window, of the
  chosen severities/types/sources/references, visible to the viewer by the same
  private rule as the incident list);
* the helpers a body needs (``HELPERS``): update ``gaps``, response ``times``,
  follow-ups ``fu`` and each incident's review ``rv``.

Page-level statistics come from few queries that aggregate with GROUPING SETS
(one pass over the gaps, one over the follow-ups, ...); ``metrics.py`` splits
their rows into the frames it returns. Only fixed fragments from this module
are composed into SQL text.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from ..incident.visibility import visible_sql

# The order of the bound values; ``query.params`` builds them by these names.
PARAMS = ("see_all", "viewer", "since", "until", "severities", "types", "sources", "refs", "modes",
          "audience", "now")

# Incidents imported without a source are ours; this is the name to filter them by.
NATIVE_SOURCE = "native"

# The tables this SQL reads (with incident/visibility.py's rule and the catalog's settings): a PostgreSQL
# store copies exactly these into an in-process DuckDB and runs this same SQL there (db/pgcopy.py). Not
# ``updates``: every update figure comes from ``update_facts``, maintained at write time.
TABLES = ("settings", "severities", "incident_types", "incidents", "incident_roles", "incident_members",
          "update_facts", "follow_ups", "reviews")


@lru_cache(maxsize=1)
def names_read() -> frozenset[str]:
    """Every identifier in the SQL analytics run (this package, the visibility rule, the catalog reads).

    The PostgreSQL copy leaves out columns whose name appears nowhere here (update messages,
    titles, summaries: most of the bytes). Conservative: a name in a comment keeps its column too.
    """
    import re
    from pathlib import Path

    pkg = Path(__file__).resolve().parent.parent
    files = [*(pkg / "analytics").glob("*.py"), pkg / "incident" / "visibility.py", pkg / "catalog" / "store.py"]
    return frozenset(w for f in files for w in re.findall(r"[a-z_][a-z0-9_]*", f.read_text()))

_P = """p AS (
    SELECT $1::BOOLEAN AS see_all, $2::VARCHAR AS viewer, $3::TIMESTAMPTZ AS since, $4::TIMESTAMPTZ AS until,
           $5::VARCHAR[] AS severities, $6::VARCHAR[] AS types, $7::VARCHAR[] AS sources, $8::VARCHAR[] AS refs,
           $9::VARCHAR[] AS modes, $10::VARCHAR AS audience, $11::TIMESTAMPTZ AS now_
)"""

# Incidents in scope, with their severity's rank and cadence and their type's engineering flag.
# ``response`` marks the incidents response metrics count (mode in p.modes; NULL modes = every mode).
# ``month`` is the UTC month declared (via epoch_us: calendar maths on TIMESTAMPTZ is several times slower).
_SCOPE = f"""scope AS MATERIALIZED (
    SELECT i.id, i.reference, i.severity, i.type, i.mode, i.status, i.declared_by, i.declared_at,
           i.started_at, i.resolved_at, i.tags, i.source,
           date_trunc('month', make_timestamp(epoch_us(i.declared_at))) AS month,
           s.rank AS severity_rank, s.cadence_minutes, t.engineering,
           (p.modes IS NULL OR list_contains(p.modes, i.mode)) AS response
    FROM incidents i
    CROSS JOIN p
    LEFT JOIN severities s ON s.name = i.severity
    LEFT JOIN incident_types t ON t.name = i.type
    WHERE {{visible}}
      AND (p.since IS NULL OR i.declared_at >= p.since)
      AND (p.until IS NULL OR i.declared_at < p.until)
      AND (p.severities IS NULL OR list_contains(p.severities, i.severity))
      AND (p.types IS NULL OR list_contains(p.types, i.type))
      AND (p.sources IS NULL OR list_contains(p.sources, coalesce(i.source, '{NATIVE_SOURCE}')))
      AND (p.refs IS NULL OR list_contains(p.refs, i.reference))
)"""
# A trusted caller (or an admin) sees every incident.
SCOPE_ALL = _SCOPE.format(visible="TRUE")
# Anyone else: the one visibility rule (incident/visibility.py).
SCOPE_VIEWER = _SCOPE.format(visible=visible_sql(incident="i", see_all="FALSE", who="p.viewer"))

# Minutes between consecutive updates of a response incident, up to and including the
# update that resolves it (updates after resolved_at are not part of the response).
# The gaps are maintained at write time in ``update_facts`` (``incident.facts``): to the
# previous update, or to the previous one to the same audience when the request names one.
# Dropping the updates after resolved_at removes a suffix, so the remaining gaps are unchanged.
# ``bin_start``: the gap as a multiple of its target, in quarter steps (0, ¼] … (3¾, 4], over 4 = 4.
_GAPS = """gaps AS MATERIALIZED (
    SELECT incident_id, posted_at, severity_rank, cadence_minutes, gap_minutes,
           least(greatest(ceil(gap_minutes / cadence_minutes * 4) - 1, 0), 16) / 4.0 AS bin_start
    FROM (
        SELECT f.incident_id, f.posted_at, sc.severity_rank, sc.cadence_minutes,
               CASE WHEN p.audience IS NULL THEN f.gap_minutes ELSE f.audience_gap_minutes END AS gap_minutes
        FROM update_facts f
        JOIN scope sc ON sc.id = f.incident_id AND sc.response
        CROSS JOIN p
        WHERE (sc.resolved_at IS NULL OR f.posted_at <= sc.resolved_at)
          AND (p.audience IS NULL OR f.audience = p.audience)
    ) AS g
    WHERE gap_minutes IS NOT NULL
)"""

# The durations an incident's own times give, in minutes (``times`` and the summary read them from ``scope``).
DURATIONS = {"time_to_declare": "(epoch_us(declared_at) - epoch_us(started_at)) / 60e6",
             "time_to_resolve": "(epoch_us(resolved_at) - epoch_us(declared_at)) / 60e6",
             "impact_duration": "(epoch_us(resolved_at) - epoch_us(started_at)) / 60e6"}

# Response incidents with their four durations in minutes (NULL where not defined yet).
# The first update (to the audience asked for) is the one without a previous one in ``update_facts``.
_TIMES = f"""times AS MATERIALIZED (
    WITH first_update AS (
        SELECT f.incident_id, f.posted_at AS first_update_at
        FROM update_facts f JOIN scope sc ON sc.id = f.incident_id AND sc.response CROSS JOIN p
        WHERE (p.audience IS NULL AND f.gap_minutes IS NULL)
           OR (f.audience = p.audience AND f.audience_gap_minutes IS NULL)
    )
    SELECT sc.id AS incident_id, sc.reference, sc.severity, sc.severity_rank, sc.declared_at,
           {DURATIONS["time_to_declare"]} AS time_to_declare_minutes,
           (epoch_us(fu.first_update_at) - epoch_us(sc.declared_at)) / 60e6 AS time_to_first_update_minutes,
           {DURATIONS["time_to_resolve"]} AS time_to_resolve_minutes,
           {DURATIONS["impact_duration"]} AS impact_duration_minutes
    FROM scope sc LEFT JOIN first_update fu ON fu.incident_id = sc.id
    WHERE sc.response
)"""

# Follow-ups of incidents in scope (test incidents are drills and are left out).
_FOLLOW_UPS = """fu AS MATERIALIZED (
    SELECT f.id, f.incident_id, sc.reference, sc.severity, sc.severity_rank, f.status, f.priority,
           f.created_at, f.due_at, f.completed_at,
           date_trunc('month', make_timestamp(epoch_us(f.created_at))) AS month,
           f.status IN ('open', 'in_progress') AS is_open,
           f.status IN ('open', 'in_progress') AND f.due_at < p.now_ AS is_overdue,
           f.due_at IS NOT NULL AND f.due_at <= p.now_ AND f.status <> 'wont_do' AS is_due,
           f.status = 'done' AND f.due_at IS NOT NULL AND f.due_at <= p.now_
               AND f.completed_at <= f.due_at AS done_by_due,
           CASE WHEN f.status IN ('open', 'in_progress')
                THEN (epoch_us(p.now_) - epoch_us(f.created_at)) / 86400e6 END AS open_age_days,
           CASE WHEN f.status IN ('open', 'in_progress') AND f.due_at < p.now_
                THEN (epoch_us(p.now_) - epoch_us(f.due_at)) / 86400e6 END AS overdue_days,
           CASE WHEN f.status = 'done'
                THEN (epoch_us(f.completed_at) - epoch_us(f.created_at)) / 86400e6 END AS days_to_complete
    FROM follow_ups f JOIN scope sc ON sc.id = f.incident_id CROSS JOIN p
    WHERE sc.mode <> 'test'
)"""

# The review of each incident in scope (test incidents left out): one per incident, a unique index since
# migration 9, so no grouping to find the latest.
_REVIEWS = """rv AS MATERIALIZED (
    SELECT r.id, r.incident_id, sc.reference, sc.severity, sc.severity_rank, sc.declared_at, sc.month, r.depth,
           r.status, r.created_at, r.published_at, r.contributing_factors,
           (epoch_us(r.published_at) - epoch_us(r.created_at)) / 86400e6 AS days_to_publish
    FROM reviews r
    JOIN scope sc ON sc.id = r.incident_id
    WHERE sc.mode <> 'test'
)"""

# The helper CTEs a query may need, in dependency order.
HELPERS = {"gaps": _GAPS, "times": _TIMES, "fu": _FOLLOW_UPS, "rv": _REVIEWS}


class Query(NamedTuple):
    body: str
    needs: tuple[str, ...] = ()  # helper CTEs (keys of HELPERS) the body reads
    arrays: bool = False  # fetched as numpy arrays by column even among frames: raw values, not a table to show


@lru_cache(maxsize=None)
def compose(query: Query, see_all: bool) -> str:
    """The full SQL of ``query``: the common CTEs, then its body."""
    ctes = [_P, SCOPE_ALL if see_all else SCOPE_VIEWER] + [sql for name, sql in HELPERS.items() if name in query.needs]
    return "WITH " + ",\n".join(ctes) + "\n" + query.body


SCOPE_COUNTS = Query("""
SELECT count(*) AS incidents,
       count(*) FILTER (WHERE mode = 'live') AS live,
       count(*) FILTER (WHERE mode = 'retrospective') AS retrospective,
       count(*) FILTER (WHERE mode = 'test') AS test,
       count(*) FILTER (WHERE response) AS counted,
       count(*) FILTER (WHERE NOT response) AS excluded
FROM scope""")

@lru_cache(maxsize=None)
def tables_read(query: Query) -> tuple[str, ...]:
    """The tables ``query`` may read, from its SQL as a viewer runs it (the visibility rule's tables too), and
    ``settings`` (the rule reads admins from it in Python). Conservative: a table named anywhere counts."""
    import re

    text = compose(query, False) + "\n" + SEVERITY_NAMES
    return tuple(t for t in TABLES if t == "settings" or re.search(rf"\b{t}\b", text))


@lru_cache(maxsize=None)
def reads_now(query: Query) -> bool:
    """Whether ``query``'s answer depends on the ``now`` it is given (open ages, overdue follow-ups)."""
    return "p.now_" in compose(query, False)


# -- row-level frames (notebooks) ------------------------------------------------
RESPONSE_TIMES = Query("SELECT * FROM times ORDER BY declared_at, incident_id", ("times",))

UPDATE_GAPS = Query("""
SELECT g.incident_id, sc.reference, sc.severity, g.severity_rank, g.cadence_minutes, g.posted_at, g.gap_minutes,
       g.gap_minutes <= g.cadence_minutes AS within_cadence
FROM gaps g JOIN scope sc ON sc.id = g.incident_id
ORDER BY g.incident_id, g.posted_at""", ("gaps",))

FOLLOW_UPS = Query("""
SELECT id, incident_id, reference, severity, severity_rank, status, priority, created_at, due_at,
       completed_at, strftime(month, '%Y-%m') AS month, is_open, is_overdue, is_due, done_by_due,
       open_age_days, overdue_days, days_to_complete
FROM fu ORDER BY created_at, id""", ("fu",))

REVIEWS = Query("""
SELECT id, incident_id, reference, severity, severity_rank, depth, status, created_at, published_at,
       days_to_publish
FROM rv ORDER BY created_at, id""", ("rv",))

# The durations alone: numbers only, no row labels to transfer. The Insights page's percentile curves
# (``percentiles.py``: one sort per duration beats quantile_cont with 51 percentiles, ~4 ms against ~40 ms
# at 200k incidents) and the period comparison's resampling both start from these.
DURATION_VALUES = Query("""
SELECT time_to_declare_minutes, time_to_first_update_minutes, time_to_resolve_minutes, impact_duration_minutes
FROM times""", ("times",), arrays=True)  # as arrays: 175k rows at 200k incidents, ~4 ms less than a frame
GAP_VALUES = Query("SELECT gap_minutes FROM gaps", ("gaps",))

# -- statistics --------------------------------------------------------------------
# The gaps, counted once (the CTE is materialised): all of them (level 'all'), per severity target
# ('severity') and per size bin ('bin', counts only). Gaps of a severity no longer in the catalog
# have no target: they are counted in 'all' only. quantile_cont with a list computes both
# percentiles from one sorted state.
GAP_STATS = Query("""
SELECT * EXCLUDE (q), q[1] AS median, q[2] AS p90 FROM (
SELECT 'all' AS level, NULL::INTEGER AS severity_rank, NULL::INTEGER AS cadence_minutes, NULL::DOUBLE AS bin_start,
       count(*) AS gaps, count(*) FILTER (WHERE gap_minutes <= cadence_minutes) AS within_cadence,
       quantile_cont(gap_minutes, [0.5, 0.9]) AS q
FROM gaps
UNION ALL
SELECT 'severity', severity_rank, cadence_minutes, NULL, count(*),
       count(*) FILTER (WHERE gap_minutes <= cadence_minutes), quantile_cont(gap_minutes, [0.5, 0.9])
FROM gaps WHERE cadence_minutes IS NOT NULL GROUP BY severity_rank, cadence_minutes
UNION ALL
SELECT 'bin', NULL, NULL, bin_start, count(*), NULL, NULL
FROM gaps WHERE cadence_minutes IS NOT NULL GROUP BY bin_start
)""", ("gaps",))

# The follow-ups, counted once: all, per severity, per month created (levels with statistics),
# and open ones per (weeks open, overdue) (counts only). Days to complete come as a five-number
# summary (min, p25, median, p75, max) plus p90.
# count_if (DuckDB) rather than count(*) FILTER (WHERE …): the same counts, ~15 % less time for this
# aggregate at 300k follow-ups (each FILTER is its own filtered aggregate). Over no rows (the 'all'
# level of an empty scope) count_if is NULL, hence the coalesce.
_FU_AGGREGATES = """count(*) AS follow_ups,
       coalesce(count_if(is_open), 0)::BIGINT AS open, coalesce(count_if(is_overdue), 0)::BIGINT AS overdue_count,
       coalesce(count_if(status = 'done'), 0)::BIGINT AS done,
       coalesce(count_if(status = 'wont_do'), 0)::BIGINT AS wont_do,
       coalesce(count_if(is_due), 0)::BIGINT AS due, coalesce(count_if(done_by_due), 0)::BIGINT AS done_by_due,
       quantile_cont(open_age_days, [0.5, 0.9]) AS open_age_q, quantile_cont(overdue_days, 0.5) AS median_overdue_days,
       min(days_to_complete) AS min_days_to_complete, max(days_to_complete) AS max_days_to_complete,
       quantile_cont(days_to_complete, [0.25, 0.5, 0.75, 0.9]) AS complete_q"""
FOLLOW_UP_STATS = Query(f"""
SELECT * EXCLUDE (open_age_q, complete_q),
       open_age_q[1] AS median_open_age_days, open_age_q[2] AS p90_open_age_days,
       complete_q[1] AS p25_days_to_complete, complete_q[2] AS median_days_to_complete,
       complete_q[3] AS p75_days_to_complete, complete_q[4] AS p90_days_to_complete
FROM (
SELECT 'all' AS level, NULL::VARCHAR AS severity, NULL::INTEGER AS severity_rank, NULL::VARCHAR AS month,
       NULL::INTEGER AS weeks_open, NULL::BOOLEAN AS overdue, {_FU_AGGREGATES}
FROM fu
UNION ALL
SELECT 'severity', severity, min(severity_rank), NULL, NULL, NULL, {_FU_AGGREGATES}
FROM fu GROUP BY severity
UNION ALL
SELECT 'month', NULL, NULL, strftime(month, '%Y-%m'), NULL, NULL, {_FU_AGGREGATES}
FROM fu GROUP BY month
UNION ALL
SELECT 'open_age', NULL, NULL, NULL, least(floor(open_age_days / 7), 52)::INTEGER, is_overdue, count(*),
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM fu WHERE is_open GROUP BY ALL
)""", ("fu",))

# Per review depth: the mix, and days to publish as a five-number summary (plus p90).
REVIEW_STATS = Query("""
SELECT depth, count(*) AS reviews, count(*) / sum(count(*)) OVER () AS share,
       count_if(status = 'published')::BIGINT AS published,
       count_if(status = 'waived')::BIGINT AS waived,
       count_if(status IN ('draft', 'in_review'))::BIGINT AS in_progress,
       count(days_to_publish) AS n, min(days_to_publish) AS min, quantile_cont(days_to_publish, 0.25) AS p25,
       quantile_cont(days_to_publish, 0.5) AS median, quantile_cont(days_to_publish, 0.75) AS p75,
       quantile_cont(days_to_publish, 0.9) AS p90, max(days_to_publish) AS max
FROM rv GROUP BY depth
ORDER BY coalesce(list_position(['none', 'note', 'standard', 'workshop'], depth), 99), depth""", ("rv",))

# Declarations per month (test incidents left out): engagement, not a target to push down.
# Months without any declaration are listed with 0 so a quiet month is visible.
DECLARATIONS_BY_MONTH = Query("""
, per_month AS (
    SELECT month, count(*) AS declarations, count(DISTINCT declared_by) AS distinct_declarers,
           count_if(engineering = FALSE)::BIGINT AS non_engineering, count(engineering) AS typed,
           count_if(severity_rank = 1)::BIGINT AS lowest_severity,
           count_if(mode = 'retrospective')::BIGINT AS retrospective
    FROM scope WHERE mode <> 'test' GROUP BY month
),
months AS (
    SELECT unnest(generate_series(min(month), max(month), INTERVAL 1 MONTH)) AS month
    FROM per_month HAVING count(*) > 0
)
SELECT strftime(m.month, '%Y-%m') AS month, coalesce(d.declarations, 0) AS declarations,
       coalesce(d.distinct_declarers, 0) AS distinct_declarers, coalesce(d.non_engineering, 0) AS non_engineering,
       d.non_engineering / nullif(d.typed, 0) AS non_engineering_share,
       coalesce(d.lowest_severity, 0) AS lowest_severity,
       d.lowest_severity / nullif(d.declarations, 0) AS lowest_severity_share,
       coalesce(d.retrospective, 0) AS retrospective
FROM months m LEFT JOIN per_month d USING (month)
ORDER BY m.month""")

DECLARATION_SUMMARY = Query("""
SELECT count(*) AS declarations, count(DISTINCT declared_by) AS distinct_declarers,
       count(*) FILTER (WHERE engineering = FALSE) / nullif(count(engineering), 0) AS non_engineering_share,
       count(*) FILTER (WHERE severity_rank = 1) / nullif(count(*), 0) AS lowest_severity_share
FROM scope WHERE mode <> 'test'""")

# Themes from incident tags and review contributing factors, counted in distinct incidents: a label
# counts once per incident. ``scope`` and ``rv`` have one row per incident, so de-duplicating each
# list is enough (``list_distinct``, only where a list has two or more labels; it drops NULL labels,
# which are no theme). A DISTINCT over every (incident, theme) pair hashed ~310k rows on five keys:
# ~12 ms more at 200k incidents. Then per month, to count the months a theme came up in.
# Incidents are grouped by (month, labels) first, so each of the few thousand distinct lists is unnested
# once (every incident's list: 2.2x the CPU at 1M incidents, 0.49 s against 0.22 s; the same rows).
THEMES = Query("""
, lists AS (
    SELECT month, tags AS labels, 'tag' AS kind, count(*) AS incidents, min(declared_at) AS first_seen,
           max(declared_at) AS last_seen
    FROM scope WHERE mode <> 'test' AND len(tags) > 0 GROUP BY month, tags
    UNION ALL
    SELECT month, contributing_factors, 'contributing factor', count(*), min(declared_at), max(declared_at)
    FROM rv WHERE len(contributing_factors) > 0 GROUP BY month, contributing_factors
),
per_month AS (
    SELECT theme, kind, month, sum(incidents) AS incidents, min(first_seen) AS first_seen,
           max(last_seen) AS last_seen
    FROM (SELECT unnest(CASE WHEN len(labels) > 1 THEN list_distinct(labels) ELSE labels END) AS theme, kind,
                 month, incidents, first_seen, last_seen
          FROM lists) AS mentions
    WHERE theme IS NOT NULL GROUP BY theme, kind, month
)
SELECT theme, kind, sum(incidents)::BIGINT AS incidents, count(*) AS months,
       min(first_seen) AS first_seen, max(last_seen) AS last_seen
FROM per_month GROUP BY theme, kind
ORDER BY incidents DESC, months DESC, theme, kind""", ("rv",))

# Names of severities by rank (for statistics grouped by rank).
SEVERITY_NAMES = "SELECT rank, name FROM severities"
