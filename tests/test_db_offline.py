"""DuckDB never reaches off the machine: no extension is downloaded or loaded by itself.

Opening a SQLite file made DuckDB try to download its ``sqlite_scanner`` extension (and, online, install and
run it). Every connection the package opens now has ``autoinstall_known_extensions`` and
``autoload_known_extensions`` off; a file that is not DuckDB's is one sentence.
"""

from __future__ import annotations

import ast
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import incident_kit as ik
from incident_kit.db import duckdb as duck
from incident_kit.errors import StoreUnavailable

PACKAGE = Path(ik.__file__).parent
OFF = "SELECT current_setting('autoinstall_known_extensions'), current_setting('autoload_known_extensions')"


@pytest.fixture
def sqlite_file(tmp_path) -> Path:
    path = tmp_path / "incidents.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE incidents (id INTEGER PRIMARY KEY, title TEXT)")
    con.execute("INSERT INTO incidents (title) VALUES ('Checkout is failing')")
    con.commit()
    con.close()
    return path


def test_opening_a_sqlite_file_is_one_sentence_and_fetches_nothing(sqlite_file):
    before = sqlite_file.read_bytes()
    with pytest.raises(StoreUnavailable) as caught:
        ik.open(sqlite_file, user="tester")
    message = str(caught.value)
    assert message == (f"{sqlite_file} is not a DuckDB database file (it is a SQLite database); check the --db "
                       "path (or INCIDENT_KIT_DB), or restore the file from a backup if it was one.")
    assert "download" not in message.lower() and "extension" not in message.lower()
    assert sqlite_file.read_bytes() == before  # untouched


def test_the_cli_says_one_sentence_for_a_sqlite_file(sqlite_file, subprocess_env):
    proc = subprocess.run([sys.executable, "-m", "incident_kit", "--db", str(sqlite_file), "list"],
                          env=subprocess_env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ") and "is not a DuckDB database file (it is a SQLite database)" in lines[0]
    assert "download" not in proc.stderr.lower()


def test_every_duckdb_connection_has_extension_autoinstall_and_autoload_off(db_path):
    kit = ik.open(db_path, user="tester")
    assert kit.db.read(lambda tx: tx.fetchone(OFF)) == (False, False)
    kit.close()
    assert duck.local_df(OFF).iloc[0].tolist() == [False, False]  # CSV reads in a private DuckDB
    with duck.connect() as con:
        assert con.execute(OFF).fetchone() == (False, False)


def test_no_module_opens_duckdb_but_through_the_one_connect():
    # db/duckdb.py's ``connect`` sets CONFIG; a bare duckdb.connect elsewhere would not.
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "connect"
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "duckdb"
                    and path != PACKAGE / "db" / "duckdb.py"):
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert not found, found
