import json
import subprocess

import pytest

from incident_kit.cli import main


def run(python, env, *args, check=True):
    result = subprocess.run([python, "-m", "incident_kit", *args], capture_output=True, text=True, env=env,
                            timeout=120)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_declare_json_contract(python, subprocess_env, db_path):
    out = run(python, subprocess_env, "--db", str(db_path), "declare", "Checkout is failing", "--json")
    data = json.loads(out.stdout)
    assert data["reference"] == "INC-1" and data["title"] == "Checkout is failing"
    assert data["severity"] == "Minor" and data["status"] == "investigating"
    assert data["declared_at"].endswith("+00:00")
    assert db_path.exists()


def test_invalid_declaration_exits_non_zero_with_one_line(python, subprocess_env, db_path):
    out = run(python, subprocess_env, "--db", str(db_path), "declare", "  ", check=False)
    assert out.returncode != 0 and out.stdout == ""
    assert out.stderr.strip().splitlines() == ["error: Title is required: say in a few words what is happening."]


def test_db_comes_from_the_environment_when_not_given(python, subprocess_env, db_path):
    run(python, subprocess_env, "declare", "From env")
    data = json.loads(run(python, subprocess_env, "list", "--json").stdout)
    assert [d["title"] for d in data] == ["From env"]


def test_full_flow_through_the_cli(tmp_path, capsys, monkeypatch):
    db = str(tmp_path / "cli.duckdb")
    assert main(["--db", db, "declare", "Search down", "--severity", "major", "--type", "engineering",
                 "--lead", "ana", "--tag", "search"]) == 0
    assert main(["--db", db, "update", "INC-1", "Rolling back", "--external", "--impact", "No search",
                 "--by", "ana"]) == 0
    assert main(["--db", db, "status", "INC-1", "monitoring", "--by", "ana"]) == 0
    assert main(["--db", db, "assign", "INC-1", "comms", "cam"]) == 0
    assert main(["--db", db, "resolve", "INC-1", "--by", "ana"]) == 0
    capsys.readouterr()
    assert main(["--db", db, "show", "INC-1", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["status"] == "resolved" and shown["roles"] == {"lead": "ana", "comms": "cam"}
    assert [t["kind"] for t in shown["timeline"]] == ["declared", "role_assigned", "update_posted",
                                                     "status_changed", "role_assigned", "status_changed"]
    assert shown["timeline"][2]["audience"] == "external"
    assert main(["--db", db, "reopen", "INC-1"]) == 0
    assert main(["--db", db, "list", "--active", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    assert [r["reference"] for r in listed] == ["INC-1"]
    assert listed[0]["accountable_for_updates"] == "cam"


def test_declining_through_status_needs_a_note(tmp_path, capsys):
    db = str(tmp_path / "d.duckdb")
    main(["--db", db, "declare", "False alarm"])
    assert main(["--db", db, "status", "INC-1", "declined"]) == 1
    assert "Say why" in capsys.readouterr().err
    assert main(["--db", db, "status", "INC-1", "declined", "--note", "Test alert"]) == 0


def test_unknown_incident_is_one_line(tmp_path, capsys):
    assert main(["--db", str(tmp_path / "e.duckdb"), "show", "INC-7"]) == 1
    assert capsys.readouterr().err.strip().startswith("error: There is no incident INC-7")


def test_severities_json_lists_lowest_first(tmp_path, capsys):
    assert main(["--db", str(tmp_path / "s.duckdb"), "severities", "--json"]) == 0
    levels = json.loads(capsys.readouterr().out)
    assert [s["name"] for s in levels] == ["Minor", "Moderate", "Major", "Critical"]
    assert levels[0]["cadence_minutes"] == 240


@pytest.mark.parametrize("command", ["list", "show", "severities", "types", "demo"])
def test_read_commands_accept_json(command, capsys):
    with pytest.raises(SystemExit):
        from incident_kit.cli.base import cli
        cli.main([command, "--help"], prog_name="incident-kit")
    assert "--json" in capsys.readouterr().out


def test_every_command_is_documented_with_an_example_and_in_the_command_index():
    """Each command has a runnable example line on some docs page, and a row in docs/cli.md's index."""
    from pathlib import Path

    from incident_kit.cli.base import cli

    import re

    repo = Path(__file__).resolve().parent.parent
    docs = "\n".join(p.read_text() for p in [repo / "README.md", *sorted((repo / "docs").glob("*.md"))])
    index = (repo / "docs" / "cli.md").read_text().split("## Every command", 1)[1]
    no_example = [name for name in cli.commands
                  if not re.search(rf"^incident-kit(?: --db \S+)? {re.escape(name)}\b", docs, re.M)]
    not_indexed = [name for name in cli.commands if f"`{name}`" not in index]
    assert (no_example, not_indexed) == ([], [])


def test_every_command_is_found_where_the_lazy_group_looks_for_it():
    """Commands load with their module (``base.COMMAND_MODULES``); the map must name every one, rightly."""
    import importlib
    import inspect
    import pkgutil

    import incident_kit.cli as package
    from incident_kit.cli.base import COMMAND_MODULES, cli

    for info in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{info.name}")  # every module registers its commands
    defined = {name: inspect.getmodule(cmd.callback).__name__.rsplit(".", 1)[-1] for name, cmd in cli.commands.items()}
    assert defined == COMMAND_MODULES

