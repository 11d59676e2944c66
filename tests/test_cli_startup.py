"""The write path an alert hook calls, and ``metrics --json``, start fast: no pandas, pandera, scipy, apprise,
Jinja2 or Streamlit (``metrics --json`` loads numpy for its intervals, nothing else heavy)."""

from __future__ import annotations

import json
import subprocess

HEAVY = ("pandas", "pandera", "apprise", "jinja2", "markdown_it", "streamlit", "altair", "pyarrow", "numpy", "scipy")

# The Kit and domains a read of analytics does without (``incident_kit`` loads the Kit on first use).
KIT = ("incident_kit.kit", "incident_kit.notify.service", "incident_kit.review.service", "incident_kit.follow_up.service")

# Runs the four write commands in one fresh interpreter, then reports what got imported.
SCRIPT = f"""
import json, sys
from incident_kit.cli import main
codes = [main(args) for args in (["declare", "Checkout is failing", "--severity", "Major"],
                                 ["update", "INC-1", "We are looking at it"],
                                 ["status", "INC-1", "fixing"],
                                 ["resolve", "INC-1"])]
print(json.dumps({{"codes": codes, "heavy": [m for m in {HEAVY!r} if m in sys.modules],
                  "commands": sorted(m for m in sys.modules if m.startswith("incident_kit.cli."))}}))
"""


def test_declare_update_status_and_resolve_load_no_heavy_library(python, subprocess_env):
    done = subprocess.run([python, "-c", SCRIPT], env=subprocess_env, capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["codes"] == [0, 0, 0, 0] and report["heavy"] == []
    # only the module of the commands that ran (and the group's own): not import, review, notify, ...
    assert report["commands"] == ["incident_kit.cli.base", "incident_kit.cli.incidents"]


def test_importing_the_cli_does_not_import_pandas(python, subprocess_env):
    done = subprocess.run([python, "-X", "importtime", "-c", "import incident_kit.cli"], env=subprocess_env,
                          capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time")}
    assert "incident_kit.cli" in imported  # the report is real
    assert imported.isdisjoint(HEAVY)


def test_metrics_json_loads_no_pandas_nor_scipy(python, subprocess_env):
    # three incidents with a few updates each: every duration has several values, so the bootstrap runs
    for n in range(3):
        subprocess.run([python, "-m", "incident_kit", "declare", f"Incident {n}"], env=subprocess_env, check=True,
                       timeout=120)
        for text in ("Looking", "Found it", "Fixed"):
            subprocess.run([python, "-m", "incident_kit", "update", f"INC-{n + 1}", text], env=subprocess_env,
                           check=True, timeout=120)
    script = ("import json, sys\nfrom incident_kit.cli import main\nassert main(['metrics', '--json']) == 0\n"
              f"print(json.dumps([m for m in {HEAVY + KIT!r} if m in sys.modules]))")
    done = subprocess.run([python, "-c", script], env=subprocess_env, capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr
    summary, heavy = done.stdout.strip().rsplit("\n", 1)
    summary = json.loads(summary)
    assert summary["incidents"] == 3 and summary["update_gap_minutes"]["n"] == 6  # the summary really was printed
    # numpy is the one exception: the intervals (median_ci95) and the Kaplan-Meier figures are computed with
    # it; scipy (0.4 s to import), pandas, pandera and the rest stay out, and so does the Kit with its domains.
    assert json.loads(heavy) == ["numpy"]
    lo, hi = summary["update_gap_minutes"]["median_ci95"]
    assert lo <= summary["update_gap_minutes"]["median"] <= hi


def test_a_command_that_shows_a_table_still_loads_pandas(python, subprocess_env):
    script = ("import sys\nfrom incident_kit.cli import main\nmain(['declare', 'x'])\n"
              "assert main(['list']) == 0\nprint('pandas' in sys.modules)")
    done = subprocess.run([python, "-c", script], env=subprocess_env, capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "True"


def test_the_package_loads_the_kit_on_first_use(python, subprocess_env):
    script = ("import sys, incident_kit as ik\nbefore = 'incident_kit.kit' in sys.modules\n"
              "from incident_kit import Incident, open\n"
              "try:\n    ik.no_such_name\nexcept AttributeError as exc:\n    missing = str(exc)\n"
              "print(before, ik.open is open, ik.Kit.__name__, Incident.__name__, 'incident_kit.kit' in sys.modules)\n"
              "print(missing)")
    done = subprocess.run([python, "-c", script], env=subprocess_env, capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr
    first, second = done.stdout.strip().splitlines()
    assert first == "False True Kit Incident True"
    assert second == "module 'incident_kit' has no attribute 'no_such_name'"
