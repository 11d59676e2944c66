"""A throwaway PostgreSQL server for tests and benchmarks.

Debian's ``postgresql`` package (installed by ``.ci/run``) ships the binaries in
``/usr/lib/postgresql/<version>/bin``. The server refuses to run as root, so when
we are root it is initialised and started as the ``postgres`` user in a
temporary directory that user owns. It listens on 127.0.0.1 at a free port with
``trust`` authentication (nothing but this machine can reach it), and is stopped
(``pg_ctl stop -m immediate``) and deleted when the tests end.

``PgServer.fresh_database()`` clones a template database that was migrated
once (cheap: a file copy), so each test gets its own up-to-date database.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

BIN_GLOB = "/usr/lib/postgresql/*/bin"
TEMPLATE = "ik_template"


def find_bin() -> Path | None:
    found = sorted(glob.glob(BIN_GLOB), key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0)
    return Path(found[-1]) if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    def __init__(self, bin_dir: Path | None = None, *, durable: bool = False):
        """``durable=False`` (tests) turns fsync off; benchmarks keep it on, as a real server would."""
        self.durable = durable
        self.bin = bin_dir or find_bin()
        if self.bin is None:
            raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql); .ci/run installs it.")
        self._as_postgres = os.geteuid() == 0
        # /tmp, not $TMPDIR: the postgres user must be able to reach the directory (root's may be private),
        # and the socket path must stay under the ~107-character limit.
        self.root = Path(tempfile.mkdtemp(prefix="ik-pg-", dir="/tmp" if self._as_postgres else None))
        self.data = self.root / "data"
        self.port = _free_port()
        if self._as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        self.root.chmod(0o700)

    def _run(self, *args: str) -> None:
        cmd = list(args)
        if self._as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd="/")

    def start(self) -> "PgServer":
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                  "-E", "UTF8", "--locale=C", *([] if self.durable else ["--no-sync"]))
        opts = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=200"
        if not self.durable:  # throwaway test data: no need to survive a power cut
            opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "log"), "-w",
                  "-o", opts, "start")
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as con:
            con.execute(f"CREATE DATABASE {TEMPLATE}")
        from incident_kit.db import open_database

        open_database(self.url(TEMPLATE)).close()
        return self

    def empty_database(self) -> str:
        """A new database with no schema at all (for migration tests)."""
        import psycopg

        name = "ik_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.url("postgres"), autocommit=True) as con:
            con.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def drop_database(self, url: str) -> None:
        import psycopg

        name = url.rsplit("/", 1)[1]
        with psycopg.connect(self.url("postgres"), autocommit=True) as con:
            con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def fresh_database(self) -> str:
        """A new empty database's URL."""
        import psycopg

        name = "ik_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.url("postgres"), autocommit=True) as con:
            con.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.root, ignore_errors=True)
