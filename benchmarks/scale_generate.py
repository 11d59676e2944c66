"""The scale set's rows, drawn with numpy: ``generate(incidents, seed=, now=)`` (see ``scale_data.py``).

Each block follows ``incident_kit/demo.py``'s ``generate`` for one incident, done for every incident at once:
the same vocabulary, weights, lognormal durations, cadence-paced updates, review depths and follow-up odds.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from incident_kit import demo  # noqa: E402
from incident_kit.incident.models import ACTIVE_ORDER, Status  # noqa: E402

VERSION = 1  # bump when the generator changes: cached files of another version are rebuilt
MONTHS = 120  # ten years
SEVERITIES = [("Minor", 240), ("Moderate", 120), ("Major", 60), ("Critical", 30)]  # the seeded catalog
MINUTE = 60_000_000  # microseconds
TS = pa.timestamp("us", tz="UTC")
ACTIVE_TEXT = {Status.INVESTIGATING: "We are looking into it.", Status.FIXING: "We found the cause and are fixing it.",
               Status.MONITORING: "A fix is in place; we are watching.", Status.RESOLVED: "This is resolved."}
PHASES = [*ACTIVE_ORDER, Status.RESOLVED]  # an update's phase code indexes this


def _lognormal(rng: np.random.Generator, median, sigma: float, n: int) -> np.ndarray:
    return median * np.exp(rng.normal(0.0, sigma, n))


def _strings(codes: np.ndarray, words: list[str], mask: np.ndarray | None = None) -> pa.Array:
    """``words[codes]`` as a plain string column (NULL where ``mask`` is false)."""
    out = pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32), mask=None if mask is None else ~mask),
                                         pa.array(words, pa.string()))
    return out.cast(pa.string())


def _times(us: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    return pa.array(us.astype(np.int64), type=pa.int64(), mask=None if mask is None else ~mask).cast(TS)


def _pick_sets(rng: np.random.Generator, n: int, words: list[str], sizes: list[int]) -> pa.Array:
    """Per row, a set of ``rng.choice(sizes)`` distinct ``words``, sorted (the demo's ``sorted(set(sample))``)."""
    order = np.argsort(words)  # columns in alphabetical order so each row's list comes out sorted
    k = np.array(sizes)[rng.integers(0, len(sizes), n)]
    ranks = rng.random((n, len(words)), dtype=np.float32).argsort(1).argsort(1)[:, order]
    chosen = ranks < k[:, None]
    offsets = np.concatenate([[0], np.cumsum(chosen.sum(1))]).astype(np.int32)
    values = np.broadcast_to(order, chosen.shape)[chosen]
    return pa.ListArray.from_arrays(pa.array(offsets), _strings(values, words))


def _choice_in_groups(rng: np.random.Generator, group: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """A uniform index below ``sizes[group]`` per row."""
    return (rng.random(len(group)) * sizes[group]).astype(np.int64)


def generate(incidents: int, *, seed: int = 42, now: dt.datetime) -> dict[str, pa.Table]:
    """Every table the services would have written for ``incidents`` incidents over ten years up to ``now``."""
    rng = np.random.default_rng(seed)
    n = incidents
    people = demo.PEOPLE
    types = list(demo.TYPE_WEIGHTS)
    now_us = int(now.timestamp() * 1_000_000)
    span = int(30.4 * MONTHS * 86400 * 1_000_000)
    ids = np.arange(1, n + 1, dtype=np.int64)

    # -- incidents (demo.generate, per incident, in arrays) --------------------------------------------
    declared = now_us - span + np.sort((span * np.sqrt(rng.random(n))).astype(np.int64))  # density rises ~2x
    sev_w = np.array(demo.SEVERITY_WEIGHTS, float)
    sev = rng.choice(len(SEVERITIES), n, p=sev_w / sev_w.sum())
    cadence = np.array([c for _, c in SEVERITIES])[sev]
    type_w = np.array(list(demo.TYPE_WEIGHTS.values()), float)
    typ = rng.choice(len(types), n, p=type_w / type_w.sum())
    # every (type, template, service) title, so a title is one code
    title_words, title_base = [], []
    for t in types:
        title_base.append(len(title_words))
        title_words += [tpl.format(svc=svc) for tpl in demo.TITLES[t] for svc in demo.SERVICES]
    n_tpl = np.array([len(demo.TITLES[t]) for t in types])
    title = (np.array(title_base)[typ] + _choice_in_groups(rng, typ, n_tpl) * len(demo.SERVICES)
             + rng.integers(0, len(demo.SERVICES), n))
    declarer, lead = rng.integers(0, len(people), n), rng.integers(0, len(people), n)
    has_comms = (sev >= 1) & (rng.random(n) < 0.6)
    comms = rng.integers(0, len(people), n)
    sensitive = np.array([t in ("security", "people_facilities", "legal_compliance", "data_privacy") for t in types])
    private = sensitive[typ] & (rng.random(n) < 0.3)
    roll = rng.random(n)
    mode = np.where(roll < 0.03, 2, np.where(roll < 0.12, 1, 0))  # live, retrospective, test
    live, retro = mode == 0, mode == 1
    started = declared - (_lognormal(rng, 12, 1.0, n) * MINUTE).astype(np.int64)
    duration = (_lognormal(rng, np.array([70, 120, 180, 240])[sev], 0.8, n) * MINUTE).astype(np.int64)
    resolved = started + duration
    declared = np.where(retro, resolved + (_lognormal(rng, 6 * 60, 1.0, n) * MINUTE).astype(np.int64), declared)
    late = declared > now_us
    declared = np.where(late, now_us - 5 * MINUTE, declared)
    started = np.where(late, np.minimum(started, declared), started)
    resolved = np.where(late & retro, np.minimum(resolved, declared - MINUTE), resolved)
    started = np.where(late & retro, np.minimum(started, resolved - 5 * MINUTE), started)
    running = live & (now_us - declared < 30 * 60 * MINUTE) & (rng.random(n) < 0.7)
    resolved = np.where(running, now_us + (rng.uniform(1, 12, n) * 60 * MINUTE).astype(np.int64), resolved)
    still_active = (resolved > now_us) & live
    tags = _pick_sets(rng, n, demo.TAGS, [0, 1, 1, 2, 3])

    # -- updates: first after a short delay, then roughly on cadence, up to 40 --------------------------
    first = declared + (_lognormal(rng, 8, 0.7, n) * MINUTE).astype(np.int64)
    end = np.where(still_active, np.minimum(resolved, now_us), resolved)
    t, alive = first.copy(), ~retro & (first < end)
    u_inc, u_time, u_step = [], [], []
    for step in range(40):
        idx = np.flatnonzero(alive)
        if not len(idx):
            break
        u_inc.append(idx)
        u_time.append(t[idx].copy())
        u_step.append(np.full(len(idx), step))
        t[idx] += (cadence[idx] * _lognormal(rng, 0.8, 0.35, len(idx)) * MINUTE).astype(np.int64)
        alive[idx] = t[idx] < end[idx]
    act_inc, act_time = np.concatenate(u_inc), np.concatenate(u_time)
    span_i = np.maximum(end - declared, MINUTE)
    act_phase = np.minimum(2, (3 * (act_time - declared[act_inc]) // span_i[act_inc])).astype(np.int64)
    done_inc = np.flatnonzero(~still_active)  # the closing "resolved" update
    done_time = np.maximum(resolved[done_inc], declared[done_inc] + MINUTE)
    u_inc = np.concatenate([act_inc, done_inc])
    u_time = np.concatenate([act_time, done_time])
    u_phase = np.concatenate([act_phase, np.full(len(done_inc), 3)])
    order = np.lexsort((np.concatenate([np.concatenate(u_step), np.full(len(done_inc), 40)]), u_inc))
    u_inc, u_time, u_phase = u_inc[order], u_time[order], u_phase[order]
    n_up = len(u_inc)
    u_id = np.arange(1, n_up + 1, dtype=np.int64)
    count = np.bincount(u_inc, minlength=n)
    last_pos = np.cumsum(count) - 1
    has_up = count > 0
    last_t = np.where(has_up, u_time[np.maximum(last_pos, 0)], declared)
    last_phase = np.where(has_up, u_phase[np.maximum(last_pos, 0)], 0)
    first_pos = last_pos - count + 1

    # -- status, resolution, closing -----------------------------------------------------------------
    age = now_us - last_t
    day = 24 * 60 * MINUTE
    closes = rng.random(n) < 0.85
    status = np.where(still_active, last_phase,
                      np.where(age > 21 * day, np.where(closes, 5, 4), np.where(age > 2 * day, 4, 3)))
    # status codes: 0-2 active phases, 3 resolved, 4 post_incident, 5 closed
    status_words = [s.value for s in (*ACTIVE_ORDER, Status.RESOLVED, Status.POST_INCIDENT, Status.CLOSED)]
    resolved_at = np.where(retro, resolved, last_t)
    closed_at = last_t + (rng.uniform(5, 20, n) * day).astype(np.int64)
    too_late = (status == 5) & (closed_at > now_us)
    status = np.where(too_late, 4, status)
    is_closed = status == 5
    escalated = (sev > 0) & (rng.random(n) < 0.15) & ~retro
    declared_sev = np.where(escalated, sev - 1, sev)
    impact = _choice_in_groups(rng, typ, np.array([len(demo.IMPACTS[t]) for t in types]))
    impact_base = np.cumsum([0] + [len(demo.IMPACTS[t]) for t in types])[:-1]
    impact_words = [w for t in types for w in demo.IMPACTS[t]] + ["No impact any more."]

    out: dict[str, pa.Table] = {}
    out["incidents"] = pa.table({
        "id": pa.array(ids, pa.int32()), "reference": pc.binary_join_element_wise("INC-", pa.array(ids).cast(
            pa.string()), ""),
        "title": _strings(title, title_words), "summary": pa.array(np.full(n, ""), pa.string()),
        "severity": _strings(sev, [s for s, _ in SEVERITIES]), "type": _strings(typ, types),
        "status": _strings(status, status_words),
        "mode": _strings(mode, ["live", "retrospective", "test"]), "private": pa.array(private),
        "declared_by": _strings(declarer, people), "declared_at": _times(declared),
        "started_at": _times(started), "resolved_at": _times(resolved_at, ~still_active),
        "closed_at": _times(closed_at, is_closed), "tags": tags, "updated_at": _times(declared)})

    out["incident_roles"] = pa.concat_tables([
        pa.table({"incident_id": pa.array(ids, pa.int32()), "role": pa.array(np.full(n, "lead"), pa.string()),
                  "person": _strings(lead, people), "assigned_at": _times(declared),
                  "assigned_by": _strings(declarer, people)}),
        pa.table({"incident_id": pa.array(ids[has_comms], pa.int32()),
                  "role": pa.array(np.full(has_comms.sum(), "comms"), pa.string()),
                  "person": _strings(comms[has_comms], people),
                  "assigned_at": _times(declared[has_comms] + 2 * MINUTE),
                  "assigned_by": _strings(lead[has_comms], people)})])
    out["incident_roles"] = out["incident_roles"].add_column(
        0, "id", pa.array(np.arange(1, out["incident_roles"].num_rows + 1, dtype=np.int64)))
    member = rng.integers(0, len(people), n)
    out["incident_members"] = pa.table({
        "incident_id": pa.array(ids[private], pa.int32()), "person": _strings(member[private], people),
        "added_at": _times(declared[private] + 3 * MINUTE), "added_by": _strings(lead[private], people)})

    author = np.where(has_comms, comms, lead)[u_inc]
    u_typ = typ[u_inc]
    external = (u_typ == types.index("engineering")) & ~private[u_inc] & (rng.random(n_up) < 0.35)
    doings = [demo.DOINGS[p] for p in PHASES]
    doing_base = np.cumsum([0] + [len(d) for d in doings])[:-1]
    doing = doing_base[u_phase] + _choice_in_groups(rng, u_phase, np.array([len(d) for d in doings]))
    message_words = [f"{w}: {ACTIVE_TEXT[p]}" for w in title_words for p in PHASES]
    u_active = u_phase < 3
    out["updates"] = pa.table({
        "id": pa.array(u_id), "incident_id": pa.array(u_inc + 1, pa.int32()), "posted_at": _times(u_time),
        "author": _strings(author, people), "audience": _strings(external.astype(int), ["internal", "external"]),
        "status": _strings(u_phase, [p.value for p in PHASES]),
        "message": _strings(title[u_inc] * len(PHASES) + u_phase, message_words),
        "impact": _strings(np.where(u_active, impact_base[u_typ] + impact[u_inc], len(impact_words) - 1),
                           impact_words),
        "doing": _strings(doing, [w for d in doings for w in d]),
        "next_update_at": _times(u_time + cadence[u_inc] * MINUTE, u_active)})

    # -- reviews and follow-ups ----------------------------------------------------------------------
    reviewed = np.flatnonzero(((status == 4) | (status == 5)) & (mode != 2))
    depths = ["none", "note", "standard", "workshop"]
    by_sev = [[depths.index(d) for d in row] for row in demo.DEPTH_BY_SEVERITY]
    r_sev = np.minimum(sev[reviewed], 3)
    pick = _choice_in_groups(rng, r_sev, np.array([len(r) for r in by_sev]))
    depth = np.array([d for row in by_sev for d in row])[np.cumsum([0] + [len(r) for r in by_sev])[:-1][r_sev] + pick]
    nr = len(reviewed)
    created = last_t[reviewed] + 5 * MINUTE
    r_closed = is_closed[reviewed]
    waived = depth == 0
    published_at = np.minimum(closed_at[reviewed], created + (_lognormal(rng, 4, 0.6, nr) * day).astype(np.int64))
    is_published = ~waived & r_closed
    r_status = np.where(waived, 3, np.where(r_closed, 2, rng.integers(0, 2, nr)))  # draft, in_review, published, waived
    factors = _pick_sets(rng, nr, demo.FACTORS, [0, 1, 2, 2, 3])
    factors = _empty_where(factors, waived)
    out["reviews"] = pa.table({
        "id": pa.array(np.arange(1, nr + 1, dtype=np.int64)), "incident_id": pa.array(reviewed + 1, pa.int32()),
        "depth": _strings(depth, depths), "status": _strings(r_status, ["draft", "in_review", "published", "waived"]),
        "waived_reason": _strings(np.zeros(nr, int), ["Routine; nothing new to learn."], waived),
        "created_at": _times(created), "created_by": _strings(lead[reviewed], people),
        "published_at": _times(published_at, is_published),
        "scheduled_for": _times(created + 3 * day, depth == 3), "contributing_factors": factors,
        "updated_at": _times(np.where(is_published, published_at, created))})

    roll = rng.random(nr)
    n_follow = np.select([depth == 0, depth == 1, depth == 2],
                         [0, (roll < 1 / 3).astype(int), rng.integers(1, 4, nr)], rng.integers(2, 6, nr))
    f_rev = np.repeat(np.arange(nr), n_follow)
    nf = len(f_rev)
    f_inc = reviewed[f_rev]
    f_created = created[f_rev] + (rng.uniform(1, 72, nf) * 60 * MINUTE).astype(np.int64)
    due = f_created + np.array([30, 21, 14, 7])[np.minimum(sev[f_inc], 3)] * day
    roll = rng.random(nf)
    f_status = np.select([roll < 0.55, roll < 0.62, roll < 0.75], [2, 3, 1], 0)  # open, in_progress, done, wont_do
    done = np.where(f_status == 2, f_created + (_lognormal(rng, 10, 0.7, nf) * day).astype(np.int64),
                    f_created + (rng.uniform(1, 20, nf) * day).astype(np.int64))
    finished = (f_status >= 2) & (done <= now_us)
    f_status = np.where((f_status >= 2) & ~finished, 1, f_status)
    keep = f_created <= now_us
    f_words = [tpl.format(x=svc) for tpl in demo.FOLLOW_UPS for svc in demo.SERVICES]
    f_title = rng.integers(0, len(f_words), nf)
    priority = np.array([0, 1, 1, 2])[rng.integers(0, 4, nf)]
    owner = rng.integers(0, len(people), nf)
    k = keep
    out["follow_ups"] = pa.table({
        "id": pa.array(np.arange(1, k.sum() + 1, dtype=np.int64)), "incident_id": pa.array(f_inc[k] + 1, pa.int32()),
        "title": _strings(f_title[k], f_words), "owner": _strings(owner[k], people),
        "priority": _strings(priority[k], ["low", "medium", "high"]),
        "status": _strings(f_status[k], ["open", "in_progress", "done", "wont_do"]),
        "wont_do_reason": _strings(np.zeros(k.sum(), int), ["Superseded by a platform change."], f_status[k] == 3),
        "due_at": _times(due[k]), "created_at": _times(f_created[k]), "created_by": _strings(lead[f_inc[k]], people),
        "completed_at": _times(done[k], finished[k]),
        "updated_at": _times(np.where(finished, done, f_created)[k])})

    out["events"] = _events(locals())
    return out


def _empty_where(lists: pa.ListArray, empty: np.ndarray) -> pa.ListArray:
    """``lists`` with the rows where ``empty`` holds replaced by ``[]`` (a waived review names no factors)."""
    lengths = np.diff(lists.offsets.to_numpy())
    keep_values = np.repeat(~empty, lengths)
    new_len = np.where(empty, 0, lengths)
    offsets = np.concatenate([[0], np.cumsum(new_len)]).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), lists.values.filter(pa.array(keep_values)))


def _events(v: dict) -> pa.Table:
    """The timeline the services would have recorded, in one table sorted by incident and time (``v``: the
    arrays ``generate`` built, by name)."""
    people, types, n, MIN = demo.PEOPLE, v["types"], v["n"], MINUTE
    sev_names = [s for s, _ in SEVERITIES]
    parts = []

    def part(inc, when, actor, kind, field, old=None, new=None, detail=None, rank=0):
        m = len(inc)
        none = pa.nulls(m, pa.string())

        def text(x):
            if x is None:
                return none
            if isinstance(x, str):
                return pa.array(np.full(m, x), pa.string())
            return x

        parts.append(pa.table({"incident_id": pa.array(inc + 1, pa.int32()), "occurred_at": _times(when),
                               "actor": text(actor), "kind": text(kind), "field": text(field),
                               "old_value": text(old), "new_value": text(new), "detail": text(detail),
                               "rank": pa.array(np.full(m, rank), pa.int8())}))

    alli = np.arange(n)
    detail_words = [f"{s} · {t}{p}" for s in sev_names for t in types for p in ("", " · private")]
    part(alli, v["declared"], _strings(v["declarer"], people), "declared", "status", None, "investigating",
         _strings((v["declared_sev"] * len(types) + v["typ"]) * 2 + v["private"], detail_words), rank=0)
    part(alli, v["declared"], _strings(v["declarer"], people), "role_assigned", "lead", None,
         _strings(v["lead"], people), rank=1)
    c = np.flatnonzero(v["has_comms"])
    part(c, v["declared"][c] + 2 * MIN, _strings(v["lead"][c], people), "role_assigned", "comms", None,
         _strings(v["comms"][c], people), rank=2)
    p = np.flatnonzero(v["private"])
    part(p, v["declared"][p] + 3 * MIN, _strings(v["lead"][p], people), "member_added", "members", None,
         _strings(v["member"][p], people), rank=3)
    e = np.flatnonzero(v["escalated"])
    has = v["has_up"][e]
    first_t = v["u_time"][np.maximum(v["first_pos"][e], 0)]
    when = np.where(has, v["declared"][e] + (first_t - v["declared"][e]) // 2, v["declared"][e] + 3 * MIN)
    part(e, when, _strings(v["lead"][e], people), "severity_changed", "severity",
         _strings(v["declared_sev"][e], sev_names), _strings(v["sev"][e], sev_names),
         "Impact wider than first thought", rank=4)
    # per update: a status change when the phase moves, then the update itself
    u_inc, u_phase = v["u_inc"], v["u_phase"]
    prev = np.concatenate([[0], u_phase[:-1]])
    prev = np.where(np.arange(len(u_inc)) == v["first_pos"][u_inc], 0, prev)
    phase_words = [p_.value for p_ in PHASES]
    moved = np.flatnonzero(u_phase != prev)
    authors = _strings(v["author"], people)
    part(u_inc[moved], v["u_time"][moved], authors.take(pa.array(moved)), "status_changed", "status",
         _strings(prev[moved], phase_words), _strings(u_phase[moved], phase_words), rank=5)
    part(u_inc, v["u_time"], authors, "update_posted", "update", None, pa.array(v["u_id"]).cast(pa.string()),
         _strings(v["external"].astype(int), ["internal", "external"]), rank=6)
    after = np.flatnonzero(v["status"] >= 4)
    part(after, v["last_t"][after] + 5 * MIN, _strings(v["lead"][after], people), "status_changed", "status",
         "resolved", "post_incident", rank=7)
    cl = np.flatnonzero(v["is_closed"])
    part(cl, v["closed_at"][cl], _strings(v["lead"][cl], people), "status_changed", "status", "post_incident",
         "closed", rank=9)
    rv = v["reviewed"]
    part(rv, v["created"], _strings(v["lead"][rv], people), "review_started", "review", None,
         _strings(v["depth"], ["none", "note", "standard", "workshop"]), rank=7)
    pub = np.flatnonzero(v["is_published"])
    part(rv[pub], v["published_at"][pub], _strings(v["lead"][rv[pub]], people), "review_published", "review",
         "published", "published", rank=8)
    k = v["keep"]
    part(v["f_inc"][k], v["f_created"][k], _strings(v["lead"][v["f_inc"][k]], people), "follow_up_added",
         "follow_up", None, _strings(v["f_title"][k], v["f_words"]), rank=8)
    events = pa.concat_tables(parts)
    order = pc.sort_indices(events, sort_keys=[("incident_id", "ascending"), ("occurred_at", "ascending"),
                                               ("rank", "ascending")])
    events = events.take(order).drop_columns(["rank"])
    return events.add_column(0, "id", pa.array(np.arange(1, events.num_rows + 1, dtype=np.int64)))
