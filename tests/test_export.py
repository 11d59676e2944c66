"""Export every table and restore it into a fresh store with nothing lost; CSV is formula-safe."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

import incident_kit as ik
from incident_kit.demo import load
from incident_kit.errors import IncidentKitError
from incident_kit.export.service import neutralise, unneutralise

IMPORTS = Path(__file__).resolve().parent / "fixtures" / "imports"
NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.timezone.utc)
FORMULAS = ["=HYPERLINK(\"http://evil.example\",\"click\")", "+1+2", "-2+3", "@SUM(A1:A9)", "'quoted"]


@pytest.fixture
def full_kit(kit):
    """Demo data (private incidents, reviews, follow-ups), real imports and hostile text."""
    load(kit.db, incidents=60, seed=7, now=NOW)
    kit.import_files("statuspage", [IMPORTS / "statuspage-zoom.json"])
    inc = kit.declare("=cmd|' /C calc'!A0", declared_by="@mallory", summary="-10+20", tags=["+tag"])
    for text in FORMULAS:
        kit.post_update(inc.reference, text, by="-ana")
    return kit


def _tables(kit) -> dict[str, pd.DataFrame]:
    def work(tx):
        names = [r[0] for r in tx.fetchall("SELECT table_name FROM information_schema.tables "
                                           "WHERE table_schema = 'main' ORDER BY table_name")]
        return {n: tx.df(f'SELECT * FROM "{n}" ORDER BY ALL') for n in names if n != "schema_migrations"}
    return kit.db.read(work)


@pytest.mark.parametrize("fmt", ["parquet", "csv", "json"])
def test_export_round_trips_into_a_fresh_store_with_nothing_lost(full_kit, tmp_path, fmt):
    manifest = full_kit.export(tmp_path / "out", format=fmt, include_private=True)
    fresh = ik.open(tmp_path / "fresh.duckdb", user="restorer")
    try:
        counts = fresh.restore(tmp_path / "out")
        before, after = _tables(full_kit), _tables(fresh)
        assert set(before) == set(after) == set(counts)
        for name in before:
            pd.testing.assert_frame_equal(before[name], after[name], obj=name)
        assert manifest["tables"]["incidents"]["rows"] == len(before["incidents"]) > 60
        # sequences continue after the restored ids: new rows do not collide
        ref = full_kit.incidents().iloc[-1]["reference"]
        fresh.post_update(ref, "After the restore", by="restorer") if fresh.get(ref).active else None
        new = fresh.declare("After the restore", declared_by="restorer")
        fresh.post_update(new.reference, "Still numbering correctly", by="restorer")
        fresh.assign_role(new.reference, "lead", "ana", by="restorer")
    finally:
        fresh.close()


def test_private_incidents_and_everything_of_theirs_are_left_out(full_kit, tmp_path):
    private_ids = set(full_kit.db.read(lambda tx: tx.df("SELECT id FROM incidents WHERE private"))["id"])
    assert private_ids, "the demo has private incidents"

    manifest = full_kit.export(tmp_path / "out", format="json")

    assert manifest["private_incidents_left_out"] == len(private_ids)
    incidents = json.loads((tmp_path / "out" / "incidents.json").read_text())
    assert not any(i["private"] for i in incidents)
    for table in ("updates", "events", "incident_roles", "incident_members", "reviews", "follow_ups"):
        rows = json.loads((tmp_path / "out" / f"{table}.json").read_text())
        assert not {r["incident_id"] for r in rows} & private_ids, table
    reviews = {r["id"] for r in json.loads((tmp_path / "out" / "reviews.json").read_text())}
    sections = json.loads((tmp_path / "out" / "review_sections.json").read_text())
    assert all(s["review_id"] in reviews for s in sections)


def test_a_public_only_export_restores_too(full_kit, tmp_path):
    full_kit.export(tmp_path / "out", format="csv")
    fresh = ik.open(tmp_path / "fresh.duckdb", user="tester")
    try:
        counts = fresh.restore(tmp_path / "out")
        assert counts["incidents"] == len(full_kit.incidents()) - len(
            full_kit.db.read(lambda tx: tx.df("SELECT id FROM incidents WHERE private")))
        assert not fresh.incidents()["private"].any()
    finally:
        fresh.close()


def test_csv_cells_that_look_like_formulas_are_neutralised(full_kit, tmp_path):
    full_kit.export(tmp_path / "out", format="csv", include_private=True)

    with open(tmp_path / "out" / "updates.csv", newline="", encoding="utf-8") as fh:
        messages = [r["message"] for r in csv.DictReader(fh)]
    for text in FORMULAS:
        assert "'" + text in messages
    with open(tmp_path / "out" / "incidents.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    hostile = next(r for r in rows if "calc" in r["title"])
    assert hostile["title"].startswith("'=") and hostile["declared_by"] == "'@mallory"
    assert hostile["summary"] == "'-10+20" and hostile["tags"] == '["+tag"]'
    for path in (tmp_path / "out").glob("*.csv"):
        with open(path, newline="", encoding="utf-8") as fh:
            for row in csv.reader(fh):
                for cell in row:
                    assert not cell[:1] in ("=", "+", "@", "\t", "\r"), (path.name, cell)


def test_neutralising_is_reversible():
    for text in [*FORMULAS, "\tTabbed", "\rcarriage", "plain", "", "''twice"]:
        assert unneutralise(neutralise(text)) == text
    assert neutralise("\t=1") == "'\t=1" and neutralise("plain") == "plain"


def test_restore_refuses_a_store_that_already_has_incidents(full_kit, tmp_path):
    full_kit.export(tmp_path / "out", format="parquet")
    with pytest.raises(IncidentKitError, match="already holds .* incidents; restore an export into a new --db file"):
        full_kit.restore(tmp_path / "out")


def test_restore_refuses_a_directory_that_is_not_an_export(kit, tmp_path):
    with pytest.raises(IncidentKitError, match="is not an incident-kit export"):
        kit.restore(tmp_path)


def test_unknown_export_format_is_refused(kit, tmp_path):
    with pytest.raises(IncidentKitError, match="Export format 'xlsx' is not one of: parquet, csv, json"):
        kit.export(tmp_path, format="xlsx")


def _store_tables(kit) -> dict[str, pd.DataFrame]:
    """Every table but the migration log, each in a stable order, through the export store's own reader."""
    from incident_kit.export import store

    return kit.db.read(lambda tx: {t: store.read_table(tx, t).reset_index(drop=True)
                                   for t in store.tables(tx) if t != "schema_migrations"})


