"""Similar incidents: search by text or by an incident, find recurring groups, link related incidents.

Private incidents are found only by people who may see them: every candidate passes the incident
domain's public visibility rule (``incident.service.can_see``) before it is returned.
"""

from __future__ import annotations

import re
import threading
import weakref

import numpy as np
import pandas as pd

from ..clock import utcnow
from ..errors import IncidentKitError, NotFound  # noqa: F401  (NotFound: what a hidden reference raises)
from ..incident import service as incident_service
from ..incident import store as incident_store
from ..incident.service import REFERENCE_PREFIX
from ..incident.visibility import RELATED_FIELD, scope
from ..identity import is_checked
from . import LIMIT_MAX, MIN_RELEVANCE, MIN_RELEVANCE_BY_REFERENCE, grouping, store

REFERENCE = re.compile(rf"^\s*(?:{REFERENCE_PREFIX})?(\d+)\s*$", re.I)
# Two incidents read alike when each one's headline finds the other with at least this share of the score
# it gives itself; groups join while their incidents read alike on average (``grouping.groups``). On the
# DFDS postmortems true recurrences (the three "503" outages, the two Flux and the two Kafka incidents)
# score 0.34-0.95 (0.34: the weakest pair of outages, grouped by the average); unrelated pairs mostly
# stay under 0.3.
RECUR_SHARE = 0.35
# "What keeps coming back" compares each incident with every other: n queries of O(N) each. The most
# recent this many keep the Insights page under a second or two; older ones are left out (and said so).
RECUR_MAX = 1000
_RECURRING: "weakref.WeakKeyDictionary[object, tuple]" = weakref.WeakKeyDictionary()  # db -> (key, groups)
_RECURRING_LOCK = threading.Lock()


def _visible(tx, incident_id: int, viewer, cache: dict) -> bool:
    if incident_id not in cache:
        incident = incident_store.get_by_id(tx, int(incident_id))
        cache[incident_id] = incident is not None and incident_service.can_see(tx, incident, viewer)
    return cache[incident_id]


def _reference(query: str) -> str | None:
    """'INC-007', '7' -> 'INC-7'; None for free text. The digits stay a string: a 5,000-digit "reference"
    is simply not found (``int()`` refused it, and the question failed)."""
    m = REFERENCE.match(str(query or ""))
    return f"{REFERENCE_PREFIX}{m.group(1).lstrip('0') or '0'}" if m else None


def _not_found(query) -> NotFound:
    return incident_service.not_found(query)


def similar(db, query: str, *, limit: int = 5, viewer=None, min_relevance: float | None = None) -> list[dict]:
    """Incidents like ``query`` (free text, or a reference such as INC-12), best first, that reach ``min_relevance``.

    Each is ``{"reference", "title", "score"}``: the score is the incident's BM25 score as a share of
    the most any incident could score for the question (``index.Index.relevance``), from 0 to 1; a
    reference asks with its incident's title (``index.Index.relevance_to``), so a score means the same
    for both. Only incidents scoring at least ``min_relevance`` are returned (by default
    ``MIN_RELEVANCE`` for text, ``MIN_RELEVANCE_BY_REFERENCE`` for a reference: ``default_relevance``;
    0 returns any incident sharing a word), so unrelated text gets an empty answer. An incident is
    never its own match; test incidents and ones the viewer may not see are left out.
    """
    text = str(query or "").strip()
    if not text:
        raise IncidentKitError("Say what to look for: a few words, or an incident reference such as INC-12.")
    if not 1 <= int(limit) <= LIMIT_MAX:
        raise IncidentKitError(f"The limit must be between 1 and {LIMIT_MAX}.")
    default = default_relevance(text)
    floor = default if min_relevance is None else _relevance(min_relevance, default)

    from . import index  # bm25s loads on the first question, not with the package

    def work(tx) -> list[dict]:
        idx = index.current(db, tx, version, facts=False)  # while it rebuilds: _best reads what it shows
        seen: dict[int, bool] = {}
        own = None
        ref = _reference(text)
        if ref is not None:
            own = idx.position(ref)
            if own is None and not idx.current:  # declared since the index was built: rebuild it now
                idx = index.current(db, tx, version, wait=True)
                own = idx.position(ref)
            if own is None or not _visible(tx, int(idx.frame["id"].iat[own]), viewer, seen):
                raise _not_found(text)
            title = None
            if idx.stale_facts:  # it asks with its title as it is now
                now_ = incident_store.get_by_id(tx, int(idx.frame["id"].iat[own]))
                title = None if now_ is None else now_.title  # nothing is deleted: None only in theory
            relevance = idx.relevance_to(own, title)
        else:
            relevance = idx.relevance(text)
        return _best(tx, idx, relevance, int(limit), viewer, seen, skip=own, floor=floor)

    index.ready(db)  # a first build under way (the app's start): wait for it, holding no connection
    version = db.data_version()  # before the read: see index.current
    return db.read(work)


