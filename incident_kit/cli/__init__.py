"""The ``incident-kit`` command line.

Every command is a thin wrapper over the Python API. A domain error becomes
one line on stderr and exit status 1; usage errors exit 2 (click's rule).
"""

from __future__ import annotations

import sys

import click

from ..errors import IncidentKitError
from .base import cli

# Each module registers its commands on ``cli``.
from . import demo as _demo  # noqa: E402,F401
from . import incidents as _incidents  # noqa: E402,F401
from . import imports as _imports, export as _export  # noqa: E402,F401
from . import notify as _notify  # noqa: E402,F401
from . import review as _review  # noqa: E402,F401
from . import metrics as _metrics  # noqa: E402,F401
from . import similar as _similar  # noqa: E402,F401


def main(argv: list[str] | None = None) -> int:
    try:
        cli.main(args=argv, prog_name="incident-kit", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 1
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except IncidentKitError as exc:
        click.echo(f"error: {exc}", err=True)
        return 1
    except BrokenPipeError:
        return 0
    return 0


def run() -> None:  # console-script entry point
    sys.exit(main())
