"""Who may see a private incident: the one rule, as one SQL fragment and one Python predicate.

A private incident shows to its participants (the declarer, anyone who ever held
a role, anyone added as a member) and to admins; every other incident shows to
everyone. ``viewer=None`` is the trusted local caller and sees everything. A
``Person`` who is not verified is not believed for private incidents unless the
install trusts typed names (``incident_kit.identity``).

Every store that lists incidents (or things hanging off them) composes
``visible_sql()`` into its WHERE clause and binds ``scope_params(tx, viewer)``;
every service that loads one incident asks ``can_see``.
"""

from __future__ import annotations

from ..catalog import access
from ..identity import is_trusted_name

# Participation: declared it, ever held a role on it, or was added to it. The role and member
# lookups are one IN list (with a bound viewer, computed once per query, then a hash semi-join):
# benchmarks/bench_visibility.py once measured correlated EXISTS 1.4x slower on the Insights scope.
_PARTICIPANT = """({i}.declared_by = {who}
       OR {i}.id IN (SELECT vis_r.incident_id FROM incident_roles vis_r WHERE vis_r.person = {who}
                     UNION ALL
                     SELECT vis_m.incident_id FROM incident_members vis_m WHERE vis_m.person = {who}))"""
# Visibility: may see everything, or the incident is not private, or takes part in it.
_VISIBLE = "({see_all} OR NOT {i}.private OR {participant})"


def participant_sql(*, incident: str = "i", who: str = "?") -> str:
    """SQL true when ``who`` takes part in ``incident`` (binds ``who`` three times when it is ``?``)."""
    return _PARTICIPANT.format(i=incident, who=who)


def visible_sql(*, incident: str = "i", see_all: str = "?", who: str = "?") -> str:
    """SQL true when the incident aliased ``incident`` is visible.

    With the defaults it binds four values, in ``scope_params`` order: see_all, then the viewer three times.
    ``see_all``/``who`` may instead be SQL expressions (``p.viewer``, ``sub.person``...).
    """
    return _VISIBLE.format(see_all=see_all, i=incident, participant=participant_sql(incident=incident, who=who))


def public_sql(*, incident: str = "i", include_private: str = "FALSE") -> str:
    """SQL true when the incident is visible to nobody in particular (not private), or ``include_private``.

    It is the same rule with no viewer: exports and the public status page use it.
    """
    return visible_sql(incident=incident, see_all=include_private, who="NULL")


# A timeline event about another incident (a related link) names it by reference in this field: in
# ``new_value`` when linked, ``old_value`` when unlinked. It shows only to viewers who may see that
# incident (``loading.visible_events``; exports without private incidents leave it out too).
RELATED_FIELD = "related"


def other_reference(event) -> str | None:
    """The reference of the other incident an event names (a related link), or None."""
    if getattr(event, "field", None) != RELATED_FIELD:
        return None
    return event.new_value or event.old_value


IS_PARTICIPANT = f"SELECT {participant_sql(incident='i')} FROM incidents i WHERE i.id = ?"


def scope(tx, viewer) -> tuple[bool, str | None]:
    """(see_all, who): whether the viewer sees every incident, and the name to match participants on.

    ``who`` is None for a viewer whose name is not believed (an unverified ``Person`` when typed
    names are not trusted): then only incidents that are not private match.
    """
    if viewer is None or access.is_admin(tx, viewer):
        return True, None if viewer is None else str(viewer)
    trusted = is_trusted_name(viewer, trust_typed_names=access.trust_typed_names(tx))
    return False, str(viewer) if trusted else None


def scope_params(tx, viewer) -> list:
    """The four values ``visible_sql()`` binds, for this viewer."""
    see_all, who = scope(tx, viewer)
    return [see_all, who, who, who]


def is_participant(tx, incident_id: int, person) -> bool:
    return bool(tx.fetchone(IS_PARTICIPANT, [*[str(person)] * 3, incident_id])[0])


def can_see(tx, incident, viewer) -> bool:
    """The Python predicate: may ``viewer`` see ``incident`` (an ``Incident``)?"""
    if viewer is None or not incident.private:
        return True
    see_all, who = scope(tx, viewer)
    return see_all or (who is not None and is_participant(tx, incident.id, who))
