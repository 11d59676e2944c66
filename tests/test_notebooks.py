"""Every notebook runs top to bottom against demo data (nbclient), also while the app holds the file."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from incident_kit import demo

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
HOLDER = Path(__file__).with_name("snapshot_holder.py")


def execute(path: Path, cwd: Path) -> nbformat.NotebookNode:
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}).execute()
    return nb


@pytest.fixture
def demo_db(kit, db_path, monkeypatch):
    demo.load(kit.db, incidents=150, seed=5)
    kit.close()  # the notebook kernel is another process
    monkeypatch.setenv("INCIDENT_KIT_DB", str(db_path))
    return db_path


def test_there_are_the_five_notebooks():
    assert [p.name for p in NOTEBOOKS] == ["01_quick_start.ipynb", "02_update_cadence.ipynb",
                                           "03_follow_up_completion.ipynb", "04_status_page_comparison.ipynb",
                                           "05_are_we_improving.ipynb"]


SQL_TEXT = re.compile(r"\b(select|insert|update|delete|create|with)\b.+\b(from|into|set|table|as)\b", re.I | re.S)
DRIVER_CALLS = {"execute", "executemany", "sql", "query", "fetchall", "fetchone", "fetchdf", "df", "read_sql"}


def sql_in(source: str) -> list[str]:
    """SQL a code cell carries: SQL-looking string literals, driver calls, driver imports (parsed, not grepped)."""
    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
    found = []
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL_TEXT.search(node.value):
            found.append(node.value)
        elif isinstance(node, ast.Attribute) and node.attr in DRIVER_CALLS:
            found.append(f".{node.attr}(...)")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
            found += [n for n in names if n.split(".")[0] in ("duckdb", "psycopg", "sqlite3", "sqlalchemy")]
    return found


def test_the_sql_check_sees_sql_after_a_comment_and_inside_strings():
    assert sql_in('x = 1  # a comment\nq = "SELECT count(*) FROM incidents"') != []
    assert sql_in("kit.db.read(lambda tx: tx.execute('x'))") != []
    assert sql_in("import duckdb") != []
    assert sql_in("analytics.response_summary(kit)  # SELECT nothing") == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_are_stored_without_outputs_and_without_sql(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
            assert sql_in(cell.source) == [], "metrics come from incident_kit, not SQL in the notebook"
    assert any("import incident_kit" in c.source for c in nb.cells)


@pytest.mark.slow
@pytest.mark.both_stores  # on PostgreSQL the kernel reads the live database: no snapshot involved
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_against_demo_data(path, demo_db, tmp_path):
    nb = execute(path, tmp_path)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []
    assert "live file" in str(nb.cells[1].outputs)


@pytest.mark.slow
def test_quick_start_notebook_runs_while_another_process_holds_the_database(demo_db, tmp_path, subprocess_env):
    child = subprocess.Popen([sys.executable, str(HOLDER), str(demo_db), "--publish"], env=subprocess_env, text=True,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert child.stdout.readline().strip() == "ready"
        nb = execute(NOTEBOOKS[0], tmp_path)
        assert "snapshot taken" in str(nb.cells[1].outputs)
    finally:
        child.stdin.close()
        child.wait(timeout=60)
