"""Time helpers: everything inside incident-kit is a tz-aware UTC datetime."""

from __future__ import annotations

import datetime as dt
import re

from .errors import IncidentKitError

UTC = dt.timezone.utc


def utcnow() -> dt.datetime:
    return dt.datetime.now(UTC)


# The UTC offset after a time of day: "14:05+05:30", "14:05:00.5-0800", "14:05+99:00" (its hours are
# checked by the caller, not by the pattern).
_OFFSET = re.compile(r"\d:\d{2}(?::\d{2}(?:\.\d+)?)?([+-](\d{2}):?\d{2})$")

QUOTED_MAX = 40  # how much of a refused value a sentence repeats back


def quoted(value) -> str:
    """A refused value as a sentence repeats it: cut to ``QUOTED_MAX`` characters (a pasted page, or a
    5,000-digit number, is not worth reading back)."""
    text = str(value)
    return text if len(text) <= QUOTED_MAX else text[:QUOTED_MAX] + "…"


def to_utc(value: dt.datetime | str | None, *, field: str = "time") -> dt.datetime | None:
    """Accept an aware datetime or an ISO 8601 string with an offset; return UTC.

    Naive values are refused: guessing a time zone is how durations go wrong.
    """
    if value is None or value == "":
        return None
    if isinstance(value, str):
        text = value.strip().replace("Z", "+00:00")
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            offset = _OFFSET.search(text)
            if offset and int(offset.group(2)) >= 24:  # "+99:00": well formed, but no place on Earth
                raise IncidentKitError(
                    f"{field.capitalize()} '{quoted(value)}' has the offset {offset.group(1)}; an offset is "
                    "between -23:59 and +23:59, e.g. +02:00.") from None
            raise IncidentKitError(
                f"{field.capitalize()} '{quoted(value)}' is not an ISO 8601 time; "
                "use e.g. 2026-01-31T14:05:00+00:00."
            ) from None
    if not isinstance(value, dt.datetime):
        raise IncidentKitError(f"{field.capitalize()} must be a date and time, not {type(value).__name__}.")
    if value.tzinfo is None or value.utcoffset() is None:
        raise IncidentKitError(
            f"{field.capitalize()} '{quoted(value.isoformat())}' has no time zone; "
            "give an offset such as +00:00 so it is not misread."
        )
    try:
        return value.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00+01:00 is in year 0 in UTC
        raise IncidentKitError(f"{field.capitalize()} '{quoted(value.isoformat())}' is outside the years 1 to "
                               "9999 in UTC; check the year.") from None


def iso(value: dt.datetime | None) -> str | None:
    """ISO 8601 with an explicit +00:00 offset (the JSON contract)."""
    return None if value is None else value.astimezone(UTC).isoformat()


def human_duration(value: dt.timedelta | float | int) -> str:
    """'45 s', '11 min', '1 h 20 min', '2 d', '2 d 3 h': a duration for people (a timedelta, or minutes).

    The one rule for how long something took or is late, used by the app and by notifications alike.
    """
    if isinstance(value, (int, float)):
        value = dt.timedelta(minutes=float(value))
    seconds = int(round(abs(value.total_seconds())))
    if seconds < 60:
        return f"{seconds} s"
    minutes = int(round(seconds / 60))
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"
