"""The README's examples run as written (paths under /tmp are redirected to a temp dir)."""

import re
import shlex
from pathlib import Path

import pytest

from incident_kit.cli import main

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, re.S)


def test_python_examples_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for code in blocks("python"):
        if "import incident_kit" in code:
            exec(compile(code, "README.md", "exec"), {})


def cli_lines() -> list[str]:
    lines = []
    for block in blocks("bash"):
        for line in block.splitlines():
            if line.startswith("incident-kit "):
                lines.append(line)
    return lines


def test_cli_examples_run_in_order(tmp_path, capsys):
    lines = cli_lines()
    assert lines, "the README shows CLI examples"
    for line in lines:
        args = shlex.split(line.replace("/tmp/", f"{tmp_path}/"))[1:]
        if "{" in line or "<" in line:
            pytest.fail(f"placeholder in README example: {line}")
        code = main(args)
        assert code == 0, f"{line}\n{capsys.readouterr().err}"
