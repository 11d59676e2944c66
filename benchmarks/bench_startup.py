"""Whole-process costs of the command line against bare Python doing the least possible.

    python benchmarks/bench_startup.py [--incidents 200000] [--repeat 11]

Every figure is a fresh process (``subprocess.run``), timed from spawn to exit,
median of ``--repeat`` runs taken in turn so load on the shared machine hits
both sides of a ratio alike:

* ``incident-kit declare`` (as an alert hook would call it, on a small store)
  against ``python -c "import duckdb"``;
* ``incident-kit metrics --json`` on the synthetic store of ``bench_insights.py``
  against a bare ``python -c`` that imports duckdb, opens the same file and makes
  one window pass over its updates (the floor of any metric);
* a lower bound for ``metrics --json``'s exact figures: a bare process (no click, no
  incident_kit) that imports duckdb and numpy, runs the command's one statement
  (``analytics.summary_store.SUMMARY``, written to a file beforehand) and computes the
  medians, p90s and their intervals (ranks given) and the Kaplan-Meier figures with numpy, as the
  command does. Its figures are checked equal to the command's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import arguments, describe, in_turn  # noqa: E402

REPO = HERE.parent
WINDOW_PASS = ("SELECT count(gap), sum(gap) FROM (SELECT CASE WHEN lag(incident_id) OVER w = incident_id "
               "THEN (epoch_us(posted_at) - lag(epoch_us(posted_at)) OVER w) / 60e6 END AS gap "
               "FROM updates WINDOW w AS (ORDER BY incident_id, posted_at)) AS g")


def process(cmd: list[str], env: dict):
    """A call that runs ``cmd`` as a fresh process and stops the benchmark if it fails."""
    def run() -> None:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(cmd[:4])}… failed: {done.stderr.strip()[-400:]}")
    return run


# The least a process can do to print metrics --json's exact figures: the same statement, the same numpy steps
# (the interval ranks, which depend only on each count, are computed beforehand and given).
BARE_SUMMARY = """
import json, sys
import duckdb, numpy as np
job = json.load(open(sys.argv[1]))
con = duckdb.connect(job["path"], read_only=True)
row = con.execute(job["sql"], job["values"]).fetchnumpy()
out = {}
for metric, (lo, hi) in job["ranks"].items():
    x = np.sort(row[metric + "_values"][0])
    pos = (len(x) - 1) * np.array([0.5, 0.9])  # median and p90, interpolated as the command does
    below, above = np.floor(pos).astype(int), np.ceil(pos).astype(int)
    q = x[below] + (x[above] - x[below]) * (pos - below)
    out[metric] = [float(x[lo - 1]), float(x[hi - 1]), float(q[0]), float(q[1])]
days, done = row["observed_days"][0], row["observed_done"][0].astype(bool)
times, deaths = np.unique(days[done], return_counts=True)
at_risk = len(days) - np.searchsorted(np.sort(days), times, side="left")
sf = np.cumprod((at_risk - deaths) / at_risk)
below = np.flatnonzero(sf <= 0.5)
out["km_median"] = float(times[below[0]]) if len(below) else None
out["km_within"] = [float(1 - sf[i - 1]) if i else 0.0 for i in np.searchsorted(times, [30, 60, 90], side="right")]
print(json.dumps(out))
"""


def bare_summary_job(big: str, tmp: str, py: str, env: dict) -> tuple[str, str]:
    """Write the bare summary's script and job (SQL, bound values, ranks); return their paths. Not timed."""
    job = subprocess.run([py, "-c", f"""
import datetime as dt, json
import incident_kit as ik
from incident_kit.analytics import query, resampling, store, summary, summary_store
now = dt.datetime.now(dt.timezone.utc)
bound = query.params(query.make_filters(None), now)
values = [True if n == "see_all" else None if n == "viewer" else bound[n] for n in store.PARAMS]
values = [v.isoformat() if hasattr(v, "isoformat") else v for v in values]
import duckdb
con = duckdb.connect({big!r}, read_only=True)
sql = store.compose(summary_store.SUMMARY, True)
row = con.execute(sql, values).fetchnumpy()
import numpy as np
ranks = {{}}
for m in ("update_gap", "time_to_first_update", "time_to_declare", "time_to_resolve", "impact_duration"):
    x = row[m + "_values"][0]
    n = len(x)
    assert n > resampling.EXACT_ABOVE, (m, n)  # order statistics, as the command computes them at this size
    ranks[m] = resampling.median_ranks(n)
con.close()
expected = summary.metrics_summary(ik.open({big!r}, read_only=True, user="bench").db, now=now)  # the command's figures, same now
print(json.dumps({{"path": {big!r}, "sql": sql, "values": values, "ranks": ranks, "expected": expected}}))
"""], env=env, check=True, capture_output=True, text=True).stdout
    job_path, script_path = os.path.join(tmp, "bare_summary.json"), os.path.join(tmp, "bare_summary.py")
    with open(job_path, "w") as fh:
        fh.write(job)
    with open(script_path, "w") as fh:
        fh.write(BARE_SUMMARY)
    return script_path, job_path


