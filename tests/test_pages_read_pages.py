"""Pages ask the Kit for what they show: no page reads a list that grows with the history without a limit.

Checked on the syntax tree of every module under ``incident_kit/ui/`` (issue 24): a call of a Kit list
method, direct (``kit.incidents(...)``) or handed on (``attempt(kit.incidents, ...)``, ``partial(...)``),
passes ``limit=`` with something other than ``None``, unless it is scoped to one incident (``incident=``).
Nothing in ``ui/`` passes ``limit=None`` to anything.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from incident_kit.kit import Kit

ROOT = Path(__file__).resolve().parent.parent
UI = ROOT / "incident_kit" / "ui"

# Kit methods whose rows grow with the history (incidents, reviews, follow-ups, deliveries): a page reads
# one page of them. Each takes a ``limit``.
GROWING_LISTS = {"incidents", "follow_ups", "reviews", "reviews_to_do", "review_queue", "needs_update",
                 "status_board", "outbox"}
# Kit methods returning a frame that are not such a list: aggregates whose size does not grow with the
# number of incidents (months, severities, groups of similar incidents), or one incident's rows.
NOT_GROWING = {"declarations_xmr": "one row per month", "period_comparison": "one row per figure",
               "recurring": "incidents in groups of alike ones, among the newest RECUR_MAX (1,000) only",
               "review_history": "one review's section versions", "role_history": "one incident's roles",
               "timeline": "one incident's events and updates"}
SCOPED_TO_ONE_INCIDENT = "incident"  # a keyword that limits the rows to one incident's


def unbounded_calls(source: str, path: str = "<page>") -> list[str]:
    """``path:line what`` for each call that reads a growing list without a limit, or passes ``limit=None``."""
    tree = ast.parse(source)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        keywords = {k.arg: k.value for k in node.keywords if k.arg}
        limit = keywords.get("limit")
        if isinstance(limit, ast.Constant) and limit.value is None:
            found.append(f"{path}:{node.lineno} limit=None")
            continue
        methods = [n.attr for n in (node.func, *node.args[:1])
                   if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "kit"]
        for method in methods:
            if method in GROWING_LISTS and limit is None and SCOPED_TO_ONE_INCIDENT not in keywords:
                found.append(f"{path}:{node.lineno} kit.{method} without a limit")
    return found


def test_no_page_reads_a_growing_list_without_a_limit():
    found = []
    for path in sorted(UI.rglob("*.py")):
        found += unbounded_calls(path.read_text(), str(path.relative_to(ROOT)))
    assert found == []


@pytest.mark.parametrize("source", [
    "rows = attempt(kit.reviews, viewer=user)",
    "rows = ctx.attempt(kit.incidents, viewer=user, active=True)",
    "rows = kit.follow_ups(viewer=user, still_open=True)",
    "rows = kit.incidents(viewer=user, limit=None)",
    "rows = ui.attempt(kit.status_board, viewer=user, limit=None)",
    "button(data=partial(kit.needs_update, viewer=user))",
    "rows = kit.reviews_to_do(viewer=user, **filters)",
])
def test_a_planted_unbounded_read_is_found(source):
    assert len(unbounded_calls(source)) == 1


@pytest.mark.parametrize("source", [
    "rows = attempt(kit.review_queue, 'to_do', viewer=user, limit=PAGE_SIZE)",
    "rows = ctx.attempt(kit.incidents, **filters, limit=st.session_state['list_limit'])",
    "rows = attempt(kit.follow_ups, viewer=user, incident=reference)",
    "rows = kit.timeline(ref, viewer=user)",
])
def test_a_bounded_or_one_incident_read_passes(source):
    assert unbounded_calls(source) == []


def _frame_methods() -> dict[str, inspect.Signature]:
    found = {}
    for name, fn in inspect.getmembers(Kit, inspect.isfunction):
        sig = inspect.signature(fn)
        if not name.startswith("_") and "DataFrame" in str(sig.return_annotation):
            found[name] = sig
    return found


def test_every_kit_method_returning_a_frame_is_a_bounded_list_or_says_why_it_needs_none():
    frames = _frame_methods()
    assert sorted(set(frames) - GROWING_LISTS - set(NOT_GROWING)) == []  # new: is it a list that grows?
    assert sorted(m for m in GROWING_LISTS if "limit" not in frames[m].parameters) == []