def default_relevance(query: str) -> float:
    """The least relevance listed when none is asked: ``MIN_RELEVANCE`` for text, and for an incident
    reference ``MIN_RELEVANCE_BY_REFERENCE`` (two titles of one kind share more words than a paraphrase)."""
    return MIN_RELEVANCE_BY_REFERENCE if _reference(query) is not None else MIN_RELEVANCE


def _relevance(value, default: float = MIN_RELEVANCE) -> float:
    """``min_relevance`` as a number from 0 to 1, or one sentence saying what it must be."""
    try:
        floor = float(value)
    except (TypeError, ValueError):
        floor = float("nan")
    if not 0 <= floor <= 1 or isinstance(value, bool):  # NaN fails both comparisons
        raise IncidentKitError(f"The minimum relevance must be a number from 0 to 1 (the default is "
                               f"{default}); {str(value)[:40]!r} is not.")
    return floor


def _best(tx, idx, scores: np.ndarray, limit: int, viewer, seen: dict, *, skip, floor: float) -> list[dict]:
    if not len(scores):
        return []
    if idx.stale_facts:
        return _best_read_afresh(tx, idx, scores, limit, viewer, seen, skip=skip, floor=floor)
    frame = idx.frame
    candidates = np.flatnonzero((scores > 0) & (scores >= floor) & idx.searchable)
    order = candidates[np.argsort(-scores[candidates], kind="stable")]
    private = idx.private
    out = []
    for pos in order:
        if pos == skip:
            continue
        if private[pos] and viewer is not None and not _visible(tx, int(frame["id"].iat[pos]), viewer, seen):
            continue
        out.append({"reference": frame["reference"].iat[pos], "title": frame["title"].iat[pos],
                    "score": round(float(scores[pos]), 3)})
        if len(out) == limit:
            break
    return out


def _best_read_afresh(tx, idx, scores, limit: int, viewer, seen: dict, *, skip, floor: float) -> list[dict]:
    """``_best`` while the index rebuilds: each match's reference, title, privacy and mode as the store holds
    them now, read for the best matches only, ``limit`` x 4 (at least 50) at a time. An incident no longer
    found is left out."""
    ids = idx.frame["id"].to_numpy()
    candidates = np.flatnonzero((scores > 0) & (scores >= floor))  # the mode may have changed: checked below
    order = candidates[np.argsort(-scores[candidates], kind="stable")]
    order = order[order != skip] if skip is not None else order
    out: list[dict] = []
    step = max(4 * limit, 50)
    for at in range(0, len(order), step):
        batch = order[at:at + step]
        facts = store.facts_of(tx, ids[batch].tolist())
        for pos in batch:
            row = facts.get(int(ids[pos]))
            if row is None or row[3] == "test":
                continue
            reference, title, private, _ = row
            if private and viewer is not None and not _visible(tx, int(ids[pos]), viewer, seen):
                continue
            out.append({"reference": reference, "title": title, "score": round(float(scores[pos]), 3)})
            if len(out) == limit:
                return out
    return out


def recurring(db, *, viewer=None, since=None, until=None) -> pd.DataFrame:
    """Groups of incidents that keep coming back: one row per incident, with its ``group`` number and the
    group's ``name`` (the words its titles share, ``grouping.name``).

    Incidents declared in [since, until) are compared (the most recent ``RECUR_MAX`` the viewer may
    see) and grouped without chaining, no group over ``grouping.MAX_SHARE`` of them (``grouping.groups``);
    groups of two or more are returned, biggest first, each group's incidents oldest first.
    The answer is kept per data version (``db.data_version()``), viewer scope and window: a warm
    Insights page does not compare a thousand incidents again until something changes.
    """
    columns = ["group", "name", "size", "reference", "title", "started_at", "declared_at", "status"]

    from . import index

    def work(tx) -> pd.DataFrame:
        idx = index.current(db, tx, version)
        frame = idx.frame
        if frame.empty:
            return pd.DataFrame(columns=columns)
        see_all, who = scope(tx, viewer)
        # the data version too: while a rebuild runs, the index's words are older than its facts
        key = (version, idx.marker, see_all, who, str(since), str(until))
        with _RECURRING_LOCK:
            kept = _RECURRING.get(db)
            if kept is not None and kept[0] == key:
                return kept[1].copy()
        started = pd.to_datetime(frame["declared_at"], utc=True)
        keep = idx.searchable.copy()
        if since is not None:
            keep &= (started >= _utc(since)).to_numpy()
        if until is not None:
            keep &= (started < _utc(until)).to_numpy()
        seen: dict[int, bool] = {}
        private = idx.private
        candidates = np.flatnonzero(keep)
        moments = started.dt.tz_localize(None).to_numpy()[candidates]
        newest_first = candidates[np.argsort(moments, kind="stable")[::-1]]  # the old "last RECUR_MAX" order
        pos: list[int] = []
        for p in newest_first:  # visibility is checked only until RECUR_MAX incidents are in
            if see_all or not private[p] or _visible(tx, int(frame["id"].iat[p]), viewer, seen):
                pos.append(int(p))
                if len(pos) == RECUR_MAX:
                    break
        pos = sorted(pos, key=lambda p: started.iat[p])
        out = _groups(idx, pos)[columns] if len(pos) > 1 else pd.DataFrame(columns=columns)
        with _RECURRING_LOCK:
            _RECURRING[db] = (key, out)
        return out.copy()

    index.ready(db)  # a first build under way (the app's start): wait for it, holding no connection
    version = db.data_version()  # before the read: see index.current
    return db.read(work)


