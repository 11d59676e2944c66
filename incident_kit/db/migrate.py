"""Numbered migrations, applied in order and recorded in ``schema_migrations``.

A migration is a module ``migrations/mNNNN_name.py`` holding ``STATEMENTS``
(DDL, applied in order), optionally ``POSTGRES_STATEMENTS`` (run after them on
PostgreSQL only) and ``seed(tx)``. Each migration runs in its own transaction
together with the row that records it, so a crash leaves the schema either
before or after a migration, never half-way. On PostgreSQL the whole run holds
an advisory lock, so two processes starting at once do not both migrate.

Two rules keep every database ever created openable (``tests/test_db_migrate.py`` checks both):

* **Append-only.** A released number is never deleted or changed; undoing a change is a new
  migration (m0011 drops the table m0010 added), so a file that ran the old one still opens.
* **Standalone.** A migration imports nothing from ``incident_kit`` outside ``incident_kit.db``: its SQL
  is frozen inside it, so it builds the same schema and data whatever the domain code becomes.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterable
from dataclasses import dataclass
from types import ModuleType

from ..clock import utcnow
from ..errors import StoreUnavailable
from . import migrations as _pkg
from .base import Database, Tx

CREATE_MIGRATIONS_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name VARCHAR NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL
)"""
SELECT_APPLIED = "SELECT version FROM schema_migrations ORDER BY version"
INSERT_APPLIED = "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"
TABLE_EXISTS = """
SELECT count(*) FROM information_schema.tables
WHERE table_name = 'schema_migrations' AND table_schema = current_schema()"""

_NAME = re.compile(r"^m(\d{4})_(\w+)$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    module: ModuleType


def _modules() -> list[tuple[int, str, str]]:
    """(number, name, module name) of every migration module, by number, from the names alone."""
    found = sorted((int(m.group(1)), m.group(2), info.name)
                   for info in pkgutil.iter_modules(_pkg.__path__) if (m := _NAME.match(info.name)))
    numbers = [number for number, _, _ in found]
    if len(set(numbers)) != len(numbers):
        raise RuntimeError(f"Duplicate migration numbers: {numbers}")
    return found


def available() -> list[Migration]:
    return [Migration(number, name, importlib.import_module(f"{_pkg.__name__}.{module}"))
            for number, name, module in _modules()]


def versions() -> list[int]:
    """The migration numbers this code has, from the module names alone: a read-only open checks these
    without importing (and, after an upgrade, compiling) every migration."""
    return [number for number, _, _ in _modules()]


def applied(db: Database) -> list[int]:
    def work(tx: Tx) -> list[int]:
        row = tx.fetchone(TABLE_EXISTS)
        if row is None or row[0] == 0:
            return []
        return [row[0] for row in tx.fetchall(SELECT_APPLIED)]

    return db.read(work)


def refuse_newer(db: Database, done: Iterable[int]) -> None:
    """A file that records migrations this code does not have was written by a newer incident-kit:
    opening it could misread or damage data this version does not know about."""
    unknown = sorted(set(done) - set(versions()))
    if unknown:
        raise StoreUnavailable(
            f"The database {db.path} was written by a newer incident-kit (schema migrations {unknown} are unknown "
            "to this version); upgrade incident-kit (pip install -U incident-kit) or open another --db file.",
            in_app=f"The database {db.path} was written by a newer version of incident-kit; ask whoever runs this "
                   "app to upgrade it.",
        )


# The one DuckDB-only DDL spelling the early migrations use, and its PostgreSQL equivalent.
_PG_DDL = ((re.compile(r"DEFAULT \[\]"), "DEFAULT '{}'"), (re.compile(r"\bDOUBLE\b(?! PRECISION)"), "DOUBLE PRECISION"))


def statements(module: ModuleType, dialect: str) -> list[str]:
    """The DDL of one migration for one store."""
    if dialect != "postgres":
        return list(module.STATEMENTS)
    out = []
    for statement in module.STATEMENTS:
        for pattern, repl in _PG_DDL:
            statement = pattern.sub(repl, statement)
        out.append(statement)
    return out + list(getattr(module, "POSTGRES_STATEMENTS", ()))


def migrate(db: Database) -> list[int]:
    """Apply every pending migration; return the versions applied now. Refuses a newer file."""
    with db.migration_lock():
        return _migrate(db)


def _migrate(db: Database, *, upto: int | None = None) -> list[int]:
    dialect = db.dialect
    db.write(lambda tx: tx.execute(CREATE_MIGRATIONS_TABLE))
    done = set(applied(db))
    refuse_newer(db, done)
    newly = []
    for mig in available():
        if mig.version in done or (upto is not None and mig.version > upto):
            continue

        def work(tx: Tx, mig: Migration = mig) -> None:
            for statement in statements(mig.module, dialect):
                tx.execute(statement)
            seed = getattr(mig.module, "seed", None)
            if seed:
                seed(tx)
            tx.execute(INSERT_APPLIED, [mig.version, mig.name, utcnow()])

        db.write(work)
        newly.append(mig.version)
    return newly


def migrate_to(db: Database, version: int) -> list[int]:
    """Apply the pending migrations up to ``version`` only: a database as that release left it (for tests of
    upgrades from it; ``migrate`` is what opening a store runs)."""
    with db.migration_lock():
        return _migrate(db, upto=version)


def check_current(db: Database) -> None:
    """A read-only open cannot migrate: say so if the file is behind the code (or refuse it if ahead)."""
    done = set(applied(db))
    refuse_newer(db, done)
    missing = [v for v in versions() if v not in done]
    if missing:
        raise StoreUnavailable(
            f"The database {db.path} needs schema migrations {missing}; "
            "open it once read-write (e.g. `incident-kit list`) to upgrade it."
        )
