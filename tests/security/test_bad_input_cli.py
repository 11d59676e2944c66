"""Bad input on the command line: one clear sentence, never a traceback, nothing half-written.

Every case runs the real CLI in a subprocess against a real DuckDB file.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess

import pytest

import incident_kit as ik
from incident_kit.cli import main

HUGE = "9" * 5000
ABSURD = "99999999999999999999"


def cli(env, *args, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([env["PYTHON"], "-m", "incident_kit", *args], capture_output=True, text=True,
                            errors="replace", env=env, timeout=120)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def refused(result: subprocess.CompletedProcess, *, code: int = 1, says: str = "") -> str:
    """The command failed with one sentence on stderr (click's usage errors: one 'Error:' line)."""
    assert result.returncode == code, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr and "something unexpected" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith(("error:", "Error:"))]
    assert len(errors) == 1, result.stderr
    if code == 1:
        assert result.stderr.strip().splitlines() == errors, result.stderr
    assert says in errors[0], errors[0]
    return errors[0]


@pytest.fixture
def env(subprocess_env, python):
    return {**subprocess_env, "PYTHON": python}


@pytest.fixture
def one_incident(kit, db_path):
    kit.declare("Checkout is failing", declared_by="ana")
    kit.close()
    return db_path


def incident_count(env, db_path) -> int:
    return len(json.loads(cli(env, "--db", str(db_path), "list", "--json").stdout))


# -- sizes ---------------------------------------------------------------------------------
def test_an_absurd_list_limit_is_refused_naming_the_range(one_incident, env):
    refused(cli(env, "list", "--limit", ABSURD, check=False), code=2, says="--limit")


def test_an_absurd_outbox_limit_is_refused(one_incident, env):
    refused(cli(env, "notify", "outbox", "--limit", ABSURD, check=False), code=2, says="--limit")


def test_an_absurd_demo_size_is_refused_naming_the_limit_and_writes_nothing(env, db_path):
    error = refused(cli(env, "demo", "--incidents", ABSURD, check=False), code=2, says="100000")
    assert "--incidents" in error
    assert not db_path.exists() or incident_count(env, db_path) == 0


def test_the_demo_bound_holds_in_the_python_api_too(kit):
    from incident_kit import demo

    with pytest.raises(ik.IncidentKitError, match="100,000"):
        demo.load(kit.db, incidents=int(ABSURD))
    assert kit.incidents().empty


@pytest.mark.parametrize("args", [["show", "{}"], ["show", "INC-{}"], ["update", "INC-{}", "We are on it"],
                                  ["status", "{}", "fixing"], ["merge", "INC-1", "INC-{}"],
                                  ["follow-ups", "add", "INC-{}", "Add an alert"], ["review", "start", "INC-{}"],
                                  ["subscriptions", "--incident", "INC-{}"], ["similar", "INC-{}"], ["similar", "{}"]])
def test_a_5000_digit_reference_is_one_sentence(one_incident, env, args):
    result = cli(env, *[a.replace("{}", HUGE) for a in args], check=False)
    error = refused(result)
    assert len(error) < 300  # the reference is not echoed in full
    assert incident_count(env, one_incident) == 1


@pytest.mark.parametrize("option", ["--since", "--until"])
@pytest.mark.parametrize("value", [HUGE, "2026-01-01" + "9" * 5000, "<script>" * 700])
def test_a_hostile_metrics_date_is_one_short_sentence(one_incident, env, option, value):
    error = refused(cli(env, "metrics", "--json", option, value, check=False))
    assert len(error) < 200 and ("not an ISO 8601 time" in error or "not a date" in error), error


@pytest.mark.parametrize("value", ["nan", "inf", "1e999"])
def test_a_size_limit_that_is_not_a_number_is_refused(one_incident, env, tmp_path, value):
    data = tmp_path / "in.csv"
    data.write_text("external_id,title\n1,x\n")
    refused(cli(env, "import", "csv", str(data), "--max-file-mb", value, check=False), code=2,
            says="not a number of megabytes")


# -- output paths --------------------------------------------------------------------------
@pytest.fixture
def reviewed(kit, db_path):
    kit.declare("Checkout is failing", declared_by="ana")
    kit.resolve("INC-1", by="ana")
    kit.start_review("INC-1", depth="standard", by="ana")
    kit.add_follow_up("INC-1", "Add an alert", by="ana")
    kit.close()
    return db_path


