"""Who acts in the security tests.

``ana`` declared the private incident (signed in); ``bob`` is a signed-in colleague who takes
no part in it; ``root`` becomes an admin; ``typed(...)`` is a name typed without signing in.
"""

from __future__ import annotations

from incident_kit.identity import Person

ANA = Person("ana@example.com", verified=True)
BOB = Person("bob@example.com", verified=True)
ROOT = Person("root@example.com", verified=True)


def typed(name: str) -> Person:
    """A name someone typed into the app without signing in."""
    return Person(name, verified=False)
