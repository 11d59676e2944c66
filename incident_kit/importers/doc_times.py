"""Times as postmortem documents write them, never guessed: a time whose zone is unknown is a problem.

A document states its zone in a line such as "All times in CET" (or a table header "Date and Time in
CET"), by name ("All times in Europe/Copenhagen"), or as an offset ("All times in UTC+05:30"); a
timeline stamp may carry its own ("2024-01-31 14:05 UTC", "2024-01-31T14:05+01:00"). An abbreviation
that names several zones (IST: India, Ireland or Israel) or none known here, and a time with no zone at
all, are reported rather than read as UTC, because a silent UTC shifts every duration by hours.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

UTC = dt.timezone.utc
# The abbreviations read as one zone each. "All times in CET": the Danish team's local time, which
# observes summer time like Copenhagen.
ZONES = {"utc": "UTC", "gmt": "UTC", "cet": "Europe/Copenhagen", "cest": "Europe/Copenhagen",
         "pst": "America/Los_Angeles", "pdt": "America/Los_Angeles", "est": "America/New_York",
         "edt": "America/New_York"}
ZONE_STATEMENT = re.compile(
    r"(?i:\b(?:times?|date and time)\b)[^|\n]{0,40}?(?i:\bin)\s+"
    r"(?P<zone>[A-Z][A-Za-z_]+(?:/[A-Za-z_+-]+){1,2}|(?i:utc|gmt)\s*[+-]\s*\d{1,2}(?::?\d{2})?|[A-Za-z]{2,5})\b")
OFFSET = re.compile(r"^(?:utc|gmt)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?$", re.I)
# "2024-01-31 14:05", "2024-01-31T14:05:00Z", "2024-01-31 14:05 UTC", "2024-01-31T14:05+01:00", "2024-01-31".
DATE_TIME = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})"
                       r"(?:(?:[ ]+|(?P<t>T))(\d{1,2}):(\d{2})(?::\d{2}(?:\.\d+)?)?"
                       r"(?:(?P<z>Z)\b|\s*\b(?P<word>UTC|GMT)\b(?!\s*[+-]\d)|(?(t)(?P<off>[+-]\d{2}:?\d{2})\b))?)?")
MINUTES = re.compile(r"(\d+(?:\.\d+)?)\s*(min|minute|minutes|m|h|hour|hours|hr|hrs|d|day|days)\b", re.I)
# A duration longer than a century ("Time to recovery: 99999999 days") is a typo, and would overflow a date.
LONGEST = dt.timedelta(days=36525)

NO_ZONE = ("its times have no time zone: add a line such as 'All times in UTC' above the timeline (or a zone "
           "name, 'All times in Europe/Copenhagen'), so they are not misread")


@dataclass(frozen=True)
class Zone:
    """What a document says about its zone: ``tz`` when it names one incident-kit can place, else ``problem``."""

    tz: dt.tzinfo | None = None
    problem: str | None = None


def stated_zone(text: str) -> Zone:
    """The zone the first zone statement in ``text`` names (a plain word after "times in" is no statement)."""
    for m in ZONE_STATEMENT.finditer(text):
        word = m.group("zone")
        if word.lower() in ZONES:
            return Zone(ZoneInfo(ZONES[word.lower()]))
        offset = OFFSET.match(word)
        if offset:
            sign, hours, minutes = offset.groups()
            delta = dt.timedelta(hours=int(hours), minutes=int(minutes or 0))
            if delta < dt.timedelta(hours=24):
                return Zone(dt.timezone(-delta if sign == "-" else delta))
            return Zone(problem=f"it says the times are in {word}, which is not an offset (at most "
                                "UTC+23:59); correct it")
        if "/" in word:
            try:
                return Zone(ZoneInfo(word))
            except (ZoneInfoNotFoundError, ValueError):
                return Zone(problem=f"it says the times are in {word[:40]}, which is not a zone name "
                                    "such as Europe/Copenhagen; correct it")
        if word.isupper() and word.endswith("T"):  # the shape of zone abbreviations: IST, JST, AEST, BST
            return Zone(problem=f"it says the times are in {word}, an abbreviation incident-kit does "
                                "not read as one zone (IST is India, Ireland or Israel): name the zone instead, "
                                "e.g. 'All times in Asia/Kolkata', or give the offset, 'All times in UTC+05:30'")
    return Zone()


def stamp(text: str, tz: dt.tzinfo | None) -> dt.datetime | None:
    """The first date (and time) in ``text``: in its own zone if it names one, else in ``tz``, else naive (the
    caller reports it). None when there is no valid date."""
    m = DATE_TIME.search(text)
    if not m:
        return None
    y, mo, d = m.group(1, 2, 3)
    h, mi = m.group(5, 6)
    own = None
    if m.group("z") or m.group("word"):
        own = UTC
    elif m.group("off"):
        sign, digits = m.group("off")[0], m.group("off")[1:].replace(":", "")
        delta = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        if delta >= dt.timedelta(hours=24):
            return None
        own = dt.timezone(-delta if sign == "-" else delta)
    try:
        local = dt.datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), tzinfo=own or tz)
    except ValueError:  # 2024-02-30, hour 25, year 0
        return None
    if local.tzinfo is None:
        return local
    try:
        return local.astimezone(UTC)
    except OverflowError:  # 0001-01-01 in a zone east of UTC: the services' bounds refuse it by its local year
        return local


def front_time(meta: dict, keys, problems: list[str]) -> dt.datetime | None:
    """The first of ``keys`` the frontmatter fills, as an aware UTC time; a value that is not one (no date, no
    zone) is reported in ``problems`` and gives None."""
    for k in keys:
        value = meta.get(k)
        if value in (None, ""):
            continue
        shown = str(value)[:40]
        at = _parse(value)
        if at is None:
            problems.append(f"frontmatter '{k}' value '{shown}' is not a date and time (e.g. 2024-01-31T14:05:00Z)")
        elif at.tzinfo is None or at.utcoffset() is None:
            day_only = isinstance(value, str) and re.fullmatch(r"\s*\d{4}-\d{2}-\d{2}\s*", value)
            problems.append(f"frontmatter '{k}' value '{shown}' " + (
                "is a day without a time and zone; write e.g. 2024-01-31T14:05:00Z (or T00:00:00Z if only the "
                "day is known)" if day_only else
                "has no time zone; add one so it is not misread, e.g. 2024-01-31T14:05:00Z or +01:00"))
        else:
            try:
                return at.astimezone(UTC)
            except OverflowError:
                return at  # out of every bound; the services' check says so by its own year
        return None
    return None


def _parse(value) -> dt.datetime | None:
    if isinstance(value, dt.datetime):  # an explicit !!timestamp tag
        return value
    if not isinstance(value, str):
        return None  # a number is no date: 20240131 would read as nanoseconds after 1970
    text = value.strip()
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        pass
    try:
        with warnings.catch_warnings():  # dateutil warns about zone words it cannot place; then it is naive
            warnings.simplefilter("ignore")
            ts = pd.Timestamp(text)  # "31 Jan 2024 14:05 +0100" and other spellings people write
        return None if ts is pd.NaT else ts.to_pydatetime()  # year 0 parses, but is no datetime
    except (ValueError, TypeError, OverflowError):
        return None


def duration(text: str | None) -> dt.timedelta | None:
    """"25 minutes", "1.5 h", "2 days" as a duration; None when there is none (or it is past a century)."""
    m = MINUTES.search(text or "")
    if not m:
        return None
    n, unit = float(m.group(1)), m.group(2).lower()
    scale = 1 if unit.startswith("m") else 60 if unit.startswith("h") else 1440
    minutes = n * scale
    if minutes > LONGEST.total_seconds() / 60:
        return None
    return dt.timedelta(minutes=minutes)
