"""SQL for the insight metrics, as named constants.

Every query starts with the same two CTEs:

* ``p`` binds the request once (``$1`` … ``$11``, see ``PARAMS``), so each
  query takes the same parameter list and values are always bound, never
  spliced;
* ``scope`` is the set of incidents a request is about: declared in the date
  window, of the chosen severities/types/sources/references, and visible to
  the viewer (the same private rule as the incident list).

Only fixed fragments from this module are composed into SQL text.
"""

from __future__ import annotations

# The order of the bound values; ``metrics._params`` builds them in this order.
PARAMS = ("see_all", "viewer", "since", "until", "severities", "types", "sources", "refs", "modes",
          "audience", "now")

# Incidents imported without a source are ours; this is the name to filter them by.
NATIVE_SOURCE = "native"

_P = """
p AS (
    SELECT $1::BOOLEAN AS see_all, $2::VARCHAR AS viewer, $3::TIMESTAMPTZ AS since, $4::TIMESTAMPTZ AS until,
           $5::VARCHAR[] AS severities, $6::VARCHAR[] AS types, $7::VARCHAR[] AS sources, $8::VARCHAR[] AS refs,
           $9::VARCHAR[] AS modes, $10::VARCHAR AS audience, $11::TIMESTAMPTZ AS now_
)"""

# Incidents in scope, with their severity's rank and cadence and their type's engineering flag.
# ``response`` marks the incidents response metrics count (mode in p.modes; NULL modes = every mode).
_SCOPE = f"""
scope AS (
    SELECT i.id, i.reference, i.severity, i.type, i.mode, i.status, i.declared_by, i.declared_at,
           i.started_at, i.resolved_at, i.tags, i.source,
           s.rank AS severity_rank, s.cadence_minutes, t.engineering,
           (p.modes IS NULL OR list_contains(p.modes, i.mode)) AS response
    FROM incidents i
    CROSS JOIN p
    LEFT JOIN severities s ON s.name = i.severity
    LEFT JOIN incident_types t ON t.name = i.type
    WHERE (p.see_all OR NOT i.private OR i.declared_by = p.viewer
           OR EXISTS (SELECT 1 FROM incident_roles r WHERE r.incident_id = i.id AND r.person = p.viewer)
           OR EXISTS (SELECT 1 FROM incident_members m WHERE m.incident_id = i.id AND m.person = p.viewer))
      AND (p.since IS NULL OR i.declared_at >= p.since)
      AND (p.until IS NULL OR i.declared_at < p.until)
      AND (p.severities IS NULL OR list_contains(p.severities, i.severity))
      AND (p.types IS NULL OR list_contains(p.types, i.type))
      AND (p.sources IS NULL OR list_contains(p.sources, coalesce(i.source, '{NATIVE_SOURCE}')))
      AND (p.refs IS NULL OR list_contains(p.refs, i.reference))
)"""

_HEAD = f"WITH {_P},{_SCOPE}"

# Response incidents with their four durations in minutes (NULL where not defined yet).
_TIMES = """
first_update AS (
    SELECT u.incident_id, min(u.posted_at) AS first_update_at
    FROM updates u JOIN scope sc ON sc.id = u.incident_id AND sc.response CROSS JOIN p
    WHERE p.audience IS NULL OR u.audience = p.audience
    GROUP BY u.incident_id
),
times AS (
    SELECT sc.id AS incident_id, sc.reference, sc.severity, sc.severity_rank, sc.declared_at,
           (epoch(sc.declared_at) - epoch(sc.started_at)) / 60.0 AS time_to_declare_minutes,
           (epoch(fu.first_update_at) - epoch(sc.declared_at)) / 60.0 AS time_to_first_update_minutes,
           (epoch(sc.resolved_at) - epoch(sc.declared_at)) / 60.0 AS time_to_resolve_minutes,
           (epoch(sc.resolved_at) - epoch(sc.started_at)) / 60.0 AS impact_duration_minutes
    FROM scope sc LEFT JOIN first_update fu ON fu.incident_id = sc.id
    WHERE sc.response
)"""

