"""Every metric's definition, in words: shown on the Insights page and in docs/metrics.md."""

DEFINITIONS: dict[str, str] = {
    "time_to_declare": "declared_at − started_at, per live incident (how long impact ran before someone declared).",
    "time_to_first_update": "the first update's posted_at − declared_at, per live incident with at least one update.",
    "update_gap": "minutes between consecutive updates of a live incident, pooled across incidents, up to and "
                  "including the update that resolves it (updates posted after resolved_at are not counted).",
    "cadence_adherence": "the share of update gaps that are no longer than the target interval of the "
                         "incident's (current) severity.",
    "time_to_resolve": "resolved_at − declared_at, per live incident that is resolved.",
    "impact_duration": "resolved_at − started_at, per live incident that is resolved.",
    "completion_rate_by_due": "of follow-ups whose due date has passed (won't-do ones left out), the share "
                              "marked done on or before their due date.",
    "open_age": "days since an open or in-progress follow-up was created; overdue ones are past their due date.",
    "time_to_complete": "completed_at − created_at, in days, per follow-up marked done.",
    "declarations_per_month": "incidents declared in the month (test incidents left out); more is healthy.",
    "distinct_declarers": "how many different people declared in the period (a count, never a list of names).",
    "non_engineering_share": "the share of typed incidents whose type is not an engineering type.",
    "lowest_severity_share": "the share of incidents declared at the lowest severity (rank 1).",
    "review_depth_mix": "per review depth (none, note, standard, workshop): each incident's review.",
    "time_to_publish": "published_at − created_at of a review, in days.",
    "themes": "tags and review contributing factors, counted in distinct incidents; recurring = 2 or more.",
}
