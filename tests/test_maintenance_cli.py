"""``incident-kit maintenance``: schedule, list, cancel and complete from the command line."""

from __future__ import annotations

import datetime as dt
import json

from incident_kit.cli import main


def run(db_path, capsys, *args) -> tuple[int, str, str]:
    code = main(["--db", str(db_path), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_maintenance_is_scheduled_listed_completed_and_cancelled_from_the_cli(kit, db_path, capsys):
    kit.add_component("Checkout")
    kit.close()
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    code, out, _ = run(db_path, capsys, "maintenance", "schedule", "Database upgrade",
                       "--start", (now - dt.timedelta(minutes=5)).isoformat(),
                       "--end", (now + dt.timedelta(hours=1)).isoformat(), "--component", "checkout",
                       "--message", "Slow checkout", "--json")
    made = json.loads(out)
    assert code == 0 and made["status"] == "in_progress" and made["components"] == ["Checkout"]
    assert made["created_by"]  # the local operator
    code, out, _ = run(db_path, capsys, "components", "list", "--json")
    assert json.loads(out)[0]["state"] == "under_maintenance"
    code, out, _ = run(db_path, capsys, "maintenance", "schedule", "Network", "--start", "2030-01-01T02:00Z",
                       "--end", "2030-01-01T03:00Z")
    assert code == 0 and out.startswith("Scheduled #2 Network: 2030-01-01 02:00 to 2030-01-01 03:00 UTC")
    code, out, _ = run(db_path, capsys, "maintenance", "complete", str(made["id"]))
    assert code == 0 and "Completed #1 Database upgrade on Checkout" in out and out.rstrip().endswith("completed.")
    code, out, _ = run(db_path, capsys, "maintenance", "cancel", "2")
    assert code == 0 and out.rstrip().endswith("cancelled.")
    code, out, _ = run(db_path, capsys, "maintenance", "list", "--json")
    assert [(m["id"], m["status"]) for m in json.loads(out)] == [(2, "cancelled"), (1, "completed")]


def test_bad_input_gets_one_sentence_and_no_traceback(kit, db_path, capsys):
    kit.close()
    code, out, err = run(db_path, capsys, "maintenance", "schedule", "X", "--start", "2030-01-01T03:00Z",
                         "--end", "2030-01-01T02:00Z")
    assert code != 0 and "must be after the start" in err and "Traceback" not in err
    code, out, err = run(db_path, capsys, "maintenance", "schedule", "X", "--start", "2030-01-01T02:00Z",
                         "--end", "2030-01-01T03:00Z", "--component", "Nope\x1b[31m")
    assert code != 0 and "There is no component Nope" in err and "\x1b" not in err
    code, out, err = run(db_path, capsys, "maintenance", "cancel", "42")
    assert code != 0 and "There is no maintenance 42" in err
