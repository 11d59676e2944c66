"""What every benchmark shares: the machine line printed with each report, the command line, and timing.

Scripts run as ``python benchmarks/bench_<topic>.py``, so this folder is on ``sys.path`` and they
``from common import ...``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import statistics
import time
from typing import Callable


def describe(*packages: str) -> str:
    """The machine, Python, DuckDB and each of ``packages`` (by import name) with its version."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as fh:
            kb = int(fh.readline().split()[1])
            mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    versions = "".join(f", {name} {importlib.import_module(name).__version__}" for name in ("duckdb", *packages))
    return (f"{os.cpu_count()} cores ({cpu}){mem}; Python {platform.python_version()}{versions}; "
            f"load average at start {load:.1f}")


def arguments(doc: str, **defaults: int) -> argparse.Namespace:
    """Parse the command line: one integer option per keyword (``updates_per=5`` is ``--updates-per 5``).

    ``doc`` is the script's ``__doc__``; its first line is the ``--help`` description.
    """
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    for name, default in defaults.items():
        parser.add_argument("--" + name.replace("_", "-"), type=int, default=default)
    return parser.parse_args()


def median_ms(fn: Callable[[], object], repeat: int, *, warm_up: bool = True) -> float:
    """Median milliseconds of ``repeat`` calls, after one untimed call unless ``warm_up`` is false."""
    if warm_up:
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def in_turn(fns: dict[str, Callable[[], object]], repeat: int, *, warm_up: bool = False) -> dict[str, float]:
    """Median seconds per function, running them in turn so load changes on the shared machine hit all alike.

    With ``warm_up``, each runs once untimed first (the OS page cache, ``.pyc`` files).
    """
    if warm_up:
        for fn in fns.values():
            fn()
    runs: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            runs[name].append(time.perf_counter() - start)
    return {name: statistics.median(r) for name, r in runs.items()}


def health(client, ops: int) -> list[float]:
    """Milliseconds of ``ops`` ``GET /health`` round trips on ``client`` (an ``httpx.Client`` on the API): the
    floor any API call stands on."""
    import time

    times = []
    for _ in range(ops):
        t = time.perf_counter()
        assert client.get("/health").status_code == 200
        times.append((time.perf_counter() - t) * 1000)
    return times
