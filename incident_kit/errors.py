"""The one error type a person sees, and its few specialisations.

Every message is written for the person who made the call: it says what is
wrong and what to do instead, in one sentence, with no traceback needed.
"""


class IncidentKitError(Exception):
    """A request that cannot be carried out; the message says how to fix it."""


class NotFound(IncidentKitError):
    """The incident (or other record) does not exist or is not visible to the caller."""


class InvalidTransition(IncidentKitError):
    """A status change the lifecycle does not allow."""


class StoreUnavailable(IncidentKitError):
    """The database file cannot be opened (locked by another process, unreadable, ...)."""


class NotAllowed(IncidentKitError):
    """The acting person may not make this change (e.g. only admins change settings)."""


class Conflict(IncidentKitError):
    """The request clashes with another one in progress (e.g. a retry while the first is still running)."""
