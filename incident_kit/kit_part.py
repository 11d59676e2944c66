"""What every domain's part of the Kit API relies on: the database and the default actor."""

from __future__ import annotations


class KitPart:
    """Base of the per-domain mixins that ``Kit`` combines (``<domain>/api.py``)."""

    db: object
    user: str

    def _by(self, by):
        """The acting person: ``by`` when given (a name or an ``identity.Person``), else the Kit's user."""
        return by or self.user
