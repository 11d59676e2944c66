"""Child process for the snapshot tests: holds the database read-write, like the running app.

Usage: python snapshot_holder.py DB [--publish]. Prints "ready" once it holds the
file (and, with --publish, has published a first snapshot). Each line on stdin
names an incident to declare; a closed stdin ends it.
"""

import sys
import time

import incident_kit as ik
from incident_kit.snapshot import start_publisher

kit = ik.open(sys.argv[1], user="holder")
publisher = None
if "--publish" in sys.argv:
    publisher = start_publisher(kit, every_seconds=0.1)
    while publisher.last is None:
        time.sleep(0.02)
print("ready", flush=True)
for line in sys.stdin:
    kit.declare(line.strip(), declared_by="holder")
    if publisher is not None:
        seen = publisher.last
        while publisher.last is seen:  # wait for the next publication to include it
            time.sleep(0.02)
    print("declared", flush=True)
