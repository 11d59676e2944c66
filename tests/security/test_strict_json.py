"""Every ``--json`` output is strict JSON: ``null``, never ``NaN`` or ``Infinity``.

Python's ``json.loads`` accepts ``NaN``; JavaScript's ``JSON.parse``, ``jq`` and most other parsers refuse the
whole document. The commands are found by walking the click app, so a new command with ``--json`` fails
here until it has a recipe below, and then it is checked like the others.
"""

from __future__ import annotations

import json

import click
import pytest

from incident_kit.cli import main
from incident_kit.cli.base import cli, json_text


def strict_loads(text: str):
    def refuse(constant):
        raise ValueError(f"not strict JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def json_commands() -> set[str]:
    """Every command (groups walked) that takes ``--json``, as its words: 'follow-ups list'."""
    ctx = click.Context(cli)
    found = set()

    def walk(group, path):
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            if isinstance(command, click.Group):
                walk(command, path + [name])
            elif any(p.name == "as_json" for p in command.params):
                found.add(" ".join(path + [name]))

    walk(cli, [])
    return found


# In the order they run: each leaves the database as the next one needs it. ``{tmp}`` is the test's folder.
RECIPES: dict[str, list[list[str]]] = {
    "declare": [["declare", "Untyped again"]],
    "update": [["update", "INC-1", "Still failing", "--external"]],
    "status": [["status", "INC-2", "fixing"]],
    "assign": [["assign", "INC-1", "lead", "ana"]],
    "edit": [["edit", "INC-2", "--summary", "Slow since the deploy"]],
    "list": [["list"], ["list", "--active"]],
    "show": [["show", "INC-1"]],
    "severities": [["severities"]],
    "types": [["types"]],
    "similar": [["similar", "checkout failing"]],
    "metrics": [["metrics"], ["metrics", "--since", "2024-01-01"]],
    "needs-update": [["needs-update"]],
    "subscribe": [["subscribe", "--channel", "oncall@example.com", "--incident", "INC-1", "--person", "ana"]],
    "subscriptions": [["subscriptions"]],
    "notify outbox": [["notify", "outbox"]],
    "unsubscribe": [["unsubscribe", "1"]],
    "notify run": [["notify", "run", "--once", "--smtp-url", "smtp://127.0.0.1:9"]],
    "review start": [["review", "start", "INC-3", "--depth", "standard"]],
    "review show": [["review", "show", "INC-3"]],
    "review list": [["review", "list"]],
    "follow-ups add": [["follow-ups", "add", "INC-3", "Add an alert on payment errors"]],
    "follow-ups list": [["follow-ups", "list"]],
    "resolve": [["resolve", "INC-2"]],
    "reopen": [["reopen", "INC-2"]],
    "merge": [["merge", "INC-6", "INC-1"]],
    "close": [["close", "INC-4"]],
    "status-page build": [["status-page", "build", "--out", "{tmp}/site"]],
    "export": [["export", "--out", "{tmp}/export", "--format", "json"]],
    "restore": [["--db", "{tmp}/restored.duckdb", "restore", "{tmp}/export"]],
    "demo": [["--db", "{tmp}/demo.duckdb", "demo", "--incidents", "20"]],
    "import": [["import", "csv", "{tmp}/good.csv", "--dry-run"], ["import", "csv", "{tmp}/good.csv"],
               ["import", "csv", "{tmp}/bad.csv"]],
    "api-token create": [["api-token", "create", "dashboards", "--scope", "incidents:read"],
                         ["api-token", "create", "forever", "--scope", "alerts", "--expires", "never"]],
    "api-token list": [["api-token", "list"]],
    "api-token revoke": [["api-token", "revoke", "dashboards"]],
    "components add": [["components", "add", "<b>Checkout</b>\u001b[31m", "--group", "Shop"]],
    "components list": [["components", "list"], ["components", "list", "--archived"]],
    "maintenance schedule": [["maintenance", "schedule", "<b>Upgrade</b>\u001b[31m", "--start", "2030-01-01T02:00Z",
                              "--end", "2030-01-01T03:00Z", "--message", "\u001b]0;x\u0007"]],
    "maintenance list": [["maintenance", "list"]],
    "status-page subscribers list": [["status-page", "subscribers", "list"]],
    "status-page subscribers remove": [["status-page", "subscribers", "remove", "1"]],
}


@pytest.fixture
def organisation(kit, tmp_path):
    """Incidents with and without a type (the NaN of ``list --json``), a resolved one to review, one whose
    review is waived (to close), and import files, one of them with a problem."""
    kit.declare("Checkout failing", severity="Major", declared_by="ana")                      # INC-1, no type
    kit.declare("Search slow", type="engineering", declared_by="ana")                         # INC-2
    kit.declare("Payments double charged", type="engineering", declared_by="ana")             # INC-3
    kit.resolve("INC-3", by="ana", final_update="Refunded.")
    kit.declare("Flaky check", declared_by="ana")                                             # INC-4
    kit.resolve("INC-4", by="ana")
    kit.start_review("INC-4", depth="none", reason="A false alarm from a flaky check.", by="ana")
    kit.declare("Checkout failing (duplicate)", declared_by="ana")                            # INC-5 (declared later)
    kit.set_setting("public_url", "https://status.example.com")
    kit.request_status_updates("o'brien+status@example.com")                               # subscriber 1
    (tmp_path / "good.csv").write_text("external_id,title,status,declared_at\n"
                                       "A-1,Imported outage,investigating,2024-01-01T10:00:00Z\n")
    (tmp_path / "bad.csv").write_text("external_id,title,status,declared_at\n"
                                      "B-1,Broken row,sleeping,2024-01-01T10:00:00+01:00\n")
    kit.close()
    return tmp_path


def test_every_json_command_has_a_recipe_here():
    assert json_commands() - set(RECIPES) == set(), "add a recipe for each new --json command"
    assert set(RECIPES) - json_commands() == set(), "a recipe for a command that no longer takes --json"


def test_every_json_command_prints_strict_json(organisation, db_path, capsys):
    failures = []
    for name, runs in RECIPES.items():
        for args in runs:
            argv = [a.replace("{tmp}", str(organisation)) for a in args]
            if argv[0] != "--db":
                argv = ["--db", str(db_path), *argv]
            code = main([*argv, "--json"])
            out, err = capsys.readouterr()
            if code != 0 and not (name == "import" and "bad.csv" in argv[-1]):
                failures.append((name, argv, code, err.strip()[-300:]))
                continue
            try:
                strict_loads(out)
            except ValueError as exc:
                failures.append((name, argv, str(exc), out[:300]))
    assert failures == []


def test_list_json_says_null_for_a_missing_type_beside_a_typed_incident(kit, db_path, capsys):
    kit.declare("No type", declared_by="ana")
    kit.declare("Typed", type="security", declared_by="ana")
    kit.close()
    assert main(["--db", str(db_path), "list", "--json"]) == 0
    text = capsys.readouterr().out
    rows = strict_loads(text)
    assert {r["title"]: r["type"] for r in rows} == {"No type": None, "Typed": "security"}
    assert "NaN" not in text


@pytest.mark.parametrize("missing", [float("nan"), float("inf"), float("-inf")])
def test_the_emitter_writes_null_for_every_missing_or_infinite_number(missing):
    import numpy as np
    import pandas as pd

    value = {"float": missing, "numpy": np.float64(missing), "nat": pd.NaT, "na": pd.NA,
             "nested": [{"x": missing}], "when": pd.Timestamp("2026-01-31T14:05:00Z"), "count": np.int64(3)}
    assert strict_loads(json_text(value)) == {"float": None, "numpy": None, "nat": None, "na": None,
                                              "nested": [{"x": None}], "when": "2026-01-31T14:05:00+00:00",
                                              "count": 3}
