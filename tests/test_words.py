"""Counts are worded in one place (incident_kit/words.py): no message leaves a plural to the reader."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from incident_kit.words import count, plural

PKG = Path(__file__).resolve().parent.parent / "incident_kit"
# "incident(s)", "file(s)": a plural left to the reader. "http(s)" names two schemes, not a count.
LEFT_TO_THE_READER = re.compile(r"[a-z]\(s\)")


def test_a_count_agrees_with_its_number():
    assert [count(n, "file") for n in (0, 1, 2)] == ["0 files", "1 file", "2 files"]
    assert count(1_000, "record") == "1,000 records" and plural(2, "summary") == "summaries"
    assert plural(2, "day") == "days"  # a vowel before the y: just an s


# Errors for programmers (a wrong argument), never shown to a person: their words are not checked.
PROGRAMMER_ERRORS = {"TypeError", "ValueError", "AssertionError"}


def _strings(tree: ast.AST):
    """Every string a person may read: not docstrings or comments, not a programmer's TypeError."""
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):  # a docstring
            skip.add(id(node.value))
        if (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and isinstance(node.exc.func, ast.Name)
                and node.exc.func.id in PROGRAMMER_ERRORS):
            skip.update(id(n) for n in ast.walk(node.exc))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            yield node.lineno, node.value


def test_no_message_in_the_package_says_thing_s():
    found = [f"{path.relative_to(PKG.parent)}:{line}: {text.strip()[:60]}"
             for path in sorted(PKG.rglob("*.py"))
             for line, text in _strings(ast.parse(path.read_text(), str(path)))
             if LEFT_TO_THE_READER.search(text.replace("http(s)", ""))]
    assert found == []


def test_the_checker_finds_a_plural_left_to_the_reader():
    tree = ast.parse('msg = f"{n} incident(s) imported"\nurl = "an http(s) address"\n')
    assert [t for _, t in _strings(tree) if LEFT_TO_THE_READER.search(t.replace("http(s)", ""))] == [
        " incident(s) imported"]