@pytest.mark.parametrize("command", [["review", "export", "INC-1", "--output"], ["follow-ups", "export", "-o"]])
def test_output_into_a_missing_folder_is_one_sentence(reviewed, env, tmp_path, command):
    target = tmp_path / "no" / "such" / "folder" / "out.txt"
    refused(cli(env, *command, str(target), check=False), says="does not exist")
    assert not (tmp_path / "no").exists()


@pytest.mark.parametrize("command", [["review", "export", "INC-1", "--output"], ["follow-ups", "export", "-o"]])
def test_output_under_a_file_is_one_sentence(reviewed, env, tmp_path, command):
    (tmp_path / "plain.txt").write_text("keep me")
    refused(cli(env, *command, str(tmp_path / "plain.txt" / "out.txt"), check=False), says="not a folder")
    assert (tmp_path / "plain.txt").read_text() == "keep me"


@pytest.mark.parametrize("command", [["export", "--out"], ["status-page", "build", "--out"]])
def test_out_folder_under_a_file_is_one_sentence(reviewed, env, tmp_path, command):
    (tmp_path / "plain.txt").write_text("keep me")
    refused(cli(env, *command, str(tmp_path / "plain.txt" / "site"), check=False), says="plain.txt")
    assert (tmp_path / "plain.txt").read_text() == "keep me"


def test_output_onto_a_folder_is_one_sentence(reviewed, env, tmp_path):
    refused(cli(env, "review", "export", "INC-1", "--output", str(tmp_path), check=False), code=2,
            says="is a directory")


def test_an_output_file_is_replaced_whole(reviewed, env, tmp_path):
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "follow-ups.csv"
    target.write_text("old")
    cli(env, "follow-ups", "export", "-o", str(target))
    assert target.read_text().startswith("Title,Description")
    assert [p.name for p in target.parent.iterdir()] == ["follow-ups.csv"]  # no temporary file left behind


# -- JSON files ------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["statuspage", "gcp"])
@pytest.mark.parametrize("text, says", [("[" * 100_000, "too deeply"),
                                        ('{"incidents": [{"id": "1", "name": ' + "[" * 500 + "]" * 500 + "}]}",
                                         "more than 64 levels"),
                                        ("null", "holds only null"), ('"incidents"', "holds only")])
