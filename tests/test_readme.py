"""The examples in the README and the docs pages run as written and show what they claim.

Each page is tried on its own, the way a reader follows it: in a fresh temporary folder that sees the
repository's ``tests/`` fixtures, with nothing left over from another page.

* Every ```python block of a page runs, in order, in one namespace (a later block may use the ``kit``
  an earlier block of the same page opened). No block is skipped, and each shows its outcome with at
  least one ``assert``.
* Every ``incident-kit`` line in a page's ```bash blocks runs in order (``/tmp/`` is redirected to the
  temporary folder) and exits 0; its visible outcome is checked: ``--json`` prints JSON,
  ``--out``/``--output`` writes what it names, and every other command prints something. A few lines
  carry a specific expectation below.
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
# ARCHITECTURE.md shows the shape of code to write (a route, a page), not examples to run.
PAGES = [REPO / "README.md", *sorted(p for p in (REPO / "docs").glob("*.md") if p.name != "ARCHITECTURE.md")]
# Pages that must keep their runnable examples: a page renamed or emptied by mistake fails here
# instead of silently running nothing. (python blocks, bash blocks with incident-kit lines)
WITH_EXAMPLES = {
    "README.md": (True, True),
    "docs/python-api.md": (True, False),
    "docs/cli.md": (False, True),
    "docs/http-api.md": (True, True),
    "docs/importing.md": (True, True),
    "docs/similar.md": (True, True),
    "docs/components-and-maintenance.md": (False, True),
    "docs/notifications.md": (True, True),
    "docs/reviews.md": (True, True),
    "docs/metrics.md": (True, True),
}


def name(page: Path) -> str:
    return str(page.relative_to(REPO))


def blocks(page: Path, lang: str) -> list[tuple[int, str]]:
    """(line number, code) of each fenced block in ``lang`` on ``page``."""
    text = page.read_text(encoding="utf-8")
    return [(text.count("\n", 0, match.start()) + 2, match.group(1))
            for match in re.finditer(rf"^```{lang}\n(.*?)^```", text, re.S | re.M)]


def cli_lines(page: Path) -> list[str]:
    return [line for _, block in blocks(page, "bash") for line in block.splitlines()
            if line.startswith("incident-kit ")]


PYTHON_PAGES = [p for p in PAGES if blocks(p, "python")]
CLI_PAGES = [p for p in PAGES if cli_lines(p)]


def test_the_pages_that_teach_by_example_still_hold_their_examples():
    found = {name(p): (bool(blocks(p, "python")), bool(cli_lines(p))) for p in PAGES}
    lost = {page: (want, found.get(page)) for page, want in WITH_EXAMPLES.items()
            if found.get(page) is None or any(w and not f for w, f in zip(want, found[page]))}
    assert lost == {}, "pages that lost their runnable examples (wanted, found): " + repr(lost)


def test_every_python_block_shows_its_outcome_with_an_assert():
    missing = [f"{name(page)}:{line}" for page in PYTHON_PAGES for line, code in blocks(page, "python")
               if not any(isinstance(node, ast.Assert) for node in ast.walk(ast.parse(code)))]
    assert missing == [], f"Python blocks without an assert start at {missing}"


@pytest.fixture
def page_dir(tmp_path, monkeypatch):
    (tmp_path / "tests").symlink_to(REPO / "tests")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("INCIDENT_KIT_NOTIFY_WORKER", "off")
    monkeypatch.delenv("INCIDENT_KIT_DB", raising=False)
    return tmp_path


@pytest.mark.parametrize("page", PYTHON_PAGES, ids=name)
def test_python_examples_run_in_order(page, page_dir):
    namespace: dict = {}
    for line, code in blocks(page, "python"):
        try:
            exec(compile(code, f"{name(page)} (block at line {line})", "exec"), namespace)
        except AssertionError as exc:
            pytest.fail(f"{name(page)} Python block at line {line}: an assert failed: {exc!r}")


# Lines whose output says something specific: (a fragment of a page's line, what stdout must contain).
EXPECTED = [
    ('declare "Checkout is failing" --json', '"reference": "INC-1"'),
    ("merge INC-2 INC-1", "INC-1"),
    ("show INC-1", "Checkout is failing"),
    ("reopen INC-1", "INC-1"),
    ("severities", "Critical"),
    ("types", "Customer support"),
    ("follow-ups list --owner dev --open", "FU-1"),
    ("needs-update --json", "["),
    ('similar "services returning 503"', "All services returning 503 in Kubernetes"),
    ("components list --json", "Checkout"),
    ("maintenance list --json", "Database upgrade"),
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


def test_specific_expectations_name_real_lines():
    lines = [line for page in CLI_PAGES for line in cli_lines(page)]
    assert [f for f, _ in EXPECTED if not any(f in line for line in lines)] == []


@pytest.mark.parametrize("page", CLI_PAGES, ids=name)
def test_cli_examples_run_in_order(page, page_dir, capsys):
    for line in cli_lines(page):
        if "{" in line or "<" in line:
            pytest.fail(f"placeholder in {name(page)} example: {line}")
        args = shlex.split(line.replace("/tmp/", f"{page_dir}/"))[1:]
        capsys.readouterr()
        code = main(args)
        captured = capsys.readouterr()
        assert code == 0, f"{name(page)}: {line}\n{captured.err}"
        check_outcome(line, args, captured.out)
