"""Importing markdown postmortems: the real DFDS documents, frontmatter documents, idempotence, clear errors."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from incident_kit.importers.models import ImportFile, ImportRejected

DFDS = Path(__file__).resolve().parent / "fixtures" / "postmortems-dfds"
TYPO = "PM2020-003 - Postmortem for ADSync migration.md"  # its timeline says 20202-01-16
GOOD = [p for p in sorted(DFDS.glob("PM2*.md")) if p.name != TYPO]


def _t(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def _by_title(kit, title: str) -> list[pd.Series]:
    frame = kit.incidents()
    return [row for _, row in frame[frame["title"] == title].sort_values("started_at").iterrows()]


def _md(name: str, text: str) -> ImportFile:
    return ImportFile.from_bytes(name, text.encode("utf-8"))


def test_the_dfds_directory_is_refused_whole_because_one_timeline_has_a_typo(kit):
    with pytest.raises(ImportRejected) as caught:
        kit.import_files("postmortems", [DFDS])

    report = caught.value.report
    assert len(report) == 1
    assert report.iloc[0]["file"].endswith(TYPO)
    assert "'20202-01-16 12:00' is not a date" in report.iloc[0]["problem"]
    assert kit.incidents().empty


@pytest.mark.both_stores
def test_the_dfds_postmortems_import_as_closed_retrospectives_with_published_reviews(kit):
    summary = kit.import_files("postmortems", GOOD)

    assert (summary.new, summary.reviews_new, summary.follow_ups_new, summary.files) == (37, 37, 116, 37)
    frame = kit.incidents()
    assert len(frame) == 37
    assert set(frame["mode"]) == {"retrospective"} and set(frame["status"]) == {"closed"}
    assert len(kit.reviews(status="published")) == 37
    assert len(kit.follow_ups()) == 116


def test_titles_times_and_tags_come_from_the_document(kit):
    kit.import_files("postmortems", GOOD)

    first, second, third = _by_title(kit, "All services returning 503 in Kubernetes")
    # Timeline starts 08:21 UTC; "Time to detection: 8 minutes", "Time to recovery: 25 minutes".
    assert first["started_at"] == _t("2021-06-22 08:21")
    assert first["declared_at"] == _t("2021-06-22 08:29")
    assert first["resolved_at"] == _t("2021-06-22 08:46")
    assert list(first["tags"]) == ["kubernetes"]
    assert first["summary"].startswith("On Tuesday 22nd June 2021, changes to the VPC CNI")
    assert second["started_at"] == _t("2021-06-30 08:32") and third["started_at"] == _t("2021-07-02 07:32")
    # "All times in CET": 13:50 in Copenhagen in January is 12:50 UTC.
    (inotify,) = _by_title(kit, "Inotify file watches exhaustion")
    assert inotify["started_at"] == _t("2020-01-20 12:50")


@pytest.mark.both_stores
def test_review_sections_hold_the_document_and_unknown_sections_go_to_notes(kit):
    kit.import_files("postmortems", GOOD)
    (row, *_) = _by_title(kit, "All services returning 503 in Kubernetes")

    review = kit.review(row["reference"])
    text = (DFDS / "PM2021-005 - All services returning 503 in Kubernetes.md").read_text()
    assert review.status.value == "published" and review.depth.value == "standard"
    assert review.sections["summary"].startswith("On Tuesday 22nd June 2021")
    assert "| 2021-06-22 08:46 | Target groups reattached to the ALB by the pipeline (resolved) |" \
        in review.sections["timeline"]
    assert "- Replacement of essential network component." in review.sections["contributing_factors"]
    notes = review.sections["notes"]
    for heading in ("### Lessons Learned", "### Attendees", "### Stats"):
        assert heading in notes
    assert "- Rephrase alert messages that are unclear." in notes and "Time to recovery: 25 minutes" in notes
    # Nothing dropped: every non-empty line of the document is in the review or a follow-up.
    follow_ups = kit.follow_ups(incident=row["reference"])
    kept = "\n".join(review.sections.values()) + "\n" + "\n".join(follow_ups["title"])
    for line in text.splitlines():
        bare = line.strip().lstrip("#-").strip()
        if bare and bare not in ("Summary", "Timeline", "Contributing Factors", "Action Items",
                                 "All services returning 503 in Kubernetes"):
            assert bare in kept, line


def test_action_items_become_follow_ups_open_or_done_as_marked(kit):
    kit.import_files("postmortems", GOOD)
    (row, *_) = _by_title(kit, "All services returning 503 in Kubernetes")
    items = kit.follow_ups(incident=row["reference"])
    assert sorted(items["title"]) == sorted([
        "Revert to default of 300 seconds for de-registration delay on the ALBs.",
        "Update roll-over script to temporarily set de-registration delay to zero on ALBs prior to roll-over.",
        "Create ingress test suite."])
    assert set(items["status"]) == {"open"}

    kit.import_files("postmortems", [_md("checked.md", "# Disk full\n\n## Timeline\n\nAll times in UTC.\n\n"
                                                       "- 2024-05-01 10:00 alert\n\n## Action items\n\n"
                                                       "- [x] Add disk alert\n- [ ] Rotate logs\n")])
    (disk,) = _by_title(kit, "Disk full")
    marked = kit.follow_ups(incident=disk["reference"]).set_index("title")["status"].to_dict()
    assert marked == {"Add disk alert": "done", "Rotate logs": "open"}


@pytest.mark.both_stores
def test_importing_again_adds_nothing(kit):
    kit.import_files("postmortems", GOOD)
    events = kit.db.read(lambda tx: tx.fetchall("SELECT count(*) FROM events")[0][0])

    again = kit.import_files("postmortems", GOOD)

    assert (again.new, again.unchanged, again.reviews_new, again.follow_ups_new) == (0, 37, 0, 0)
    assert len(kit.incidents()) == 37 and len(kit.follow_ups()) == 116
    assert kit.db.read(lambda tx: tx.fetchall("SELECT count(*) FROM events")[0][0]) == events


FRONT = """---
uuid: 3f1c2a9e-0000-4000-8000-000000000001
title: Payments API timeouts
url: https://example.com/postmortems/payments
start_time: 2024-03-05T14:00:00Z
end_time: 2024-03-05T15:30:00+00:00
categories: [database, config-change]
keywords: payments, latency
company: Example Corp
product: Payments
summary: A connection pool limit change made the payments API time out.
---
The pool limit was lowered in a routine change.