# Minutes between consecutive updates of a response incident, up to and including
# the update that resolves it (updates after resolved_at are not part of the response).
_GAPS = """
counted_updates AS (
    SELECT u.id, u.incident_id, u.posted_at, sc.reference, sc.severity, sc.severity_rank, sc.cadence_minutes
    FROM updates u JOIN scope sc ON sc.id = u.incident_id AND sc.response CROSS JOIN p
    WHERE (sc.resolved_at IS NULL OR u.posted_at <= sc.resolved_at)
      AND (p.audience IS NULL OR u.audience = p.audience)
),
gaps AS (
    SELECT * FROM (
        SELECT incident_id, reference, severity, severity_rank, cadence_minutes, posted_at,
               (epoch(posted_at) - epoch(lag(posted_at) OVER w)) / 60.0 AS gap_minutes
        FROM counted_updates
        WINDOW w AS (PARTITION BY incident_id ORDER BY posted_at, id)
    ) WHERE gap_minutes IS NOT NULL
)"""

SCOPE_COUNTS = f"""{_HEAD}
SELECT count(*) AS incidents,
       count(*) FILTER (WHERE mode = 'live') AS live,
       count(*) FILTER (WHERE mode = 'retrospective') AS retrospective,
       count(*) FILTER (WHERE mode = 'test') AS test,
       count(*) FILTER (WHERE response) AS counted,
       count(*) FILTER (WHERE NOT response) AS excluded
FROM scope"""

RESPONSE_TIMES = f"""{_HEAD},{_TIMES}
SELECT * FROM times ORDER BY declared_at, incident_id"""

UPDATE_GAPS = f"""{_HEAD},{_GAPS}
SELECT incident_id, reference, severity, severity_rank, cadence_minutes, posted_at, gap_minutes,
       gap_minutes <= cadence_minutes AS within_cadence
FROM gaps ORDER BY incident_id, posted_at"""

# One row per metric: n, median and p90 with linear interpolation (quantile_cont).
RESPONSE_SUMMARY = f"""{_HEAD},{_TIMES},{_GAPS},
excluded AS (SELECT count(*) FILTER (WHERE NOT response) AS excluded FROM scope)
SELECT metric, n, median, p90, (SELECT excluded FROM excluded) AS excluded FROM (
    SELECT 1 AS pos, 'time_to_declare' AS metric, count(time_to_declare_minutes) AS n,
           quantile_cont(time_to_declare_minutes, 0.5) AS median, quantile_cont(time_to_declare_minutes, 0.9) AS p90
    FROM times
    UNION ALL
    SELECT 2, 'time_to_first_update', count(time_to_first_update_minutes),
           quantile_cont(time_to_first_update_minutes, 0.5), quantile_cont(time_to_first_update_minutes, 0.9)
    FROM times
    UNION ALL
    SELECT 3, 'update_gap', count(gap_minutes), quantile_cont(gap_minutes, 0.5), quantile_cont(gap_minutes, 0.9)
    FROM gaps
    UNION ALL
    SELECT 4, 'time_to_resolve', count(time_to_resolve_minutes),
           quantile_cont(time_to_resolve_minutes, 0.5), quantile_cont(time_to_resolve_minutes, 0.9)
    FROM times
    UNION ALL
    SELECT 5, 'impact_duration', count(impact_duration_minutes),
           quantile_cont(impact_duration_minutes, 0.5), quantile_cont(impact_duration_minutes, 0.9)
    FROM times
) ORDER BY pos"""

# Share of gaps within the severity's cadence target, per severity. Gaps of a
# severity that is no longer in the catalog (no target) are not counted.
CADENCE_ADHERENCE = f"""{_HEAD},{_GAPS}
SELECT severity, severity_rank, cadence_minutes, count(*) AS gaps,
       count(*) FILTER (WHERE gap_minutes <= cadence_minutes) AS within_cadence,
       count(*) FILTER (WHERE gap_minutes <= cadence_minutes) / count(*) AS share,
       quantile_cont(gap_minutes, 0.5) AS median_gap_minutes, quantile_cont(gap_minutes, 0.9) AS p90_gap_minutes
FROM gaps WHERE cadence_minutes IS NOT NULL
GROUP BY severity, severity_rank, cadence_minutes ORDER BY severity_rank"""

