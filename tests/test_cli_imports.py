"""The import, export and restore commands, run as a person would run them."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

IMPORTS = Path(__file__).resolve().parent / "fixtures" / "imports"


def _run(python, env, *args):
    return subprocess.run([python, "-m", "incident_kit", *args], env=env, capture_output=True, text=True,
                           timeout=120)


def test_import_accepts_files_and_directories_and_prints_counts(python, subprocess_env, tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    for name in ("statuspage-cloudflare.json", "statuspage-twilio.json"):
        shutil.copy(IMPORTS / name, folder / name)

    done = _run(python, subprocess_env, "import", "statuspage", str(folder), str(IMPORTS / "statuspage-zoom.json"))

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ("31 new, 0 updated, 0 unchanged, 7 retrospective, 0 rejected "
                                   "(113 new updates, 0 changed) from 3 files. 1 incident had no end time and "
                                   "was imported as resolved at its last update (nothing happened for over 7 days)")
    again = _run(python, subprocess_env, "import", "statuspage", str(folder), str(IMPORTS / "statuspage-zoom.json"),
                 "--json")
    assert json.loads(again.stdout) == {"kind": "statuspage", "files": 3, "new": 0, "updated": 0,
                                        "unchanged": 31, "retrospective": 7, "rejected": 0,
                                        "updates_new": 0, "updates_changed": 0, "skipped": [], "ended_quiet": 1,
                                        "problems": []}


def test_a_rejected_import_prints_the_table_and_exits_1(python, subprocess_env, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("external_id,title,status,declared_at\nA,One,sleeping,2024-01-01T10:00:00+01:00\n")
    empty = tmp_path / "empty.csv"
    empty.write_text("")

    done = _run(python, subprocess_env, "import", "csv", str(bad), str(empty))

    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert lines[0].split() == ["file", "where", "id", "field", "value", "problem"]
    assert any("line 2" in ln and "status" in ln and "sleeping" in ln for ln in lines)
    assert any("declared_at" in ln and "is not in UTC" in ln for ln in lines)
    assert any("empty.csv" in ln and "is empty" in ln for ln in lines)
    assert "0 new, 0 updated, 0 unchanged, 0 retrospective, 2 rejected" in done.stderr
    assert lines[-1].startswith("error: 3 problems in 1 record and 1 file; nothing was imported.")
    import incident_kit as ik

    with ik.open(subprocess_env["INCIDENT_KIT_DB"], user="tester") as kit:
        assert kit.db.read(lambda tx: tx.fetchall("SELECT count(*) FROM incidents")[0][0]) == 0


def test_a_missing_path_is_one_line_and_exit_1(python, subprocess_env, tmp_path):
    done = _run(python, subprocess_env, "import", "gcp", str(tmp_path / "nope.json"))
    assert done.returncode == 1
    assert done.stderr.strip() == f"error: There is no file or directory {tmp_path / 'nope.json'}; check the path."


def test_export_then_restore_into_a_new_database(python, subprocess_env, tmp_path):
    assert _run(python, subprocess_env, "import", "gcp", str(IMPORTS / "gcp-current.json")).returncode == 0
    _run(python, subprocess_env, "declare", "Secret thing", "--private")

    done = _run(python, subprocess_env, "export", "--format", "csv", "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    assert "left out 1 private incident (use --include-private)" in done.stdout
    assert (tmp_path / "out" / "manifest.json").is_file() and (tmp_path / "out" / "incidents.csv").is_file()

    env = dict(subprocess_env, INCIDENT_KIT_DB=str(tmp_path / "restored.duckdb"))
    restored = _run(python, env, "restore", str(tmp_path / "out"))
    assert restored.returncode == 0, restored.stderr
    assert "(8 incidents)" in restored.stdout
    listing = json.loads(_run(python, env, "list", "--json").stdout)
    assert len(listing) == 8 and not any(r["private"] for r in listing)


def test_dry_run_checks_without_writing(python, subprocess_env, tmp_path):
    done = _run(python, subprocess_env, "import", "gcp", str(IMPORTS / "gcp-old-schema.json"), "--dry-run")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ("9 incidents and 26 updates are valid (2 retrospective); "
                                   "nothing was written (--dry-run). 1 incident has no end time and will be "
                                   "imported as resolved at its last update (nothing happened for over 7 days).")
    bad = tmp_path / "bad.json"
    bad.write_text("[]")
    failed = _run(python, subprocess_env, "import", "gcp", str(bad), "--dry-run")
    assert failed.returncode == 1 and "contains no incidents" in failed.stderr
    assert failed.stderr.splitlines()[-1].startswith("error: 1 problem in 1 file; nothing would be")

    import incident_kit as ik

    with ik.open(subprocess_env["INCIDENT_KIT_DB"], user="tester") as kit:
        assert kit.db.read(lambda tx: tx.fetchall("SELECT count(*) FROM incidents")[0][0]) == 0