## Root cause

- Connection pool limit too low

## Customer notes

Refunds were retried by hand.
"""


def test_frontmatter_gives_title_times_tags_and_identity(kit):
    kit.import_files("postmortems", [_md("payments.md", FRONT)])

    (row,) = _by_title(kit, "Payments API timeouts")
    assert row["external_id"] == "3f1c2a9e-0000-4000-8000-000000000001"
    assert (row["started_at"], row["resolved_at"]) == (_t("2024-03-05 14:00"), _t("2024-03-05 15:30"))
    assert list(row["tags"]) == ["database", "config-change", "payments", "latency"]
    assert row["declared_by"] == "Example Corp"
    assert row["summary"] == "A connection pool limit change made the payments API time out."
    review = kit.review(row["reference"])
    assert review.sections["summary"] == "The pool limit was lowered in a routine change."
    assert review.sections["contributing_factors"] == "- Connection pool limit too low"
    assert review.contributing_factors == ("connection pool limit too low",)
    assert "### Customer notes\n\nRefunds were retried by hand." in review.sections["notes"]
    assert "<https://example.com/postmortems/payments>" in review.sections["notes"]

    # Same uuid, edited text: the same incident, nothing added.
    edited = kit.import_files("postmortems", [_md("payments.md", FRONT + "\nOne more line.\n")])
    assert (edited.new, len(kit.incidents())) == (0, 1)


def test_without_a_uuid_the_content_identifies_the_document(kit):
    doc = "The nightly backup failed on 2024-02-01 03:00 UTC because the disk was full. More text.\n"
    kit.import_files("postmortems", [_md("a.md", doc)])
    kit.import_files("postmortems", [_md("renamed.md", doc.replace("\n", "\r\n"))])
    frame = kit.incidents()
    assert len(frame) == 1
    assert frame.iloc[0]["external_id"].startswith("sha256:")
    assert frame.iloc[0]["title"] == "The nightly backup failed on 2024-02-01 03:00 UTC because the disk was full."


@pytest.mark.parametrize("text, expected", [
    ("---\ntitle: [unclosed\n---\n# X\n", "frontmatter is not valid YAML"),
    ("# Something broke\n\nNo dates anywhere.\n", "has no date: add 'start'"),
    ("---\nstart: 2024-01-02T10:00:00Z\nend: 2024-01-01T10:00:00Z\n---\n# Backwards\n", "ends (2024-01-01 10:00 UTC)"),
    ("---\nstart: 2024-01-02T10:00:00Z\nseverity: Apocalyptic\n---\n# Sev\n", "severity 'Apocalyptic' is not one of"),
])
def test_bad_documents_get_one_clear_sentence_and_nothing_is_imported(kit, text, expected):
    good = _md("good.md", "# Fine\n\n## Timeline\n\nAll times in UTC.\n\n- 2024-05-01 10:00 alert\n")
    with pytest.raises(ImportRejected) as caught:
        kit.import_files("postmortems", [good, _md("bad.md", text)])
    assert expected in caught.value.report.iloc[0]["problem"]
    assert caught.value.report.iloc[0]["file"] == "bad.md"
    assert kit.incidents().empty


def test_the_same_document_twice_in_one_import_is_reported(kit):
    doc = "# Twice\n\n## Timeline\n\n- 2024-05-01 10:00Z alert\n"
    with pytest.raises(ImportRejected) as caught:
        kit.import_files("postmortems", [_md("a.md", doc), _md("b.md", doc)])
    assert "same uuid or same content" in caught.value.report.iloc[0]["problem"]


def test_the_command_line_imports_a_directory_of_postmortems(python, subprocess_env, tmp_path):
    folder = tmp_path / "pms"
    folder.mkdir()
    for p in GOOD[:3] + [DFDS / "README.md", DFDS / "PMyyyy-nnn - Postmortem template.md"]:
        (folder / p.name).write_bytes(p.read_bytes())

    done = subprocess.run([python, "-m", "incident_kit", "import", "postmortems", str(folder)], env=subprocess_env,
                          capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "3 new, 0 already imported, 0 rejected (3 published reviews, 11 follow-ups) " \
                                  "from 3 files"


def test_the_import_page_previews_and_imports_a_pasted_postmortem(db_path, monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    repo = Path(__file__).resolve().parent.parent
    monkeypatch.setenv("INCIDENT_KIT_DB", str(db_path))
    monkeypatch.chdir(repo)
    st.cache_resource.clear()
    at = AppTest.from_file(str(repo / "app.py"), default_timeout=60)
    at.session_state["display_name"] = "ana"
    at.run()
    at.switch_page("incident_kit/ui/views/import_data.py")
    at.run()
    at.selectbox(key="import_kind").set_value("postmortems").run()
    at.radio(key="import_how").set_value("Paste text").run()
    at.text_area(key="import_text").set_value(GOOD[0].read_text()).run()

    assert not at.exception
    assert "1 incident and" in at.success[0].value
    at.button(key="import_go").click().run()
    assert not at.exception
    assert "1 new" in at.success[-1].value and "1 published review," in at.success[-1].value
    st.cache_resource.clear()


# -- a folder of dated and undated postmortems -----------------------------------------------------------------
UNDATED = Path(__file__).resolve().parent / "fixtures" / "postmortems-undated"
DATED = [DFDS / "PM2021-004 - ADFS outage.md", DFDS / "PM2022-006 - ALB 502 errors.md"]


def _mixed(tmp_path) -> Path:
    folder = tmp_path / "mixed"
    folder.mkdir()
    for p in [*DATED, *sorted(UNDATED.glob("*.md"))]:
        (folder / p.name).write_bytes(p.read_bytes())
    return folder


def test_a_folder_with_undated_postmortems_imports_nothing_by_default(kit, tmp_path):
    with pytest.raises(ImportRejected) as caught:
        kit.import_files("postmortems", [_mixed(tmp_path)])

    report = caught.value.report
    assert sorted(Path(f).name for f in report["file"]) == sorted(p.name for p in UNDATED.glob("*.md"))
    assert kit.incidents().empty


@pytest.mark.both_stores
def test_skipping_invalid_files_imports_the_dated_postmortems_and_lists_the_undated(kit, tmp_path):
    summary = kit.import_files("postmortems", [_mixed(tmp_path)], skip_invalid=True)

    assert (summary.new, summary.rejected, summary.files, summary.reviews_new) == (2, 2, 4, 2)
    undated = sorted(p.name for p in UNDATED.glob("*.md"))
    assert sorted(Path(f).name for f in summary.skipped) == undated
    assert set(summary.report["file"]) == set(summary.skipped)
    assert summary.report["problem"].str.startswith("has no date: its timeline's first time '12:00'").sum() == 1
    assert summary.report["problem"].str.startswith("has no date: its timeline's first time '08:58'").sum() == 1
    assert summary.line() == (f"2 new, 0 already imported, 2 rejected (2 published reviews, "
                              f"{summary.follow_ups_new} follow-ups) from 4 files. 2 files with problems were "
                              f"skipped: {undated[0]}, {undated[1]}")
    assert set(kit.incidents()["title"]) == {"ADFS Outage", "ALB 502 Errors"}

    again = kit.import_files("postmortems", [tmp_path / "mixed"], skip_invalid=True)  # still idempotent
    assert (again.new, again.unchanged, len(again.skipped)) == (0, 2, 2)


def test_skipping_invalid_files_takes_the_dfds_history_in_but_the_typo(kit):
    summary = kit.import_files("postmortems", [DFDS], skip_invalid=True)

    assert (summary.new, summary.rejected) == (37, 1)
    assert [Path(f).name for f in summary.skipped] == [TYPO]


def test_a_folder_of_only_invalid_files_is_still_refused_when_skipping(kit):
    with pytest.raises(ImportRejected) as caught:
        kit.import_files("postmortems", [UNDATED], skip_invalid=True)
    assert len(caught.value.report) == 2 and kit.incidents().empty


def test_the_command_line_skips_undated_postmortems_and_says_what_it_did(python, subprocess_env, tmp_path):
    folder = _mixed(tmp_path)
    undated = sorted(p.name for p in UNDATED.glob("*.md"))

    refused = subprocess.run([python, "-m", "incident_kit", "import", "postmortems", str(folder)],
                             env=subprocess_env, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 1 and "nothing was imported" in refused.stderr

    checked = subprocess.run([python, "-m", "incident_kit", "import", "postmortems", str(folder), "--skip-invalid",
                              "--dry-run"], env=subprocess_env, capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.strip() == ("2 incidents and 0 updates are valid (2 retrospective); nothing was "
                                      "written (--dry-run). 2 files with problems will be left out (the report "
                                      "lists them and why); the other files will be imported.")

    done = subprocess.run([python, "-m", "incident_kit", "import", "postmortems", str(folder), "--skip-invalid"],
                          env=subprocess_env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().startswith("2 new, 0 already imported, 2 rejected (2 published reviews")
    assert done.stdout.strip().endswith(f"from 4 files. 2 files with problems were skipped: {undated[0]}, "
                                        f"{undated[1]}")
    rows = [line for line in done.stderr.splitlines() if "has no date" in line]
    assert len(rows) == 2 and all(any(name in row for name in undated) for row in rows)
    listed = subprocess.run([python, "-m", "incident_kit", "list", "--json"], env=subprocess_env,
                            capture_output=True, text=True, timeout=120)
    assert sorted(r["title"] for r in json.loads(listed.stdout)) == ["ADFS Outage", "ALB 502 Errors"]


# -- zones: never a silent UTC --------------------------------------------------------------------------------
def _timeline(zone_line: str, row: str = "2024-05-01 10:00") -> str:
    return f"# Queue stalled\n\n## Timeline\n\n{zone_line}\n\n| Time | Event |\n|---|---|\n| {row} | alert |\n"


@pytest.mark.parametrize("text, expected", [
    (_timeline("All times in IST."), "the times are in IST, an abbreviation incident-kit does not read as one zone"),
    (_timeline("All times in JST."), "the times are in JST, an abbreviation"),
    (_timeline("Times are shown in AEST."), "the times are in AEST"),
    (_timeline(""), "its times have no time zone: add a line such as 'All times in UTC'"),
    ("# Backup failed\n\nThe nightly backup failed on 2024-02-01 03:00.\n", "its times have no time zone"),
    (_timeline("All times in Mars/Olympus."), "Mars/Olympus, which is not a zone name"),
    ("---\nstart: 2024-05-01 10:00\n---\n# Queue stalled\n", "frontmatter 'start' value '2024-05-01 10:00' has no "
                                                          "time zone"),
    ("---\nstart_time: 2024-05-01\n---\n# Queue stalled\n", "is a day without a time and zone"),
])
def test_a_time_whose_zone_is_unknown_is_a_problem_never_utc(kit, text, expected):
    with pytest.raises(ImportRejected) as caught:
        kit.import_files("postmortems", [_md("zone.md", text)])
    (problem,) = caught.value.report["problem"]
    assert expected in problem
    assert kit.incidents().empty


@pytest.mark.parametrize("text", [
    _timeline("All times in Asia/Kolkata."),
    _timeline("All times in UTC+05:30."),
    _timeline("", row="2024-05-01T10:00+05:30"),
    _timeline("All times in CET.", row="2024-05-01 04:30 UTC"),  # a stamp's own zone wins
    "---\nstart: 2024-05-01T10:00:00+05:30\n---\n# Queue stalled\n",
])
def test_a_named_zone_an_offset_or_a_stamp_of_its_own_places_the_time(kit, text):
    kit.import_files("postmortems", [_md("zone.md", text)])
    (row,) = _by_title(kit, "Queue stalled")
    assert row["started_at"] == _t("2024-05-01 04:30")
