"""Hostile imports: dates no page can show, a billion-laughs frontmatter, frontmatter that crashed the reader,
and who an import from the app is credited to.

Each case used to get through: a Statuspage or CSV incident dated 9999-12-31 was stored and then broke Home,
the incident list and ``list --json`` for everyone; a 486-byte frontmatter grew ``import postmortems --dry-run``
to 1 GB; ``start: 0000-01-01`` ended in "something unexpected went wrong"; a CSV row without ``declared_by``
imported from the app was "Declared by root" (the server's account).
"""

from __future__ import annotations

import json
import subprocess
import time

import pytest

import incident_kit as ik
from incident_kit.identity import Person
from incident_kit.importers.models import ImportFile, ImportRejected
from incident_kit.kit_part import MissingActor

# Years no incident was recorded in: past every page's arithmetic (9999), before any tool (0001), pandas'
# nanosecond floor (1677-09-21), and a plausible-looking typo (1900).
BAD_TIMES = ["9999-12-31T00:00:00Z", "0001-01-01T00:00:00Z", "1677-09-21T00:12:43Z", "1900-01-01T00:00:00Z"]
SAYS = {"9999": "is in the future; it can be at most one day from now", "0001": "is before 1990-01-01",
        "1677": "is before 1990-01-01", "1900": "is before 1990-01-01"}


def _statuspage(created: str, *, update_at: str = "2024-05-01T10:00:00Z") -> bytes:
    return json.dumps({"page": {"name": "Acme"}, "incidents": [{
        "id": "far1", "name": "Far away", "status": "resolved", "impact": "minor", "created_at": created,
        "started_at": None, "resolved_at": "2024-05-01T11:00:00Z",
        "incident_updates": [{"id": "far1-u1", "status": "resolved", "body": "Done.", "created_at": update_at}]}]
    }).encode()


def _csv(declared: str) -> bytes:
    return (f"external_id,title,status,declared_at,resolved_at\nFAR-1,Far away,resolved,{declared},"
            "2024-05-01T11:00:00Z\n").encode()


def _gcp(begin: str) -> bytes:
    return json.dumps([{"id": "far1", "number": "1", "begin": begin, "created": "2024-05-01T10:00:00+00:00",
                        "end": "2024-05-01T11:00:00+00:00", "external_desc": "Far away", "severity": "low",
                        "affected_products": [], "updates": []}]).encode()


def _problems(kit, kind: str, data: bytes, name: str) -> list[str]:
    with pytest.raises(ImportRejected) as caught:
        kit.import_files(kind, [ImportFile.from_bytes(name, data)])
    return caught.value.report["problem"].tolist()


@pytest.mark.both_stores
def test_a_statuspage_incident_dated_9999_is_refused_and_the_incident_list_keeps_working(kit):
    (problem,) = _problems(kit, "statuspage", _statuspage("9999-12-31T00:00:00Z"), "page.json")

    assert problem == "The time 9999-12-31 00:00 UTC is in the future; it can be at most one day from now."
    assert kit.incidents().empty
    kit.import_files("statuspage", [ImportFile.from_bytes("page.json", _statuspage("2024-05-01T10:00:00Z"))])
    assert kit.incidents()["title"].tolist() == ["Far away"]  # the list (Home's and Incidents') still reads


@pytest.mark.parametrize("kind, build, name", [("statuspage", _statuspage, "page.json"), ("csv", _csv, "old.csv"),
                                               ("gcp", _gcp, "gcp.json")])
@pytest.mark.parametrize("when", BAD_TIMES)
def test_every_importer_refuses_times_the_services_refuse(kit, kind, build, name, when):
    problems = _problems(kit, kind, build(when), name)

    # 9999 in a CSV also ends before it starts: both are said
    assert [p for p in problems if SAYS[when[:4]] in p and p.startswith(f"The time {when[:4]}")]
    assert kit.incidents().empty


def test_an_update_dated_9999_is_refused_too(kit):
    (problem,) = _problems(kit, "statuspage", _statuspage("2024-05-01T10:00:00Z", update_at="9999-12-31T00:00:00Z"),
                           "page.json")
    assert "is in the future" in problem and kit.incidents().empty


def test_after_a_refused_9999_import_the_command_line_still_lists(python, subprocess_env, tmp_path):
    far = tmp_path / "far.json"
    far.write_bytes(_statuspage("9999-12-31T00:00:00Z"))
    run = dict(env=subprocess_env, capture_output=True, text=True, timeout=120)

    done = subprocess.run([python, "-m", "incident_kit", "import", "statuspage", str(far)], **run)

    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "unexpected" not in done.stderr
    assert "The time 9999-12-31 00:00 UTC is in the future; it can be at most one day from now." in done.stderr
    listed = subprocess.run([python, "-m", "incident_kit", "list", "--json"], **run)
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == []


