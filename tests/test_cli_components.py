"""``incident-kit components`` and ``declare --component``, run through the CLI's entry point."""

from __future__ import annotations

import json

import incident_kit as ik
from incident_kit.cli import main


def run(db_path, capsys, *args) -> tuple[int, str, str]:
    code = main(["--db", str(db_path), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_components_add_and_list_with_groups_states_and_json(db_path, capsys):
    assert run(db_path, capsys, "components", "add", "Checkout", "--group", "Shop",
               "--description", "Paying")[0] == 0
    code, out, _ = run(db_path, capsys, "components", "add", "Database", "--internal")
    assert code == 0 and out.strip() == "Added internal component Database (database)."
    assert run(db_path, capsys, "declare", "Pay fails", "--component", "checkout=partial_outage")[0] == 0
    code, out, _ = run(db_path, capsys, "components", "list")
    assert out.splitlines() == ["Database (database) · internal: Operational", "Shop / Checkout (checkout): Partial outage"]
    code, out, _ = run(db_path, capsys, "components", "list", "--json")
    assert [(c["name"], c["group"], c["internal"], c["state"]) for c in json.loads(out)] == [
        ("Database", None, True, "operational"), ("Checkout", "Shop", False, "partial_outage")]


def test_declare_takes_repeated_components_and_refuses_bad_ones_in_one_sentence(db_path, capsys):
    run(db_path, capsys, "components", "add", "Checkout")
    run(db_path, capsys, "components", "add", "Search")
    code, out, _ = run(db_path, capsys, "declare", "Slow", "--component", "Checkout=major_outage",
                       "--component", "Search=degraded_performance", "--json")
    assert code == 0
    with ik.open(db_path, user="tester") as kit:
        assert {(a.component.name, a.impact.value) for a in kit.incident_components(json.loads(out)["reference"])} == {
            ("Checkout", "major_outage"), ("Search", "degraded_performance")}
    for bad, words in ((["Nope=major_outage"], "There is no component Nope"),
                       (["Checkout=on fire"], "Impact 'on fire' is not one of"),
                       (["Checkout"], "NAME=IMPACT")):
        code, out, err = run(db_path, capsys, "declare", "Bad", *[a for b in bad for a in ("--component", b)])
        assert code != 0 and words in err and "Traceback" not in err and out == ""
    with ik.open(db_path, user="tester") as kit:
        assert len(kit.incidents()) == 1  # nothing kept from the refused declarations


def test_hostile_component_names_cannot_reach_the_terminal_raw(db_path, capsys):
    run(db_path, capsys, "components", "add", "\x1b]0;owned\x07<b>Shop</b>\x1b[2J")
    code, out, _ = run(db_path, capsys, "components", "list")
    assert code == 0 and "\x1b" not in out and "\x07" not in out and "<b>Shop</b>" in out


def test_archiving_an_unknown_component_says_so_in_one_sentence(db_path, capsys):
    code, _, err = run(db_path, capsys, "components", "archive", "Nothing")
    assert code != 0 and "There is no component Nothing" in err


def test_show_says_which_components_an_incident_affects_in_text_and_json(db_path, capsys):
    run(db_path, capsys, "components", "add", "Checkout")
    run(db_path, capsys, "declare", "Pay fails", "--component", "Checkout=major_outage")
    code, out, _ = run(db_path, capsys, "show", "INC-1")
    assert code == 0 and "  affects Checkout: Major outage" in out.splitlines()
    code, out, _ = run(db_path, capsys, "show", "INC-1", "--json")
    assert json.loads(out)["components"] == {"Checkout": "major_outage"}
    run(db_path, capsys, "declare", "Nothing broken")
    code, out, _ = run(db_path, capsys, "show", "INC-2", "--json")
    assert json.loads(out)["components"] == {}