def check_bare_summary(bare: dict, printed: dict) -> None:
    """The bare process printed the command's figures (rounded as the command rounds them)."""
    import math

    for metric, (low, high, median, p90) in ((m, bare[m]) for m in bare if not m.startswith("km_")):
        key = {"update_gap": "update_gap_minutes"}.get(metric, metric + "_minutes")
        assert printed[key]["median_ci95"] == [math.floor(low * 1000) / 1000, math.ceil(high * 1000) / 1000], metric
        assert (printed[key]["median"], printed[key]["p90"]) == (round(median, 3), round(p90, 3)), metric
    fu = printed["follow_ups"]
    assert fu["km_median_days_to_complete"] == round(bare["km_median"], 3), (fu, bare)
    assert [fu[f"km_done_within_{d}_days"] for d in (30, 60, 90)] == [round(v, 3) for v in bare["km_within"]]


def main() -> None:
    args = arguments(__doc__, incidents=200_000, repeat=11)
    print(describe())
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""),
               INCIDENT_KIT_USER="pager", INCIDENT_KIT_NOTIFY_WORKER="off", INCIDENT_KIT_SNAPSHOT_EVERY="0")
    # Every process reads cached bytecode, as an installed command does after its first run (the warm-up run
    # writes it). Some sandboxes set PYTHONDONTWRITEBYTECODE, which made each incident-kit process compile its
    # modules again (~15 ms); the bare sides import only packages whose bytecode pip wrote at install.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        small = os.path.join(tmp, "small.duckdb")
        big = os.path.join(tmp, "big.duckdb")
        subprocess.run([py, "-m", "incident_kit", "--db", small, "declare", "first"], env=env, check=True,
                       capture_output=True)  # created and migrated once, outside the timing
        subprocess.run([py, str(HERE / "bench_insights.py"), "--generate", big, "--incidents", str(args.incidents),
                        "--updates-per-incident", "3", "--follow-ups", str(args.incidents * 3 // 2)], env=env,
                       check=True)
        updates = json.loads(subprocess.run(
            [py, "-c", f"import duckdb, json; print(json.dumps(duckdb.connect({big!r}, read_only=True)"
                       ".execute('SELECT count(*) FROM updates').fetchone()[0]))"],
            env=env, check=True, capture_output=True, text=True).stdout)
        script, job = bare_summary_job(big, tmp, py, env)
        load_before = os.getloadavg()[0]
        t = in_turn({
            "declare": process([py, "-m", "incident_kit", "--db", small, "declare", "Checkout is failing", "--severity",
                                "Major"], env),
            "import_duckdb": process([py, "-c", "import duckdb"], env),
            "metrics": process([py, "-m", "incident_kit", "--db", big, "metrics", "--json"], env),
            "bare_pass": process([py, "-c", f"import duckdb; con = duckdb.connect({big!r}, read_only=True); "
                                            f"con.execute({WINDOW_PASS!r}).fetchone()"], env),
            "bare_summary": process([py, script, job], env),
        }, args.repeat, warm_up=True)  # one warm-up each: the OS page cache, .pyc files
        load_after = os.getloadavg()[0]
        printed = json.loads(subprocess.run([py, "-m", "incident_kit", "--db", big, "metrics", "--json"], env=env,
                                            check=True, capture_output=True, text=True).stdout)
        # the timed command really summarised the whole store (checked outside the timing)
        assert printed["incidents"] == args.incidents and printed["update_gap_minutes"]["median_ci95"], printed
        with open(job) as fh:
            expected = json.load(fh)["expected"]
        assert expected["incidents"] == printed["incidents"]
        check_bare_summary(json.loads(subprocess.run([py, script, job], env=env, check=True, capture_output=True,
                                                     text=True).stdout), expected)

    print(f"medians of {args.repeat} fresh processes each, run in turn; 1-min load average {load_before:.1f} "
          f"before, {load_after:.1f} after (the machine is shared)")
    print(f"incident-kit declare: {t['declare'] * 1000:.0f} ms; python -c 'import duckdb': "
          f"{t['import_duckdb'] * 1000:.0f} ms; ratio {t['declare'] / t['import_duckdb']:.2f}x (goal <= 3x)")
    print(f"incident-kit metrics --json ({args.incidents:,} incidents, {updates:,} updates): "
          f"{t['metrics'] * 1000:.0f} ms; bare duckdb + one window pass: {t['bare_pass'] * 1000:.0f} ms; "
          f"ratio {t['metrics'] / t['bare_pass']:.2f}x (goal <= 2x)")
    print(f"  lower bound: a bare process (duckdb + numpy, no click or incident_kit) running the same statement and "
          f"the same numpy steps, figures checked equal: {t['bare_summary'] * 1000:.0f} ms = "
          f"{t['bare_summary'] / t['bare_pass']:.2f}x the bare window pass")


if __name__ == "__main__":
    main()
