"""PostgreSQL's analytics copy (``db/pgcopy.py``) after its first whole copy moves only the changed incidents.

Each test changes the store through the Kit (or, for the commit-order case, through a second connection) and
checks three things: the copy now holds exactly what a whole copy taken afresh holds, the refresh loaded only
the changed incident's rows, and the figures match a store that never had a copy.
"""

from __future__ import annotations

import threading

import pytest

import incident_kit as ik
from incident_kit import analytics, demo
from incident_kit.analytics import store as astore
from incident_kit.db import open_database, pgcache
from incident_kit.db.duckdb import quote_ident

pytestmark = pytest.mark.usefixtures("pg_server")


def contents(db) -> dict:
    """Every row the analytics copy holds, per table, in one order."""
    def dump(tx):
        return {t: tx.df(f"SELECT * FROM {quote_ident(t)} ORDER BY ALL") for t in astore.TABLES}

    return db.analytics_read(dump, astore.TABLES, astore.names_read())


def assert_same_as_a_whole_copy(kit, pg_url) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(pgcache.CACHE_ENV, "off")  # a copy taken afresh in memory, not one kept in a file
        fresh = open_database(pg_url)
        try:
            mine, theirs = contents(kit.db), contents(fresh)
            assert fresh.mirror.whole_copies == 1 and fresh.mirror.file is None
        finally:
            fresh.close()
    for table in astore.TABLES:
        assert mine[table].equals(theirs[table]), table


def figures(kit) -> str:
    return analytics.metrics_summary(kit).__repr__()


@pytest.fixture
def kit(pg_url):
    with ik.open(pg_url, user="ana") as k:
        demo.load(k.db, incidents=40, seed=7)
        for title in ("Checkout failing", "Search slow"):
            k.declare(title, severity="Major")
        contents(k.db)  # the first copy: whole
        assert k.db.mirror.whole_copies == 1
        yield k


def moved(kit) -> dict[str, int]:
    return {t: n for t, n in kit.db.mirror.rows_moved.items() if t in ("incidents", "incident_roles",
                                                                      "incident_members", "update_facts",
                                                                      "follow_ups", "reviews") and n}


def rows_of(kit, reference: str) -> dict[str, int]:
    """How many rows each logged table holds for one incident (what a refresh for it should load)."""
    iid = kit.get(reference).id

    def count(tx):
        out = {"incidents": 1}
        for table in ("incident_roles", "incident_members", "update_facts", "follow_ups", "reviews"):
            out[table] = tx.fetchone(f"SELECT count(*) FROM {table} WHERE incident_id = ?", [iid])[0]
        return {t: n for t, n in out.items() if n}

    return kit.db.read(count)


def active(kit) -> str:
    return kit.incidents(active=True)["reference"].iat[0]


def test_an_update_moves_only_its_incidents_rows_and_the_figures_follow(kit, pg_url):
    ref = active(kit)
    kit.post_update(ref, "Still looking into it")
    contents(kit.db)
    assert kit.db.mirror.whole_copies == 1
    changed = moved(kit)
    assert set(changed) <= set(rows_of(kit, ref)) and changed["update_facts"] == rows_of(kit, ref)["update_facts"]
    assert_same_as_a_whole_copy(kit, pg_url)


def test_a_status_change_a_follow_up_and_a_review_each_reach_the_copy(kit, pg_url):
    ref = active(kit)
    kit.resolve(ref)
    contents(kit.db)
    assert moved(kit).get("incidents") == 1
    assert_same_as_a_whole_copy(kit, pg_url)

    kit.change_status(ref, "post_incident")
    kit.add_follow_up(ref, "Add an alert for checkout")
    contents(kit.db)
    assert moved(kit)["follow_ups"] == rows_of(kit, ref)["follow_ups"]
    assert_same_as_a_whole_copy(kit, pg_url)

    kit.start_review(ref, depth="standard")
    contents(kit.db)
    assert moved(kit) == {t: n for t, n in rows_of(kit, ref).items() if t in moved(kit)}
    assert moved(kit)["reviews"] == 1
    assert_same_as_a_whole_copy(kit, pg_url)
    assert kit.db.mirror.whole_copies == 1

    with ik.open(pg_url, user="ana") as never_copied:
        assert figures(kit) == figures(never_copied)


def test_a_change_that_commits_after_a_later_copy_still_reaches_the_copy(kit, pg_url):
    """Transactions commit out of order: one running while a copy is taken (its rows invisible to that copy's
    snapshot) is found by the next refresh, although later transactions committed before it."""
    import psycopg

    target = kit.incidents()["reference"].iat[-1]
    iid = kit.get(target).id
    slow = psycopg.connect(pg_url)
    slow.execute("UPDATE incidents SET severity = 'Critical' WHERE id = %s", [iid])  # not committed yet
    kit.post_update(active(kit), "Meanwhile, elsewhere")
    contents(kit.db)  # a refresh whose snapshot sees the slow transaction running
    slow.commit()
    slow.close()
    contents(kit.db)
    assert moved(kit) == {"incidents": 1, **{t: n for t, n in rows_of(kit, target).items() if t != "incidents"
                                              and t in moved(kit)}}
    assert_same_as_a_whole_copy(kit, pg_url)
    assert kit.db.mirror.whole_copies == 1


