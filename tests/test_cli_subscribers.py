"""``incident-kit status-page subscribers list/export/remove``, run through the CLI's entry point."""

from __future__ import annotations

import json

import incident_kit as ik
from incident_kit.cli import main


def run(db_path, capsys, *args) -> tuple[int, str, str]:
    code = main(["--db", str(db_path), *args])
    out, err = capsys.readouterr()
    return code, out, err


def seed(db_path) -> None:
    with ik.open(db_path, user="tester") as kit:
        kit.set_setting("public_url", "https://status.example.com")
        kit.add_component("Checkout")
        kit.request_status_updates("=cmd|'/C.calc'!A0@example.com", components=["Checkout"])
        kit.request_status_updates("cleo@example.com")


def test_list_export_and_remove_with_json_and_one_sentence_errors(db_path, capsys, tmp_path):
    seed(db_path)
    code, out, _ = run(db_path, capsys, "status-page", "subscribers", "list", "--json")
    data = json.loads(out)
    assert code == 0 and data["counts"]["pending"] == 2
    assert [(s["id"], s["components"]) for s in data["subscribers"]] == [(1, ["Checkout"]), (2, [])]
    code, out, _ = run(db_path, capsys, "status-page", "subscribers", "export", "--out", str(tmp_path / "s.csv"))
    text = (tmp_path / "s.csv").read_text()
    assert code == 0 and text.splitlines()[1].startswith("1,'=cmd")  # a formula is shown as text
    code, out, _ = run(db_path, capsys, "status-page", "subscribers", "remove", "2")
    assert code == 0 and out.strip() == "Removed subscriber 2; the address is forgotten."
    code, out, err = run(db_path, capsys, "status-page", "subscribers", "remove", "2")
    assert code != 0 and "has already ended" in err and "Traceback" not in err
    code, out, err = run(db_path, capsys, "status-page", "subscribers", "remove", "abc")
    assert code != 0 and "There is no status page subscriber abc" in err
    code, out, _ = run(db_path, capsys, "status-page", "subscribers", "list", "--state", "removed")
    assert "(address forgotten)" in out and "cleo" not in out


def test_only_admins_may_list_once_admins_are_named(db_path, capsys, monkeypatch):
    seed(db_path)
    with ik.open(db_path, user="tester") as kit:
        kit.set_setting("admins", ["root"])
    monkeypatch.setenv("INCIDENT_KIT_USER", "mallory")
    code, out, err = run(db_path, capsys, "status-page", "subscribers", "list")
    # the local operator holds the database file anyway: the CLI is trusted, as for every admin command
    assert code == 0 and "cleo@example.com" in out
