"""What every domain's part of the Kit API relies on: the database and who acts.

A Kit opened with ``user=`` (``incident_kit.open(path, user=incident_kit.local_user())``) is the
trusted local operator's: the CLI, a notebook, a script that holds the database anyway. A call
without ``by=`` acts as that user, and a call without ``viewer=`` sees everything.

A Kit opened without ``user=`` (the app, the HTTP API) has no default actor: every call must say
who acts or who views, and one that does not raises ``MissingActor``. It fails closed: a page or
route that forgets ``by=``/``viewer=`` breaks loudly in its tests instead of running unchecked.
"""

from __future__ import annotations


class MissingActor(TypeError):
    """A programming error: a Kit without a local operator was called without ``by=`` or ``viewer=``."""


class KitPart:
    """Base of the per-domain mixins that ``Kit`` combines (``<domain>/api.py``)."""

    db: object
    user: str | None  # the trusted local operator; None in the app and the HTTP API

    def _by(self, by):
        """The acting person: ``by`` when given (a name or an ``identity.Person``), else the local operator."""
        if by:
            return by
        if self.user is None:
            raise MissingActor("This Kit has no local operator: pass by= (the person acting) to every change.")
        return self.user

    def _viewer(self, viewer):
        """Who is looking: ``viewer`` when given; ``None`` (sees everything) only for the local operator."""
        if viewer is not None:
            return viewer
        if self.user is None:
            raise MissingActor("This Kit has no local operator: pass viewer= (the person looking) to every read.")
        return None

    def viewing(self, viewer):
        """``_viewer`` for code outside the Kit that takes a Kit as its source (analytics): who is looking."""
        return self._viewer(viewer)
