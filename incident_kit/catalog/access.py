"""The admin rule, in one place: who may administer, and who sees every private incident.

Admins are the names in the ``admins`` setting. Being named is enough for a plain
``str`` (a local caller vouches for it); a ``Person`` from the app must also be
verified by a sign-in, unless the install turned ``trust_typed_names`` on
(see ``incident_kit.identity``). ``None`` is the trusted local caller.
"""

from __future__ import annotations

from ..errors import NotAllowed
from ..identity import is_checked, is_machine, is_trusted_name
from . import store


def trust_typed_names(tx) -> bool:
    """True when the install opted to believe typed names (a trusted single-team install)."""
    return store.trust_typed_names(tx)


def is_admin(tx, person) -> bool:
    """Named in ``admins`` and believed (``None``, the local caller, counts as an admin)."""
    if person is None:
        return True
    if str(person) not in store.admins(tx):
        return False
    return is_trusted_name(person, trust_typed_names=trust_typed_names(tx))


def admin_sql(who: str) -> str:
    """``is_admin`` for many names at once, as SQL: true when ``who`` (an SQL expression holding a name that is
    already believed, or NULL) is named in ``admins``. Binds one value: ``admin_names(tx)``."""
    return f"coalesce(list_contains(CAST(? AS VARCHAR[]), {who}), FALSE)"


def admin_names(tx) -> list[str]:
    """The value ``admin_sql`` binds."""
    return sorted(store.admins(tx))


def can_administer(tx, person) -> bool:
    """Admins may change settings, import and load the demo; before any admin is named, any person may
    (never a machine: an API token administers nothing)."""
    if is_machine(person):
        return False
    return person is None or not store.admins(tx) or is_admin(tx, person)


def refusal(tx, actor, doing: str) -> str | None:
    """Why a checked ``actor`` may not do ``doing`` (e.g. "change settings"), in one sentence; None if they may."""
    if not is_checked(actor) or can_administer(tx, actor):
        return None
    if is_machine(actor):
        return f"An API token cannot {doing}; ask an admin."
    names = ", ".join(sorted(store.admins(tx)))
    if str(actor) in store.admins(tx):
        return (f"Only a signed-in admin can {doing}: sign in to prove you are {actor}, "
                "or ask an admin to trust typed names in Settings.")
    return f"Only admins can {doing}; ask {names}."


def require_admin(tx, actor, doing: str) -> None:
    """Refuse ``doing`` (e.g. "change settings") to a checked actor who may not administer."""
    reason = refusal(tx, actor, doing)
    if reason is not None:
        raise NotAllowed(reason)
