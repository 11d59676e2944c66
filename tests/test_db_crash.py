"""Acknowledged writes survive a SIGKILL of the writing process."""

import os
import signal
import subprocess
import time

import incident_kit as ik

WRITER = r"""
import sys, incident_kit as ik
kit = ik.open(sys.argv[1], user="tester")
i = 0
while True:
    i += 1
    inc = kit.declare(f"crash-{i}", declared_by="writer")
    kit.post_update(inc.reference, f"update-{i}", by="writer")
    print(inc.reference, flush=True)   # acknowledged only after both commits returned
"""


def test_acknowledged_writes_survive_sigkill(db_path, subprocess_env, python):
    proc = subprocess.Popen([python, "-c", WRITER, str(db_path)], stdout=subprocess.PIPE, text=True,
                            env=subprocess_env)
    acked = []
    deadline = time.monotonic() + 60
    while len(acked) < 150 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        acked.append(line.strip())
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert len(acked) >= 50, "the writer did not get going"
    kit = ik.open(db_path, user="tester")
    present = set(kit.incidents().reference)
    assert set(acked) <= present
    for ref in acked[-5:]:
        assert [u.message for u in kit.updates(ref)] == [f"update-{ref[4:]}"]
    kit.close()
