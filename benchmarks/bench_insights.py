"""The Insights bundle against the floor (one window pass) and against plain pandas doing the same work.

    python benchmarks/bench_insights.py [--incidents 200000] [--updates-per-incident 3] [--repeat 7]

1. A child process writes synthetic rows straight into a temporary DuckDB file
   with SQL (not through the services), then derives ``update_facts`` once.
2. In this process, on that file, all measurements below run in turn, round after
   round, so load on the shared machine hits them alike (medians of ``--repeat``):
   * ``analytics.insights(kit)``: every frame the Insights page shows;
   * the floor: one window-function pass over the updates table (lag over
     incident, time), returning one row;
   * the same page queries without pandera validation or the pandas glue, so
     the cost of validating at the boundary is measured, not guessed;
   * ``analytics.metrics_summary`` (what ``metrics --json`` computes).
   * pandas: a straightforward implementation producing the same 15 frames from
     the tables loaded into memory (load time reported apart), with no tracer;
3. every frame of both sides is checked equal, column by column.
4. Memory is measured in separate passes, each in a fresh child process: peak
   RSS growth of one ``insights`` call, and of one pandas run (plus tracemalloc's
   peak there, where the tracer's slowdown does not matter).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import incident_kit as ik  # noqa: E402
from incident_kit import analytics  # noqa: E402
from incident_kit.analytics import metrics, query  # noqa: E402
from incident_kit.incident import facts  # noqa: E402
from common import describe, in_turn  # noqa: E402

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


def generate(path: str, incidents: int, updates_per: int, follow_ups: int, *, recent: bool = False) -> None:
    """Synthetic rows over two years from 2024-06-01, or (``recent``) over the 360 days up to today."""
    ik.open(path).close()  # create and migrate
    con = duckdb.connect(path)
    con.execute("SET TimeZone = 'UTC'")
    sql = GENERATE
    if recent:
        start = (pd.Timestamp.now(tz="UTC").normalize() - pd.Timedelta(days=361)).isoformat()
        sql = sql.replace("TIMESTAMPTZ '2024-06-01 00:00:00+00'", f"TIMESTAMPTZ '{start}'")
        sql = sql.replace("86400 * 730", "86400 * 360")
    statements = [s for s in sql.split(";\n") if s.strip()]
    params = {1: [incidents], 3: [updates_per], 4: [incidents, follow_ups]}
    for i, sql in enumerate(statements):
        con.execute(sql, params.get(i, []))
    con.execute(facts.DELETE_ALL)  # rows written with SQL bypass the services: derive their facts once
    con.execute(facts.INSERT_ALL)
    con.execute("CHECKPOINT")
    con.close()



NOW = pd.Timestamp("2026-06-01", tz="UTC").to_pydatetime()

# The floor: one ordered window pass over every update (what the gaps used to cost on every view).
WINDOW_PASS = """
SELECT count(gap), sum(gap) FROM (
    SELECT CASE WHEN lag(incident_id) OVER w = incident_id
                THEN (epoch_us(posted_at) - lag(epoch_us(posted_at)) OVER w) / 60e6 END AS gap
    FROM updates WINDOW w AS (ORDER BY incident_id, posted_at)
) AS g"""


def window_pass(kit):
    return kit.db.read(lambda tx: tx.fetchone(WINDOW_PASS))


def duckdb_all(kit) -> dict:
    return analytics.insights.uncached(kit, now=NOW)  # the computation itself, not the kept answer


def insights_unchanged(kit) -> dict:
    """A repeat view: the data has not changed since the last call, so it is a lookup and a copy
    (``analytics.memo``; the version read, ``Database.data_version``, is timed apart as "version")."""
    return analytics.insights(kit, now=NOW)


def duckdb_sql_only(kit) -> dict:
    """The page's queries and their transfer to pandas, without validation or reshaping."""
    return query.run_many(kit, metrics.PAGE_QUERIES, analytics.Filters(), NOW)


# -- the same frames, straightforward pandas --------------------------------------------
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
    rows = [{"metric": m, "n": int(times[m].count()), "median": times[m].median(), "p90": times[m].quantile(0.9)}
            for m in DURATIONS]
    rows.insert(2, {"metric": "update_gap", "n": len(gaps), "median": gaps["gap_minutes"].median(),
                    "p90": gaps["gap_minutes"].quantile(0.9)})
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

    # reviews: each incident's latest, test incidents left out
    rv = t["reviews"].sort_values("id").drop_duplicates("incident_id", keep="last")
    rv = rv.merge(declared[["id", "declared_at", "month"]].rename(columns={"id": "incident_id"}), on="incident_id")
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
    return out


