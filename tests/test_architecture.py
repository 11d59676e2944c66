"""Guard the layering: pages are thin, services never touch a driver, SQL lives in store modules, and each
rule lives in one home (checked on the syntax tree by ``rule_homes``)."""

import ast
import re
from pathlib import Path

import pytest

import rule_homes

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
        texts = [text for _, text in rule_homes.strings(ast.parse(page.read_text()))]  # the strings, not comments
        assert not any(SQL.search(text) for text in texts), f"{page.relative_to(ROOT)} contains SQL"
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


# -- each rule in its one home, checked on the syntax tree (issue 22; the checker is tests/rule_homes.py) ---------
# Copies still to move to their home. Each entry must still match a copy: when its copy goes, this test
# fails until the entry goes too, so no allowance outlives its copy.
NOT_YET_MOVED: dict[tuple[str, str], str] = {}
# Copies kept on purpose, with the reason.
DELIBERATE = {
    ("incident_kit/analytics/store.py", "cadence"):
        "Insights measure gaps against the target a severity has on record: a level missing from the catalog "
        "has no target, and its gaps count in 'all' only (GAP_STATS), which the metric definitions say",
}


def test_every_rule_has_one_home():
    found = rule_homes.package_copies()
    allowed = {**NOT_YET_MOVED, **DELIBERATE}
    assert [str(c) for c in found if (c.path, c.rule) not in allowed] == []
    assert [key for key in allowed if not any((c.path, c.rule) == key for c in found)] == [], \
        "an allowance whose copy is gone: remove it"


PLANTED = {
    "ACTIVE_ORDER redefined": ("incident_kit/ui/views/probe.py",
                               "ACTIVE_ORDER = [Status.INVESTIGATING, Status.FIXING, Status.MONITORING]\n",
                               {"definition", "statuses"}),
    "active phases under another name": ("incident_kit/demo.py",
                                         "phases = ('fixing', 'investigating', 'monitoring')\n", {"statuses"}),
    "active phases in SQL": ("incident_kit/follow_up/store.py",
                             'Q = f"SELECT id FROM incidents i WHERE i.status IN (\'investigating\', \'fixing\', '
                             '\'monitoring\') AND {x}"\n', {"statuses"}),
    "no updates once merged, closed or declined": (
        "incident_kit/incident/lifecycle.py",
        "def work(incident):\n    if incident.status in (Status.MERGED, Status.CLOSED, Status.DECLINED):\n"
        "        raise Refused()\n", {"statuses"}),
    "ACCEPTS_UPDATES redefined": ("incident_kit/notify/models.py", "ACCEPTS_UPDATES = frozenset()\n", {"definition"}),
    "awaiting review in pandas": ("incident_kit/ui/views/reviews.py",
                                  "waiting = df[df['status'].isin([Status.RESOLVED.value, Status.POST_INCIDENT.value])]\n",
                                  {"statuses"}),
    "needs no review": ("incident_kit/ui/panels/review.py",
                        "if incident.status in {Status.DECLINED, Status.MERGED}:\n    pass\n", {"statuses"}),
    "a table of moves": ("incident_kit/importers/models.py",
                         "MOVES = {Status.RESOLVED: frozenset({Status.CLOSED, Status.POST_INCIDENT}), "
                         "Status.POST_INCIDENT: frozenset({Status.CLOSED, Status.FIXING})}\n", {"status table"}),
    "TRANSITIONS redefined": ("incident_kit/follow_up/models.py", "TRANSITIONS: dict = {}\n", {"definition"}),
    "a default cadence": ("incident_kit/notify/cadence.py", "DEFAULT_CADENCE_MINUTES = 60\n", {"definition"}),
    "a cadence fallback": ("incident_kit/ui/views/incident.py",
                           "minutes = cadence.get(incident.severity, 60)\n", {"cadence"}),
    "a cadence map": ("incident_kit/notify/service.py",
                      "by_name = {s.name: s.cadence_minutes for s in levels}\n", {"cadence"}),
    "a cadence in SQL": ("incident_kit/statuspage/store.py",
                         'Q = """SELECT u.posted_at + to_minutes(sev.cadence_minutes) FROM updates u\n'
                         'JOIN incidents i ON i.id = u.incident_id LEFT JOIN severities sev ON sev.name = i.severity"""\n',
                         {"cadence"}),
    "an admin check": ("incident_kit/notify/service.py",
                       "def may_end(tx, by):\n    return str(by) in catalog.admins(tx)\n", {"admin check"}),
    "an admin check on the setting": ("incident_kit/ui/views/settings.py",
                                      "admins = kit.setting('admins')\nif str(user) in admins:\n    pass\n",
                                      {"admin check"}),
    "the admins setting read": ("incident_kit/export/service.py",
                                "names = store.get_setting(tx, 'admins', [])\n", {"admin check"}),
    "visibility in SQL": ("incident_kit/export/store.py",
                          'Q = "SELECT * FROM incidents i WHERE NOT i.private OR i.declared_by = ?"\n', {"visibility"}),
    "visibility in Python": ("incident_kit/similar/service.py",
                             "def shown(incident, viewer):\n"
                             "    return not incident.private or viewer in incident.participants()\n",
                             {"visibility"}),
    "can_see redefined": ("incident_kit/review/service.py", "def can_see(tx, incident, viewer):\n    return True\n",
                          {"definition"}),
    "tags normalised by hand": ("incident_kit/ui/views/incident.py",
                                "clean = [t.strip().lower() for t in tags]\n", {"tags"}),
    "STATUS_ACTIONS in a page": ("incident_kit/ui/views/reviews.py", "STATUS_ACTIONS = {}\n", {"definition"}),
    "a page importing analytics": ("incident_kit/ui/views/insights.py",
                                   "from incident_kit import analytics\nfrom incident_kit.analytics import survival\n"
                                   "from ...analytics.metrics import insights\n", {"page imports analytics"}),
}


