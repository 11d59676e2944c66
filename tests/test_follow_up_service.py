import csv
import datetime as dt
import io
import json

import pytest

import incident_kit as ik
from incident_kit.clock import utcnow
from incident_kit.follow_up.export import CSV_COLUMNS, CSV_HEADER
from review_support import resolved_incident

pytestmark = pytest.mark.both_stores


@pytest.fixture
def inc(kit):
    return resolved_incident(kit)


@pytest.mark.parametrize("severity, days", [("Minor", 30), ("Moderate", 21), ("Major", 14), ("Critical", 7)])
def test_due_date_defaults_by_severity(kit, severity, days):
    inc = kit.declare("Something", declared_by="ana", severity=severity)
    before = utcnow()
    item = kit.add_follow_up(inc.reference, "Add an alert", by="ana")
    assert dt.timedelta(days=days) <= item.due_at - before < dt.timedelta(days=days, minutes=1)


def test_owner_defaults_to_the_person_adding_it(kit, inc):
    assert kit.add_follow_up(inc.reference, "Write a runbook", by="dev").owner == "dev"
    assert kit.add_follow_up(inc.reference, "Load-test checkout", owner="elif", by="dev").owner == "elif"


def test_a_due_date_means_the_end_of_that_day_utc(kit, inc):
    item = kit.add_follow_up(inc.reference, "Rotate keys", due=dt.date(2030, 5, 1), by="ana")
    assert item.due_at == dt.datetime(2030, 5, 1, 23, 59, 59, tzinfo=dt.timezone.utc)


def test_adding_records_a_timeline_event(kit, inc):
    item = kit.add_follow_up(inc.reference, "Add a canary stage", owner="femi", by="ana")
    last = kit.events(inc.reference)[-1]
    assert (last.kind, last.new_value, last.actor) == ("follow_up_added", "Add a canary stage", "ana")
    assert item.reference in last.detail and "femi" in last.detail


def test_empty_title_and_bad_tracker_link_are_refused_with_advice(kit, inc):
    with pytest.raises(ik.IncidentKitError, match="needs a title"):
        kit.add_follow_up(inc.reference, "  ", by="ana")
    with pytest.raises(ik.IncidentKitError, match="not an http"):
        kit.add_follow_up(inc.reference, "x", tracker_url="javascript:alert(1)", by="ana")


def test_lifecycle_open_in_progress_done_and_reopen(kit, inc):
    item = kit.add_follow_up(inc.reference, "Automate the failover step", by="ana")
    assert item.status.value == "open" and item.completed_at is None
    item = kit.set_follow_up_status(item.reference, "in_progress", by="ana")
    assert item.status.value == "in_progress"
    item = kit.complete_follow_up(item.reference, by="ana")
    assert item.status.value == "done" and item.completed_at is not None
    item = kit.set_follow_up_status(item.id, "open", by="ana")
    assert item.status.value == "open" and item.completed_at is None
    kinds = [e.kind for e in kit.events(inc.reference)][-3:]
    assert kinds == ["follow_up_status_changed"] * 3


def test_wont_do_needs_a_reason_and_keeps_it(kit, inc):
    item = kit.add_follow_up(inc.reference, "Rewrite the checkout", by="ana")
    with pytest.raises(ik.IncidentKitError, match="why this follow-up won't be done"):
        kit.set_follow_up_status(item.reference, "wont_do", by="ana")
    item = kit.set_follow_up_status(item.reference, "won't do", reason="Superseded by the platform migration",
                                    by="ana")
    assert item.status.value == "wont_do"
    assert item.wont_do_reason == "Superseded by the platform migration"
    assert item.completed_at is not None
    assert "Superseded" in kit.events(inc.reference)[-1].detail


def test_same_status_twice_is_refused(kit, inc):
    item = kit.add_follow_up(inc.reference, "x", by="ana")
    with pytest.raises(ik.IncidentKitError, match="already open"):
        kit.set_follow_up_status(item.reference, "open", by="ana")


def test_unknown_follow_up_says_how_to_find_one(kit):
    with pytest.raises(ik.NotFound, match="FU-99"):
        kit.complete_follow_up("FU-99", by="ana")


def test_overdue_means_still_open_and_past_due(kit, inc):
    late = kit.add_follow_up(inc.reference, "Late", due="2020-01-01", by="ana")
    kit.add_follow_up(inc.reference, "Not yet due", due="2099-01-01", by="ana")
    done_late = kit.add_follow_up(inc.reference, "Done though late", due="2020-01-01", by="ana")
    kit.complete_follow_up(done_late.reference, by="ana")
    wont = kit.add_follow_up(inc.reference, "Decided against", due="2020-01-01", by="ana")
    kit.set_follow_up_status(wont.reference, "wont_do", reason="Not worth it", by="ana")
    frame = kit.follow_ups()
    assert frame.set_index("reference")["overdue"].to_dict() == {
        late.reference: True, "FU-2": False, done_late.reference: False, wont.reference: False}
    assert kit.follow_ups(overdue=True)["reference"].tolist() == [late.reference]


def test_overdue_is_judged_at_the_given_time(kit, inc):
    item = kit.add_follow_up(inc.reference, "Soon", due="2030-06-01", by="ana")
    assert not kit.follow_ups(now="2030-06-01T12:00:00+00:00")["overdue"].any()
    later = kit.follow_ups(now="2030-06-02T00:00:00+00:00", overdue=True)
    assert later["reference"].tolist() == [item.reference]