def _utc(value) -> pd.Timestamp:
    ts = pd.Timestamp(value)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def _groups(idx, pos: list[int]) -> pd.DataFrame:
    """The incidents at ``pos`` in groups (``grouping.groups``), each named by what its titles share."""
    n = len(pos)
    share = np.zeros((n, n))
    block = idx.scores_among(pos, pos)  # each incident's headline against the others compared, and itself
    own = np.diag(block).copy()
    rows = own > 0
    share[rows] = np.minimum(block[rows] / own[rows, None], 1.0)
    mutual = np.minimum(share, share.T)  # alike both ways: each finds the other
    labels = grouping.groups(mutual, RECUR_SHARE)
    out = idx.frame.iloc[pos][["reference", "title", "started_at", "declared_at", "status"]].copy()
    out["label"] = labels
    out = out[labels >= 0]
    names = {}
    for label, members in out.groupby("label").indices.items():
        at = np.flatnonzero(labels == label)
        centre = int(np.argmax(mutual[np.ix_(at, at)].sum(axis=1)))  # the member most like the others
        names[label] = grouping.name(list(out["title"].iloc[members]), centre)
    out["size"] = out["label"].map(out["label"].value_counts())
    out["name"] = out["label"].map(names)
    out["group"] = out["label"] + 1  # biggest first, from 1
    return out.sort_values(["group", "declared_at"], kind="stable").reset_index(drop=True)


# -- related links ------------------------------------------------------------------
def _pair(tx, reference: str, other: str, by):
    me = incident_service.load_for_change(tx, reference, by)
    them = incident_service.load_for_change(tx, other, by)
    if me.id == them.id:
        raise IncidentKitError(f"{me.reference} cannot be related to itself; choose another incident.")
    return me, them


def link(db, reference: str, other: str, *, by) -> list[dict]:
    """Mark ``other`` as related to ``reference`` (both ways); recorded on both timelines.

    A checked ``Person`` must be able to see both; a plain ``str`` is the trusted local operator.
    Each timeline's event holds the other incident's reference only, never its title: the title is
    looked up when read (``related``), and the event shows only to viewers who may see the other
    incident (``incident.service.visible_events``), so a private title never reaches a public timeline.
    """
    def work(tx):
        me, them = _pair(tx, reference, other, by)
        if them.id in set(store.linked(tx, me.id)["other"]):
            raise IncidentKitError(f"{them.reference} is already related to {me.reference}.")
        now = utcnow()
        store.link(tx, me.id, them.id, by=str(by), now=now)
        for a, b in ((me, them), (them, me)):
            incident_store.record_event(tx, a.id, actor=str(by), kind="related_linked", occurred_at=now,
                                        field=RELATED_FIELD, new=b.reference)
        return _related(tx, me.id, _viewer(by))

    return db.write(work)


def unlink(db, reference: str, other: str, *, by) -> list[dict]:
    def work(tx):
        me, them = _pair(tx, reference, other, by)
        now = utcnow()
        if not store.unlink(tx, me.id, them.id, by=str(by), now=now):
            raise IncidentKitError(f"{them.reference} is not related to {me.reference}.")
        for a, b in ((me, them), (them, me)):
            incident_store.record_event(tx, a.id, actor=str(by), kind="related_unlinked", occurred_at=now,
                                        field=RELATED_FIELD, old=b.reference)
        return _related(tx, me.id, _viewer(by))

    return db.write(work)


def _viewer(by):
    """Who reads the answer of a change: a checked Person sees what they may; a plain str is trusted."""
    return by if is_checked(by) else None


def _related(tx, incident_id: int, viewer) -> list[dict]:
    seen: dict[int, bool] = {}
    out = []
    for row in store.linked(tx, incident_id).itertuples(index=False):
        if _visible(tx, int(row.other), viewer, seen):
            other = incident_store.get_by_id(tx, int(row.other))
            assert other is not None  # a link names an incident, and nothing is hard-deleted
            out.append({"reference": other.reference, "title": other.title, "linked_by": row.linked_by,
                        "linked_at": row.linked_at})
    return out


def related(db, reference: str, *, viewer=None) -> list[dict]:
    """Incidents a person linked as related (both directions), those the viewer may see."""
    return db.read(lambda tx: _related(tx, incident_service.load_visible(tx, reference, viewer).id, viewer))
