"""mypy passes on the store contract (db/) and the services, and it does hold a store to the protocols.

``.ci/run`` runs ``python -m mypy`` on its own line; this runs the same check, so the README's single test
command covers it too. Files and settings: pyproject.toml ``[tool.mypy]``.
"""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow  # a cold mypy run takes ~5 s


def mypy(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mypy", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600)


def test_db_and_the_services_type_check():
    done = mypy()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success: no issues found" in done.stdout


STORE = '''
from collections.abc import Callable, Collection, Hashable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from incident_kit.db.base import AnalyticsTx, Database, Tx
from incident_kit.db.postgres import NoMemo

T = TypeVar("T")


class NewStore:
    path = target = "somewhere"
    read_only = False
    dialect = "duckdb"
    memo = NoMemo()

    def write(self, work: Callable[[Tx], T], *, isolation: str = "serializable") -> T: raise NotImplementedError
    def read(self, work: Callable[[Tx], T]) -> T: raise NotImplementedError
    def data_version(self) -> Hashable: return 0
    def table_versions(self, tables: Sequence[str], names: Collection[str] | None = None) -> dict[str, Hashable]:
        return {}
    def analytics_read(self, work: Callable[[AnalyticsTx], T], tables: Sequence[str],
                       names: Collection[str] | None = None) -> T: raise NotImplementedError
    def close(self) -> None: pass
{lock}

db: Database = NewStore()
'''
LOCK = '''
    @contextmanager
    def migration_lock(self) -> Iterator[None]:
        yield
'''


@pytest.mark.parametrize("complete", [True, False], ids=["whole protocol", "without migration_lock"])
def test_a_store_that_misses_a_protocol_member_fails_the_type_check(tmp_path, complete):
    module = tmp_path / "new_store.py"
    module.write_text(textwrap.dedent(STORE).replace("{lock}", LOCK if complete else ""))
    done = mypy("--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(tmp_path / "cache"), str(module),
                cwd=ROOT)
    if complete:
        assert done.returncode == 0, done.stdout + done.stderr
    else:
        assert done.returncode == 1, done.stdout + done.stderr
        assert 'is missing following "Database" protocol member' in done.stdout
        assert "migration_lock" in done.stdout