def test_a_duckdb_store_moves_to_postgresql_and_back_with_nothing_lost(full_kit, pg_url, tmp_path, subprocess_env):
    """`incident-kit --db URL restore FILE`, then back into a new DuckDB file: every row and value survives."""
    import subprocess
    import sys

    original = _store_tables(full_kit)
    source = full_kit.path
    full_kit.close()  # the CLI opens the file read-only in another process
    subprocess_env["INCIDENT_KIT_DB"] = pg_url
    moved = subprocess.run([sys.executable, "-m", "incident_kit", "restore", source], env=subprocess_env,
                           capture_output=True, text=True, timeout=300)
    assert moved.returncode == 0, moved.stderr
    assert f"({len(original['incidents'])} incidents)" in moved.stdout
    with ik.open(pg_url, user="tester") as pg:
        on_pg = _store_tables(pg)
        assert {t: len(f) for t, f in on_pg.items()} == {t: len(f) for t, f in original.items()}
        new = pg.declare("First incident on PostgreSQL", declared_by="ana")
        assert new.reference == f"INC-{original['incidents']['id'].max() + 1}"
    back = tmp_path / "back.duckdb"
    with ik.open(back, user="tester") as kit:
        kit.restore(pg_url)
        returned = _store_tables(kit)
    for name, frame in original.items():
        got = returned[name]
        if name == "incidents":  # the one incident declared on PostgreSQL came back too
            got = got[got["title"] != "First incident on PostgreSQL"].reset_index(drop=True)
        if name in ("events", "counters"):
            continue  # checked below: they moved on with that declaration
        pd.testing.assert_frame_equal(frame, got, obj=name)
    assert len(returned["events"]) == len(original["events"]) + 1


def test_restoring_into_the_same_store_is_refused(kit):
    with pytest.raises(IncidentKitError, match="same store"):
        kit.restore(kit.path)
