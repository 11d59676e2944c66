"""Every Insights metric on 200k incidents, 1M updates and 300k follow-ups: DuckDB vs plain pandas.

    python benchmarks/bench_insights.py [--incidents 200000] [--repeat 5]

1. A child process generates synthetic rows straight into a temporary DuckDB
   file with SQL (not through the service layer), so this process starts with a
   clean peak-memory count.
2. DuckDB: everything the Insights page shows (``analytics.insights``) and
   ``metrics --json`` computes, end to end (SQL, transfer to pandas, pandera
   validation), timed as the median of ``--repeat`` runs, with CPU time and
   the machine's load average (the machine is shared). Peak memory: this
   process's peak RSS growth.
3. pandas: a straightforward implementation of the same metrics on the same
   tables (loaded once; load time reported apart), median of runs, with its
   peak traced by tracemalloc; its answers are checked against DuckDB's.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc

import duckdb
import numpy as np
import pandas as pd

import incident_kit as ik
from incident_kit import analytics

GENERATE = """
SELECT setseed(0.42);
INSERT INTO incidents (id, reference, title, summary, severity, type, status, mode, private, declared_by,
                       declared_at, started_at, resolved_at, closed_at, tags, updated_at)
SELECT id, 'INC-' || id, 'Synthetic incident ' || id, '',
       ['Minor', 'Minor', 'Minor', 'Moderate', 'Moderate', 'Major', 'Critical'][1 + (hash(id) % 7)::INT],
       ['engineering', 'engineering', 'engineering', 'customer_support', 'security', 'data_privacy',
        'legal_compliance', 'people_facilities', 'other'][1 + (hash(id * 7) % 9)::INT],
       CASE WHEN r3 < 0.05 THEN 'investigating' ELSE 'closed' END,
       CASE WHEN r2 < 0.03 THEN 'test' WHEN r2 < 0.12 THEN 'retrospective' ELSE 'live' END,
       r4 < 0.05, 'person' || (hash(id * 13) % 400),
       declared, declared - to_seconds((r1 * 3600)::BIGINT),
       CASE WHEN r3 < 0.05 THEN NULL ELSE declared + to_seconds((60 + r3 * 20000)::BIGINT) END,
       NULL,
       CASE WHEN r4 < 0.5 THEN ['database'] WHEN r4 < 0.7 THEN ['deploy', 'config'] ELSE [] END,
       declared
FROM (SELECT i + 1 AS id, random() AS r1, random() AS r2, random() AS r3, random() AS r4,
             TIMESTAMPTZ '2024-06-01 00:00:00+00' + to_seconds((random() * 86400 * 730)::BIGINT) AS declared
      FROM range(?) t(i));

INSERT INTO incident_members (incident_id, person, added_at, added_by)
SELECT id, 'person' || (id % 400), declared_at, declared_by FROM incidents WHERE private;

INSERT INTO updates (id, incident_id, posted_at, author, audience, status, message)
SELECT row_number() OVER (), i.id,
       i.declared_at + to_seconds((k * 2400 + random() * 1800)::BIGINT),
       'person1', CASE WHEN random() < 0.3 THEN 'external' ELSE 'internal' END, 'investigating', 'Update'
FROM incidents i CROSS JOIN range(?) u(k);

INSERT INTO follow_ups (id, incident_id, title, priority, status, due_at, created_at, created_by, completed_at,
                        updated_at)
SELECT n + 1, inc, 'Follow-up', 'medium', st, created + INTERVAL 21 DAY, created, 'person1',
       CASE WHEN st IN ('done', 'wont_do') THEN created + to_seconds((random() * 86400 * 40)::BIGINT) END, created
FROM (SELECT n, 1 + (hash(n) % ?)::BIGINT AS inc,
             TIMESTAMPTZ '2024-06-01 00:00:00+00' + to_seconds((random() * 86400 * 730)::BIGINT) AS created,
             ['open', 'in_progress', 'done', 'done', 'done', 'wont_do'][1 + (hash(n * 3) % 6)::INT] AS st
      FROM range(?) t(n));

INSERT INTO reviews (id, incident_id, depth, status, created_at, created_by, published_at, contributing_factors,
                     updated_at)
SELECT id, id, ['none', 'note', 'note', 'standard', 'workshop'][1 + (hash(id * 5) % 5)::INT],
       CASE WHEN id % 5 = 0 THEN 'waived' WHEN id % 3 = 0 THEN 'draft' ELSE 'published' END,
       resolved_at, 'person1',
       CASE WHEN id % 5 <> 0 AND id % 3 <> 0 THEN resolved_at + to_seconds((random() * 86400 * 10)::BIGINT) END,
       CASE WHEN id % 4 = 0 THEN ['missing alert'] WHEN id % 4 = 1 THEN ['config drift', 'test gap'] ELSE [] END,
       resolved_at
