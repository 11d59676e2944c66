"""``Database.read`` is one consistent view: a writer committing in the middle is not seen."""

from __future__ import annotations

import threading

import incident_kit as ik

COUNT = "SELECT count(*) FROM incidents"


def test_a_read_sees_one_snapshot_while_a_writer_commits_in_between(db_path):
    kit = ik.open(db_path, user="tester")
    kit.declare("Before the read", declared_by="ana")
    first_done, committed = threading.Event(), threading.Event()

    def writer() -> None:
        first_done.wait(10)
        kit.declare("During the read", declared_by="ben")  # commits while the read is open
        committed.set()

    def work(tx):
        before = tx.fetchone(COUNT)[0]
        first_done.set()
        assert committed.wait(10), "the writer did not commit"
        after = tx.fetchone(COUNT)[0]
        updates_after = tx.fetchone("SELECT count(*) FROM events")[0]
        return before, after, updates_after

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        before, after, events_after = kit.db.read(work)
    finally:
        thread.join()

    assert (before, after) == (1, 1)
    assert events_after == 1  # the writer's event is invisible too
    assert kit.db.read(lambda tx: tx.fetchone(COUNT)[0]) == 2  # the next read sees the commit
    kit.close()


def test_an_error_inside_a_read_leaves_the_connection_usable(db_path):
    kit = ik.open(db_path, user="tester")

    def broken(tx):
        tx.fetchone("SELECT * FROM no_such_table")

    try:
        kit.db.read(broken)
    except Exception:
        pass
    else:
        raise AssertionError("the broken read did not fail")
    assert kit.db.read(lambda tx: tx.fetchone(COUNT)[0]) == 0
    kit.close()
