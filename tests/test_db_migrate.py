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


# -- append-only: every database ever created opens ----------------------------------------------
@pytest.fixture
def empty_target(store, tmp_path, request):
    """Where a store with no schema at all lives: a new DuckDB file, or an empty PostgreSQL database."""
    if store == "duckdb":
        yield tmp_path / "kit.duckdb"
        return
    server = request.getfixturevalue("pg_server")
    url = server.empty_database()
    yield url
    server.drop_database(url)


def raw_store(target):
    """The store without ``open_database``'s migrating: the schema stays where a test puts it."""
    if isinstance(target, str) and target.startswith("postgresql://"):
        from incident_kit.db.postgres import PostgresDatabase

        return PostgresDatabase(target)
    return DuckDBDatabase(target)


TABLES = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"


@pytest.mark.both_stores
def test_a_database_created_while_migration_10_existed_opens_and_ends_at_the_latest_version(empty_target):
    # Migration 10 (first_updates) shipped, then its change was reverted and the file deleted: a database
    # created in between recorded version 10 and was refused as "written by a newer incident-kit".
    db = raw_store(empty_target)
    assert mig.migrate_to(db, 9) == [1, 2, 3, 4, 5, 7, 8, 9]
    now = ik.clock.utcnow()
    db.write(lambda tx: (
        tx.execute("INSERT INTO incidents (id, reference, title, severity, status, mode, declared_by, declared_at, "
                   "started_at, updated_at) VALUES (1, 'INC-1', 'Checkout is failing', 'Major', 'investigating', "
                   "'live', 'ana', ?, ?, ?)", [now, now, now]),
        tx.execute("INSERT INTO updates (incident_id, posted_at, author, audience, status, message) "
                   "VALUES (1, ?, 'ana', 'internal', 'investigating', 'Looking at the gateway')", [now])))
    assert mig.migrate_to(db, 10) == [10]
    assert db.read(lambda tx: tx.fetchone("SELECT count(*) FROM first_updates")) == (1,)  # filled as released
    db.close()

    with ik.open(empty_target, user="tester") as kit:
        assert mig.applied(kit.db) == mig.versions()
        assert max(mig.versions()) > 10
        tables = {row[0] for row in kit.db.read(lambda tx: tx.fetchall(TABLES))}
        assert "first_updates" not in tables and "update_facts" in tables
        assert kit.get("INC-1").title == "Checkout is failing"
        kit.post_update("INC-1", "Rolled back the gateway", by="ana")
        assert len(kit.updates("INC-1")) == 2


# Every released migration: its name and a digest of its DDL on both stores. A database that ran one can
# only open if the code still has it, unchanged (number 6 was never released). Add new ones here too.
RELEASED = {1: ("initial", "0d4fb1a1f6456a0c"), 2: ("reviews_follow_ups", "64f0ef75cd7e55b8"),
            3: ("notify", "8af41c746a3c6713"), 4: ("review_hints_follow_up_details", "d920851c6a64472d"),
            5: ("update_facts", "abc9aee28b3e4f32"), 7: ("related_incidents", "9c8f8dc1a91b492f"),
            8: ("counters_postgres", "3d796414d010eaa6"), 9: ("one_review_per_incident", "db1d81daa34f8b20"),
            10: ("first_updates", "2f37fee2f475d8e7"), 11: ("drop_first_updates", "24af11bbfd7c9c07"),
            12: ("subscriber_verified", "26b39eb45a9f3ac1"), 13: ("api_tokens", "66c8c3a1ee5246fd"),
            14: ("alert_groups", "d5572b7c37456173"), 15: ("signed_webhooks", "44269286b2209bf7"),
            16: ("components", "bce2128ddfe55e20"), 17: ("maintenance", "ff33f7bf7722c379"),
            18: ("public_subscribers", "fade30ad2d60027f"),
            19: ("change_log", "8a37f0f092749e4d"), 20: ("list_indexes_postgres", "c425036c6fc44e3b")}


def ddl_digest(module) -> str:
    import hashlib

    text = "\n;\n".join(mig.statements(module, "duckdb") + ["--postgres--"] + mig.statements(module, "postgres"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def test_released_migrations_are_never_deleted_renamed_or_edited():
    have = {m.version: m for m in mig.available()}
    for version, (name, digest) in RELEASED.items():
        assert version in have, f"migration {version} ({name}) was released: restore it, undo it with a new one"
        assert have[version].name == name
        assert ddl_digest(have[version].module) == digest, (
            f"migration {version}'s DDL changed; a released migration is never edited: add a new one")
    assert set(have) - set(RELEASED) == {v for v in have if v > max(RELEASED)}  # new ones only come after


# -- standalone: an old migration does the same whatever the domain code becomes ------------------
def test_no_migration_imports_incident_kit_outside_the_db_package():
    import ast
    from pathlib import Path

    from incident_kit.db import migrations

    # errors: the exception types a migration raises to stop with one sentence (no behaviour of their own).
    allowed = ("incident_kit.db", "incident_kit.errors")
    found = []
    for path in sorted(Path(migrations.__file__).parent.glob("m*.py")):
        package = "incident_kit.db.migrations"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom):
                base = package.rsplit(".", node.level - 1)[0] if node.level else ""
                module = ".".join(part for part in (base, node.module or "") if part)
                names = [module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                if (name == "incident_kit" or name.startswith("incident_kit.")) and not name.startswith(allowed):
                    found.append(f"{path.name}:{node.lineno} imports {name}")
    assert not found, found


def test_the_update_facts_migration_fills_what_the_maintained_facts_hold(db_path):
    # m0005 froze its own copy of the fill; on the data it meets it must agree with incident.facts.
    from incident_kit.db.migrations import m0005_update_facts
    from incident_kit.incident import facts

    kit = ik.open(db_path, user="tester")
    inc = kit.declare("Checkout is failing", declared_by="ana")
    for text in ("Looking", "Found it", "Fixed"):
        kit.post_update(inc.reference, text, by="ana")
    maintained = kit.db.read(facts.maintained)
    kit.db.write(lambda tx: (tx.execute("DELETE FROM update_facts"), m0005_update_facts.seed(tx)))
    assert kit.db.read(facts.maintained) == maintained == kit.db.read(facts.from_scratch)
    kit.close()
