"""The root command group, its global options and small output helpers."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import math
import os

import click

from ..config import DB_ENV_VAR, is_url
from ..safe_output import terminal_json, terminal_text


# What a command says when the app holds the DuckDB file: send it through the app instead.
THROUGH_THE_APP = ("The database {path} is in use by another process{pid}, probably the running app, so this "
                   "command cannot open it; send it through the app with --server http://localhost:8501 (or "
                   "INCIDENT_KIT_SERVER) and an API token in INCIDENT_KIT_TOKEN.")


def read_only_reason(target) -> str | None:
    """Why an existing DuckDB file cannot be changed here (the file, or the folder DuckDB writes its journal
    into, is read-only), as a sentence; None when it can be written (or is a URL, or not there yet)."""
    from pathlib import Path

    if is_url(target) or str(target) == ":memory:":
        return None
    path = Path(target)
    if not path.is_file():
        return None
    which = ("the file" if not os.access(path, os.W_OK) else
             "its folder" if not os.access(path.resolve().parent, os.W_OK) else None)
    if which is None:
        return None
    return (f"The database {path} is read-only here ({which} cannot be written), so nothing was changed; "
            "commands that only read it still work.")


class State:
    def __init__(self, db_path: str | None, server: str | None = None):
        self.db_path = db_path
        self.server = server or None
        self._kit = None
        self._db = None
        self.read_only_reason: str | None = None  # set when the store could only be opened for reading

    def kit(self, *, read_only: bool = False, while_app_runs: str = THROUGH_THE_APP):
        """The Kit for this command: the local store, or with ``--server`` the running app's API
        (``remote.RemoteKit``). ``while_app_runs`` is the sentence when the app holds the DuckDB file.
        A DuckDB file that cannot be written here (a read-only file, folder or mount) is opened read-only,
        so every command that only reads still works; a change then fails with ``read_only_reason``
        (``LazyGroup.invoke``)."""
        if self._kit is None and self.server:
            from .remote import RemoteKit

            self._kit = RemoteKit(self.server)
        if self._kit is None:
            from .. import open as open_kit
            from ..config import resolve_db_path
            from ..errors import StoreUnavailable
            from ..kit import local_user

            if not read_only:
                self.read_only_reason = read_only_reason(resolve_db_path(self.db_path))
            # The CLI is the trusted local operator (whoever runs it holds the database): the one place,
            # with notebooks, that names a default actor. The app and the HTTP API never do.
            try:
                self._kit = open_kit(self.db_path, read_only=read_only or self.read_only_reason is not None,
                                     user=local_user())
            except StoreUnavailable as exc:
                raise _held_by_app(exc, self.db_path, while_app_runs) from None
        return self._kit

    def reader(self):
        """The store opened read-only for analytics, without building a ``Kit`` (importing every domain it
        combines costs more than ``metrics --json``'s reads). While the app holds a DuckDB file: the Kit
        over the app's latest snapshot (``snapshot_time`` says when it was taken)."""
        from ..config import resolve_db_path
        from ..db import open_database
        from ..errors import StoreUnavailable

        if self._db is None and self._kit is None:
            try:
                self._db = open_database(resolve_db_path(self.db_path), read_only=True)
            except StoreUnavailable:
                return self.kit(read_only=True)
        return self._db or self._kit

    def close(self) -> None:
        for held in (self._kit, self._db):
            if held is not None:
                held.close()


def _held_by_app(exc, db_path, sentence: str):
    """``exc``, or when another process holds the DuckDB file, ``sentence`` naming the file (and the PID)."""
    import re

    from ..config import resolve_db_path
    from ..errors import StoreUnavailable
    from ..snapshot import is_locked

    if not is_locked(exc):
        return exc
    pid = re.search(r"\(PID (\d+)\)", str(exc))
    return StoreUnavailable(sentence.format(path=resolve_db_path(db_path), pid=f" (PID {pid[1]})" if pid else ""))


# The module (in this package) that defines each command. A process imports only the one it runs: an alert
# hook's ``declare`` skips the import, review and notification commands (~15 ms of its ~200 ms); ``--help``
# and a mistyped name load them all. ``tests/test_cli.py`` checks this map against what the modules define.
COMMAND_MODULES = {
    "declare": "incidents", "update": "incidents", "status": "incidents", "resolve": "incidents",
    "reopen": "incidents", "assign": "incidents", "edit": "incidents", "merge": "incidents", "list": "incidents",
    "show": "incidents", "severities": "incidents", "types": "incidents",
    "demo": "demo", "import": "imports", "export": "export", "restore": "export", "metrics": "metrics",
    "similar": "similar", "review": "review", "close": "review", "follow-ups": "review",
    "notify": "notify", "subscribe": "notify", "unsubscribe": "notify", "subscriptions": "notify",
    "needs-update": "notify", "status-page": "notify", "api-token": "tokens", "components": "components",
    "maintenance": "maintenance",
}


class LazyGroup(click.Group):
    """A group whose commands are registered by their modules when first asked for (click's documented
    lazy-loading pattern, keyed by ``COMMAND_MODULES``)."""

    def _load(self, name: str) -> None:
        if name not in self.commands and name in COMMAND_MODULES:
            importlib.import_module(f"{__package__}.{COMMAND_MODULES[name]}")

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        self._load(cmd_name)
        if cmd_name not in self.commands:  # a typo: load everything, so click can suggest the right name
            for name in COMMAND_MODULES:
                self._load(name)
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        for name in COMMAND_MODULES:
            self._load(name)
        return super().list_commands(ctx)

    def invoke(self, ctx: click.Context):
        """Run the command; a change refused because the store was opened read-only says why in one sentence."""
        from ..errors import StoreUnavailable

        try:
            return super().invoke(ctx)
        except StoreUnavailable as exc:
            reason = getattr(ctx.obj, "read_only_reason", None)
            if reason:
                raise StoreUnavailable(reason) from exc
            raise


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--db", "db_path", metavar="PATH|URL", envvar=DB_ENV_VAR, show_envvar=True,
              help="DuckDB file, or a postgresql://user@host:port/database URL (pip install "
                   "'incident-kit[postgres]') [default: data/incident_kit.duckdb].")
