"""PostgreSQL's analytics copy kept in a DuckDB file between processes (``db/pgcache.py``, ``db/pgcopy.py``).

On a real server: a second process reuses the file and copies only the incidents changed since; a pruned log,
another database under the same name or a file another process holds each mean a whole copy (or one in
memory); the figures always equal a whole copy taken afresh; the file and its directory are the owner's only.
"""

from __future__ import annotations

import json
import logging
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

import incident_kit as ik
from incident_kit import analytics, demo
from incident_kit.db import open_database, pgcache, pgcopy

pytestmark = pytest.mark.usefixtures("pg_server")

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    where = tmp_path / "cache"
    monkeypatch.setenv(pgcache.CACHE_ENV, str(where))
    return where


@pytest.fixture
def store(pg_url, cache):
    """A small store whose copy was taken once, whole, into the cache, by a process that has ended."""
    with ik.open(pg_url, user="ana") as k:
        demo.load(k.db, incidents=30, seed=11)
        k.declare("Checkout failing", severity="Major")
        analytics.metrics_summary(k)
        assert (k.db.mirror.whole_copies, k.db.mirror.file is not None) == (1, True)
    return pg_url


def in_memory_figures(url: str) -> dict:
    """The figures over a whole copy taken afresh, in memory (no file)."""
    old = os.environ.get(pgcache.CACHE_ENV)
    os.environ[pgcache.CACHE_ENV] = "off"
    try:
        db = open_database(url, read_only=True)
        try:
            out = analytics.metrics_summary(db)
            assert db.mirror.file is None and db.mirror.whole_copies == 1
            return out
        finally:
            db.close()
    finally:
        os.environ[pgcache.CACHE_ENV] = old


SECOND_PROCESS = textwrap.dedent("""
    import json, sys
    from incident_kit import analytics
    from incident_kit.db import open_database
    db = open_database(sys.argv[1], read_only=True)  # as ``metrics --json`` opens it
    out = analytics.metrics_summary(db)
    mirror = db.mirror
    print(json.dumps({"figures": out, "whole_copies": mirror.whole_copies, "moved": mirror.rows_moved,
                      "file": str(mirror.file)}))
    db.close()
""")


def second_process(url: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    done = subprocess.run([sys.executable, "-c", SECOND_PROCESS, url], env=env, capture_output=True, text=True,
                          cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def logged_moves(moved: dict) -> dict:
    return {t: n for t, n in moved.items() if t in pgcopy.BY_INCIDENT and n}


def test_a_second_process_reuses_the_file_and_copies_only_the_changed_incidents(store, cache):
    with ik.open(store, user="ana") as k:
        ref = k.declare("Search slow", severity="Minor").reference
        k.post_update(ref, "Looking into it")

    run = second_process(store)

    assert run["whole_copies"] == 0
    assert Path(run["file"]).parent == cache
    moved = logged_moves(run["moved"])
    assert moved["incidents"] == 1  # the one incident declared since the file's snapshot
    assert set(moved) <= {"incidents", "incident_roles", "update_facts"}
    assert run["figures"] == json.loads(json.dumps(in_memory_figures(store)))


def test_a_process_with_nothing_changed_since_copies_nothing(store):
    run = second_process(store)
    assert run["whole_copies"] == 0 and logged_moves(run["moved"]) == {}
    assert run["figures"] == json.loads(json.dumps(in_memory_figures(store)))


def test_a_file_older_than_the_pruned_log_is_copied_whole(store):
    with ik.open(store, user="ana") as k:
        k.declare("Disk full", severity="Major")
        import datetime as dt

        pgcopy.prune(k.db, before=dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1))  # the whole log

    run = second_process(store)

    assert run["whole_copies"] == 1
    assert run["figures"] == json.loads(json.dumps(in_memory_figures(store)))


def test_a_file_of_another_database_under_the_same_name_is_copied_whole(store, cache):
    (kept,) = cache.glob("*.duckdb")
    con = duckdb.connect(str(kept))
    ident = json.loads(con.execute("SELECT value FROM incident_kit_copy.meta WHERE key = 'identity'").fetchone()[0])
    ident["database_oid"] = "1"  # as if the database had been dropped and created again
    con.execute("UPDATE incident_kit_copy.meta SET value = ? WHERE key = 'identity'",
                [json.dumps(ident, sort_keys=True)])
    con.execute("DELETE FROM incidents WHERE id = (SELECT max(id) FROM incidents)")  # a row the store still has
    con.close()

    run = second_process(store)

    assert run["whole_copies"] == 1 and run["file"] == str(kept)
    assert run["figures"] == json.loads(json.dumps(in_memory_figures(store)))


def test_a_file_of_another_schema_is_copied_whole(store, cache, monkeypatch):
    monkeypatch.setattr(pgcache, "FORMAT", pgcache.FORMAT + 1)  # as after an upgrade that changes the file
    db = open_database(store, read_only=True)
    try:
        figures = analytics.metrics_summary(db)
        assert db.mirror.whole_copies == 1 and db.mirror.file is not None
    finally:
        db.close()
    assert json.loads(json.dumps(figures)) == json.loads(json.dumps(in_memory_figures(store)))


def test_a_file_another_process_holds_means_the_next_slot_then_memory_with_one_log_line(store, cache, caplog):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, duckdb; cons = [duckdb.connect(p) for p in sys.argv[1:]]; "
                               "print('held', flush=True); sys.stdin.read()",
         *(str(cache / pgcache.file_name(_identity(store), slot)) for slot in range(pgcache.SLOTS))],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with caplog.at_level(logging.WARNING, logger="incident_kit.db.pgcache"):
            db = open_database(store, read_only=True)
            try:
                figures = analytics.metrics_summary(db)
                assert db.mirror.file is None and db.mirror.whole_copies == 1
            finally:
                db.close()
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    busy = [r for r in caplog.records if "in use by another process" in r.getMessage()]
    assert len(busy) == 1
    assert json.loads(json.dumps(figures)) == json.loads(json.dumps(in_memory_figures(store)))


def test_two_copies_in_one_process_keep_a_file_each(store, cache):
    first, second = open_database(store), open_database(store, read_only=True)
    try:
        analytics.metrics_summary(first)
        analytics.metrics_summary(second)
        assert first.mirror.file is not None and second.mirror.file is not None
        assert first.mirror.file != second.mirror.file
    finally:
        first.close()
        second.close()


def _identity(url: str) -> dict:
    db = open_database(url, read_only=True)
    try:
        return pgcache.identity(db)
    finally:
        db.close()


def test_the_kept_copy_is_readable_by_its_owner_only(store, cache):
    with ik.open(store, user="ana") as k:
        k.declare("Private breach", severity="Major", private=True)
    second_process(store)  # refreshes the file with the private incident's rows

    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    files = [p for p in cache.rglob("*") if p.is_file()]
    assert files
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path


def test_a_directory_others_can_read_is_not_used(pg_url, tmp_path, monkeypatch, caplog):
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    os.chmod(shared, 0o755)
    monkeypatch.setenv(pgcache.CACHE_ENV, str(shared))
    with ik.open(pg_url, user="ana") as k:
        k.declare("Private breach", severity="Major", private=True)
        with caplog.at_level(logging.WARNING, logger="incident_kit.db.pgcache"):
            analytics.metrics_summary(k)
        assert k.db.mirror.file is None
    assert list(shared.iterdir()) == []
    assert any("can be read by other users" in r.getMessage() for r in caplog.records)