def test_a_commit_outside_the_analysed_tables_refreshes_but_copies_nothing(kit, pg_url):
    """The data version is the server's snapshot: any commit moves it (autovacuum's ANALYZE, another database
    on the server). The next read asks the change log, moves nothing, and keeps its answers' versions."""
    import psycopg

    versions = kit.db.table_versions(astore.TABLES, astore.names_read())
    refreshes, copies = kit.db.mirror.refreshes, kit.db.mirror.copies
    with psycopg.connect(pg_url) as elsewhere:  # commits on leaving the block
        elsewhere.execute("CREATE TABLE IF NOT EXISTS unrelated_to_incidents (x int)")
        elsewhere.execute("INSERT INTO unrelated_to_incidents VALUES (1)")
    assert kit.db.table_versions(astore.TABLES, astore.names_read()) == versions
    assert (kit.db.mirror.refreshes, kit.db.mirror.copies) == (refreshes + 1, copies)
    assert moved(kit) == {}


def test_rows_deleted_from_the_store_leave_the_copy_too(kit, pg_url):
    """Nothing is hard-deleted by the services, but update facts are rewritten per incident on every post (a
    delete and an insert) and a restore replaces whole tables: a deleted row must not outlive its delete."""
    kit.db.write(lambda tx: tx.execute("DELETE FROM follow_ups WHERE incident_id > 20"))
    kit.db.write(lambda tx: tx.execute("DELETE FROM update_facts WHERE incident_id = 3"))
    contents(kit.db)
    assert_same_as_a_whole_copy(kit, pg_url)
    assert kit.db.mirror.whole_copies == 1


def test_copies_taken_while_other_processes_write_stay_equal_to_a_whole_copy(kit, pg_url):
    writers = [ik.open(pg_url, user=f"w{n}") for n in range(2)]
    refs = list(kit.incidents(active=True)["reference"][:2]) or [active(kit)]

    def write(k, ref):
        for i in range(5):
            k.post_update(ref, f"update {i}")

    threads = [threading.Thread(target=write, args=(w, refs[n % len(refs)])) for n, w in enumerate(writers)]
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        contents(kit.db)
    for t in threads:
        t.join()
    for w in writers:
        w.close()
    contents(kit.db)
    assert_same_as_a_whole_copy(kit, pg_url)
    assert kit.db.mirror.whole_copies == 1


def test_the_app_takes_the_whole_copy_in_the_background_before_the_first_view(pg_url):
    """``prepare_insights`` (called when the app opens the store) takes the whole copy in a thread; the first
    Insights view then only refreshes it (nothing changed: not even that)."""
    from incident_kit.analytics import query

    with ik.open(pg_url, user="ana") as k:
        demo.load(k.db, incidents=30, seed=2)
        query.prepare(k.db).join(timeout=60)
        assert (k.db.mirror.whole_copies, k.db.mirror.copies) == (1, 1)
        assert analytics.insights(k)["scope_counts"]["incidents"].iat[0] == 30
        assert (k.db.mirror.whole_copies, k.db.mirror.copies) == (1, 1)
        k.prepare_insights()  # the Kit's face of it: runs, and a second call copies nothing new
        k.declare("After the copy")
        assert analytics.insights(k)["scope_counts"]["incidents"].iat[0] == 31
        assert k.db.mirror.whole_copies == 1


def test_preparing_on_duckdb_finishes_at_once_without_a_warning(tmp_path, caplog):
    from incident_kit.analytics import query

    with ik.open(tmp_path / "kit.duckdb", user="ana") as k:
        k.declare("One")
        thread = query.prepare(k.db)
        thread.join(timeout=30)
        assert not thread.is_alive()
        assert "Preparing the analytics copy failed" not in caplog.text


def test_pruning_the_change_log_keeps_every_copy_exact(kit, pg_url):
    """The log keeps about a day of changes. A copy taken before rows it needs were pruned copies whole again
    (it cannot know what changed); one taken after stays incremental."""
    from incident_kit.db import pgcopy

    ref = active(kit)
    kit.post_update(ref, "Before the prune")  # rows the fixture's copy still needs
    kit.db.write(lambda tx: tx.execute("UPDATE incident_kit_changes.changes SET at = at - INTERVAL '2 days'"))
    assert pgcopy.prune(kit.db) > 0
    assert kit.db.read(lambda tx: tx.fetchone("SELECT count(*) FROM incident_kit_changes.changes"))[0] == 0
    contents(kit.db)
    assert kit.db.mirror.whole_copies == 2
    assert_same_as_a_whole_copy(kit, pg_url)

    kit.post_update(ref, "After the prune")  # newer than anything pruned: incremental again
    contents(kit.db)
    assert kit.db.mirror.whole_copies == 2 and moved(kit)["update_facts"] == rows_of(kit, ref)["update_facts"]
    assert_same_as_a_whole_copy(kit, pg_url)
    assert pgcopy.prune(kit.db) == 0  # nothing a day old is left
