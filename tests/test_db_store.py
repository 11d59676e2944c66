"""The Database contract every store keeps, checked on DuckDB and on a real PostgreSQL server.

Services rely on exactly these behaviours, so a new store must pass this file
unchanged: atomic units of work, the same Python values and DataFrame dtypes
back, ``?`` parameters (NULLs and lists included), bulk inserts, migrations
applied once, and concurrent writers that lose nothing.
"""

from __future__ import annotations

import datetime as dt
import threading

import pandas as pd
import pytest

from incident_kit.db import migrate as mig
from incident_kit.db import open_database
from incident_kit.frames import UTC_TS

pytestmark = pytest.mark.both_stores

T0 = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.timezone.utc)


@pytest.fixture
def db(db_path):
    database = open_database(db_path)
    yield database
    database.close()


def _count(db) -> int:
    return db.read(lambda tx: tx.fetchone("SELECT count(*) FROM contacts"))[0]


def _contact(tx, person: str, when=T0) -> None:
    tx.execute("INSERT INTO contacts (person, channel, set_at, set_by) VALUES (?, ?, ?, ?)",
               [person, f"{person}@example.com", when, "test"])


def test_a_unit_of_work_that_fails_leaves_nothing_behind(db):
    def work(tx):
        _contact(tx, "ana")
        raise ValueError("half-way")

    with pytest.raises(ValueError):
        db.write(work)
    assert _count(db) == 0
    db.write(lambda tx: _contact(tx, "ana"))
    assert _count(db) == 1


def test_values_come_back_as_the_same_python_types(db):
    db.write(lambda tx: _contact(tx, "ana"))
    person, when, flag, tags = db.read(lambda tx: tx.fetchone(
        "SELECT person, set_at, TRUE, CAST(? AS VARCHAR[]) FROM contacts", [["a", "b,c", "it's"]]))
    assert (person, flag, list(tags)) == ("ana", True, ["a", "b,c", "it's"])
    assert when == T0 and when.utcoffset() == dt.timedelta(0)


def test_null_and_list_parameters_bind_like_duckdb(db):
    db.write(lambda tx: [_contact(tx, p) for p in ("ana", "bo", "cy")])
    q = "SELECT person FROM contacts WHERE (? IS NULL OR person = ?) AND list_contains(?, person) ORDER BY person"
    assert db.read(lambda tx: tx.fetchall(q, [None, None, ["ana", "cy"]])) == [("ana",), ("cy",)]
    assert db.read(lambda tx: tx.fetchall(q, ["bo", "bo", ["bo"]])) == [("bo",)]
    assert db.read(lambda tx: tx.fetchall(q, [None, None, []])) == []


def test_percent_signs_and_question_marks_in_text_are_not_parameters(db):
    db.write(lambda tx: _contact(tx, "100% sure?"))
    got = db.read(lambda tx: tx.fetchall("SELECT person FROM contacts WHERE person LIKE '100%' AND ? = 1", [1]))
    assert got == [("100% sure?",)]


def test_frames_have_the_dtypes_services_and_schemas_expect(db):
    db.write(lambda tx: [_contact(tx, p, T0 + dt.timedelta(minutes=i)) for i, p in enumerate(("ana", "bo"))])
    frame = db.read(lambda tx: tx.df(
        "SELECT person, set_at, CAST(1 AS INTEGER) AS n, CAST(NULL AS INTEGER) AS missing, 2.5 AS x, "
        "CAST(? AS VARCHAR[]) AS tags FROM contacts ORDER BY set_at", [["t"]]))
    assert list(frame["person"]) == ["ana", "bo"]
    assert isinstance(frame["set_at"].dtype, pd.DatetimeTZDtype) and str(frame["set_at"].dt.tz) in ("UTC", "Etc/UTC")
    assert frame["set_at"].astype(UTC_TS).iloc[1] == pd.Timestamp(T0 + dt.timedelta(minutes=1))
    assert frame["n"].dtype == "int32" and frame["missing"].isna().all()
    assert frame["x"].tolist() == [2.5, 2.5] and list(frame["tags"].iloc[0]) == ["t"]
    empty = db.read(lambda tx: tx.df("SELECT person, set_at FROM contacts WHERE FALSE"))
    assert list(empty.columns) == ["person", "set_at"] and empty.empty


def test_insert_frame_appends_a_dataframe_with_nulls_lists_and_times(db):
    frame = pd.DataFrame({"person": ["ana", "bo"], "channel": ["a@x", None],
                          "set_at": pd.to_datetime([T0, T0], utc=True), "set_by": ["t", "t"]})
    frame.loc[1, "channel"] = "bo@x"
    db.write(lambda tx: tx.insert_frame("contacts", frame))
    assert db.read(lambda tx: tx.fetchall("SELECT person, channel, set_at FROM contacts ORDER BY person")) == [
        ("ana", "a@x", T0), ("bo", "bo@x", T0)]


def test_executemany_inserts_every_row(db):
    db.write(lambda tx: tx.executemany("INSERT INTO contacts (person, channel, set_at, set_by) VALUES (?, ?, ?, ?)",
                                       [(f"p{i}", "c", T0, "t") for i in range(25)]))
    assert _count(db) == 25


def test_migrations_are_recorded_once_and_reopening_applies_nothing(db, db_path):
    assert mig.applied(db) == [m.version for m in mig.available()]
    assert mig.migrate(db) == []
    again = open_database(db_path)
    try:
        assert mig.applied(again) == mig.applied(db)
    finally:
        again.close()


def test_concurrent_threads_writing_through_one_store_lose_nothing(db):
    errors, barrier = [], threading.Barrier(8)

    def worker(n):
        barrier.wait()
        for i in range(20):
            try:
                db.write(lambda tx, i=i: _contact(tx, f"w{n}-{i}"))
            except Exception as exc:  # any error reaching a caller fails the test
                errors.append(repr(exc))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and _count(db) == 160


def test_the_store_names_its_dialect_for_per_dialect_sql(db, store):
    assert db.dialect == store
    assert db.read(lambda tx: tx.dialect) == store