def test_list_filters_by_owner_incident_and_open(kit, inc):
    other = kit.declare("Other", declared_by="ana")
    a = kit.add_follow_up(inc.reference, "A", owner="dev", by="ana")
    kit.add_follow_up(inc.reference, "B", owner="elif", by="ana")
    c = kit.add_follow_up(other.reference, "C", owner="dev", by="ana")
    kit.complete_follow_up(c.reference, by="dev")
    assert set(kit.follow_ups(owner="dev")["reference"]) == {a.reference, c.reference}
    assert kit.follow_ups(owner="dev", still_open=True)["reference"].tolist() == [a.reference]
    assert kit.follow_ups(incident=other.reference)["reference"].tolist() == [c.reference]
    assert kit.open_follow_up_count(inc.reference) == 2


def test_private_incident_follow_ups_are_hidden_from_outsiders(kit):
    secret = kit.declare("Leaked key", declared_by="ana", private=True)
    kit.add_follow_up(secret.reference, "Rotate the key", by="ana")
    assert kit.follow_ups(viewer="zoe").empty
    assert len(kit.follow_ups(viewer="ana")) == 1


def test_empty_list_is_a_valid_frame(kit):
    frame = kit.follow_ups()
    assert frame.empty and "overdue" in frame.columns


def test_csv_export_reads_back_with_the_documented_columns(kit, inc, tmp_path):
    kit.add_follow_up(inc.reference, 'Alert on "queue depth", per region', owner="dev", due="2030-01-31",
                      priority="high", description="Two lines\nof detail", by="ana")
    item = kit.add_follow_up(inc.reference, "Write a runbook", by="ana",
                             tracker_url="https://github.com/acme/shop/issues/7")
    kit.set_follow_up_status(item.reference, "in_progress", by="ana")
    path = tmp_path / "follow-ups.csv"
    path.write_text(kit.export_follow_ups(format="csv"), encoding="utf-8")
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
    assert reader.fieldnames == CSV_HEADER == [name for name, _ in CSV_COLUMNS]
    assert CSV_HEADER[:2] == ["Title", "Description"]  # GitLab reads only these two, in this order
    by_id = {r["Follow up ID"]: r for r in rows}
    first = by_id["FU-1"]
    assert first["Title"] == 'Alert on "queue depth", per region'
    assert first["Description"].startswith("Two lines\nof detail")
    assert "FU-1" in first["Description"] and inc.reference in first["Description"]
    assert (first["Assignee"], first["Priority"], first["Status"], first["Due Date"]) == ("dev", "High", "Open",
                                                                                          "2030-01-31")
    assert first["Labels"] == f"incident-follow-up {inc.reference}" and first["Incident"] == inc.reference
    assert dt.datetime.fromisoformat(first["Created"]).tzinfo is not None
    assert by_id[item.reference]["Status"] == "In progress"
    assert by_id[item.reference]["Tracker URL"] == "https://github.com/acme/shop/issues/7"


def test_json_export_has_one_object_per_follow_up(kit, inc):
    kit.add_follow_up(inc.reference, "A", owner="dev", due="2020-01-01", by="ana")
    data = json.loads(kit.export_follow_ups(format="json"))
    assert data == [{
        "id": "FU-1", "incident": inc.reference, "incident_title": inc.title, "title": "A", "description": "",
        "owner": "dev", "priority": "medium", "status": "open", "wont_do_reason": None,
        "due_at": "2020-01-01T23:59:59+00:00", "overdue": True, "tracker_url": None,
        "created_at": data[0]["created_at"], "created_by": "ana", "completed_at": None}]


def test_tracker_links_are_written_back_from_the_edited_export(kit, inc):
    kit.add_follow_up(inc.reference, "A", by="ana")
    kit.add_follow_up(inc.reference, "B", by="ana")
    rows = list(csv.DictReader(io.StringIO(kit.export_follow_ups(format="csv"))))
    rows[0]["Tracker URL"] = "https://acme.atlassian.net/browse/OPS-12"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_HEADER)
    writer.writeheader()
    writer.writerows(rows)
    assert kit.import_tracker_links(out.getvalue(), by="ana") == {"linked": 1, "unchanged": 0}
    assert kit.follow_up(rows[0]["Follow up ID"]).tracker_url == "https://acme.atlassian.net/browse/OPS-12"
    assert kit.events(inc.reference)[-1].kind == "follow_up_edited"
    assert kit.import_tracker_links(out.getvalue(), by="ana") == {"linked": 0, "unchanged": 1}


def test_link_one_follow_up(kit, inc):
    item = kit.add_follow_up(inc.reference, "A", by="ana")
    linked = kit.link_follow_up(item.reference, "https://linear.app/acme/issue/OPS-3", by="ana")
    assert linked.tracker_url == "https://linear.app/acme/issue/OPS-3"


def test_a_links_file_without_the_columns_is_refused(kit):
    with pytest.raises(ik.IncidentKitError, match="Follow up ID"):
        kit.import_tracker_links("a,b\n1,2\n", by="ana")


def test_the_reviews_page_documents_every_csv_column():
    from pathlib import Path

    page = (Path(__file__).resolve().parent.parent / "docs" / "reviews.md").read_text(encoding="utf-8")
    section = page.split("## Follow-ups into your tracker")[1].split("\n## ")[0]
    for name, _ in CSV_COLUMNS:
        assert f"| `{name}` |" in section, name
