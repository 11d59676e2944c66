import duckdb
import pytest

import incident_kit as ik
from incident_kit.db import migrate as mig
from incident_kit.db.duckdb import DuckDBDatabase, open_database
from incident_kit.errors import StoreUnavailable


def test_migrations_build_an_empty_file_and_are_recorded(db_path):
    db = open_database(db_path)
    versions = [m.version for m in mig.available()]
    assert versions == sorted(versions) and versions[0] == 1
    assert mig.applied(db) == versions
    tables = {r[0] for r in db.read(lambda tx: tx.fetchall("SELECT table_name FROM information_schema.tables"))}
    assert {"incidents", "events", "updates", "incident_roles", "severities", "schema_migrations"} <= tables
    db.close()


def test_reopening_applies_nothing_twice(db_path):
    open_database(db_path).close()
    db = DuckDBDatabase(db_path)
    assert mig.migrate(db) == []
    assert db.read(lambda tx: tx.fetchone("SELECT count(*) FROM severities"))[0] == 4
    db.close()


def test_a_file_behind_the_code_is_upgraded_on_open(db_path):
    db = DuckDBDatabase(db_path)
    first = mig.available()[0]
    db.write(lambda tx: tx.execute(mig.CREATE_MIGRATIONS_TABLE))

    def apply_first(tx):
        for statement in first.module.STATEMENTS:
            tx.execute(statement)
        first.module.seed(tx)
        tx.execute(mig.INSERT_APPLIED, [first.version, first.name, ik.clock.utcnow()])

    db.write(apply_first)
    db.close()
    db = open_database(db_path)
    assert mig.applied(db) == [m.version for m in mig.available()]
    db.close()


def test_read_only_open_of_an_outdated_file_says_how_to_upgrade(db_path):
    con = duckdb.connect(str(db_path))
    con.execute(mig.CREATE_MIGRATIONS_TABLE)
    con.close()
    with pytest.raises(StoreUnavailable, match="needs schema migrations .*open it once read-write"):
        open_database(db_path, read_only=True)


def test_read_only_open_of_a_missing_file_is_explained(tmp_path):
    with pytest.raises(StoreUnavailable, match="There is no database at"):
        ik.open(tmp_path / "nope.duckdb", read_only=True, user="tester")


def test_read_only_kit_refuses_writes_plainly(db_path):
    ik.open(db_path, user="tester").close()
    kit = ik.open(db_path, read_only=True, user="tester")
    with pytest.raises(StoreUnavailable, match="open read-only"):
        kit.declare("x")
    kit.close()


def test_opening_a_directory_is_explained(tmp_path):
    with pytest.raises(StoreUnavailable, match="directory"):
        ik.open(tmp_path, user="tester")


def test_timestamps_are_stored_as_timestamptz(db_path):
    kit = ik.open(db_path, user="tester")
    kit.declare("tz")
    types = dict(kit.db.read(lambda tx: tx.fetchall(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'incidents'")))
    assert types["declared_at"] == types["started_at"] == "TIMESTAMP WITH TIME ZONE"
    kit.close()


def test_same_file_in_one_process_shares_one_connection(db_path):
    a, b = ik.open(db_path, user="tester"), ik.open(str(db_path), user="tester")
    assert a.db is b.db
    a.close()
    assert b.declare("still open").reference == "INC-1"
    b.close()


def test_a_file_with_two_reviews_of_one_incident_is_not_upgraded_and_says_which(db_path):
    # Written by no incident-kit version, but possible by hand: migration 9 makes one review per incident the
    # schema's rule, and choosing which review to keep is the team's call, so it stops and changes nothing.
    kit = ik.open(db_path, user="tester")
    inc = kit.declare("Checkout is failing", declared_by="ana")
    kit.db.write(lambda tx: tx.execute("DROP INDEX reviews_incident"))
    for depth in ("note", "standard"):
        kit.db.write(lambda tx, depth=depth: tx.execute(
            "INSERT INTO reviews (incident_id, depth, status, created_at, created_by, updated_at) "
            "VALUES (?, ?, 'draft', now(), 'ana', now())", [inc.id, depth]))
    kit.db.write(lambda tx: tx.execute("CREATE INDEX reviews_incident ON reviews (incident_id)"))  # as in version 8
    kit.db.write(lambda tx: tx.execute("DELETE FROM schema_migrations WHERE version = 9"))
    kit.close()
    with pytest.raises(StoreUnavailable, match=f"more than one review of {inc.reference};"):
        open_database(db_path)
    db = DuckDBDatabase(db_path)
    assert 9 not in mig.applied(db)
    assert db.read(lambda tx: tx.fetchone("SELECT count(*) FROM reviews"))[0] == 2
    db.close()
