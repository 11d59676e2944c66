"""``incident-kit metrics --json``: one object with the documented keys, in minutes."""

from __future__ import annotations

import json

from incident_kit.cli import main

from insights_data import build

KEYS = ["incidents", "live", "retrospective", "update_gap_minutes", "time_to_first_update_minutes",
        "time_to_declare_minutes", "time_to_resolve_minutes", "impact_duration_minutes", "cadence_adherence",
        "follow_ups"]


def without_ci(metric: dict) -> dict:
    """The hand-worked part; the interval is checked on its own (it holds the median)."""
    lo, hi = metric["median_ci95"]
    assert lo <= metric["median"] <= hi
    return {k: v for k, v in metric.items() if k != "median_ci95"}


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_metrics_json_prints_exactly_the_documented_keys_with_the_hand_worked_values(kit, db_path, capsys):
    build(kit)
    code, out, _ = run(capsys, "--db", str(db_path), "metrics", "--json")
    assert code == 0
    data = json.loads(out)
    assert list(data) == KEYS
    # see test_analytics_metrics.py for the arithmetic
    assert (data["incidents"], data["live"], data["retrospective"]) == (6, 3, 2)
    assert without_ci(data["update_gap_minutes"]) == {"n": 4, "median": 105.0, "p90": 204.0}
    assert without_ci(data["time_to_first_update_minutes"]) == {"n": 3, "median": 10.0, "p90": 18.0}
    assert without_ci(data["time_to_declare_minutes"]) == {"n": 3, "median": 0.0, "p90": 8.0}
    assert without_ci(data["time_to_resolve_minutes"]) == {"n": 2, "median": 127.5, "p90": 129.5}
    assert without_ci(data["impact_duration_minutes"]) == {"n": 2, "median": 132.5, "p90": 134.5}
    assert data["cadence_adherence"] == 0.75
    assert data["follow_ups"]["total"] == 6 and data["follow_ups"]["done"] == 3
    again = json.loads(run(capsys, "--db", str(db_path), "metrics", "--json")[1])
    assert again == data  # seeded: the intervals are reproducible


def test_since_and_until_are_inclusive_utc_days(kit, db_path, capsys):
    build(kit)
    # 3 to 5 March: INC-2 (live, gap 240), INC-3 (retrospective), INC-4 (test)
    code, out, _ = run(capsys, "--db", str(db_path), "metrics", "--json", "--since", "2026-03-03",
                       "--until", "2026-03-05")
    data = json.loads(out)
    assert (data["incidents"], data["live"], data["retrospective"]) == (3, 1, 1)
    assert without_ci(data["update_gap_minutes"]) == {"n": 1, "median": 240.0, "p90": 240.0}


def test_a_bad_date_is_one_line_on_stderr_and_exit_1(kit, db_path, capsys):
    code, out, err = run(capsys, "--db", str(db_path), "metrics", "--since", "March")
    assert code == 1 and out == ""
    assert err.strip().count("\n") == 0 and "ISO 8601" in err


def test_metrics_text_output_is_a_short_readable_summary(kit, db_path, capsys):
    build(kit)
    code, out, _ = run(capsys, "--db", str(db_path), "metrics")
    assert code == 0
    assert "6 incidents: 3 live, 2 retrospective" in out
    assert "75% of gaps within target" in out


def test_metrics_on_a_database_that_does_not_exist_says_what_to_do(tmp_path, capsys):
    code, _, err = run(capsys, "--db", str(tmp_path / "none.duckdb"), "metrics", "--json")
    assert code == 1 and "incident-kit demo" in err