@pytest.mark.parametrize("name", PLANTED)
def test_a_planted_copy_of_each_rule_is_found(name):
    """Each check can fail: a copy planted in a module that does not own the rule is flagged."""
    path, source, rules = PLANTED[name]
    found = rule_homes.copies(path, source)
    assert {c.rule for c in found} == rules, [str(c) for c in found]


def test_pure_chart_builders_are_what_a_page_may_import_from_analytics():
    source = "from incident_kit.analytics import charts, trend_charts\nfrom incident_kit.analytics.charts import HEIGHT\n"
    assert rule_homes.copies("incident_kit/ui/views/insights.py", source) == []


@pytest.mark.parametrize("home", [rule_homes.INCIDENT_MODELS, rule_homes.REVIEW_MODELS, rule_homes.CATALOG_MODELS,
                                  rule_homes.VISIBILITY, rule_homes.ACCESS])
def test_each_home_moved_elsewhere_would_be_flagged_as_copies(home):
    """The homes pass only because they are the homes: their own text, anywhere else, is a copy of every rule."""
    text = (ROOT / home).read_text()
    found = rule_homes.copies("incident_kit/elsewhere.py", text)
    defined = {name for name, homes in rule_homes.HOMES.items() if home in homes and re.search(
        rf"^(?:def |class )?{name}\b", text, re.M)}
    assert defined and defined <= {c.what.split(" ")[0] for c in found if c.rule == "definition"}


def test_the_visibility_fragment_itself_is_recognised():
    from incident_kit.incident.visibility import visible_sql

    found = rule_homes.copies("incident_kit/export/store.py", f"Q = {visible_sql()!r}\n")
    assert {c.rule for c in found} == {"visibility"} and len(found) == 2  # both halves of the rule


def test_the_catalog_owns_its_types_and_does_not_depend_on_incidents():
    catalog = PKG / "catalog"
    assert [str(p.relative_to(ROOT)) for p in catalog.glob("*.py")
            if any("incident." in name or name.endswith(".incident") for name in imports(p))] == []
