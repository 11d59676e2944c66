"""No league tables: nothing groups incident counts by team or by person.

Counting incidents per team teaches people not to declare. This module is the
check that keeps every chart, table and metric honest:

* ``chart_violations(spec)`` walks a Vega-Lite spec (``chart.to_dict()`` or the
  JSON the app sends to the browser) and reports every encoding, facet,
  transform or inline data column that uses a team or person field;
* ``frame_violations(frame)`` does the same for a table's columns.

A team may look at its own trend over time (filter to it); what is refused is a
dimension that puts teams or people side by side.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

# Words that name a team or a person in a field name ("declared_by", "owner", "team_name", ...).
PERSON_OR_TEAM_WORDS = frozenset({
    "team", "teams", "squad", "squads", "department", "departments", "tribe", "org", "organisation",
    "organization", "group_name", "person", "people", "owner", "owners", "author", "authors", "assignee",
    "assignees", "declarer", "responder", "responders", "user", "username", "email", "actor", "lead",
    "leads", "accountable", "member", "members", "on_call", "oncall",
})
_TOKEN = re.compile(r"[a-z0-9]+")
# Keys of a Vega-Lite spec whose string values name a data field.
_FIELD_KEYS = frozenset({"field", "groupby", "pivot", "fold", "as", "facet", "detail", "key"})
_DATUM = re.compile(r"datum(?:\.(\w+)|\[['\"]([^'\"]+)['\"]\])")


def is_person_or_team(name: str) -> bool:
    """True for a field that names a person or a team: by word, or ``*_by`` (declared_by, created_by, ...)."""
    text = str(name).strip().lower()
    if text.endswith("_by") or text in PERSON_OR_TEAM_WORDS:
        return True
    tokens = _TOKEN.findall(text)
    joined = "_".join(tokens)
    return any(t in PERSON_OR_TEAM_WORDS for t in tokens) or joined in PERSON_OR_TEAM_WORDS


def _strings(value) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        if "field" in value and isinstance(value["field"], str):
            yield value["field"]
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def chart_violations(spec: dict) -> list[str]:
    """Every place in a Vega-Lite spec where a team or person field is used."""
    found: list[str] = []

    def walk(node, path: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                here = f"{path}.{key}" if path else key
                if key in _FIELD_KEYS:
                    for name in _strings(value):
                        if is_person_or_team(name):
                            found.append(f"{here} uses '{name}'")
                if key in ("calculate", "filter", "test", "expr") and isinstance(value, str):
                    for m in _DATUM.finditer(value):
                        name = m.group(1) or m.group(2)
                        if is_person_or_team(name):
                            found.append(f"{here} reads datum '{name}'")
                if key == "values" and isinstance(value, list):
                    found.extend(_record_violations(value, here))
                elif key == "datasets" and isinstance(value, dict):
                    for name, rows in value.items():
                        if isinstance(rows, list):
                            found.extend(_record_violations(rows, f"{here}.{name}"))
                else:
                    walk(value, here)
        elif isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, f"{path}[{i}]")

    walk(spec, "")
    return found


def _record_violations(rows: list, where: str) -> list[str]:
    columns: set[str] = set()
    for row in rows[:1000]:
        if isinstance(row, dict):
            columns.update(row)
    return [f"{where} carries column '{c}'" for c in sorted(columns) if is_person_or_team(c)]


def frame_violations(frame: pd.DataFrame) -> list[str]:
    """Columns of a table that name a team or person (a table must not list counts per person)."""
    return [f"column '{c}'" for c in frame.columns if is_person_or_team(c)]


def check_chart(spec: dict, *, title: str = "chart") -> None:
    problems = chart_violations(spec)
    if problems:
        raise AssertionError(f"{title} would compare teams or people: " + "; ".join(problems))
