"""Faults of the file underneath: damage, a newer schema, a full disk. One sentence naming the file and
what to do, exit status 1, and nothing half-written.

The disk really fills up: a small tmpfs mounted in a private mount namespace (``unshare``; it vanishes
with the process) gives ENOSPC, and ``RLIMIT_FSIZE`` gives EFBIG ("file too large") without any
privilege. Python ignores SIGXFSZ, so the write fails with an error instead of killing the process.
"""

from __future__ import annotations

import json
import os
import random
import resource
import shlex
import shutil
import subprocess
import sys

import pytest

import incident_kit as ik
from incident_kit import demo

MB = 1024 * 1024


def cli(env, *args, preexec_fn=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "incident_kit", *args], capture_output=True, text=True,
                          errors="replace", env=env, timeout=300, preexec_fn=preexec_fn)


def one_sentence(result: subprocess.CompletedProcess, *, says: str) -> str:
    assert result.returncode == 1, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert says in lines[0], lines[0]
    return lines[0]


def count(env, db) -> int:
    result = cli(env, "--db", str(db), "list", "--json", "--limit", "100000")
    assert result.returncode == 0, result.stderr
    return len(json.loads(result.stdout))


@pytest.fixture
def demo_db(tmp_path):
    path = tmp_path / "demo.duckdb"
    kit = ik.open(path, user="tester")
    demo.load(kit.db, incidents=200, seed=7)
    kit.close()  # checkpointed: everything is in the file, nothing in a WAL
    assert not path.with_suffix(".duckdb.wal").exists()
    return path


# -- damage --------------------------------------------------------------------------------
def test_a_truncated_database_is_one_sentence_naming_the_file(demo_db, subprocess_env):
    with open(demo_db, "r+b") as fh:
        fh.truncate(100_000)
    for args in (["list"], ["metrics"]):
        line = one_sentence(cli(subprocess_env, "--db", str(demo_db), *args), says="is damaged")
        assert str(demo_db.name) in line and "restore" in line


@pytest.mark.parametrize("start", [12_288, 0.25])
def test_a_corrupted_database_is_one_sentence_naming_the_file(demo_db, subprocess_env, tmp_path, start):
    """Bytes overwritten right after the header (found when opening) or over the data (found by a query)."""
    size = demo_db.stat().st_size
    offset = start if isinstance(start, int) else int(size * start)
    rng = random.Random(42)
    with open(demo_db, "r+b") as fh:
        fh.seek(offset)
        fh.write(rng.randbytes(size - offset))
    result = cli(subprocess_env, "--db", str(demo_db), "export", "--out", str(tmp_path / "out"), "--format", "json")
    line = one_sentence(result, says="is damaged")
    assert str(demo_db.name) in line and "backup" in line
    assert not (tmp_path / "out" / "manifest.json").exists()


def test_a_file_that_is_not_a_database_is_one_sentence(tmp_path, subprocess_env):
    path = tmp_path / "notes.duckdb"
    path.write_text("Meeting notes, not a database\n" * 200)
    one_sentence(cli(subprocess_env, "--db", str(path), "list"), says="is not a DuckDB database file")
    assert path.read_text().startswith("Meeting notes")  # untouched


# -- a newer schema ----------------------------------------------------------------------------
@pytest.fixture
def from_the_future(tmp_path):
    path = tmp_path / "newer.duckdb"
    kit = ik.open(path, user="tester")
    kit.declare("Declared by a newer version", declared_by="ana")
    kit.db.write(lambda tx: tx.execute("INSERT INTO schema_migrations VALUES (9999, 'from_the_future', now())"))
    kit.close()
    return path


def test_a_database_with_a_newer_schema_is_refused(from_the_future, subprocess_env):
    for args in (["list"], ["declare", "x"], ["metrics"]):  # read-write and read-only opens
        line = one_sentence(cli(subprocess_env, "--db", str(from_the_future), *args), says="newer incident-kit")
        assert "[9999]" in line and "upgrade" in line


def test_a_newer_schema_is_refused_by_the_python_api_and_left_alone(from_the_future):
    with pytest.raises(ik.StoreUnavailable, match="written by a newer incident-kit"):
        ik.open(from_the_future, user="tester")
    with pytest.raises(ik.StoreUnavailable, match="written by a newer incident-kit"):
        ik.open(from_the_future, read_only=True, user="tester")
    import duckdb

    con = duckdb.connect(str(from_the_future), read_only=True)
    assert con.execute("SELECT count(*) FROM incidents").fetchone()[0] == 1
    con.close()


# -- a full disk ---------------------------------------------------------------------------------
@pytest.fixture
def big_csv(tmp_path):
    """20,000 valid rows (about 3 MB): far more than the space left for the write."""
    path = tmp_path / "history.csv"
    rows = ["external_id,title,status,declared_at,resolved_at,severity,type,summary,declared_by"]
    rows += [f"OLD-{i},Old incident {i},resolved,2024-02-{1 + i % 28:02d}T10:00:00Z,"
             f"2024-02-{1 + i % 28:02d}T12:00:00Z,Minor,engineering,A summary long enough to need room {i},ana"
             for i in range(20_000)]
    path.write_text("\n".join(rows) + "\n")
    return path


@pytest.fixture
def small_db(tmp_path):
    path = tmp_path / "small.duckdb"
    kit = ik.open(path, user="tester")
    kit.declare("Declared before the disk filled up", declared_by="ana")
    kit.close()
    return path


