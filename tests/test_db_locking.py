"""DuckDB allows one read-write process per file: the second one gets one clear sentence."""

import subprocess
import sys
import time

import pytest

import incident_kit as ik
from incident_kit.errors import StoreUnavailable

HOLDER = r"""
import sys, time, incident_kit as ik
kit = ik.open(sys.argv[1], user="tester")
print("holding", flush=True)
time.sleep(60)
"""


@pytest.fixture
def held(db_path, subprocess_env, python):
    proc = subprocess.Popen([python, "-c", HOLDER, str(db_path)], stdout=subprocess.PIPE, text=True,
                            env=subprocess_env)
    assert proc.stdout.readline().strip() == "holding"
    yield proc
    proc.kill()
    proc.wait()


def test_library_says_the_file_is_in_use(db_path, held):
    with pytest.raises(StoreUnavailable) as info:
        ik.open(db_path, user="tester")
    message = str(info.value)
    assert f"is in use by another process (PID {held.pid})" in message
    assert "\n" not in message and "Traceback" not in message


def test_cli_prints_one_line_not_a_traceback(db_path, held, subprocess_env, python):
    result = subprocess.run([python, "-m", "incident_kit", "--db", str(db_path), "list"], capture_output=True,
                            text=True, env=subprocess_env, timeout=60)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: The database") and "in use by another process" in lines[0]
