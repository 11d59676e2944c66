"""How counts are worded for people, in one place: "1 incident", "2 incidents", "1,234 updates".

The app, the importers' reports and the CLI say a number and its noun through ``count``, so no
message reads "1 incidents" or "incident(s)". Pure functions, no imports beyond the standard library.
"""

from __future__ import annotations

# Nouns whose plural is not the noun plus "s".
IRREGULAR = {"person": "people", "is": "are", "was": "were", "this": "these", "it": "them"}


def plural(n: int, noun: str, many: str | None = None) -> str:
    """``noun`` as the number ``n`` needs it: ('incident', 1) -> 'incident'; ('incident', 2) -> 'incidents'."""
    if n == 1:
        return noun
    return many or IRREGULAR.get(noun) or (noun[:-1] + "ies" if noun.endswith("y") and noun[-2:-1] not in "aeiou"
                                           else noun + "s")


def count(n: int, noun: str, many: str | None = None) -> str:
    """'1 incident', '0 incidents', '1,234 follow-ups': a number with thousands separators and its noun."""
    return f"{n:,} {plural(n, noun, many)}"
