"""Where each rule lives, and a checker that finds its copies on the syntax tree (tests/test_architecture.py).

The checks read ``ast`` nodes, not spellings: a copy of the active phases is found whether it is written
``("investigating", "fixing", "monitoring")``, ``[Status.FIXING, Status.INVESTIGATING, Status.MONITORING]``
or ``IN ('investigating', 'fixing', 'monitoring')`` inside a SQL string. The sets they look for are imported
from the homes themselves, so a rule that changes is looked for as it now is.

``copies(path, source)`` returns one ``Copy`` per finding; a module is never flagged for its own rules.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from incident_kit.incident.models import ACCEPTS_UPDATES, ACTIVE, REOPENABLE, Status
from incident_kit.review.models import AWAITS_REVIEW, NEEDS_NO_REVIEW

ROOT = Path(__file__).resolve().parent.parent

INCIDENT_MODELS = "incident_kit/incident/models.py"
REVIEW_MODELS = "incident_kit/review/models.py"
CATALOG_MODELS = "incident_kit/catalog/models.py"
CATALOG_STORE = "incident_kit/catalog/store.py"
ACCESS = "incident_kit/catalog/access.py"
VISIBILITY = "incident_kit/incident/visibility.py"

# A name that states a rule -> the modules that may define it (assign it, or def it).
HOMES = {
    **dict.fromkeys(("ACTIVE", "ACTIVE_ORDER", "ACTIVE_SQL", "REOPENABLE", "ACCEPTS_UPDATES", "status_sql",
                     "normalise_tags"), {INCIDENT_MODELS}),
    **dict.fromkeys(("TRANSITIONS", "check_transition"), {INCIDENT_MODELS, REVIEW_MODELS}),  # incidents', reviews'
    **dict.fromkeys(("NEEDS_NO_REVIEW", "AWAITS_REVIEW", "AWAITS_REVIEW_SQL", "STATUS_ACTIONS", "QUEUE_OF_STATUS",
                     "queue_sql"), {REVIEW_MODELS}),
    **dict.fromkeys(("DEFAULT_CADENCE_MINUTES", "cadence_for", "cadence_sql"), {CATALOG_MODELS}),
    **dict.fromkeys(("is_admin", "require_admin", "trust_typed_names"), {ACCESS, CATALOG_STORE}),
    **dict.fromkeys(("can_see", "visible_sql", "participant_sql", "public_sql", "is_participant", "scope_params"),
                    {VISIBILITY}),
    # status page subscribers: how long a request waits, which states keep the address, who may still receive
    **dict.fromkeys(("CONFIRM_WITHIN", "HOLDS_ADDRESS"), {"incident_kit/subscribers/models.py"}),
    "RECEIVES": {"incident_kit/notify/public.py"},
    "header_text": {"incident_kit/safe_output.py"},
}

# Sets of incident statuses that are rules, with their home. A literal listing exactly one of them,
# or exactly the statuses outside it ("merged, closed, declined" is "does not accept updates"), is a copy.
STATUS_SETS = {"ACTIVE": (ACTIVE, INCIDENT_MODELS), "ACCEPTS_UPDATES": (ACCEPTS_UPDATES, INCIDENT_MODELS),
               "REOPENABLE": (REOPENABLE, INCIDENT_MODELS), "NEEDS_NO_REVIEW": (NEEDS_NO_REVIEW, REVIEW_MODELS),
               "AWAITS_REVIEW": (AWAITS_REVIEW, REVIEW_MODELS)}
EVERY_STATUS = frozenset(Status)
BY_NAME = {s.name: s for s in Status}
BY_VALUE = {s.value: s for s in Status}

# Pages may import these analytics modules: pure chart builders (a frame in, an Altair chart out) and the
# figures' readings (a frame in, a sentence out).
PURE_ANALYTICS = {("incident_kit", "analytics", "charts"), ("incident_kit", "analytics", "trend_charts"),
                  ("incident_kit", "analytics", "readings")}

# SQL pieces of the private-visibility rule: anywhere but visibility.py they are a copy that can drift.
VISIBILITY_SQL = [
    re.compile(r"\bNOT\s+\w+\.private\b", re.I),  # "a non-private incident shows to everyone"
    re.compile(r"incident_(?:members|roles)\s+\w+\s+WHERE[^\"]*?\.person\s*=", re.I | re.S),  # participation
]
SEVERITY_ALIAS = re.compile(r"\b(?:FROM|JOIN)\s+severities\s+(?:AS\s+)?(?!ON\b|WHERE\b|USING\b)(\w+)", re.I)
SQL_LIST = re.compile(r"\(\s*('[a-z_]+'(?:\s*,\s*'[a-z_]+')+)\s*\)")


@dataclass(frozen=True)
class Copy:
    path: str
    line: int
    rule: str  # "definition", "statuses", "status table", "cadence", "admin check", "visibility", "tags", ...
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} {self.rule}: {self.what}"


def status_of(node: ast.AST) -> Status | None:
    """``Status.X``, ``Status.X.value`` or ``"x"`` as the status it names (None for anything else)."""
    if isinstance(node, ast.Attribute) and node.attr == "value":
        node = node.value
    if (isinstance(node, ast.Attribute) and node.attr in BY_NAME and isinstance(node.value, ast.Name)
            and node.value.id.endswith("Status")):
        return BY_NAME[node.attr]
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return BY_VALUE.get(node.value)
    return None


def statuses_listed(node: ast.AST) -> frozenset[Status] | None:
    """The statuses a tuple/list/set literal (or ``frozenset({...})``) lists, if it lists two or more and nothing else."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("frozenset", "set", "tuple") \
            and len(node.args) == 1:
        node = node.args[0]
    if not isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return None
    found = [status_of(e) for e in node.elts]
    if len(found) < 2 or None in found:
        return None
    return frozenset(found)


