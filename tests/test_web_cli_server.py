"""``incident-kit --server``: the CLI reaches the running app's API and prints what it prints locally."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from web_support import ALL_SCOPES, served, tokens

pytestmark = pytest.mark.slow


def cli(env, *args, check=True):
    done = subprocess.run([sys.executable, "-m", "incident_kit", *args], env=env, capture_output=True, text=True,
                          timeout=120)
    if check:
        assert done.returncode == 0, done.stderr
    return done


@pytest.fixture
def local_env(tmp_path, subprocess_env):
    env = dict(subprocess_env)
    env["INCIDENT_KIT_DB"] = str(tmp_path / "kit.duckdb")
    for name in ("INCIDENT_KIT_SERVER", "INCIDENT_KIT_TOKEN"):
        env.pop(name, None)
    return env


def test_every_remote_command_prints_what_the_local_one_prints(tmp_path, local_env):
    db = tmp_path / "kit.duckdb"
    secret = tokens(db, {"laptop": ALL_SCOPES})["laptop"]
    with served(db, log=tmp_path / "app.log") as api:
        remote = {**local_env, "INCIDENT_KIT_SERVER": api.url, "INCIDENT_KIT_TOKEN": secret}
        declared = json.loads(cli(remote, "declare", "Search is down", "--severity", "major", "--tag", "search",
                                  "--json").stdout)
        assert declared["declared_by"] == "token:laptop"
        ref = declared["reference"]
        assert cli(remote, "update", ref, "Rolling back", "--external").stdout == f"Posted external update to {ref}.\n"
        assert cli(remote, "status", ref, "monitoring").stdout == f"{ref} is now monitoring.\n"
        assert cli(remote, "resolve", ref, "--note", "Back").stdout == f"{ref} is resolved.\n"
        cli(remote, "declare", "Second one")
        through_api = {args: cli(remote, *args).stdout for args in (
            ("show", ref), ("show", ref, "--json"), ("list", "--json"), ("list", "--json", "--limit", "1"),
            ("metrics", "--json"))}
        held = cli(local_env, "declare", "Local write", check=False)
    assert held.returncode == 1
    assert held.stderr.count("\n") == 1 and "in use by another process" in held.stderr and "probably the running app" in held.stderr and "--server" in held.stderr
    for args, text in through_api.items():  # the app stopped: the same commands, locally
        assert cli(local_env, *args).stdout == text, args


def test_a_remote_command_refuses_what_a_token_cannot_do_in_one_sentence(tmp_path, local_env):
    db = tmp_path / "kit.duckdb"
    secret = tokens(db, {"reader": ["incidents:read"]})["reader"]
    with served(db) as api:
        remote = {**local_env, "INCIDENT_KIT_SERVER": api.url, "INCIDENT_KIT_TOKEN": secret}
        cases = {
            ("declare", "x"): "needs the incidents:write scope",
            ("declare", "x", "--by", "ana"): "leave out --by",
            ("declare", "x", "--private"): "cannot declare a private incident",
            ("show", "INC-404"): "There is no incident INC-404",
            ("reopen", "INC-1"): "does not go through --server",
            ("api-token", "list"): "does not go through --server",
            ("list", "--mine", "ana"): "--mine does not go through --server",
        }
        for args, words in cases.items():
            done = cli(remote, *args, check=False)
            assert done.returncode == 1 and words in done.stderr and done.stderr.count("\n") == 1, (args, done.stderr)
        no_token = {k: v for k, v in remote.items() if k != "INCIDENT_KIT_TOKEN"}
        assert "needs an API token in INCIDENT_KIT_TOKEN" in cli(no_token, "list", check=False).stderr
        bad = cli({**remote, "INCIDENT_KIT_TOKEN": "ik_wrong"}, "list", check=False)
        assert "not valid" in bad.stderr
    gone = cli(remote, "list", check=False)  # the app has stopped
    assert gone.returncode == 1 and "Cannot reach incident-kit at" in gone.stderr
    assert "not an http(s) address" in cli({**remote, "INCIDENT_KIT_SERVER": "file:///etc"}, "list",
                                           check=False).stderr


def test_api_token_commands_say_to_use_settings_while_the_app_holds_the_file(tmp_path, local_env):
    db = tmp_path / "kit.duckdb"
    made = json.loads(cli(local_env, "api-token", "create", "ci", "--scope", "incidents:read", "--expires", "90d",
                          "--json").stdout)
    assert set(made) == {"name", "token", "scopes", "expires_at"} and made["token"].startswith("ik_")
    with served(db) as api:
        with api.client(made["token"]) as c:
            assert c.get("/incidents").status_code == 200
        held = cli(local_env, "api-token", "create", "other", "--scope", "alerts", check=False)
    assert held.returncode == 1 and "Settings page" in held.stderr
    [line] = cli(local_env, "api-token", "list").stdout.splitlines()
    assert line.startswith("ci ") and "active" in line and "last used —" not in line and made["token"] not in line
