"""The SQL of the one-object summary (``metrics --json``): one statement, one row (``summary.py`` reads it).

It composes like the page's queries (``store.compose``: the same ``p``, ``scope`` and ``fu``).
"""

from __future__ import annotations

from . import store

# The same definitions as the page's statistics (same scope, same ``fu``, the same values as ``times`` and
# ``gaps``), without the per-severity, per-month and per-bin levels the summary does not show, in one statement
# with as few passes as it can: ``update_facts`` is joined to the scope once (``uf``) for both the gaps and
# each incident's first update (the row without a previous one: exactly ``times``' ``first_update``), and the
# other durations come from the scope itself. Reading the times and the gaps as the page's CTEs do joined
# ``update_facts`` twice and materialised both: 1.4x the CPU at 1M incidents (0.56 s against 0.40 s).
# The raw values come as lists (numpy arrays through ``fetchnumpy``, not Python tuples): ``summary.py``
# selects each one's median, p90 and the median's interval (``percentiles.py``), and takes the Kaplan-Meier
# figures from the follow-ups'. A duration not defined yet (NULL) is left out, as count() and quantile_cont
# leave it out. ``tests/test_analytics_metrics.py`` checks every figure equals the Insights bundle's.
# count_if over no rows is NULL (an empty scope), hence each coalesce.
# DuckDB-only on purpose (quantile_cont with a list, count_if); PostgreSQL runs it on its DuckDB copy.
SUMMARY_DURATIONS = ("time_to_declare", "time_to_first_update", "time_to_resolve", "impact_duration")
_COUNT = "coalesce(count_if({}), 0)::BIGINT"
# ``fu`` is read once here, so it is inlined rather than materialised: DuckDB then reads only the follow-up
# columns the summary uses (materialised, every column of the CTE is computed and kept): 0.70 s against
# 0.85 s of CPU for the statement in a fresh process at 1M.
_FU_ONCE = store.HELPERS["fu"].replace("fu AS MATERIALIZED (", "fu AS NOT MATERIALIZED (", 1)
assert _FU_ONCE != store.HELPERS["fu"]
SUMMARY = store.Query(f"""
, {_FU_ONCE}
, uf AS (
    -- every update fact of a response incident: ``gaps`` keeps those with a gap up to the resolution,
    -- ``times`` takes the one without a gap (to the audience asked for) as the first update
    SELECT sc.cadence_minutes,
           CASE WHEN p.audience IS NULL THEN f.gap_minutes ELSE f.audience_gap_minutes END AS gap_minutes,
           sc.resolved_at IS NULL OR f.posted_at <= sc.resolved_at AS before_resolved,
           (epoch_us(f.posted_at) - epoch_us(sc.declared_at)) / 60e6 AS after_declared
    FROM update_facts f
    JOIN scope sc ON sc.id = f.incident_id AND sc.response
    CROSS JOIN p
    WHERE p.audience IS NULL OR f.audience = p.audience
)
SELECT * FROM (
    SELECT count(*) AS incidents, {_COUNT.format("mode = 'live'")} AS live,
           {_COUNT.format("mode = 'retrospective'")} AS retrospective,
           {", ".join(f"list({e}) FILTER (WHERE response AND {e} IS NOT NULL) AS {c}_values"
                      for c, e in store.DURATIONS.items())}
    FROM scope
) AS counts, (
    -- adherence counts only gaps whose severity still has a target, like ``cadence_adherence``
    SELECT {_COUNT.format("gap_minutes IS NOT NULL AND before_resolved AND cadence_minutes IS NOT NULL")}
               AS gaps_with_target,
           {_COUNT.format("before_resolved AND gap_minutes <= cadence_minutes")} AS gaps_within_target,
           list(gap_minutes) FILTER (WHERE gap_minutes IS NOT NULL AND before_resolved) AS update_gap_values,
           list(after_declared) FILTER (WHERE gap_minutes IS NULL AND after_declared IS NOT NULL)
               AS time_to_first_update_values
    FROM uf
) AS update_gaps, (
    SELECT count(*) AS follow_ups, {_COUNT.format("is_open")} AS open, {_COUNT.format("is_overdue")} AS overdue,
           {_COUNT.format("status = 'done'")} AS done, {_COUNT.format("status = 'wont_do'")} AS wont_do,
           {_COUNT.format("is_due")} AS due, {_COUNT.format("done_by_due")} AS done_by_due,
           quantile_cont(open_age_days, 0.5) AS median_open_age_days,
           quantile_cont(days_to_complete, [0.5, 0.9]) AS complete_q,
           -- Kaplan-Meier: days observed per follow-up, done ones as events; open ones are censored at
           -- their age, won't-do ones when they were closed (negative clock skew counts as 0 days)
           list(greatest(observed_days, 0)) FILTER (WHERE observed_days IS NOT NULL) AS observed_days,
           list(status = 'done') FILTER (WHERE observed_days IS NOT NULL) AS observed_done
    FROM (
        SELECT *, CASE WHEN status = 'done' THEN days_to_complete
                       WHEN status = 'wont_do' THEN (epoch_us(completed_at) - epoch_us(created_at)) / 86400e6
                       ELSE open_age_days END AS observed_days
        FROM fu
    ) AS observed
) AS follow_ups""")
