import csv
import io
import json
import subprocess

import pytest

import incident_kit as ik
from incident_kit.follow_up.export import CSV_HEADER
from review_support import resolved_incident


@pytest.fixture
def ref(db_path):
    with ik.open(db_path, user="tester") as kit:
        return resolved_incident(kit).reference


@pytest.fixture
def cli(subprocess_env, python):
    def run(*args, ok=True):
        proc = subprocess.run([python, "-m", "incident_kit", *args], env=subprocess_env, capture_output=True,
                              text=True, timeout=120)
        if ok:
            assert proc.returncode == 0, proc.stderr
        return proc
    return run


def test_review_flow_close_and_exports(cli, ref, tmp_path):
    refused = cli("close", ref, ok=False)
    assert refused.returncode == 1
    assert refused.stderr.count("\n") == 1 and refused.stderr.startswith(f"error: {ref} cannot close yet")
    started = cli("review", "start", ref, "--by", "bao").stdout
    assert "full workshop, draft (suggested from severity" in started and "post-incident" in started
    edited = cli("review", "edit", ref, "went_well", "--text", "We should have paged sooner.", "--by", "bao").stdout
    assert "hint [went_well] “should have”" in edited and "should_have:should have" in edited
    cli("review", "dismiss", ref, "went_well", "should_have:should have", "--by", "bao")
    assert json.loads(cli("review", "show", ref, "--json").stdout)["hints"] == []
    added = cli("follow-ups", "add", ref, "Add an alert", "--owner", "dev", "--due", "2020-01-01").stdout
    assert added.startswith(f"Added FU-1 to {ref}")
    cli("follow-ups", "add", ref, "Write a runbook")
    cli("review", "status", ref, "in_review")
    cli("review", "status", ref, "published")
    closed = cli("close", ref, "--by", "bao").stdout
    assert closed.strip() == (f"{ref} is closed; 2 follow-ups are still open "
                              f"(incident-kit follow-ups list --incident {ref} --open).")
    md = cli("review", "export", ref, "--format", "md").stdout
    assert md.startswith(f"# {ref} review:") and "## Timeline" in md and "| FU-1 | Add an alert |" in md
    out = tmp_path / "review.html"
    cli("review", "export", ref, "--format", "html", "--output", str(out))
    assert "<section id=\"timeline\"" in out.read_text(encoding="utf-8")


def test_follow_ups_list_done_status_export_and_links(cli, ref, tmp_path):
    cli("follow-ups", "add", ref, "Late one", "--owner", "dev", "--due", "2020-01-01")
    cli("follow-ups", "add", ref, "Later one", "--owner", "elif", "--priority", "high")
    listed = cli("follow-ups", "list", "--overdue").stdout.splitlines()
    assert len(listed) == 1 and listed[0].startswith("FU-1") and listed[0].endswith("OVERDUE")
    mine = json.loads(cli("follow-ups", "list", "--owner", "elif", "--json").stdout)
    assert [m["id"] for m in mine] == ["FU-2"]
    refused = cli("follow-ups", "status", "FU-2", "wont_do", ok=False)
    assert refused.returncode == 1 and "won't be done" in refused.stderr
    assert cli("follow-ups", "status", "FU-2", "wont_do", "--reason", "Superseded").stdout.strip() == \
        "FU-2 is won't do."
    assert cli("follow-ups", "done", "FU-1").stdout.strip() == "FU-1 is done."
    path = tmp_path / "fu.csv"
    cli("follow-ups", "export", "--format", "csv", "-o", str(path))
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert list(rows[0]) == CSV_HEADER and {r["Status"] for r in rows} == {"Done", "Won't do"}
    for r in rows:
        r["Tracker URL"] = f"https://github.com/acme/shop/issues/{r['Follow up ID'][3:]}"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=CSV_HEADER)
        writer.writeheader()
        writer.writerows(rows)
    assert cli("follow-ups", "import-links", str(path)).stdout.startswith("Linked 2 follow-ups")
    data = json.loads(cli("follow-ups", "export", "--format", "json").stdout)
    assert {d["tracker_url"] for d in data} == {"https://github.com/acme/shop/issues/1",
                                                "https://github.com/acme/shop/issues/2"}
    assert cli("follow-ups", "link", "FU-1", "https://linear.app/acme/issue/OPS-1").stdout.strip() == \
        "FU-1 → https://linear.app/acme/issue/OPS-1"


def test_waiving_from_the_cli_needs_a_reason(cli, ref):
    refused = cli("review", "start", ref, "--depth", "none", ok=False)
    assert refused.returncode == 1 and "why no review is needed" in refused.stderr
    assert "no review, waived (Routine)" in cli("review", "start", ref, "--depth", "none", "--reason",
                                                "Routine").stdout
    assert cli("close", ref).stdout.strip() == f"{ref} is closed; all follow-ups are done or decided."
