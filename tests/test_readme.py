"""The README's examples run as written and show what they claim.

* Every ```python block runs, in order, in one namespace (a later block may use
  the ``kit`` an earlier one opened), inside a temporary folder that sees the
  repository's ``tests/`` fixtures. No block is skipped, and each shows its
  outcome with at least one ``assert``.
* Every ``incident-kit`` line in a ```bash block runs in order (``/tmp/`` is
  redirected to a temporary folder) and exits 0; its visible outcome is checked:
  ``--json`` prints JSON, ``--out``/``--output`` writes what it names, and every
  other command prints something. A few lines carry a specific expectation below.
"""

from __future__ import annotations

import ast
import json
import re
import shlex
from pathlib import Path

import pytest

from incident_kit.cli import main

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text()


def blocks(lang: str) -> list[tuple[int, str]]:
    """(line number, code) of each fenced block in ``lang``."""
    found = []
    for match in re.finditer(rf"^```{lang}\n(.*?)^```", README, re.S | re.M):
        found.append((README.count("\n", 0, match.start()) + 2, match.group(1)))
    return found


def python_blocks() -> list[tuple[int, str]]:
    return blocks("python")


def test_every_python_block_shows_its_outcome_with_an_assert():
    missing = [line for line, code in python_blocks()
               if not any(isinstance(node, ast.Assert) for node in ast.walk(ast.parse(code)))]
    assert python_blocks(), "the README shows Python examples"
    assert missing == [], f"README Python blocks without an assert start at lines {missing}"


@pytest.fixture
def readme_dir(tmp_path, monkeypatch):
    (tmp_path / "tests").symlink_to(REPO / "tests")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("INCIDENT_KIT_NOTIFY_WORKER", "off")
    return tmp_path


def test_python_examples_run_in_order(readme_dir):
    namespace: dict = {}
    for line, code in python_blocks():
        try:
            exec(compile(code, f"README.md (block at line {line})", "exec"), namespace)
        except AssertionError as exc:
            pytest.fail(f"README Python block at line {line}: an assert failed: {exc!r}")


def cli_lines() -> list[str]:
    return [line for _, block in blocks("bash") for line in block.splitlines()
            if line.startswith("incident-kit ")]


# Lines whose output says something specific: (a fragment of the README line, what stdout must contain).
EXPECTED = [
    ('declare "Checkout is failing" --json', '"reference": "INC-1"'),
    ("merge INC-2 INC-1", "INC-1"),
    ("show INC-1", "Checkout is failing"),
    ("reopen INC-1", "INC-1"),
    ("severities", "Critical"),
    ("types", "Customer support"),
    ("follow-ups list --owner dev --open", "FU-1"),
    ("needs-update --json", "["),
]


def check_outcome(line: str, args: list[str], out: str) -> None:
    if "--json" in args:
        json.loads(out)
    for flag in ("--out", "--output"):
        if flag in args:
            target = Path(args[args.index(flag) + 1])
            assert target.exists() and (target.is_file() or any(target.iterdir())), \
                f"{line}: nothing written to {target}"
            return
    assert out.strip(), f"{line}: printed nothing"
    for fragment, wanted in EXPECTED:
        if fragment in line:
            assert wanted in out, f"{line}: expected {wanted!r} in\n{out}"


def test_specific_expectations_name_real_readme_lines():
    lines = cli_lines()
    assert [f for f, _ in EXPECTED if not any(f in line for line in lines)] == []


def test_cli_examples_run_in_order(readme_dir, tmp_path, capsys):
    lines = cli_lines()
    assert lines, "the README shows CLI examples"
    for line in lines:
        if "{" in line or "<" in line:
            pytest.fail(f"placeholder in README example: {line}")
        args = shlex.split(line.replace("/tmp/", f"{tmp_path}/"))[1:]
        capsys.readouterr()
        code = main(args)
        captured = capsys.readouterr()
        assert code == 0, f"{line}\n{captured.err}"
        check_outcome(line, args, captured.out)
