"""Reading while the app runs: the app publishes read-only snapshots; read-only opens fall back to them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import incident_kit as ik
from incident_kit import analytics
from incident_kit.errors import IncidentKitError, StoreUnavailable
from incident_kit.snapshot import Publisher, open_snapshot, publish, snapshot_path, start_publisher

from insights_data import build

HOLDER = Path(__file__).with_name("snapshot_holder.py")


@pytest.fixture
def org_path(kit, db_path):
    build(kit)
    kit.close()  # the test process lets go; the child will hold the file
    return db_path


def _hold(db_path, env, *args):
    child = subprocess.Popen([sys.executable, str(HOLDER), str(db_path), *args], env=env, text=True,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    line = child.stdout.readline()
    if line.strip() != "ready":
        child.kill()
        raise AssertionError(f"holder did not start: {line!r} {child.stderr.read()}")
    return child


def _release(child):
    child.stdin.close()
    child.wait(timeout=60)


def test_a_notebook_style_read_works_while_another_process_holds_the_database(org_path, subprocess_env):
    child = _hold(org_path, subprocess_env, "--publish")
    try:
        with pytest.raises(StoreUnavailable, match="in use by another process"):
            ik.open(org_path, read_only=True, snapshot=False, user="tester")  # DuckDB really refuses the live file
        with ik.open(org_path, read_only=True, user="tester") as kit:  # what a notebook does
            assert kit.snapshot_time is not None
            assert Path(kit.path) == snapshot_path(org_path)
            assert kit.source_path == str(org_path)
            # the hand-built answers, read from the snapshot (see test_analytics_metrics.py)
            gap = analytics.response_summary(kit).set_index("metric").loc["update_gap"]
            assert (gap["n"], gap["median"], gap["p90"]) == (4, pytest.approx(105.0), pytest.approx(204.0))
            first_time = kit.snapshot_time
        # a change in the app shows up in the next snapshot, with a later time
        child.stdin.write("Queue backlog\n")
        child.stdin.flush()
        assert child.stdout.readline().strip() == "declared"
        with ik.open(org_path, read_only=True, user="tester") as kit:
            assert kit.snapshot_time > first_time
            assert analytics.scope_counts(kit).iloc[0]["incidents"] == 7
        # the CLI reads the same way
        out = subprocess.run([sys.executable, "-m", "incident_kit", "metrics", "--json"], env=subprocess_env,
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout)["incidents"] == 7
    finally:
        _release(child)


def test_without_a_snapshot_a_read_only_open_says_how_to_get_one(org_path, subprocess_env):
    child = _hold(org_path, subprocess_env)
    try:
        with pytest.raises(StoreUnavailable, match="No snapshot has been published yet"):
            ik.open(org_path, read_only=True, user="tester")
    finally:
        _release(child)


def test_publish_writes_a_complete_copy_with_its_time_and_no_leftovers(kit, db_path):
    build(kit)
    snap = publish(kit)
    assert snap.path == db_path.parent / "snapshots" / "kit.duckdb"
    assert sorted(p.name for p in snap.path.parent.iterdir()) == ["kit.duckdb"]
    with open_snapshot(db_path, user="tester") as copy:
        assert copy.snapshot_time == snap.taken_at
        assert len(copy.incidents()) == len(kit.incidents()) == 6
        with pytest.raises(StoreUnavailable, match="read-only"):
            copy.declare("Not here", declared_by="ana")


def test_the_publisher_skips_a_round_when_nothing_changed(kit):
    kit.declare("Disk full", declared_by="ana")
    publisher = Publisher(kit, every_seconds=60)
    assert publisher.publish_if_changed() is not None
    assert publisher.publish_if_changed() is None
    kit.declare("Disk full again", declared_by="ana")
    assert publisher.publish_if_changed() is not None


def test_start_publisher_is_once_per_file_and_refuses_a_read_only_store(kit, db_path):
    first = start_publisher(kit, every_seconds=30)
    try:
        assert start_publisher(kit, every_seconds=30) is first
    finally:
        first.stop()
    publish(kit)
    with open_snapshot(db_path) as copy, pytest.raises(IncidentKitError, match="read-write"):
        start_publisher(copy, every_seconds=30)


def test_open_snapshot_without_one_explains(tmp_path):
    with pytest.raises(StoreUnavailable, match="No snapshot"):
        open_snapshot(tmp_path / "none.duckdb")


def test_publishing_can_be_turned_off_for_a_process(kit, monkeypatch):
    monkeypatch.setenv("INCIDENT_KIT_SNAPSHOT_EVERY", "0")
    assert start_publisher(kit) is None
    assert start_publisher(ik.open(":memory:", user="tester"), every_seconds=5) is None


@pytest.mark.parametrize("umask", [0o022, 0o000])
def test_the_snapshot_holds_private_incidents_so_only_its_owner_may_read_it(kit, db_path, umask):
    """0600 file in a 0700 folder whatever the umask, and an older 0644 copy in a 0755 folder is tightened."""
    import os
    import stat

    kit.declare("Payroll file shared", declared_by="ana", private=True)
    folder = snapshot_path(db_path).parent
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    snapshot_path(db_path).write_bytes(b"")
    os.chmod(snapshot_path(db_path), 0o644)
    before = os.umask(umask)
    try:
        snap = publish(kit)
    finally:
        os.umask(before)
    assert stat.S_IMODE(snap.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(snap.path.parent.stat().st_mode) == 0o700
    with open_snapshot(db_path, user="tester") as copy:
        assert copy.incidents()["private"].tolist() == [True]  # the choice: private incidents stay, locked down
