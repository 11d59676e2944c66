"""The store contract is complete: callers use the Database/Tx protocols and nothing around them.

A store built from ``db/base.py`` (and ARCHITECTURE.md's checklist) must be enough for every caller, so no
caller may reach a store through ``getattr`` or a private attribute. Checked on the syntax tree; that both
stores satisfy the protocols is mypy's part (tests/test_type_check.py).
"""

import ast
from pathlib import Path

import pytest

import incident_kit as ik
from incident_kit.db.base import AnalyticsTx, Database

PACKAGE = Path(ik.__file__).parent
ROOT = PACKAGE.parent
# The stores' own modules use their concrete types (pgcopy's PgTx.copy_out; private attributes stay banned).
STORES = {PACKAGE / "db" / name for name in ("duckdb.py", "postgres.py", "pgframes.py", "pgcopy.py")}
# namedtuple's public API is spelled with an underscore.
NAMEDTUPLE = {"_replace", "_asdict", "_fields", "_make"}


def members(protocol: type) -> set[str]:
    out: set[str] = set()
    for cls in protocol.__mro__:
        if cls is not object:
            out |= {name for name in vars(cls) if not name.startswith("_")}
            out |= set(getattr(cls, "__annotations__", {}))
    return out


def sources(*folders: Path):
    for folder in folders:
        for path in sorted(folder.rglob("*.py")):
            yield path, ast.parse(path.read_text(encoding="utf-8"))


def holds(node: ast.expr) -> str | None:
    """'db' or 'tx' when the expression is, by the package's naming, a Database or a Tx."""
    if isinstance(node, ast.Name) and node.id in ("db", "tx"):
        return node.id
    if isinstance(node, ast.Attribute) and node.attr == "db":  # kit.db, self.db
        return "db"
    return None


def test_callers_use_only_what_the_database_and_tx_protocols_declare():
    allowed = {"db": members(Database), "tx": members(AnalyticsTx)}
    found = []
    for path, tree in sources(PACKAGE):
        if path in STORES:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and (kind := holds(node.value)) and node.attr not in allowed[kind]:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {ast.unparse(node)}")
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in ("getattr", "hasattr", "setattr") and node.args and holds(node.args[0])):
                name = node.args[1].value if len(node.args) > 1 and isinstance(node.args[1], ast.Constant) else None
                if name != "db":  # getattr(source, "db", source): a Kit or its Database, not a reach-in
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} {ast.unparse(node)}")
    assert not found, "not in the Database/Tx protocols of db/base.py (add it there, to both stores):\n" + \
        "\n".join(found)


def private(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
            and node.attr not in NAMEDTUPLE and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")))


def test_no_module_touches_another_objects_private_attributes():
    found = [f"{path.relative_to(ROOT)}:{node.lineno} {ast.unparse(node)}"
             for path, tree in sources(PACKAGE) for node in ast.walk(tree) if private(node)]
    # Benchmarks time the stores as callers do (they may poke module-level caches, not a store's insides).
    found += [f"{path.relative_to(ROOT)}:{node.lineno} {ast.unparse(node)}"
              for path, tree in sources(ROOT / "benchmarks") for node in ast.walk(tree)
              if private(node) and holds(node.value)]
    found = [f for f in found if f.split(" ", 1)[1] not in THIRD_PARTY_WORKAROUNDS]
    assert not found, "private attributes reached from outside their object:\n" + "\n".join(found)


# A library's private name we patch on purpose, each with the test that fails once the reason is gone.
THIRD_PARTY_WORKAROUNDS = {
    "base_events._set_nodelay": "web/app.py send_small_answers_at_once: Streamlit 1.67 binds its socket with "
                                "proto 0, so asyncio leaves Nagle on (44 ms per kept-alive request); "
                                "tests/test_web_serving.py fails once Streamlit binds with IPPROTO_TCP",
}


@pytest.mark.both_stores
def test_each_store_answers_the_whole_protocol(db_path):
    kit = ik.open(db_path, user="tester")
    db = kit.db
    for name in members(Database):
        assert hasattr(db, name), name
    assert db.dialect in ("duckdb", "postgres") and db.dialect == db.read(lambda tx: tx.dialect)
    assert db.target == str(db_path) and "***" not in db.target
    with db.migration_lock():
        assert db.read(lambda tx: tx.fetchone("SELECT 1")) == (1,)
    arrays = db.analytics_read(lambda tx: tx.fetchnumpy("SELECT count(*) AS n FROM severities"), ["severities"])
    assert list(arrays["n"]) == [4]
    assert db.memo.get("answer", lambda: 42) == 42
    kit.close()