# Follow-ups of incidents in scope (test incidents are drills and are left out).
_FOLLOW_UPS = """
fu AS (
    SELECT f.id, f.incident_id, sc.reference, sc.severity, sc.severity_rank, f.status, f.priority,
           f.created_at, f.due_at, f.completed_at,
           strftime(date_trunc('month', f.created_at), '%Y-%m') AS month,
           f.status IN ('open', 'in_progress') AS is_open,
           f.status IN ('open', 'in_progress') AND f.due_at < p.now_ AS is_overdue,
           f.due_at IS NOT NULL AND f.due_at <= p.now_ AND f.status <> 'wont_do' AS is_due,
           f.status = 'done' AND f.due_at IS NOT NULL AND f.due_at <= p.now_
               AND f.completed_at <= f.due_at AS done_by_due,
           CASE WHEN f.status IN ('open', 'in_progress')
                THEN (epoch(p.now_) - epoch(f.created_at)) / 86400.0 END AS open_age_days,
           CASE WHEN f.status IN ('open', 'in_progress') AND f.due_at < p.now_
                THEN (epoch(p.now_) - epoch(f.due_at)) / 86400.0 END AS overdue_days,
           CASE WHEN f.status = 'done'
                THEN (epoch(f.completed_at) - epoch(f.created_at)) / 86400.0 END AS days_to_complete
    FROM follow_ups f JOIN scope sc ON sc.id = f.incident_id CROSS JOIN p
    WHERE sc.mode <> 'test'
)"""

FOLLOW_UPS = f"""{_HEAD},{_FOLLOW_UPS}
SELECT id, incident_id, reference, severity, severity_rank, status, priority, created_at, due_at,
       completed_at, month, is_open, is_overdue, is_due, done_by_due, open_age_days, overdue_days,
       days_to_complete
FROM fu ORDER BY created_at, id"""

# How follow-up summaries may be grouped: a fixed allow-list of expressions.
FOLLOW_UP_GROUPS = {"all": "'all'", "severity": "severity", "month": "month"}
_FOLLOW_UP_ORDER = {"all": "1", "severity": "min(severity_rank)", "month": "min(month)"}
FOLLOW_UP_SUMMARY = {
    key: f"""{_HEAD},{_FOLLOW_UPS}
SELECT {expr} AS "group", count(*) AS follow_ups,
       count(*) FILTER (WHERE is_open) AS open, count(*) FILTER (WHERE is_overdue) AS overdue,
       count(*) FILTER (WHERE status = 'done') AS done, count(*) FILTER (WHERE status = 'wont_do') AS wont_do,
       count(*) FILTER (WHERE is_due) AS due, count(*) FILTER (WHERE done_by_due) AS done_by_due,
       count(*) FILTER (WHERE done_by_due) / nullif(count(*) FILTER (WHERE is_due), 0) AS completion_rate_by_due,
       quantile_cont(open_age_days, 0.5) AS median_open_age_days,
       quantile_cont(open_age_days, 0.9) AS p90_open_age_days,
       quantile_cont(overdue_days, 0.5) AS median_overdue_days,
       quantile_cont(days_to_complete, 0.5) AS median_days_to_complete,
       quantile_cont(days_to_complete, 0.9) AS p90_days_to_complete
FROM fu GROUP BY 1 ORDER BY {_FOLLOW_UP_ORDER[key]}"""
    for key, expr in FOLLOW_UP_GROUPS.items()
}

