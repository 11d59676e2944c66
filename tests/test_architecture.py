"""Guard the layering: pages are thin, services never touch a driver, SQL lives in store modules."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "incident_kit"
SQL = re.compile(r"\b(SELECT\s+.+\s+FROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+TABLE)\b", re.I | re.S)


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add("." * node.level + (node.module or ""))
    return names


def test_only_the_db_package_talks_to_duckdb():
    offenders = [str(p.relative_to(ROOT)) for p in PKG.rglob("*.py")
                 if "duckdb" in imports(p) and p.parent.name != "db" and p.name != "snapshot.py"]
    assert offenders == []


def test_only_the_db_package_talks_to_postgresql():
    offenders = [str(p.relative_to(ROOT)) for p in PKG.rglob("*.py")
                 if any(n.split(".")[0] in ("psycopg", "psycopg_pool") for n in imports(p)) and p.parent.name != "db"]
    assert offenders == []


def test_pages_hold_no_sql_and_no_store_access():
    pages = [ROOT / "app.py", *(PKG / "ui").rglob("*.py")]
    for page in pages:
        text = page.read_text()
        assert not SQL.search(text), f"{page.relative_to(ROOT)} contains SQL"
        assert not any(".store" in name or name.endswith("db") for name in imports(page)), \
            f"{page.relative_to(ROOT)} reaches past the service layer"


def test_app_is_only_a_router():
    tree = ast.parse((ROOT / "app.py").read_text())
    assert not [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
    assert "st.navigation" in (ROOT / "app.py").read_text()


def test_no_folder_is_named_pages():
    assert not [p for p in ROOT.rglob("pages") if p.is_dir() and ".venv" not in p.parts]
