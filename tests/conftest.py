"""Shared fixtures: every test gets a real DuckDB file of its own.

Tests marked ``both_stores`` run twice: on a DuckDB file and on a fresh database
of a real PostgreSQL server that the session starts (``tests/pg_server.py``).
Then ``db_path`` is that database's URL.
"""

from __future__ import annotations

import os
import threading
import sys
from pathlib import Path

import pytest

# AppTest databases must not grow a background notification worker of their own;
# the worker's own tests switch it back on explicitly.
os.environ.setdefault("INCIDENT_KIT_NOTIFY_WORKER", "off")
os.environ.setdefault("INCIDENT_KIT_SNAPSHOT_EVERY", "0")  # likewise the snapshot publisher
if "INCIDENT_KIT_ANALYTICS_CACHE" not in os.environ:  # PostgreSQL's kept analytics copies: the run's own directory
    import atexit
    import shutil
    import tempfile

    os.environ["INCIDENT_KIT_ANALYTICS_CACHE"] = _CACHE = tempfile.mkdtemp(prefix="ik-analytics-cache-")
    atexit.register(shutil.rmtree, _CACHE, True)

import incident_kit as ik  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


STORES = ("duckdb", "postgres")


def pytest_generate_tests(metafunc):
    if "store" in metafunc.fixturenames and metafunc.definition.get_closest_marker("both_stores"):
        metafunc.parametrize("store", STORES, indirect=True)


@pytest.fixture
def store(request) -> str:
    """Which store the test runs on: 'duckdb' unless the test is marked ``both_stores``."""
    return getattr(request, "param", "duckdb")


@pytest.fixture(scope="session")
def pg_server():
    from pg_server import PgServer

    server = PgServer().start()
    yield server
    server.stop()


@pytest.fixture
def pg_url(pg_server):
    """A fresh, already migrated PostgreSQL database for this test; dropped afterwards."""
    url = pg_server.fresh_database()
    yield url
    pg_server.drop_database(url)


@pytest.fixture
def db_path(tmp_path, store, request) -> Path | str:
    if store == "postgres":
        return request.getfixturevalue("pg_url")
    return tmp_path / "kit.duckdb"


@pytest.fixture
def kit(db_path):
    k = ik.open(db_path, user="tester")
    yield k
    k.close()


@pytest.fixture
def subprocess_env(db_path) -> dict:
    """Environment for child processes: this checkout first on the path, the test's database."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env["INCIDENT_KIT_DB"] = str(db_path)
    return env


@pytest.fixture
def python() -> str:
    return sys.executable


@pytest.fixture
def app_db(db_path, monkeypatch):
    """Point the app at this test's database; the app caches one Kit per process, so clear it around the test."""
    import streamlit as st

    monkeypatch.setenv("INCIDENT_KIT_DB", str(db_path))
    st.cache_resource.clear()
    yield db_path
    # The app's Kit started background reads (the similar index, PostgreSQL's analytics copy) that the cleared
    # cache never closes: let them end while the database still exists. A thread left reading a dropped
    # database waited 30 s for a connection into later tests, and compiling in two threads at once trips
    # CPython 3.11's "AST constructor recursion depth mismatch" in a test parsing source meanwhile.
    for thread in threading.enumerate():
        if thread.name in ("similar-index", "ik-analytics-prepare"):
            thread.join(timeout=60)
    st.cache_resource.clear()



def _skipped(config) -> list:
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    return reporter.stats.get("skipped", []) if reporter else []


def pytest_sessionfinish(session, exitstatus):
    """In CI nothing may skip for a missing component: a skipped test fails the run there."""
    if os.environ.get("CI") and exitstatus == 0 and _skipped(session.config):
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if os.environ.get("CI") and _skipped(config):
        terminalreporter.write_line(
            f"CI: {len(_skipped(config))} test(s) skipped, so this run fails: in CI every component must be present.",
            red=True)