# Declarations per month (test incidents left out): engagement, not a target to push down.
# Months without any declaration are listed with 0 so a quiet month is visible.
DECLARATIONS_BY_MONTH = f"""{_HEAD},
declared AS (SELECT * FROM scope WHERE mode <> 'test'),
months AS (
    SELECT unnest(generate_series(date_trunc('month', min(declared_at)), date_trunc('month', max(declared_at)),
                                  INTERVAL 1 MONTH)) AS month_start
    FROM declared HAVING count(*) > 0
)
SELECT strftime(m.month_start, '%Y-%m') AS month, count(d.id) AS declarations,
       count(DISTINCT d.declared_by) AS distinct_declarers,
       count(d.id) FILTER (WHERE d.engineering = FALSE) AS non_engineering,
       count(d.id) FILTER (WHERE d.engineering = FALSE) / nullif(count(d.engineering), 0) AS non_engineering_share,
       count(d.id) FILTER (WHERE d.severity_rank = 1) AS lowest_severity,
       count(d.id) FILTER (WHERE d.severity_rank = 1) / nullif(count(d.id), 0) AS lowest_severity_share,
       count(d.id) FILTER (WHERE d.mode = 'retrospective') AS retrospective
FROM months m LEFT JOIN declared d ON date_trunc('month', d.declared_at) = m.month_start
GROUP BY m.month_start ORDER BY m.month_start"""

DECLARATION_SUMMARY = f"""{_HEAD}
SELECT count(*) AS declarations, count(DISTINCT declared_by) AS distinct_declarers,
       count(*) FILTER (WHERE engineering = FALSE) / nullif(count(engineering), 0) AS non_engineering_share,
       count(*) FILTER (WHERE severity_rank = 1) / nullif(count(*), 0) AS lowest_severity_share
FROM scope WHERE mode <> 'test'"""

# The latest review of each incident in scope (test incidents left out).
_REVIEWS = """
rv AS (
    SELECT r.id, r.incident_id, sc.reference, sc.severity, sc.severity_rank, sc.declared_at, r.depth,
           r.status, r.created_at, r.published_at, r.contributing_factors,
           (epoch(r.published_at) - epoch(r.created_at)) / 86400.0 AS days_to_publish
    FROM reviews r JOIN scope sc ON sc.id = r.incident_id
    WHERE sc.mode <> 'test'
    QUALIFY row_number() OVER (PARTITION BY r.incident_id ORDER BY r.id DESC) = 1
)"""

# Fixed order of depths, lightest first.
REVIEW_DEPTHS = ("none", "note", "standard", "workshop")

REVIEWS = f"""{_HEAD},{_REVIEWS}
SELECT id, incident_id, reference, severity, severity_rank, depth, status, created_at, published_at,
       days_to_publish
FROM rv ORDER BY created_at, id"""

REVIEW_DEPTH_MIX = f"""{_HEAD},{_REVIEWS}
SELECT depth, count(*) AS reviews, count(*) / sum(count(*)) OVER () AS share,
       count(*) FILTER (WHERE status = 'published') AS published,
       count(*) FILTER (WHERE status = 'waived') AS waived,
       count(*) FILTER (WHERE status IN ('draft', 'in_review')) AS in_progress,
       quantile_cont(days_to_publish, 0.5) AS median_days_to_publish,
       quantile_cont(days_to_publish, 0.9) AS p90_days_to_publish
FROM rv GROUP BY depth
ORDER BY coalesce(list_position(['none', 'note', 'standard', 'workshop'], depth), 99), depth"""

# Themes from incident tags and review contributing factors, counted in distinct incidents.
THEMES = f"""{_HEAD},{_REVIEWS},
mentions AS (
    SELECT id AS incident_id, declared_at, unnest(tags) AS theme, 'tag' AS kind FROM scope WHERE mode <> 'test'
    UNION ALL
    SELECT incident_id, declared_at, unnest(contributing_factors) AS theme, 'contributing factor' AS kind FROM rv
)
SELECT theme, kind, count(DISTINCT incident_id) AS incidents,
       count(DISTINCT date_trunc('month', declared_at)) AS months,
       min(declared_at) AS first_seen, max(declared_at) AS last_seen
FROM mentions GROUP BY theme, kind
ORDER BY incidents DESC, months DESC, theme, kind"""

ADMINS = "SELECT value FROM settings WHERE name = 'admins'"
