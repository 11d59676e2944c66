"""The one error type a person sees, and its few specialisations.

Every message is written for the person who made the call: it says what is
wrong and what to do instead, in one sentence, with no traceback needed.
"""


class IncidentKitError(Exception):
    """A request that cannot be carried out; the message says how to fix it.

    ``in_app`` is the same sentence for someone using the app, when the message's advice only makes
    sense at a command line (a flag, an environment variable, a ``pip`` command): the app never names
    those (``ui.context.app_words``). Without it, the app shows the message itself.
    """

    def __init__(self, message: str = "", *, in_app: str | None = None):
        super().__init__(message)
        self.in_app = in_app or message


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
