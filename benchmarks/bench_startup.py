"""Whole-process costs of the command line against bare Python doing the least possible.

    python benchmarks/bench_startup.py [--incidents 200000] [--repeat 11]

Every figure is a fresh process (``subprocess.run``), timed from spawn to exit,
median of ``--repeat`` runs taken in turn so load on the shared machine hits
both sides of a ratio alike:

* ``incident-kit declare`` (as an alert hook would call it, on a small store)
  against ``python -c "import duckdb"``;
* ``incident-kit metrics --json`` on the synthetic store of ``bench_insights.py``
  against a bare ``python -c`` that imports duckdb, opens the same file and makes
  one window pass over its updates (the floor of any metric).
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


def main() -> None:
    args = arguments(__doc__, incidents=200_000, repeat=11)
    print(describe())
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""),
               INCIDENT_KIT_USER="pager", INCIDENT_KIT_NOTIFY_WORKER="off", INCIDENT_KIT_SNAPSHOT_EVERY="0")
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
        load_before = os.getloadavg()[0]
        t = in_turn({
            "declare": process([py, "-m", "incident_kit", "--db", small, "declare", "Checkout is failing", "--severity",
                                "Major"], env),
            "import_duckdb": process([py, "-c", "import duckdb"], env),
            "metrics": process([py, "-m", "incident_kit", "--db", big, "metrics", "--json"], env),
            "bare_pass": process([py, "-c", f"import duckdb; con = duckdb.connect({big!r}, read_only=True); "
                                            f"con.execute({WINDOW_PASS!r}).fetchone()"], env),
        }, args.repeat, warm_up=True)  # one warm-up each: the OS page cache, .pyc files
        load_after = os.getloadavg()[0]
        printed = json.loads(subprocess.run([py, "-m", "incident_kit", "--db", big, "metrics", "--json"], env=env,
                                            check=True, capture_output=True, text=True).stdout)
        # the timed command really summarised the whole store (checked outside the timing)
        assert printed["incidents"] == args.incidents and printed["update_gap_minutes"]["median_ci95"], printed

    print(f"medians of {args.repeat} fresh processes each, run in turn; 1-min load average {load_before:.1f} "
          f"before, {load_after:.1f} after (the machine is shared)")
    print(f"incident-kit declare: {t['declare'] * 1000:.0f} ms; python -c 'import duckdb': "
          f"{t['import_duckdb'] * 1000:.0f} ms; ratio {t['declare'] / t['import_duckdb']:.2f}x (goal <= 3x)")
    print(f"incident-kit metrics --json ({args.incidents:,} incidents, {updates:,} updates): "
          f"{t['metrics'] * 1000:.0f} ms; bare duckdb + one window pass: {t['bare_pass'] * 1000:.0f} ms; "
          f"ratio {t['metrics'] / t['bare_pass']:.2f}x (goal <= 2x)")


if __name__ == "__main__":
    main()