# -- a billion laughs in the frontmatter --------------------------------------------------------------------
def _laughs() -> str:
    lines = ["---", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    lines += ["title: *i", "categories: *i", "start_time: 2024-01-31T14:05:00Z", "---", "# Billion laughs", "",
              "Nine to the ninth copies of 'lol' if the aliases are followed.", ""]
    return "\n".join(lines)


def test_a_billion_laughs_frontmatter_is_one_problem_at_once(kit):
    assert 480 <= len(_laughs().encode()) <= 500  # the size of the one reported
    started = time.monotonic()
    with pytest.raises(ImportRejected) as caught:
        kit.import_files("postmortems", [ImportFile.from_bytes("laughs.md", _laughs().encode())])

    assert time.monotonic() - started < 10  # it took 16 s to reach 1 GB and never finished
    (problem,) = caught.value.report["problem"]
    assert problem.startswith("its frontmatter uses the YAML alias *a at line 3; aliases are not read")
    assert kit.incidents().empty


def test_a_billion_laughs_dry_run_on_the_command_line_ends_in_one_sentence(python, subprocess_env, tmp_path):
    doc = tmp_path / "laughs.md"
    doc.write_text(_laughs())

    done = subprocess.run([python, "-m", "incident_kit", "import", "postmortems", str(doc), "--dry-run"],
                          env=subprocess_env, capture_output=True, text=True, timeout=60)

    assert done.returncode == 1
    assert "its frontmatter uses the YAML alias *a" in done.stderr
    assert done.stderr.splitlines()[-1] == ("error: 1 problem in 1 file; nothing would be imported. "
                                            "Fix the rows listed and import again.")


@pytest.mark.parametrize("header, says", [
    ("start: 0000-01-01", "frontmatter 'start' value '0000-01-01' is not a date and time"),
    ("start: 2024-02-30", "frontmatter 'start' value '2024-02-30' is not a date and time"),
    ("start: !!timestamp 0000-01-01", "its frontmatter cannot be read"),
    ("start: 9999-12-31T23:59:59Z", "Its start 9999-12-31 23:59 UTC is in the future"),
    ("start: 1900-01-01T00:00:00Z", "Its start 1900-01-01 is before 1990-01-01"),
    ("size: " + "9" * 5000, "its frontmatter cannot be read"),
    ("title: [" + "[" * 2000 + "]" * 2000 + "]", "its frontmatter cannot be read"),
    ("x: '" + "a" * 20_000 + "'", "its frontmatter is 20,007 characters long; the limit is 16,384"),
    ("base: &b {a: 1}\nx:\n  <<: *b", "its frontmatter uses the YAML alias *b"),
    ("tool: !!python/object/apply:os.system ['true']", "its frontmatter is not valid YAML at line 2"),
])
def test_frontmatter_that_crashed_or_stalled_the_reader_is_one_problem(kit, header, says):
    text = f"---\n{header}\n---\n# Queue stalled\n\nAll times in UTC.\n"
    with pytest.raises(ImportRejected) as caught:
        kit.import_files("postmortems", [ImportFile.from_bytes("odd.md", text.encode())])
    problems = caught.value.report["problem"].tolist()
    assert len(problems) == 1 and says in problems[0], problems


# -- who an import is credited to --------------------------------------------------------------------------
NO_DECLARER = b"external_id,title,status,declared_at,resolved_at\nA,Disk full,resolved,2024-05-01T10:00:00Z," \
              b"2024-05-01T11:00:00Z\n"


def test_an_app_import_credits_the_signed_in_person_for_rows_that_name_no_declarer(kit):
    ana = Person("ana", verified=True)
    kit.save_settings({"admins": ["ana"]})
    prepared = kit.prepare_import("csv", [ImportFile.from_bytes("old.csv", NO_DECLARER)], by=ana)

    assert prepared.preview()["declared_by"].tolist() == ["ana"]
    summary = kit.apply_import(prepared, by=ana)

    (row,) = kit.incidents().itertuples()
    assert row.declared_by == "ana" and summary.new == 1
    imported = [e for e in kit.events(row.reference) if e.kind == "imported"]
    assert [e.actor for e in imported] == ["ana"]


def test_a_kit_without_a_local_operator_refuses_an_import_that_names_nobody(db_path):
    kit = ik.open(db_path, user="tester")
    kit.user = None  # the app's and the HTTP API's Kit: every call must say who acts
    try:
        files = [ImportFile.from_bytes("old.csv", NO_DECLARER)]
        with pytest.raises(MissingActor):
            kit.prepare_import("csv", files)
        with pytest.raises(MissingActor):
            kit.import_files("csv", files)
        prepared = kit.prepare_import("csv", files, by=Person("ana", verified=True))
        with pytest.raises(MissingActor):
            kit.apply_import(prepared)
        assert kit.incidents(viewer=Person("ana", verified=True)).empty
    finally:
        kit.close()
