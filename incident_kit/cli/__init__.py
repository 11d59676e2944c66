"""The ``incident-kit`` command line.

Every command is a thin wrapper over the Python API. A domain error becomes
one line on stderr and exit status 1; usage errors exit 2 (click's rule). Text
for people has terminal escape sequences removed; ``--json`` stays valid JSON.
"""

from __future__ import annotations

import os
import re
import sys

import click

from ..clock import QUOTED_MAX, quoted
from ..errors import IncidentKitError
from ..safe_output import os_error_sentence, terminal_text
from .base import cli, echo

DEBUG_ENV_VAR = "INCIDENT_KIT_DEBUG"
# An error is a sentence read at a glance; a longer one repeats a pasted value (click's usage errors and
# some refusals quote what was typed back whole, e.g. a 100,000-character status).
SENTENCE_MAX = 300
_QUOTED_VALUE = re.compile(r"'([^'\n]{%d,})'" % (QUOTED_MAX + 1))
_LONG_RUN = re.compile(r"\S{%d,}" % (QUOTED_MAX * 5))  # no word or path is this long


def one_sentence(message: str) -> str:
    """``message`` as it is, unless it is too long to be read: then every value it quotes is cut to about
    40 characters (``clock.quoted``), and so is any unbroken run of characters, and the whole is capped."""
    text = str(message)
    if len(text) <= SENTENCE_MAX:
        return text
    text = _QUOTED_VALUE.sub(lambda m: f"'{quoted(m.group(1))}'", text)
    text = _LONG_RUN.sub(lambda m: quoted(m.group()), text)
    return text if len(text) <= SENTENCE_MAX else text[:SENTENCE_MAX] + "…"

# Each module registers its commands on ``cli`` when one of them is first asked for (``base.LazyGroup``).


class _TerminalSafe:
    """A stream that removes terminal escape sequences (click's usage errors quote what was typed)."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(terminal_text(text))

    def flush(self) -> None:
        self._stream.flush()


def main(argv: list[str] | None = None) -> int:
    """Run one command; every failure is one sentence on stderr, never a traceback.

    Exit status: 0 done, 1 refused or failed, 2 usage error (click's rule), 130 interrupted.
    ``INCIDENT_KIT_DEBUG=1`` shows the traceback of an unexpected error, for a bug report.
    """
    try:
        cli.main(args=argv, prog_name="incident-kit", standalone_mode=False)
    except click.exceptions.Abort:
        echo("Aborted.", err=True)
        return 1
    except click.ClickException as exc:
        exc.message = one_sentence(exc.message)
        exc.show(file=_TerminalSafe(sys.stderr))
        return exc.exit_code
    except IncidentKitError as exc:
        echo(f"error: {one_sentence(str(exc))}", err=True)
        return 1
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        echo("Interrupted.", err=True)
        return 130
    except OSError as exc:  # a file named on the command line: missing, unreadable, disk full, ...
        echo(f"error: {one_sentence(os_error_sentence(exc, action='use'))}", err=True)
        return 1
    except Exception as exc:  # a bug: say so in one line; the details are one variable away
        if os.environ.get(DEBUG_ENV_VAR):
            raise
        first = (str(exc).strip().splitlines() or [""])[0][:200]
        echo(f"error: something unexpected went wrong ({type(exc).__name__}: {first}); nothing more was done. "
             f"Run again with {DEBUG_ENV_VAR}=1 to see the details and please report it.", err=True)
        return 1
    return 0


def run() -> None:  # console-script entry point
    sys.exit(main())