FROM incidents WHERE resolved_at IS NOT NULL AND id % 4 <> 3;
"""


def generate(path: str, incidents: int, updates_per: int, follow_ups: int) -> None:
    ik.open(path).close()  # create and migrate
    con = duckdb.connect(path)
    con.execute("SET TimeZone = 'UTC'")
    statements = [s for s in GENERATE.split(";\n") if s.strip()]
    params = {1: [incidents], 3: [updates_per], 4: [incidents, follow_ups]}
    for i, sql in enumerate(statements):
        con.execute(sql, params.get(i, []))
    con.execute("CHECKPOINT")
    con.close()


# -- the Insights page's work, through the library -------------------------------
NOW = pd.Timestamp("2026-06-01", tz="UTC").to_pydatetime()


def duckdb_all(kit) -> dict:
    """Every Insights metric: all the frames the Insights page shows, in one bundle (one read)."""
    return analytics.insights(kit, now=NOW)


# -- the same metrics, straightforward pandas -------------------------------------
def load_tables(path: str) -> dict[str, pd.DataFrame]:
    con = duckdb.connect(path, read_only=True)
    con.execute("SET TimeZone = 'UTC'")
    tables = {name: con.execute(f"SELECT * FROM {name}").df()
              for name in ("incidents", "updates", "follow_ups", "reviews", "severities", "incident_types")}
    con.close()
    return tables


def q(series: pd.Series) -> tuple[int, float, float]:
    s = series.dropna()
    return len(s), s.quantile(0.5), s.quantile(0.9)  # pandas' default is linear interpolation, like quantile_cont


def pandas_all(t: dict[str, pd.DataFrame]) -> dict:
    now = pd.Timestamp("2026-06-01", tz="UTC")
    inc = t["incidents"].merge(t["severities"][["name", "rank", "cadence_minutes"]].rename(
        columns={"name": "severity", "rank": "severity_rank"}), on="severity", how="left")
    inc = inc.merge(t["incident_types"][["name", "engineering"]].rename(columns={"name": "type"}), on="type",
                    how="left")
    out: dict = {}
    out["scope_counts"] = inc["mode"].value_counts()
    live = inc[inc["mode"] == "live"]
    minutes = lambda a, b: (a - b).dt.total_seconds() / 60  # noqa: E731
    ups = t["updates"]
    first = ups[ups["incident_id"].isin(live["id"])].groupby("incident_id")["posted_at"].min()
    times = pd.DataFrame({"incident_id": live["id"].to_numpy(),
                          "time_to_declare": minutes(live["declared_at"], live["started_at"]).to_numpy(),
                          "time_to_resolve": minutes(live["resolved_at"], live["declared_at"]).to_numpy(),
                          "impact_duration": minutes(live["resolved_at"], live["started_at"]).to_numpy()})
    times["time_to_first_update"] = minutes(times["incident_id"].map(first),
                                            pd.Series(live["declared_at"].to_numpy(), index=times.index))
    out["response_times"] = times
    u = ups.merge(live[["id", "resolved_at", "severity", "severity_rank", "cadence_minutes"]],
                  left_on="incident_id", right_on="id")
    u = u[u["resolved_at"].isna() | (u["posted_at"] <= u["resolved_at"])]
    u = u.sort_values(["incident_id", "posted_at", "id_x"])
    u["gap_minutes"] = u.groupby("incident_id")["posted_at"].diff().dt.total_seconds() / 60
    gaps = u.dropna(subset=["gap_minutes"])
    out["update_gaps"] = gaps
    summary = {m: q(times[m]) for m in ("time_to_declare", "time_to_first_update", "time_to_resolve",
                                         "impact_duration")}
    summary["update_gap"] = q(gaps["gap_minutes"])
    out["response_summary"] = summary
    shares = [i / 50 for i in range(51)]
    out["response_distribution"] = {m: times[m].dropna().quantile(shares).to_numpy()
                                     for m in ("time_to_declare", "time_to_first_update", "time_to_resolve",
                                               "impact_duration")}
    within = gaps["gap_minutes"] <= gaps["cadence_minutes"]
    out["cadence_adherence"] = within.groupby(gaps["severity"]).mean()
    ratio = gaps["gap_minutes"] / gaps["cadence_minutes"]
    out["gap_histogram"] = (np.clip(np.ceil(ratio * 4) - 1, 0, 16) / 4).value_counts().sort_index()
    fu = t["follow_ups"].merge(inc[["id", "severity", "mode"]], left_on="incident_id", right_on="id")
    fu = fu[fu["mode"] != "test"].copy()
    fu["is_open"] = fu["status"].isin(["open", "in_progress"])
    fu["is_overdue"] = fu["is_open"] & (fu["due_at"] < now)
    fu["is_due"] = fu["due_at"].notna() & (fu["due_at"] <= now) & (fu["status"] != "wont_do")
    fu["done_by_due"] = fu["is_due"] & (fu["status"] == "done") & (fu["completed_at"] <= fu["due_at"])
    fu["open_age_days"] = ((now - fu["created_at"]).dt.total_seconds() / 86400).where(fu["is_open"])
    fu["days_to_complete"] = ((fu["completed_at"] - fu["created_at"]).dt.total_seconds() / 86400).where(
        fu["status"] == "done")
    fu["month"] = fu["created_at"].dt.strftime("%Y-%m")
    out["follow_ups"] = fu

    def fu_summary(g):
        return pd.Series({"follow_ups": len(g), "open": g["is_open"].sum(), "overdue": g["is_overdue"].sum(),
                          "due": g["is_due"].sum(), "done_by_due": g["done_by_due"].sum(),
                          "completion_rate_by_due": g["done_by_due"].sum() / max(g["is_due"].sum(), 1),
                          "median_open_age_days": g["open_age_days"].median(),
                          "median_days_to_complete": g["days_to_complete"].median(),
                          "p90_days_to_complete": g["days_to_complete"].quantile(0.9)})

    out["follow_ups_all"] = fu_summary(fu)
    out["follow_ups_by_month"] = fu.groupby("month").apply(fu_summary, include_groups=False)
    out["follow_ups_by_severity"] = fu.groupby("severity").apply(fu_summary, include_groups=False)
    open_fu = fu[fu["is_open"]]
    out["open_age_histogram"] = open_fu.groupby([np.minimum(open_fu["open_age_days"] // 7, 52),
                                                 open_fu["is_overdue"]]).size()
    done = fu.dropna(subset=["days_to_complete"])
    out["completion_time_by_severity"] = done.groupby("severity")["days_to_complete"].describe(
        percentiles=[0.25, 0.5, 0.75, 0.9])
    declared = inc[inc["mode"] != "test"].copy()
    declared["month"] = declared["declared_at"].dt.strftime("%Y-%m")
    declared["non_eng"] = declared["engineering"].eq(False)
    declared["lowest"] = declared["severity_rank"].eq(1)
    out["declarations_by_month"] = declared.groupby("month").agg(
        declarations=("id", "size"), distinct_declarers=("declared_by", "nunique"),
        non_engineering_share=("non_eng", "mean"), lowest_severity_share=("lowest", "mean"))
    rv = t["reviews"].sort_values("id").drop_duplicates("incident_id", keep="last")
    rv = rv.merge(declared[["id", "declared_at"]], left_on="incident_id", right_on="id")
    rv["days_to_publish"] = (rv["published_at"] - rv["created_at"]).dt.total_seconds() / 86400
    out["reviews"] = rv
    out["review_depth_mix"] = rv.groupby("depth").agg(reviews=("id_x", "size"),
                                                      median_days_to_publish=("days_to_publish", "median"))
    out["publish_time_by_depth"] = rv.groupby("depth")["days_to_publish"].describe(percentiles=[0.25, 0.5, 0.75, 0.9])
    out["declaration_summary"] = {"declarations": len(declared),
                                  "distinct_declarers": declared["declared_by"].nunique(),
                                  "non_engineering_share":
                                      declared["non_eng"].sum() / declared["engineering"].notna().sum(),
                                  "lowest_severity_share": declared["lowest"].mean()}
    tags = declared[["id", "tags"]].explode("tags").dropna()
    factors = rv[["incident_id", "contributing_factors"]].explode("contributing_factors").dropna()
    themes = pd.concat([tags.rename(columns={"tags": "theme"}).assign(kind="tag"),
                        factors.rename(columns={"incident_id": "id", "contributing_factors": "theme"})
                        .assign(kind="contributing factor")])
    out["themes"] = themes.groupby(["theme", "kind"])["id"].nunique().sort_values(ascending=False)
    return out


def timed(fn, *args, repeat: int) -> tuple[float, object]:
    runs, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn(*args)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), result


def rss_mib() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def check_same(d: dict, p: dict) -> None:
    s = d["response_summary"].set_index("metric")
    for metric, (n, med, p90) in p["response_summary"].items():
        assert s.loc[metric, "n"] == n, metric
        assert np.isclose(s.loc[metric, "median"], med) and np.isclose(s.loc[metric, "p90"], p90), metric
    dist = d["response_distribution"]
    for metric, values in p["response_distribution"].items():
        assert np.allclose(dist.loc[dist["metric"] == metric, "minutes"].to_numpy(), values), metric
    hist = d["gap_histogram"].set_index("bin_start")["gaps"]
    assert (hist.to_numpy() == p["gap_histogram"].to_numpy()).all()
    fu = d["follow_ups_all"].iloc[0]
    assert np.isclose(fu["completion_rate_by_due"], p["follow_ups_all"]["completion_rate_by_due"])
    assert np.isclose(fu["median_days_to_complete"], p["follow_ups_all"]["median_days_to_complete"])
    dm = d["declarations_by_month"].set_index("month")
    assert (dm["declarations"] == p["declarations_by_month"]["declarations"].reindex(dm.index)).all()
    assert d["declaration_summary"]["declarations"] == p["declaration_summary"]["declarations"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--incidents", type=int, default=200_000)
    ap.add_argument("--updates-per-incident", type=int, default=5)
    ap.add_argument("--follow-ups", type=int, default=300_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--generate", metavar="PATH", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.generate:
        generate(args.generate, args.incidents, args.updates_per_incident, args.follow_ups)
        return

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bench.duckdb")
        start = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--generate", path, "--incidents", str(args.incidents),
                        "--updates-per-incident", str(args.updates_per_incident), "--follow-ups",
                        str(args.follow_ups)], check=True)
        gen_s = time.perf_counter() - start
        counts = duckdb.connect(path, read_only=True).execute(
            "SELECT (SELECT count(*) FROM incidents), (SELECT count(*) FROM updates), "
            "(SELECT count(*) FROM follow_ups), (SELECT count(*) FROM reviews)").fetchone()
        print(f"generated {counts[0]:,} incidents, {counts[1]:,} updates, {counts[2]:,} follow-ups, "
              f"{counts[3]:,} reviews in {gen_s:.1f} s (DuckDB SQL, child process)")

        base_rss = rss_mib()
        kit = ik.open(path, read_only=True)
        duckdb_all(kit)  # warm-up: first touch of the file's pages
        load_before = os.getloadavg()[0]
        cpu0 = time.process_time()
        all_s, d = timed(duckdb_all, kit, repeat=args.repeat)
        cpu_per_run = (time.process_time() - cpu0) / args.repeat
        cli_s, _ = timed(lambda k: analytics.metrics_summary(k, now=NOW), kit, repeat=args.repeat)
        duck_peak = peak_rss_mib() - base_rss
        kit.close()

        start = time.perf_counter()
        tables = load_tables(path)
        load_s = time.perf_counter() - start
        pandas_all(tables)  # warm-up
        tracemalloc.start()
        pd_s, p = timed(pandas_all, tables, repeat=args.repeat)
        _, pd_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        load_after = os.getloadavg()[0]
        check_same(d, p)

        threads = duckdb.connect().execute("SELECT current_setting('threads')").fetchone()[0]
        table_mib = sum(f.memory_usage(deep=True).sum() for f in tables.values()) / 2**20
        print(f"DuckDB threads: {threads}, cores: {os.cpu_count()}, repeat: {args.repeat} (medians); "
              f"1-min load average {load_before:.1f} before, {load_after:.1f} after")
        print(f"DuckDB, every Insights metric (analytics.insights, the page's bundle): {all_s:.3f} s wall, "
              f"{cpu_per_run:.3f} s CPU")
        print(f"DuckDB, the metrics --json subset (analytics.metrics_summary): {cli_s:.3f} s wall")
        print(f"pandas, the same metrics on frames already in memory: {pd_s:.3f} s "
              f"(+ {load_s:.2f} s to load the tables once)")
        print(f"ratio pandas / DuckDB: {pd_s / all_s:.1f}x (DuckDB includes reading the file; pandas does not)")
        print(f"peak memory: DuckDB process RSS growth {duck_peak:.0f} MiB; pandas traced peak "
              f"{pd_peak / 2**20:.0f} MiB on top of {table_mib:.0f} MiB of loaded tables")
        print("answers checked equal (n, median, p90, percentile curves, gap bins, follow-up rates, declarations)")


if __name__ == "__main__":
    main()
