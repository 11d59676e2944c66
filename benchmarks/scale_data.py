"""The scale data set: a large organisation's ten years (1M incidents, ~3M updates) for ``bench_scale.py``.

    python benchmarks/scale_data.py --incidents 1000000            # build (or find) the files, print counts
    python benchmarks/scale_data.py --incidents 2000 --check       # and check a loaded store on both stores

The rows (``scale_generate.py``): the demo's shapes (``incident_kit/demo.py``: its vocabulary, weights,
durations, cadences, review depths and follow-up odds; declarations growing over the span), drawn with numpy
for every incident at once instead of one Python loop per incident, so a million incidents build in about
30 s on 2 cores. The rows are what the services would have written, with the same events; the derived rows
(``update_facts``, the incident counter, the id sequences) are then made by the store's own SQL after the
load, as ``demo.load`` does.

Files: one Parquet file per table under ``benchmarks/.scale/<incidents>-<seed>/`` (gitignored), reused
until the generator changes (``VERSION``). Loading: DuckDB reads the Parquet files with ``INSERT ... SELECT``;
PostgreSQL takes them as CSV through ``COPY ... FROM STDIN``, with the change-log triggers of migration 19
off (``session_replication_role = replica``: a bulk load is not a change any existing copy must replay).

Where it differs from issue 24's guess: one review per closed or post-incident incident that is not a test,
as the demo does (~0.97 reviews per incident, not 0.3: closing needs a finished review, and 700k incidents
waiting forever for one would not be a real organisation).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from incident_kit.incident import facts  # noqa: E402
from incident_kit.incident import store as incident_store  # noqa: E402
from scale_generate import VERSION, generate  # noqa: E402  (the rows; this module: files and loading)

CACHE = Path(__file__).resolve().parent / ".scale"
TABLES = ("incidents", "incident_roles", "incident_members", "updates", "events", "reviews", "follow_ups")
SEQUENCES = {"incident_roles": "incident_roles_id_seq", "updates": "updates_id_seq", "events": "events_id_seq",
             "reviews": "reviews_id_seq", "follow_ups": "follow_ups_id_seq"}


# -- the files ------------------------------------------------------------------------------------------
def build(incidents: int, *, seed: int = 42, quiet: bool = False, cache: Path = CACHE) -> Path:
    """The directory holding the set's Parquet files, built once (reused while ``VERSION`` holds)."""
    where = cache / f"{incidents}-{seed}"
    meta = where / "meta.json"
    if meta.exists() and json.loads(meta.read_text()).get("version") == VERSION:
        return where
    where.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    now = dt.datetime.now(dt.timezone.utc).replace(minute=0, second=0, microsecond=0)
    tables = generate(incidents, seed=seed, now=now)
    for name, table in tables.items():
        pq.write_table(table, where / f"{name}.parquet", compression="zstd")
    seconds = round(time.perf_counter() - started, 1)
    meta.write_text(json.dumps({"version": VERSION, "now": now.isoformat(), "seconds": seconds,
                                "rows": {k: t.num_rows for k, t in tables.items()}}, indent=1))
    if not quiet:
        print(f"built the {incidents:,}-incident set in {seconds} s: {where}", flush=True)
    return where


def duckdb_cache(where: Path) -> Path:
    """Where a loaded DuckDB file of the set is kept, named by the newest migration: a file loaded before a
    migration was added or renumbered (its ledger says it has one it lacks) is never reused."""
    latest = max(p.stem.split("_")[0] for p in (ROOT / "incident_kit/db/migrations").glob("m[0-9]*.py"))
    return where / f"store-{latest}.duckdb"


def rows(where: Path) -> dict[str, int]:
    return json.loads((where / "meta.json").read_text())["rows"]


def columns(where: Path, table: str) -> list[str]:
    return pq.read_schema(where / f"{table}.parquet").names


# Advance a DuckDB sequence past the loaded ids (DuckDB has no setval).
ADVANCE_DUCK = "SELECT max(nextval('{seq}')) FROM range(?)"
SET_PG_SEQUENCE = "SELECT setval('{seq}', greatest(1, (SELECT coalesce(max(id), 0) FROM {table})))"


