"""Input bounds every service applies, each refusing with one sentence that names the limit.

Services call these before opening a transaction, so a refused input writes nothing.
"""

from __future__ import annotations

import datetime as dt
import operator

from .clock import UTC, quoted, to_utc, utcnow
from .config import LIST_LIMIT_MAX
from .errors import IncidentKitError

# An update is read aloud in a call and sent by email: 20,000 characters is ~8 pages.
UPDATE_MAX = 20_000
# A note or reason (why declined, why reopened, why a follow-up won't be done) is a line or two.
NOTE_MAX = 2_000
# A summary is the incident's standing description: a few paragraphs, not a document.
SUMMARY_MAX = 20_000
# Incidents before 1990 predate any tool that could have recorded them; a typo like 0202 or 9999 is refused.
EARLIEST = dt.datetime(1990, 1, 1, tzinfo=UTC)
# Clocks drift and people type "today" in a zone ahead of UTC: one day of slack for "now".
FUTURE_SLACK = dt.timedelta(days=1)
# Promises (a follow-up's due date, the next update) may be far ahead (a long-term fix), but not
# past any plan anyone keeps: a year like 9999 is a typo.
PROMISE_HORIZON = dt.timedelta(days=36525)

TRUE_WORDS = frozenset({"true", "yes", "y", "on", "1"})
FALSE_WORDS = frozenset({"false", "no", "n", "off", "0", ""})


def without_nul(value: str) -> str:
    """``value`` without NUL characters: PostgreSQL's text cannot hold one (psycopg refuses the whole statement),
    DuckDB would keep it, and no person means one; a pasted NUL is dropped, so both stores keep the same text."""
    return value.replace("\x00", "")


def text(value, *, what: str, limit: int) -> str:
    """``value`` stripped (and ``without_nul``), refused when longer than ``limit`` characters."""
    out = without_nul(str(value or "")).strip()
    if len(out) > limit:
        raise IncidentKitError(f"{what} is {len(out):,} characters long; the limit is {limit:,} characters.")
    return out


def note(value, *, what: str = "The note") -> str | None:
    """An optional short reason: stripped, at most ``NOTE_MAX`` characters, None when empty."""
    return text(value, what=what, limit=NOTE_MAX) or None


def flag(value, *, what: str) -> bool:
    """A strict yes/no: real booleans and clear words (true/false, yes/no, on/off, 1/0)."""
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise IncidentKitError(f"{what} must be yes or no (true or false), not '{quoted(value)}'.")


def when(value, *, field: str, allow_future: bool = False, now: dt.datetime | None = None) -> dt.datetime | None:
    """An aware time (see ``clock.to_utc``) between 1990-01-01 and one day from now.

    ``allow_future`` lifts the upper bound for times that are promises (a due date, the next update).
    """
    try:
        at = to_utc(value, field=field)
    except (OverflowError, ValueError):
        raise IncidentKitError(f"{field.capitalize()} '{quoted(value)}' is not a valid time.") from None
    if at is None:
        return None
    if at < EARLIEST:
        raise IncidentKitError(f"{field.capitalize()} {at.date().isoformat()} is before 1990-01-01; check the year.")
    now = now or utcnow()
    if allow_future:
        if at > now + PROMISE_HORIZON:
            raise IncidentKitError(f"{field.capitalize()} {at.date().isoformat()} is more than 100 years ahead; "
                                   "check the year.")
    elif at > now + FUTURE_SLACK:
        raise IncidentKitError(f"{field.capitalize()} {at:%Y-%m-%d %H:%M} UTC is in the future; it can be at "
                               "most one day from now.")
    return at


def limit(value) -> int | None:
    """How many rows a list call may return: a whole number from 0 to ``LIST_LIMIT_MAX``, or None for all."""
    if value is None:
        return None
    try:
        number = None if isinstance(value, bool) else operator.index(value)  # ints, numpy ints; not 2.5 or "3"
    except TypeError:
        number = None
    if number is None or not 0 <= number <= LIST_LIMIT_MAX:
        try:
            shown = repr(value)[:30]
        except ValueError:  # an int of more than 4,300 digits has no repr (Python's own guard)
            shown = "a number that long"
        raise IncidentKitError(f"The limit must be a whole number from 0 to {LIST_LIMIT_MAX:,}, not {shown}.")
    return number
