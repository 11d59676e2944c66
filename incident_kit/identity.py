"""Who is acting: a ``Person`` is a name that may have been proved by a sign-in.

``Person`` is a ``str`` so it binds to SQL and displays as the name; ``.verified``
is True only when an OIDC sign-in proved it. The rules every service follows:

* ``viewer=None`` is the trusted local caller (the CLI or a notebook, who holds
  the database file anyway); any other viewer is checked.
* a plain ``str`` actor (``by="ana"``) is the trusted local operator: its writes
  are not checked, and as a viewer its name is taken at its word;
* a ``Person`` actor (what the app passes) is checked: admin rights and private
  incidents need a *verified* Person unless the setting ``trust_typed_names`` is on;
* a machine (``machine("token:deploy-bot")``, what the HTTP API passes for a token) is a
  checked ``Person`` that is never believed for admin rights or private incidents, whatever
  ``trust_typed_names`` says: a token is a key, not a person who can take part in an incident.
"""

from __future__ import annotations

from .errors import IncidentKitError

# Long enough for any real name or email address (RFC 5321 caps a path at 256),
# short enough that a name never floods a list row, a chat message or a CSV cell.
NAME_MAX = 200


class Person(str):
    """A name plus whether a sign-in proved it (``Person("ana@example.com", verified=True)``).

    ``machine=True`` marks a program acting through an API token; it is never ``verified``.
    """

    verified: bool
    machine: bool

    def __new__(cls, name: str, *, verified: bool = False, machine: bool = False):
        self = super().__new__(cls, name)
        self.machine = bool(machine)
        self.verified = bool(verified) and not self.machine
        return self

    def __repr__(self) -> str:
        return f"Person({str(self)!r}, verified={self.verified}{', machine=True' if self.machine else ''})"

    def __reduce__(self):  # survive pickling (Streamlit session state, multiprocessing)
        return (_person, (str(self), self.verified, self.machine))


def _person(name: str, verified: bool, machine: bool = False) -> Person:
    return Person(name, verified=verified, machine=machine)


def machine(name: str) -> Person:
    """The identity of a program (an API token acts as ``token:NAME``): checked, and never believed for
    private incidents or admin rights."""
    return Person(name, machine=True)


def is_machine(actor) -> bool:
    return isinstance(actor, Person) and actor.machine


def is_checked(actor) -> bool:
    """A ``Person`` actor is checked by the services; ``None`` and a plain ``str`` are the local operator."""
    return isinstance(actor, Person)


def is_trusted_name(person, *, trust_typed_names: bool) -> bool:
    """May this name be believed for admin rights and private incidents?

    A plain ``str`` comes from a local caller who vouches for it; a ``Person`` must
    be verified, unless the install opted into trusting typed names.
    """
    if person is None:
        return True
    if not isinstance(person, Person):
        return True
    if person.machine:  # a token is not a person: trusting typed names does not make it one
        return False
    return person.verified or trust_typed_names


def clean_person(value, what: str) -> str:
    """One line of text naming a person, at most ``NAME_MAX`` characters; keeps a ``Person``'s proof."""
    text = " ".join(str(value or "").replace("\x00", "").split())  # no NUL: see bounds.without_nul
    if not text:
        raise IncidentKitError(f"{what} is required: say who is making this change.")
    if len(text) > NAME_MAX:
        raise IncidentKitError(f"{what} is {len(text)} characters long; a name or email must be at most "
                               f"{NAME_MAX} characters.")
    if isinstance(value, Person):
        return Person(text, verified=value.verified, machine=value.machine)
    return text


def clean_name(value, what: str) -> str | None:
    """Like ``clean_person`` but empty means nobody (``None``)."""
    if value is None or not " ".join(str(value).split()):
        return None
    return clean_person(value, what)
