"""Guard the layering: pages are thin, services never touch a driver, SQL lives in store modules."""

import ast
import re
from pathlib import Path

import pytest

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


# -- each rule once, public seams, small modules (issue 15) ---------------------------------------------
MODULE_MAX_LINES = 400
PAGES = [*(PKG / "ui" / "views").glob("*.py"), *(PKG / "ui" / "panels").glob("*.py")]


def package_of(parts: tuple[str, ...]) -> str:
    """The domain a module belongs to: ``incident_kit/review/service.py`` -> review; top-level modules are their own."""
    return parts[1] if len(parts) > 2 else parts[-1].removesuffix(".py")


def resolve(path: Path, node: ast.ImportFrom) -> tuple[str, ...]:
    """The absolute module parts of a ``from ... import``."""
    if node.level == 0:
        return tuple((node.module or "").split("."))
    here = path.relative_to(ROOT).with_suffix("").parts
    base = here[:-node.level]
    return (*base, *(node.module.split(".") if node.module else ()))


def cross_package_private_uses(path: Path, source: str | None = None) -> list[str]:
    """`from <other package> import _x` and `<alias of another package's module>._x(...)`."""
    mine = package_of(path.relative_to(ROOT).parts)
    tree = ast.parse(path.read_text() if source is None else source)
    aliases: dict[str, str] = {}  # local name -> package of the module it names
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            target = resolve(path, node)
            if not target or target[0] != "incident_kit":
                continue
            for alias in node.names:
                module = (*target, alias.name)
                owner = package_of(module if len(target) == 1 else (*target, "x"))
                if owner == mine:
                    continue
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {'.'.join(target)}.{alias.name}")
                aliases[alias.asname or alias.name] = owner
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases
                and node.attr.startswith("_") and not node.attr.startswith("__")):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} uses {node.value.id}.{node.attr}")
    return found


def test_no_package_imports_or_calls_another_packages_private_names():
    offenders = [hit for p in sorted(PKG.rglob("*.py")) for hit in cross_package_private_uses(p)]
    assert offenders == []


def test_the_private_name_check_catches_both_forms():
    """The guard above must be able to fail: it flags an import and a call of another package's private name."""
    probe = "from ..incident.service import _load\nfrom ..incident import service as s\nfrom . import _own\ns._move(1)\n"
    found = cross_package_private_uses(PKG / "review" / "probe.py", probe)
    assert [hit.split(" ", 1)[1] for hit in found] == ["imports incident_kit.incident.service._load", "uses s._move"]


def uses_kit_db(path: Path) -> bool:
    return any(isinstance(n, ast.Attribute) and n.attr == "db" for n in ast.walk(ast.parse(path.read_text())))


def test_pages_never_reach_the_database_handle():
    assert [str(p.relative_to(ROOT)) for p in PAGES if uses_kit_db(p)] == []


def long_modules() -> dict[str, int]:
    files = [ROOT / "app.py", *PKG.rglob("*.py")]
    return {str(p.relative_to(ROOT)): n for p in files
            if (n := len(p.read_text().splitlines())) > MODULE_MAX_LINES}


def test_no_module_is_over_400_lines():
    assert long_modules() == {}


VISIBILITY = PKG / "incident" / "visibility.py"
# Pieces of the private-visibility rule: anywhere but visibility.py they are a copy that can drift.
RULE_PIECES = [
    re.compile(r"\bNOT\s+\w+\.private\b"),  # SQL: "a non-private incident shows to everyone"
    re.compile(r"incident_(?:members|roles)\s+\w+\s+WHERE[^\"]*?\.person\s*=", re.I | re.S),  # participation
    re.compile(r"\bdef\s+can_see\b"),  # the Python predicate
]


def test_the_visibility_rule_is_written_once():
    copies = []
    for path in PKG.rglob("*.py"):
        if path == VISIBILITY:
            continue
        text = path.read_text()
        copies += [f"{path.relative_to(ROOT)}: {rule.pattern}" for rule in RULE_PIECES if rule.search(text)]
    assert copies == []
    # ... and the patterns do find the one real rule, so this test can fail.
    from incident_kit.incident.visibility import visible_sql

    assert all(rule.search(visible_sql() + VISIBILITY.read_text()) for rule in RULE_PIECES)


def test_admins_are_read_only_by_the_catalog():
    """The ``admins`` setting is read in one place (catalog.store.admins) and judged in one (catalog.access).

    Declaring it is not reading it: ``config.SETTINGS`` and migration 0001's frozen seed name it too."""
    readers = [str(p.relative_to(ROOT)) for p in PKG.rglob("*.py")
               if p.parent.name not in ("catalog", "ui", "views", "panels", "migrations") and p.name != "config.py"
               and re.search(r"""["']admins["']""", p.read_text())]
    assert readers == []


ACTIVE_SPELLED = re.compile(r"""["']investigating["'],\s*["']fixing["'],\s*["']monitoring["']""")


def test_active_statuses_are_spelled_out_only_in_the_incident_model():
    assert [str(p.relative_to(ROOT)) for p in [ROOT / "app.py", *PKG.rglob("*.py")]
            if p not in PAGES and ACTIVE_SPELLED.search(p.read_text())] == []


# Rules pages used to hold: the active phases, review status actions, a cadence fallback, tag normalising.
PAGE_RULES = [ACTIVE_SPELLED, re.compile(r"^STATUS_ACTIONS\s*=", re.M), re.compile(r"cadence\.get\([^)]*,\s*60\)"),
              re.compile(r"\.strip\(\)\.lower\(\)\s+for\s+t\s+in\s+tags")]


def page_rules() -> list[str]:
    return [f"{p.relative_to(ROOT)}: {rule.pattern}" for p in PAGES for rule in PAGE_RULES
            if rule.search(p.read_text())]


def test_pages_ask_the_domain_models_instead_of_holding_rules():
    assert page_rules() == []


def test_the_catalog_owns_its_types_and_does_not_depend_on_incidents():
    catalog = PKG / "catalog"
    assert [str(p.relative_to(ROOT)) for p in catalog.glob("*.py")
            if any("incident." in name or name.endswith(".incident") for name in imports(p))] == []