def _file_size_limit(limit: int):
    def apply():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


@pytest.mark.parametrize("args", [["import", "csv", "{csv}"], ["demo", "--append", "--incidents", "3000"]])
def test_a_file_size_limit_during_a_write_is_one_sentence_and_saves_nothing(small_db, big_csv, subprocess_env, args):
    """EFBIG: the WAL may not grow past 1 MB."""
    argv = [a.replace("{csv}", str(big_csv)) for a in args]
    result = cli(subprocess_env, "--db", str(small_db), *argv, preexec_fn=_file_size_limit(MB))
    line = one_sentence(result, says="is full")
    assert small_db.name in line and "free some space" in line
    assert count(subprocess_env, small_db) == 1


def _private_tmpfs_works() -> str | None:
    """Why a private tmpfs cannot be mounted here, or None when it can."""
    if shutil.which("unshare") is None:
        return "the unshare command (util-linux) is missing"
    probe = subprocess.run(["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /tmp"],
                           capture_output=True, text=True)
    return None if probe.returncode == 0 else f"unshare -rm cannot mount a tmpfs: {probe.stderr.strip()}"


def in_full_disk(script: str, *, room_kb: int, copy: dict, env, mnt) -> subprocess.CompletedProcess:
    """Run ``script`` (sh) with $M a fresh tmpfs on ``mnt`` that holds the ``copy`` files plus ``room_kb`` KiB."""
    why = _private_tmpfs_works()
    assert why is None, f"this test needs a private mount namespace: {why}"
    mnt.mkdir()
    size_kb = sum(os.path.getsize(src) for src in copy) // 1024 + room_kb
    setup = [f"M={shlex.quote(str(mnt))} && mount -t tmpfs -o size={size_kb}k tmpfs \"$M\""]
    setup += [f"cp {shlex.quote(str(src))} \"$M\"/{shlex.quote(dst)}" for src, dst in copy.items()]
    full = " && ".join(setup) + "\n" + script
    return subprocess.run(["unshare", "-rm", "sh", "-c", full], capture_output=True, text=True, errors="replace",
                          env={**env, "PY": sys.executable}, timeout=300)


@pytest.mark.parametrize("args", [["import", "csv", "{csv}"], ["demo", "--append", "--incidents", "3000"]])
def test_a_full_disk_during_import_or_demo_is_one_sentence_and_saves_nothing(small_db, big_csv, subprocess_env,
                                                                            args):
    """ENOSPC on a real (tmpfs) file system with 256 KiB left."""
    argv = " ".join(shlex.quote(a.replace("{csv}", str(big_csv))) for a in args)
    script = (f'"$PY" -m incident_kit --db "$M/kit.duckdb" {argv}; echo "exit=$?"\n'
              '"$PY" -m incident_kit --db "$M/kit.duckdb" list --json | "$PY" -c '
              '"import json, sys; print(\'count=\' + str(len(json.load(sys.stdin))))"')
    done = in_full_disk(script, room_kb=256, copy={small_db: "kit.duckdb"}, env=subprocess_env,
                        mnt=small_db.parent / "disk")
    out = done.stdout.strip().splitlines()
    assert out[-2:] == ["exit=1", "count=1"], (done.stdout, done.stderr)
    errors = done.stderr.strip().splitlines()
    assert len(errors) == 1 and "is full" in errors[0] and "kit.duckdb" in errors[0], done.stderr


def test_a_full_disk_while_writing_an_output_file_keeps_the_old_file(small_db, subprocess_env):
    kit = ik.open(small_db, user="tester")
    for i in range(300):
        kit.add_follow_up("INC-1", f"Follow-up number {i} with a long enough title to need room", by="ana")
    kit.close()
    script = ('printf old > "$M/follow-ups.csv"\n'
              f'"$PY" -m incident_kit --db {shlex.quote(str(small_db))} follow-ups export -o "$M/follow-ups.csv"; '
              'echo "exit=$?"\n'
              'cat "$M/follow-ups.csv"; echo; ls -a "$M"')
    done = in_full_disk(script, room_kb=8, copy={}, env=subprocess_env, mnt=small_db.parent / "disk")
    out = done.stdout.strip().splitlines()
    assert out[0] == "exit=1" and out[1] == "old", (done.stdout, done.stderr)
    assert sorted(out[2:]) == [".", "..", "follow-ups.csv"]  # no temporary file left behind
    errors = done.stderr.strip().splitlines()
    assert len(errors) == 1 and "the disk is full" in errors[0] and "follow-ups.csv" in errors[0], done.stderr


def test_a_full_disk_during_an_export_is_one_sentence_and_leaves_no_manifest(demo_db, subprocess_env):
    script = (f'"$PY" -m incident_kit --db {shlex.quote(str(demo_db))} export --out "$M/export" --format json; '
              'echo "exit=$?"\nls "$M/export"')
    done = in_full_disk(script, room_kb=64, copy={}, env=subprocess_env, mnt=demo_db.parent / "disk")
    out = done.stdout.strip().splitlines()
    assert out[0] == "exit=1" and "manifest.json" not in out, (done.stdout, done.stderr)
    errors = done.stderr.strip().splitlines()
    assert len(errors) == 1 and "the disk is full" in errors[0], done.stderr