def check_same(d: dict, p: dict) -> list[str]:
    """Every frame the bundle returns, compared column by column; returns the names compared."""
    assert set(d) == set(p), set(d) ^ set(p)
    for name, frame in d.items():
        if isinstance(frame, dict):
            assert frame == p[name], (name, frame, p[name])
            continue
        mine = p[name].reset_index(drop=True)
        assert list(frame.columns) == [c for c in frame.columns if c in mine.columns], (name, "missing columns")
        mine = mine[list(frame.columns)]
        assert len(frame) == len(mine), (name, len(frame), len(mine))
        for col in frame.columns:
            a, b = frame[col].reset_index(drop=True), mine[col]
            if pd.api.types.is_numeric_dtype(a) and not pd.api.types.is_bool_dtype(a):
                assert np.allclose(a.astype(float), b.astype(float), rtol=1e-9, atol=1e-9, equal_nan=True), (name, col)
            else:
                assert a.astype(str).tolist() == b.astype(str).tolist(), (name, col)
    return sorted(d)


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mib() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def memory_pass(path: str, side: str) -> None:
    """Run one side once in this fresh process and print its peak memory (not timed)."""
    if side == "duckdb":
        kit = ik.open(path, read_only=True)
        # imports and connection settled with a trivial query: ru_maxrss is the process's lifetime peak,
        # so a heavier warm-up would be counted as the bundle's
        kit.db.read(lambda tx: tx.fetchone("SELECT count(*) FROM updates"))
        base = rss_mib()
        duckdb_all(kit)
        print(f"{peak_rss_mib() - base:.0f}")
        return
    import tracemalloc

    tables = load_tables(path)
    base = rss_mib()
    tracemalloc.start()
    pandas_all(tables)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    table_mib = sum(f.memory_usage(deep=True).sum() for f in tables.values()) / 2**20
    print(f"{peak_rss_mib() - base:.0f} {peak / 2**20:.0f} {table_mib:.0f}")


def make_store(path: str, args) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--generate", path, "--incidents", str(args.incidents),
                    "--updates-per-incident", str(args.updates_per_incident), "--follow-ups",
                    str(args.follow_ups)], check=True)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--incidents", type=int, default=200_000)
    ap.add_argument("--updates-per-incident", type=int, default=3)
    ap.add_argument("--follow-ups", type=int, default=300_000)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--generate", metavar="PATH", help=argparse.SUPPRESS)
    ap.add_argument("--recent", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--memory", nargs=2, metavar=("PATH", "SIDE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.generate:
        generate(args.generate, args.incidents, args.updates_per_incident, args.follow_ups, recent=args.recent)
        return
    if args.memory:
        memory_pass(*args.memory)
        return

    print(describe())
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bench.duckdb")
        gen_s = make_store(path, args)
        counts = duckdb.connect(path, read_only=True).execute(
            "SELECT (SELECT count(*) FROM incidents), (SELECT count(*) FROM updates), "
            "(SELECT count(*) FROM follow_ups), (SELECT count(*) FROM reviews)").fetchone()
        print(f"generated {counts[0]:,} incidents, {counts[1]:,} updates, {counts[2]:,} follow-ups, "
              f"{counts[3]:,} reviews in {gen_s:.1f} s (DuckDB SQL, child process)")

        start = time.perf_counter()
        tables = load_tables(path)
        load_s = time.perf_counter() - start
        p = pandas_all(tables)  # warm-up, and the answers to check
        kit = ik.open(path, read_only=True)
        d = duckdb_all(kit)  # warm-up: first touch of the file's pages
        window_pass(kit)
        load_before = os.getloadavg()[0]
        times = in_turn({"window": lambda: window_pass(kit), "insights": lambda: duckdb_all(kit),
                                   "sql_only": lambda: duckdb_sql_only(kit),
                                   "summary": lambda: analytics.metrics_summary(kit, now=NOW),
                                   "pandas": lambda: pandas_all(tables),
                                   "unchanged": lambda: insights_unchanged(kit),
                                   "version": kit.db.data_version}, args.repeat)
        compared_kept = check_same(insights_unchanged(kit), p)
        load_after = os.getloadavg()[0]
        kit.close()
        compared = check_same(d, p)

        mem = {side: subprocess.run([sys.executable, __file__, "--memory", path, side], check=True,
                                    capture_output=True, text=True).stdout.split() for side in ("duckdb", "pandas")}

    threads = duckdb.connect().execute("SELECT current_setting('threads')").fetchone()[0]
    print(f"DuckDB threads: {threads}; medians of {args.repeat}; 1-min load average {load_before:.1f} before, "
          f"{load_after:.1f} after (the machine is shared)")
    print(f"one window pass over the updates (the floor): {times['window'] * 1000:.0f} ms")
    print(f"analytics.insights (every Insights frame): {times['insights'] * 1000:.0f} ms "
          f"= {times['insights'] / times['window']:.2f}x the window pass (goal <= 1.5x)")
    print(f"  of which SQL + transfer: {times['sql_only'] * 1000:.0f} ms; pandera validation and reshaping: "
          f"{(times['insights'] - times['sql_only']) * 1000:.0f} ms")
    print(f"analytics.metrics_summary (metrics --json's work): {times['summary'] * 1000:.0f} ms")
    print(f"pandas, the same {len(compared)} frames from tables in memory: {times['pandas'] * 1000:.0f} ms "
          f"(+ {load_s:.2f} s to load the tables once, not counted)")
    print(f"ratio pandas / DuckDB insights: {times['pandas'] / times['insights']:.1f}x (goal >= 4x)")
    print(f"every frame checked equal: {', '.join(compared)}")
    print(f"peak memory (separate passes, fresh processes): DuckDB insights RSS growth {mem['duckdb'][0]} MiB; "
          f"pandas RSS growth {mem['pandas'][0]} MiB (tracemalloc peak {mem['pandas'][1]} MiB) on top of "
          f"{mem['pandas'][2]} MiB of loaded tables")
    print(f"insights, data unchanged since the last call: {times['unchanged'] * 1000:.2f} ms "
          f"= {times['unchanged'] / times['window']:.3f}x the window pass (reading the data version: "
          f"{times['version'] * 1e6:.1f} µs; {len(compared_kept)} frames checked equal)")


if __name__ == "__main__":
    main()