def rule_set(statuses: frozenset) -> str | None:
    for name, (members, _) in STATUS_SETS.items():
        if statuses in (members, EVERY_STATUS - members):
            return name
    return None


def strings(tree: ast.AST):
    """(node, text) of every string that is data, not a docstring: an f-string's literal parts joined."""
    inside_f = {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
    comments = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr)}
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            yield node, "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in inside_f
              and id(node) not in comments):
            yield node, node.value


def module_parts(path: str, node: ast.ImportFrom) -> tuple[str, ...]:
    if node.level == 0:
        return tuple((node.module or "").split("."))
    base = Path(path).with_suffix("").parts[:-node.level]
    return (*base, *(node.module.split(".") if node.module else ()))


def analytics_imports(path: str, tree: ast.AST):
    """Imports of analytics data functions (anything but the pure chart builders)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [tuple(a.name.split(".")) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = module_parts(path, node)
            names = [(*target, a.name) for a in node.names]
        else:
            continue
        for parts in names:
            if parts[:2] == ("incident_kit", "analytics") and parts[:3] not in PURE_ANALYTICS:
                yield node, ".".join(parts)


MIGRATIONS = "incident_kit/db/migrations/"


def _name(node: ast.AST) -> str:
    return node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""


def copies(path: str, source: str) -> list[Copy]:
    """Every copy of a rule in the module at ``path`` (relative to the repository, e.g. ``incident_kit/demo.py``)."""
    tree = ast.parse(source)
    found: list[Copy] = []

    def add(node, rule, what):
        found.append(Copy(path, getattr(node, "lineno", 0), rule, what))

    page = path == "app.py" or path.startswith("incident_kit/ui/")
    in_catalog = path.startswith("incident_kit/catalog/")
    for node in ast.walk(tree):
        # a rule's name defined here
        targets = []
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target]):
                targets += [t for t in ast.walk(target) if isinstance(t, ast.Name)]
            names = [t.id for t in targets]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names = [node.name]
        else:
            names = []
        for name in names:
            if name in HOMES and path not in HOMES[name]:
                add(node, "definition", f"{name} belongs to {' / '.join(sorted(HOMES[name]))}")

        # statuses listed as a rule set, or a table of moves between statuses
        listed = statuses_listed(node)
        if listed and (name := rule_set(listed)) and path != STATUS_SETS[name][1]:
            add(node, "statuses", f"lists {name} (or the statuses outside it): use {name}")
        if isinstance(node, ast.Dict) and len(node.keys) >= 2 and path != INCIDENT_MODELS \
                and all(k is not None and status_of(k) for k in node.keys) \
                and all(statuses_listed(v) is not None or (isinstance(v, (ast.Tuple, ast.List, ast.Set)) and
                                                           not v.elts) for v in node.values):
            add(node, "status table", "a table of moves between statuses: use TRANSITIONS")

        # cadence: a fallback number, or a name -> cadence map built outside the catalog
        if not in_catalog and isinstance(node, ast.Call) and _name(node.func) == "get" and len(node.args) == 2 \
                and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, int) \
                and "cadence" in ast.unparse(node.func).lower() + ast.unparse(node.args[0]).lower():
            add(node, "cadence", "a cadence with its own default: use catalog.models.cadence_for")
        if not in_catalog and isinstance(node, ast.DictComp) and _name(node.value) == "cadence_minutes":
            add(node, "cadence", "a severity -> cadence map without the default: use catalog.models.cadence_for")

        # admin checks: the admins list read, or a name tested against it, anywhere but the admin rule
        through_home = isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
            and ast.unparse(node.func.value) == "access"  # access.admin_names() binds the home's admin_sql
        if isinstance(node, ast.Call) and _name(node.func) in ("admins", "admin_names") and not in_catalog \
                and not through_home:
            add(node, "admin check", f"reads {_name(node.func)}(): use catalog.access")
        if isinstance(node, ast.Compare) and path != ACCESS and any(isinstance(op, (ast.In, ast.NotIn))
                                                                    for op in node.ops) \
                and any("admins" in ast.unparse(c) for c in node.comparators):
            add(node, "admin check", "tests a name against the admins: use catalog.access")
        if not in_catalog and not page and path != "incident_kit/config.py" and isinstance(node, ast.Call) \
                and any(isinstance(a, ast.Constant) and a.value == "admins" for a in node.args):
            add(node, "admin check", "reads the admins setting: use catalog.access")

        # visibility in Python: "not private, or ..." is the rule's first half
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or) and path != VISIBILITY and any(
                isinstance(v, ast.UnaryOp) and isinstance(v.op, ast.Not) and _name(v.operand) == "private"
                for v in node.values):
            add(node, "visibility", "decides who sees a private incident: use incident.visibility")

        # tags normalised by hand
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp)) and path != INCIDENT_MODELS \
                and any(_name(g.iter) == "tags" for g in node.generators) \
                and any(isinstance(c, ast.Call) and _name(c.func) == "lower" for c in ast.walk(node.elt)):
            add(node, "tags", "normalises tags by hand: use incident.models.normalise_tags")

    for node, text in strings(tree):
        for match in SQL_LIST.finditer(text):
            values = re.findall(r"'([a-z_]+)'", match.group(1))
            # A migration is frozen (it may not import the domain): it writes the statuses of its day, and a
            # test of its own says when they no longer match (tests/test_db_postgres.py, the list's index).
            if all(v in BY_VALUE for v in values) and (name := rule_set(frozenset(BY_VALUE[v] for v in values))) \
                    and path != STATUS_SETS[name][1] and not path.startswith(MIGRATIONS):
                add(node, "statuses", f"SQL lists {name}: compose its *_SQL constant")
        if not in_catalog:
            for alias in SEVERITY_ALIAS.findall(text):
                if re.search(rf"\b{alias}\.cadence_minutes\b", text):
                    add(node, "cadence", "SQL reads a severity's cadence without the default: use cadence_sql()")
        if path != VISIBILITY:
            for piece in VISIBILITY_SQL:
                if piece.search(text):
                    add(node, "visibility", f"SQL holds part of the visibility rule ({piece.pattern[:24]}…)")

    if page:
        for node, name in analytics_imports(path, tree):
            add(node, "page imports analytics", f"{name}: ask the Kit (analytics/api.py)")
    return found


def package_copies(root: Path = ROOT) -> list[Copy]:
    files = [root / "app.py", *sorted((root / "incident_kit").rglob("*.py"))]
    return [c for p in files for c in copies(p.relative_to(root).as_posix(), p.read_text())]