@click.option("--server", metavar="URL", envvar="INCIDENT_KIT_SERVER", show_envvar=True,
              help="Send declare, update, status, resolve, list, show and metrics to the running app at URL "
                   "(e.g. http://localhost:8501) with the API token in $INCIDENT_KIT_TOKEN.")
@click.version_option(package_name="incident-kit")
@click.pass_context
def cli(ctx: click.Context, db_path: str | None, server: str | None) -> None:
    """Declare incidents, keep everyone updated, and learn from them."""
    ctx.obj = State(db_path, server)
    ctx.call_on_close(ctx.obj.close)


pass_state = click.make_pass_decorator(State)


def json_option(f):
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")(f)


def echo(message="", *, err: bool = False, nl: bool = True) -> None:
    """Print a line for a person: escape sequences and control characters in it are removed,
    so a title cannot recolour, retitle or clear the terminal (``safe_output.terminal_text``)."""
    click.echo(terminal_text(str(message)), err=err, nl=nl)


def json_ready(value):
    """``value`` as strict JSON can hold it: a missing value (None, NaN, NaT, pandas' NA) and an infinity
    are None, NumPy scalars and arrays plain Python, times ISO 8601; dicts, lists and tuples all the way down.

    Checked by type name, so the CLI's fast commands never import pandas or NumPy for it.
    """
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [json_ready(v) for v in value]
    if type(value).__name__ in ("NaTType", "NAType"):
        return None
    if hasattr(value, "tolist") and hasattr(value, "dtype"):  # a NumPy scalar or array
        return json_ready(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (dt.datetime, dt.date, dt.time)):  # pandas' Timestamp is a datetime
        return value.isoformat()
    return value


def json_text(value) -> str:
    """The one JSON every ``--json`` prints: strict (``allow_nan=False``: null, never NaN or Infinity)."""
    return json.dumps(json_ready(value), indent=2, default=str, ensure_ascii=False, allow_nan=False)


def echo_json(value) -> None:
    """Print ``value`` as strict JSON (``json_text``), safe for a terminal. Every ``--json`` goes through here."""
    click.echo(terminal_json(json_text(value)))


def reply(as_json: bool, data, text: str) -> None:
    """A command's answer: ``data`` as JSON with --json, else ``text`` for a person."""
    if as_json:
        echo_json(data)
    else:
        echo(text)


def reply_rows(as_json: bool, items, fields: tuple[str, ...], line) -> None:
    """A listing's answer: each item's ``fields`` as JSON objects with --json, else ``line(item)`` per item."""
    if as_json:
        echo_json([{name: getattr(item, name) for name in fields} for item in items])
        return
    for item in items:
        echo(line(item))