def test_hostile_json_is_reported_as_a_problem_not_a_crash(one_incident, env, tmp_path, kind, text, says):
    path = tmp_path / "incidents.json"
    path.write_text(text)
    result = cli(env, "import", kind, str(path), check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert says in result.stderr and "Columns:" not in result.stderr and "Empty DataFrame" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("error: 1 problem")
    assert incident_count(env, one_incident) == 1


def test_an_id_that_is_a_list_is_a_problem_in_the_report(one_incident, env, tmp_path):
    path = tmp_path / "page.json"
    path.write_text(json.dumps({"incident": {"id": [], "name": "x", "status": "resolved",
                                             "created_at": "2024-01-01T00:00:00Z"}}))
    result = cli(env, "import", "statuspage", str(path), check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr and "unexpected" not in result.stderr
    assert "an id is one value" in result.stderr


# -- damaged exports ---------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["csv", "json", "parquet"])
def test_restoring_a_damaged_export_is_one_sentence_and_restores_nothing(reviewed, env, tmp_path, fmt):
    out = tmp_path / "export"
    cli(env, "export", "--out", str(out), "--format", fmt)
    data = out / f"incidents.{fmt}"
    data.write_bytes(data.read_bytes()[: data.stat().st_size // 2])
    fresh = tmp_path / "fresh.duckdb"
    refused(cli(env, "--db", str(fresh), "restore", str(out), check=False), says="export again")
    assert incident_count(env, fresh) == 0


@pytest.mark.parametrize("tables", [{"incidents": {"file": 5}}, {"incidents": {"file": "../../etc/hostname",
                                                                               "rows": 1, "columns": []}}, []])
def test_restoring_from_a_forged_manifest_is_one_sentence(reviewed, env, tmp_path, tables):
    out = tmp_path / "export"
    cli(env, "export", "--out", str(out), "--format", "json")
    manifest = json.loads((out / "manifest.json").read_text())
    (out / "manifest.json").write_text(json.dumps({**manifest, "tables": tables}))
    refused(cli(env, "--db", str(tmp_path / "fresh.duckdb"), "restore", str(out), check=False),
            says="does not describe an incident-kit export")


# -- odd times: one sentence that says what is wrong ---------------------------------------------
@pytest.mark.parametrize("args", [["declare", "t", "--started-at", "{}"], ["update", "INC-1", "m", "--next-update-at", "{}"],
                                  ["edit", "INC-1", "--started-at", "{}"], ["metrics", "--since", "{}"],
                                  ["review", "start", "INC-1", "--depth", "workshop", "--scheduled-for", "{}"]])
def test_an_offset_of_more_than_a_day_is_one_sentence_naming_the_offset(one_incident, env, args):
    error = refused(cli(env, *[a.replace("{}", "2026-01-01T10:00+99:00") for a in args], check=False),
                    says="the offset +99:00")
    assert "-23:59 and +23:59" in error
    assert incident_count(env, one_incident) == 1


@pytest.mark.parametrize("option, value", [("--since", "0001-01-01T00:00+23:00"), ("--until", "9999-12-31T23:00-23:00")])
def test_a_time_that_leaves_the_calendar_in_utc_is_one_sentence(one_incident, env, option, value):
    refused(cli(env, "metrics", option, value, check=False), says="outside the years 1 to 9999")


def test_metrics_over_the_whole_calendar_count_every_incident(one_incident, env):
    out = cli(env, "metrics", "--since", "0001-01-01", "--until", "9999-12-31", "--json")
    assert json.loads(out.stdout)["incidents"] == 1


# -- very long values: quoted back to about 40 characters ------------------------------------------
LONG_VALUES = {"one word": "x" * 100_000, "many words": "word " * 20_000}


@pytest.mark.parametrize("value", LONG_VALUES.values(), ids=LONG_VALUES.keys())
@pytest.mark.parametrize("args, code", [
    (["status", "INC-1", "{}"], 1), (["update", "INC-1", "m", "--status", "{}"], 1),
    (["declare", "t", "--severity", "{}"], 1), (["declare", "t", "--mode", "{}"], 2),
    (["review", "start", "INC-1", "--depth", "{}"], 2), (["follow-ups", "add", "INC-1", "t", "--priority", "{}"], 2),
    (["export", "--out", "{}"], 1)])
def test_a_100000_character_value_is_not_echoed_whole(one_incident, env, tmp_path, args, code, value):
    result = cli(env, *[a.replace("{}", value) for a in args], check=False)
    error = refused(result, code=code)
    assert len(error) < 320 and "…" in error, error[:400]
    assert len(result.stderr) < 1000
    assert incident_count(env, one_incident) == 1


# -- a read-only data folder ---------------------------------------------------------------------
def as_plain_user(command: list[str]) -> list[str]:
    """``command`` under the permission checks an ordinary account meets: root (tests in a container) keeps
    uid 0 but loses the capabilities that let it write anywhere."""
    if os.geteuid() != 0:
        return command
    caps = "-dac_override,-dac_read_search,-fowner"
    return [shutil.which("setpriv") or "/usr/bin/setpriv", f"--inh-caps={caps}", f"--bounding-set={caps}", "--",
            *command]


@pytest.fixture
def read_only_folder(kit, db_path):
    """A database with one incident, in a folder nobody may write (``chmod 555``); restored afterwards."""
    kit.declare("Checkout is failing", declared_by="ana")
    kit.close()
    folder = db_path.parent
    folder.chmod(0o555)
    yield db_path
    folder.chmod(0o755)
    db_path.chmod(0o644)


def plain_cli(env, db_path, *args) -> subprocess.CompletedProcess:
    return subprocess.run(as_plain_user([env["PYTHON"], "-m", "incident_kit", "--db", str(db_path), *args]),
                          capture_output=True, text=True, env=env, timeout=120)


READS = [["list"], ["list", "--json"], ["show", "INC-1"], ["severities"], ["types"], ["needs-update"],
         ["review", "list"], ["follow-ups", "list"], ["metrics"], ["similar", "checkout"]]


@pytest.mark.parametrize("file_mode", [0o444, 0o644], ids=["read-only file", "writable file"])
def test_reading_commands_work_on_a_database_in_a_read_only_folder(read_only_folder, env, file_mode):
    read_only_folder.chmod(file_mode)
    failed = {}
    for args in READS:
        result = plain_cli(env, read_only_folder, *args)
        if result.returncode != 0:
            failed[" ".join(args)] = result.stderr.strip()[-200:]
    assert failed == {}
    assert "Checkout is failing" in plain_cli(env, read_only_folder, "list").stdout
    assert sorted(p.name for p in read_only_folder.parent.iterdir()) == [read_only_folder.name]  # nothing added


@pytest.mark.parametrize("file_mode", [0o444, 0o644], ids=["read-only file", "writable file"])
def test_a_change_in_a_read_only_folder_is_one_sentence_and_changes_nothing(read_only_folder, env, file_mode):
    read_only_folder.chmod(file_mode)
    refused(plain_cli(env, read_only_folder, "declare", "Search is down"), says="is read-only here")
    refused(plain_cli(env, read_only_folder, "update", "INC-1", "Rolling back"), says="is read-only here")
    listed = json.loads(plain_cli(env, read_only_folder, "list", "--json").stdout)
    assert [r["title"] for r in listed] == ["Checkout is failing"]


# -- a quick fuzz pass over every command --------------------------------------------------------
WEIRD = [HUGE, "INC-" + ABSURD, "-1", "0", "", " ", "\x1b]0;x\x07", "nan", "inf", "2024-13-45", "9999-12-31T00:00:00Z",
         "'; DROP TABLE incidents; --", "x" * 100_000]
COMMANDS = [["show", "{}"], ["update", "INC-1", "{}"], ["update", "INC-1", "m", "--next-update-at", "{}"],
            ["status", "INC-1", "{}"], ["assign", "INC-1", "{}", "x"], ["list", "--limit", "{}"],
            ["list", "--search", "{}"], ["list", "--severity", "{}"], ["declare", "{}"],
            ["declare", "t", "--started-at", "{}"], ["declare", "t", "--type", "{}"], ["declare", "t", "--tag", "{}"],
            ["edit", "INC-1", "--tags", "{}"], ["merge", "INC-1", "{}"], ["review", "show", "{}"],
            ["review", "edit", "INC-1", "{}", "--text", "x"], ["review", "dismiss", "INC-1", "summary", "{}"],
            ["follow-ups", "add", "INC-1", "t", "--due", "{}"], ["follow-ups", "add", "INC-1", "t", "--tracker-url", "{}"],
            ["follow-ups", "done", "{}"], ["follow-ups", "link", "FU-1", "{}"], ["import", "csv", "{}"],
            ["restore", "{}"], ["subscribe", "--channel", "{}"], ["unsubscribe", "{}"], ["needs-update", "--viewer", "{}"],
            ["notify", "run", "--once", "--interval", "{}"], ["notify", "contact", "ana", "{}"],
            ["status-page", "build", "--out", "site", "--base-url", "{}"], ["metrics", "--since", "{}"],
            ["demo", "--seed", "{}", "--append", "--incidents", "1"], ["close", "{}"],
            ["components", "add", "{}"], ["components", "add", "x", "--group", "{}"], ["components", "archive", "{}"],
            ["declare", "t", "--component", "{}"], ["declare", "t", "--component", "{}=major_outage"],
            ["declare", "t", "--component", "Checkout={}"]]


@pytest.mark.slow
def test_no_command_meets_weird_arguments_with_a_traceback(reviewed, tmp_path, monkeypatch):
    """In-process (a subprocess per case would take minutes): every outcome is a sentence or success."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("INCIDENT_KIT_DB", str(reviewed))
    crashes = []
    for command in COMMANDS:
        for value in WEIRD:
            err = io.StringIO()
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
                code = main([a.replace("{}", value) for a in command])
            if code not in (0, 1, 2) or "unexpected" in err.getvalue():
                crashes.append((command, value[:20], err.getvalue().strip()[-200:]))
    assert crashes == []
