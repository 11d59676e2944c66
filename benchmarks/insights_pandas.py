"""The Insights frames in straightforward pandas: the other side of ``bench_insights.py``'s comparison.

Each of the 15 frames ``analytics.insights`` returns, computed from the raw tables in memory with plain
pandas (the way an analyst would write it), then validated with the same pandera models, doing the same work: each
incident's one review (the schema allows one), test incidents left out of the learning metrics, the review mix with statuses and publish-time
percentiles, themes once per incident with months and first/last seen, the top 20 recurring ones.
``bench_insights.check_same`` compares the two sides frame by frame.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from incident_kit.analytics import schemas
from incident_kit.analytics.resampling import exact_median_ci95

NOW = pd.Timestamp("2026-06-01", tz="UTC").to_pydatetime()  # the benchmark's fixed "now" (both sides)


def load_tables(path: str) -> dict[str, pd.DataFrame]:
    con = duckdb.connect(path, read_only=True)
    con.execute("SET TimeZone = 'UTC'")
    tables = {name: con.execute(f"SELECT * FROM {name}").df()
              for name in ("incidents", "updates", "follow_ups", "reviews", "severities", "incident_types")}
    con.close()
    for frame in tables.values():
        for col in frame.columns:
            if isinstance(frame[col].dtype, pd.DatetimeTZDtype):
                frame[col] = frame[col].dt.tz_convert("UTC")
    return tables


SHARES = [i / 50 for i in range(51)]
DURATIONS = ["time_to_declare", "time_to_first_update", "time_to_resolve", "impact_duration"]
DEPTHS = ["none", "note", "standard", "workshop"]


def _minutes(a, b):
    return (a - b).dt.total_seconds() / 60


def _days(a, b):
    return (a - b).dt.total_seconds() / 86400


def _fu_group(g: pd.DataFrame) -> dict:
    due = int(g["is_due"].sum())
    return {"follow_ups": len(g), "open": int(g["is_open"].sum()), "overdue": int(g["is_overdue"].sum()),
            "done": int((g["status"] == "done").sum()), "wont_do": int((g["status"] == "wont_do").sum()),
            "due": due, "done_by_due": int(g["done_by_due"].sum()),
            "completion_rate_by_due": g["done_by_due"].sum() / due if due else np.nan,
            "median_open_age_days": g["open_age_days"].median(), "p90_open_age_days": g["open_age_days"].quantile(0.9),
            "median_overdue_days": g["overdue_days"].median(),
            "median_days_to_complete": g["days_to_complete"].median(),
            "p90_days_to_complete": g["days_to_complete"].quantile(0.9)}


def _box(values: pd.Series) -> dict:
    v = values.dropna()
    return {"n": len(v), "min": v.min(), "p25": v.quantile(0.25), "median": v.median(), "p75": v.quantile(0.75),
            "p90": v.quantile(0.9), "max": v.max()}


def pandas_all(t: dict[str, pd.DataFrame]) -> dict:
    """Every frame ``analytics.insights`` returns, for a trusted viewer and default filters."""
    now = pd.Timestamp(NOW)
    sev = t["severities"].rename(columns={"name": "severity", "rank": "severity_rank"})
    inc = t["incidents"].merge(sev[["severity", "severity_rank", "cadence_minutes"]], on="severity", how="left")
    inc = inc.merge(t["incident_types"][["name", "engineering"]].rename(columns={"name": "type"}), on="type",
                    how="left")
    inc["month"] = inc["declared_at"].dt.strftime("%Y-%m")
    out: dict = {}
    modes = inc["mode"].value_counts()
    live = inc[inc["mode"] == "live"]
    out["scope_counts"] = pd.DataFrame([{
        "incidents": len(inc), "live": modes.get("live", 0), "retrospective": modes.get("retrospective", 0),
        "test": modes.get("test", 0), "counted": len(live), "excluded": len(inc) - len(live)}])

    # response
    ups = t["updates"]
    first = ups.groupby("incident_id")["posted_at"].min()
    times = pd.DataFrame({
        "time_to_declare": _minutes(live["declared_at"], live["started_at"]),
        "time_to_first_update": _minutes(live["id"].map(first), live["declared_at"]),
        "time_to_resolve": _minutes(live["resolved_at"], live["declared_at"]),
        "impact_duration": _minutes(live["resolved_at"], live["started_at"])})
    u = ups[["id", "incident_id", "posted_at"]].merge(
        live[["id", "resolved_at", "severity", "severity_rank", "cadence_minutes"]].rename(columns={"id": "incident_id"}),
        on="incident_id")
    u = u[u["resolved_at"].isna() | (u["posted_at"] <= u["resolved_at"])]
    u = u.sort_values(["incident_id", "posted_at", "id"])
    u["gap_minutes"] = u.groupby("incident_id")["posted_at"].diff().dt.total_seconds() / 60
    gaps = u.dropna(subset=["gap_minutes"])
    rows = []
    for m in DURATIONS:  # where each median likely lies: the same exact interval the page computes
        values = np.sort(times[m].dropna().to_numpy(dtype=float))
        low, high = exact_median_ci95(values) if len(values) else (None, None)
        rows.append({"metric": m, "n": int(times[m].count()), "median": times[m].median(),
                     "p90": times[m].quantile(0.9), "median_low": low, "median_high": high})
    rows.insert(2, {"metric": "update_gap", "n": len(gaps), "median": gaps["gap_minutes"].median(),
                    "p90": gaps["gap_minutes"].quantile(0.9), "median_low": None, "median_high": None})
    summary = pd.DataFrame(rows)
    summary["excluded"] = len(inc) - len(live)
    out["response_summary"] = summary
    dist = [pd.DataFrame({"metric": m, "n": int(times[m].count()), "share": SHARES,
                          "minutes": times[m].dropna().quantile(SHARES).to_numpy()})
            for m in DURATIONS if times[m].count()]
    out["response_distribution"] = pd.concat(dist, ignore_index=True)
    within = gaps["gap_minutes"] <= gaps["cadence_minutes"]
    per_sev = gaps.assign(within=within).groupby(["severity", "severity_rank", "cadence_minutes"])
    adherence = per_sev.agg(gaps=("gap_minutes", "size"), within_cadence=("within", "sum"),
                            median_gap_minutes=("gap_minutes", "median"),
                            p90_gap_minutes=("gap_minutes", lambda s: s.quantile(0.9))).reset_index()
    adherence["share"] = adherence["within_cadence"] / adherence["gaps"]
    out["cadence_adherence"] = adherence.sort_values("severity_rank")[
        ["severity", "severity_rank", "cadence_minutes", "gaps", "within_cadence", "share", "median_gap_minutes",
         "p90_gap_minutes"]]
    bins = (np.clip(np.ceil(gaps["gap_minutes"] / gaps["cadence_minutes"] * 4) - 1, 0, 16) / 4).value_counts()
    hist = bins.sort_index().rename_axis("bin_start").reset_index(name="gaps")
    hist["bin_end"] = hist["bin_start"] + 0.25
    hist["within_cadence"] = hist["bin_start"] < 1
    hist["label"] = ["over 4×" if b >= 4 else f"{b:.2f}–{b + 0.25:.2f}×" for b in hist["bin_start"]]
    out["gap_histogram"] = hist[["bin_start", "bin_end", "within_cadence", "gaps", "label"]]

    # follow-ups (test incidents left out)
    fu = t["follow_ups"].merge(inc[["id", "severity", "severity_rank", "mode"]].rename(columns={"id": "incident_id"}),
                               on="incident_id")
    fu = fu[fu["mode"] != "test"].copy()
    fu["is_open"] = fu["status"].isin(["open", "in_progress"])
    fu["is_overdue"] = fu["is_open"] & (fu["due_at"] < now)
    fu["is_due"] = fu["due_at"].notna() & (fu["due_at"] <= now) & (fu["status"] != "wont_do")
    fu["done_by_due"] = ((fu["status"] == "done") & fu["due_at"].notna() & (fu["due_at"] <= now)
                         & (fu["completed_at"] <= fu["due_at"]))
    fu["open_age_days"] = _days(now, fu["created_at"]).where(fu["is_open"])
    fu["overdue_days"] = _days(now, fu["due_at"]).where(fu["is_overdue"])
    fu["days_to_complete"] = _days(fu["completed_at"], fu["created_at"]).where(fu["status"] == "done")
    fu["month"] = fu["created_at"].dt.strftime("%Y-%m")
    out["follow_ups_all"] = pd.DataFrame([{"group": "all", **_fu_group(fu)}])
    out["follow_ups_by_month"] = pd.DataFrame([{"group": m, **_fu_group(g)} for m, g in fu.groupby("month")])
    by_sev = sorted(fu.groupby("severity"), key=lambda kv: kv[1]["severity_rank"].iloc[0])
    out["follow_ups_by_severity"] = pd.DataFrame([{"group": s, **_fu_group(g)} for s, g in by_sev])
    open_fu = fu[fu["is_open"]]
    weeks = np.minimum(np.floor(open_fu["open_age_days"] / 7), 52).astype(int)
    out["open_age_histogram"] = open_fu.groupby([weeks.rename("weeks_open"), open_fu["is_overdue"].rename("overdue")]
                                                ).size().reset_index(name="follow_ups")
    done = fu[fu["status"] == "done"]
    out["completion_time_by_severity"] = pd.DataFrame(
        [{"severity": s, "severity_rank": g["severity_rank"].iloc[0], **_box(g["days_to_complete"])}
         for s, g in sorted(done.groupby("severity"), key=lambda kv: kv[1]["severity_rank"].iloc[0])])

    # declarations (test incidents left out)
    declared = inc[inc["mode"] != "test"]
    per_month = declared.groupby("month")
    decl = pd.DataFrame({
        "declarations": per_month.size(), "distinct_declarers": per_month["declared_by"].nunique(),
        "non_engineering": per_month["engineering"].apply(lambda s: int((s == False).sum())),  # noqa: E712
        "typed": per_month["engineering"].count(),
        "lowest_severity": per_month["severity_rank"].apply(lambda s: int((s == 1).sum())),
        "retrospective": per_month["mode"].apply(lambda s: int((s == "retrospective").sum()))})
    months = pd.period_range(decl.index.min(), decl.index.max(), freq="M").strftime("%Y-%m")
    decl = decl.reindex(months)
    decl["non_engineering_share"] = decl["non_engineering"] / decl["typed"].where(decl["typed"] > 0)
    decl["lowest_severity_share"] = decl["lowest_severity"] / decl["declarations"]
    decl = decl.fillna({c: 0 for c in ("declarations", "distinct_declarers", "non_engineering", "lowest_severity",
                                       "retrospective")})
    out["declarations_by_month"] = decl.rename_axis("month").reset_index()[
        ["month", "declarations", "distinct_declarers", "non_engineering", "non_engineering_share",
         "lowest_severity", "lowest_severity_share", "retrospective"]]
    typed = declared["engineering"].notna().sum()
    out["declaration_summary"] = {
        "declarations": len(declared), "distinct_declarers": declared["declared_by"].nunique(),
        "non_engineering_share": round((declared["engineering"] == False).sum() / typed, 3) if typed else None,  # noqa: E712
        "lowest_severity_share": round((declared["severity_rank"] == 1).mean(), 3) if len(declared) else None}

    # reviews: one per incident (a unique index), test incidents left out
    rv = t["reviews"].merge(declared[["id", "declared_at", "month"]].rename(columns={"id": "incident_id"}), on="incident_id")
    rv["days_to_publish"] = _days(rv["published_at"], rv["created_at"])
    mix = []
    for depth, g in rv.groupby("depth"):
        mix.append({"depth": depth, "reviews": len(g), "share": len(g) / len(rv),
                    "published": int((g["status"] == "published").sum()),
                    "waived": int((g["status"] == "waived").sum()),
                    "in_progress": int(g["status"].isin(["draft", "in_review"]).sum()),
                    "median_days_to_publish": g["days_to_publish"].median(),
                    "p90_days_to_publish": g["days_to_publish"].quantile(0.9)})
    order = {d: i for i, d in enumerate(DEPTHS)}
    mix.sort(key=lambda r: (order.get(r["depth"], 99), r["depth"]))
    out["review_depth_mix"] = pd.DataFrame(mix)
    out["publish_time_by_depth"] = pd.DataFrame(
        [{"depth": r["depth"], **_box(rv.loc[rv["depth"] == r["depth"], "days_to_publish"])} for r in mix
         if rv.loc[rv["depth"] == r["depth"], "days_to_publish"].notna().any()])

    # recurring themes: tags and contributing factors, counted once per incident
    tags = declared[["id", "declared_at", "month", "tags"]].explode("tags").dropna(subset=["tags"])
    tags = tags.rename(columns={"tags": "theme"}).assign(kind="tag")
    factors = rv[["incident_id", "declared_at", "month", "contributing_factors"]].explode("contributing_factors")
    factors = factors.dropna(subset=["contributing_factors"]).rename(
        columns={"incident_id": "id", "contributing_factors": "theme"}).assign(kind="contributing factor")
    mentions = pd.concat([tags, factors]).drop_duplicates(["id", "theme", "kind"])
    themes = mentions.groupby(["theme", "kind"]).agg(incidents=("id", "size"), months=("month", "nunique"),
                                                     first_seen=("declared_at", "min"),
                                                     last_seen=("declared_at", "max")).reset_index()
    themes = themes.sort_values(["incidents", "months", "theme", "kind"], ascending=[False, False, True, True])
    out["themes"] = themes[themes["incidents"] >= 2].head(20)[
        ["theme", "kind", "incidents", "months", "first_seen", "last_seen"]]
    return validated(out)


def validated(out: dict) -> dict:
    """Each frame validated with the pandera model ``analytics.insights`` validates it with: the same
    boundary contract on both sides of the comparison (the DuckDB side pays for it inside ``insights``)."""
    return {name: schemas.validate(FRAME_MODELS[name], frame) if name in FRAME_MODELS else frame
            for name, frame in out.items()}


# The model of each validated frame (``declaration_summary`` is a dict), as ``analytics.metrics`` uses them.
FRAME_MODELS = {
    "scope_counts": schemas.ScopeCountsModel, "response_summary": schemas.SummaryModel,
    "response_distribution": schemas.DistributionModel, "cadence_adherence": schemas.CadenceAdherenceModel,
    "gap_histogram": schemas.GapHistogramModel, "follow_ups_all": schemas.FollowUpSummaryModel,
    "follow_ups_by_severity": schemas.FollowUpSummaryModel, "follow_ups_by_month": schemas.FollowUpSummaryModel,
    "open_age_histogram": schemas.OpenAgeModel, "completion_time_by_severity": schemas.BoxModel,
    "declarations_by_month": schemas.DeclarationsModel, "review_depth_mix": schemas.ReviewDepthModel,
    "publish_time_by_depth": schemas.BoxModel, "themes": schemas.ThemesModel,
}