def load_duckdb(path: str | Path, where: Path) -> None:
    """A new DuckDB store at ``path`` holding the set (migrated by opening; derived rows by the store's SQL)."""
    import incident_kit as ik

    kit = ik.open(path, user="bench")
    counts = rows(where)

    def work(tx):
        for table in TABLES:
            cols = ", ".join(columns(where, table))
            tx.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM read_parquet(?)",
                       [str(where / f"{table}.parquet")])
        for table, seq in SEQUENCES.items():
            if counts[table]:
                tx.fetchall(ADVANCE_DUCK.format(seq=seq), [counts[table]])
        facts.rebuild(tx)
        incident_store.sync_incident_counter(tx)

    kit.db.write(work)
    kit.db.checkpoint()
    kit.close()


def load_postgres(url: str, where: Path) -> None:
    """Load the set into the (new, empty) PostgreSQL database at ``url`` by COPY."""
    import duckdb
    import psycopg

    import incident_kit as ik

    ik.open(url, user="bench").close()  # migrate
    duck = duckdb.connect()
    duck.execute("SET TimeZone = 'UTC'")
    with tempfile.TemporaryDirectory(prefix="ik-scale-") as tmp, psycopg.connect(url) as con:
        con.execute("SET session_replication_role = replica")  # a bulk load: no change-log rows (see above)
        for table in TABLES:
            names = columns(where, table)
            schema = pq.read_schema(where / f"{table}.parquet")
            select = ", ".join(
                f"'{{' || array_to_string(list_transform({c}, lambda x: '\"' || x || '\"'), ',') || '}}'"
                if pa.types.is_list(schema.field(c).type) else c for c in names)
            csv = Path(tmp) / f"{table}.csv"
            duck.execute(f"COPY (SELECT {select} FROM read_parquet('{where / (table + '.parquet')}')) "
                         f"TO '{csv}' (FORMAT CSV, HEADER false)")
            with con.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN (FORMAT CSV)") as cp, \
                    open(csv, "rb") as fh:
                while chunk := fh.read(1 << 20):
                    cp.write(chunk)
            csv.unlink()
        for table, seq in SEQUENCES.items():
            con.execute(SET_PG_SEQUENCE.format(seq=seq, table=table))
        con.execute(facts.DELETE_ALL)
        con.execute(facts.INSERT_ALL)
        con.execute(incident_store.SYNC_INCIDENT_COUNTER)
        con.commit()
    with psycopg.connect(url, autocommit=True) as con:
        con.execute("VACUUM ANALYZE")
    duck.close()


def check(incidents: int, seed: int = 42) -> None:
    """Load a small set into both stores and check what the services' own checks and analytics say of it."""
    sys.path.insert(0, str(ROOT / "tests"))
    from pg_server import PgServer

    import incident_kit as ik
    from incident_kit import analytics

    where = build(incidents, seed=seed)
    server = PgServer().start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "scale.duckdb"
            load_duckdb(path, where)
            url = server.fresh_database()
            load_postgres(url, where)
            answers = []
            for target in (path, url):
                with ik.open(target, user="bench") as kit:
                    assert kit.db.read(facts.maintained) == kit.db.read(facts.from_scratch)
                    summary = analytics.metrics_summary(kit)
                    bundle = analytics.insights(kit)
                    answers.append(json.dumps(summary, sort_keys=True, default=str))
                    ref = kit.declare("Checkout failing after the scale load", severity="Major").reference
                    kit.post_update(ref, "Looking into it")
                    assert int(ref.split("-")[1]) == incidents + 1, ref  # the counter follows the load
                    assert kit.updates(ref)[0].id == rows(where)["updates"] + 1  # and so do the sequences
                    assert len(kit.timeline("INC-1")) > 2
                    assert len(kit.similar("checkout returning errors")) > 0
                    print(kit.db.dialect, "ok:", len(bundle), "frames;", summary.get("incidents", summary)
                          if isinstance(summary, dict) else "")
            assert answers[0] == answers[1], "the two stores' figures differ"
            print("both stores give the same figures")
    finally:
        server.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--incidents", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--check", action="store_true", help="load both stores and check them")
    args = ap.parse_args()
    where = build(args.incidents, seed=args.seed)
    print(json.dumps(rows(where)))
    if args.check:
        check(args.incidents, args.seed)


if __name__ == "__main__":
    main()
