"""A deterministic, realistic demo organisation (``incident-kit demo``).

Everything comes from ``random.Random(seed)`` and a fixed ``now``, so the same
arguments always give the same database. The data is written in one
transaction through the store's bulk path, with the same events the service
layer would have recorded, so timelines, metrics and the app all work on it.
"""

from __future__ import annotations

import datetime as dt
import math
import random

import pandas as pd

from .catalog import access
from .catalog import store as catalog
from .clock import utcnow
from .config import DEMO_MAX
from .errors import IncidentKitError
from . import words
from .incident import facts as update_facts
from .incident import store as incident_store
from .incident.models import ACTIVE, ACTIVE_ORDER, Status

PEOPLE = ["ana", "bao", "carmen", "dev", "elif", "femi", "grace", "hiro", "ines", "jonas", "kemi",
          "liam", "maya", "noor", "oskar", "priya", "quinn", "rosa", "sam", "tariq", "uma", "viktor",
          "wen", "xavier", "yara", "zoe"]

TYPE_WEIGHTS = {"engineering": 52, "customer_support": 12, "security": 8, "data_privacy": 6,
                "legal_compliance": 4, "people_facilities": 8, "other": 10}
SEVERITY_WEIGHTS = [56, 27, 13, 4]  # lowest first: most incidents are routine
TITLES = {
    "engineering": ["Checkout returning 500s", "Elevated latency on {svc}", "{svc} deploy rolled back",
                    "Queue backlog in {svc}", "Certificate expiring on {svc}", "Database failover on {svc}",
                    "Search results stale", "Login errors for some users", "Webhooks delayed",
                    "Disk filling up on {svc} nodes", "Payments provider timeouts", "Mobile app crash on launch"],
    "customer_support": ["Ticket spike about invoices", "Chat widget not loading for agents",
                         "Customers reporting missing emails", "Support phone line down",
                         "Refund requests piling up"],
    "security": ["Leaked API key in a public repo", "Phishing wave targeting staff",
                 "Suspicious logins on admin accounts", "Vulnerable dependency in {svc}"],
    "data_privacy": ["Export sent to the wrong customer", "Personal data in application logs",
                     "Retention job did not run", "Access request overdue"],
    "legal_compliance": ["Regulatory filing deadline at risk", "Cookie banner missing in one region",
                         "Contract SLA breach for a key account"],
    "people_facilities": ["Office access cards not working", "Heating failure in the London office",
                          "Payroll run delayed", "Building evacuation drill overran"],
    "other": ["Marketing email sent twice", "Price typo on the website", "Conference booth shipment lost",
              "Status page out of date"],
}
SERVICES = ["checkout", "search", "auth", "billing", "notifications", "api-gateway", "warehouse", "mobile-api"]
TAGS = ["database", "deploy", "third-party", "config", "capacity", "dns", "certificates", "network",
        "customer-facing", "internal-tooling"]
# One impact statement per incident, matching its type (updates repeat or resolve it).
IMPACTS = {
    "engineering": ["Some customers see errors at checkout.", "A subset of users cannot log in.",
                    "Search results are up to an hour old.", "Notifications arrive up to 30 minutes late."],
    "customer_support": ["Agents cannot reply to chats.", "Customers wait over an hour for a first reply."],
    "security": ["No customer data is known to be affected so far.", "Admin accounts may be exposed."],
    "data_privacy": ["Personal data of a few customers may have been shared.", "A retention deadline may be missed."],
    "legal_compliance": ["A regulatory deadline is at risk.", "One key account's contract terms are affected."],
    "people_facilities": ["Staff in one office are affected.", "Colleagues cannot get into the building."],
    "other": ["Some customers received confusing messages.", "Minor reputational impact."],
}
DOINGS = {
    Status.INVESTIGATING: ["Investigating recent changes.", "Checking with the vendor.", "Gathering reports."],
    Status.FIXING: ["Rolling back the last change.", "Working with the vendor on a fix.", "Adding capacity."],
    Status.MONITORING: ["Monitoring after the fix.", "Watching for a recurrence."],
    Status.RESOLVED: ["Nothing further; a review will follow."],
}
FACTORS = ["config drift", "missing alert", "capacity planning", "vendor dependency", "unclear ownership",
           "manual step", "test gap", "rollout too fast", "stale runbook", "single point of failure"]
FOLLOW_UPS = ["Add an alert for {x}", "Write a runbook for {x}", "Automate the {x} step", "Load-test {x}",
              "Document ownership of {x}", "Add a canary stage for {x}", "Review access to {x}"]
DEPTH_BY_SEVERITY = [("none", "note", "note", "standard"), ("note", "standard"), ("standard", "workshop"),
                     ("workshop",)]


def _lognormal(rng: random.Random, median: float, sigma: float) -> float:
    return median * math.exp(rng.gauss(0.0, sigma))


def generate(*, incidents: int = 400, seed: int = 42, now: dt.datetime | None = None,
             months: int = 13, severities: list | None = None, first_id: int = 1) -> dict[str, pd.DataFrame]:
    """Build the demo tables in memory; ``load`` writes them."""
    if incidents < 1:
        raise IncidentKitError("The demo needs at least 1 incident (--incidents N).")
    rng = random.Random(seed)
    now = (now or utcnow()).replace(minute=0, second=0, microsecond=0)
    span = dt.timedelta(days=30.4 * months)
    start = now - span
    sev = severities or [("Minor", 240), ("Moderate", 120), ("Major", 60), ("Critical", 30)]
    sev_weights = (SEVERITY_WEIGHTS + [1] * len(sev))[:len(sev)]
    types = list(TYPE_WEIGHTS)
    type_w = list(TYPE_WEIGHTS.values())

    inc_rows, role_rows, member_rows, update_rows, event_rows = [], [], [], [], []
    review_rows, follow_rows = [], []

    def event(iid, when, actor, kind, field=None, old=None, new=None, detail=None):
        event_rows.append((iid, when, actor, kind, field, old, new, detail))

    # Declarations grow over time (engagement): density rises ~2x across the span.
    offsets = sorted(span.total_seconds() * math.sqrt(rng.random()) for _ in range(incidents))
    for n, offset in enumerate(offsets):
        iid = first_id + n
        sev_i = rng.choices(range(len(sev)), weights=sev_weights)[0]
        sev_name, cadence = sev[sev_i]
        typ = rng.choices(types, weights=type_w)[0]
        title = rng.choice(TITLES[typ]).format(svc=rng.choice(SERVICES))
        declarer = rng.choice(PEOPLE)
        lead = rng.choice(PEOPLE)
        comms = rng.choice(PEOPLE) if sev_i >= 1 and rng.random() < 0.6 else None
        private = typ in ("security", "people_facilities", "legal_compliance", "data_privacy") and rng.random() < 0.3
        mode_roll = rng.random()
        mode = "test" if mode_roll < 0.03 else "retrospective" if mode_roll < 0.12 else "live"
        declared = start + dt.timedelta(seconds=offset)
        started = declared - dt.timedelta(minutes=_lognormal(rng, 12, 1.0))
        duration = dt.timedelta(minutes=_lognormal(rng, [70, 120, 180, 240][min(sev_i, 3)], 0.8))
        resolved = started + duration
        if mode == "retrospective":  # written up after it was over
            declared = resolved + dt.timedelta(hours=_lognormal(rng, 6, 1.0))
        if declared > now:
            declared = now - dt.timedelta(minutes=5)
            started = min(started, declared)
            if mode == "retrospective":
                resolved = min(resolved, declared - dt.timedelta(minutes=1))
                started = min(started, resolved - dt.timedelta(minutes=5))
        if mode == "live" and now - declared < dt.timedelta(hours=30) and rng.random() < 0.7:
            resolved = now + dt.timedelta(hours=rng.uniform(1, 12))  # the few incidents running right now
        still_active = resolved > now and mode == "live"
        tags = sorted(set(rng.sample(TAGS, k=rng.choice([0, 1, 1, 2, 3]))))

        # updates: first after a short delay, then roughly on cadence (sometimes late)
        updates = []
        if mode != "retrospective":
            t = declared + dt.timedelta(minutes=_lognormal(rng, 8, 0.7))
            end = min(resolved, now) if still_active else resolved
            phases = ACTIVE_ORDER
            while t < end and len(updates) < 40:
                phase = phases[min(len(phases) - 1, int(3 * (t - declared) / max(end - declared, dt.timedelta(minutes=1))))]
                updates.append((t, phase))
                t += dt.timedelta(minutes=cadence * _lognormal(rng, 0.8, 0.35))
        if not still_active:
            # a retrospective incident is written up after it was over: one "resolved" update at declaration
            updates.append((max(resolved, declared + dt.timedelta(minutes=1)), Status.RESOLVED))
        age = now - (updates[-1][0] if updates else declared)
        if still_active:
            status = updates[-1][1] if updates else Status.INVESTIGATING
        elif age > dt.timedelta(days=21):
            status = Status.CLOSED if rng.random() < 0.85 else Status.POST_INCIDENT
        elif age > dt.timedelta(days=2):
            status = Status.POST_INCIDENT
        else:
            status = Status.RESOLVED
        resolved_at = None if still_active else resolved if mode == "retrospective" else updates[-1][0]
        closed_at = updates[-1][0] + dt.timedelta(days=rng.uniform(5, 20)) if status == Status.CLOSED else None
        if closed_at and closed_at > now:
            closed_at, status = None, Status.POST_INCIDENT

        inc_rows.append((iid, f"INC-{iid}", title, "", sev_name, typ, status.value, mode, private, declarer,
                         declared, started, resolved_at, closed_at, tags, declared))
        # Some incidents are declared one level lower and escalated once the impact is clearer.
        escalated = sev_i > 0 and rng.random() < 0.15 and mode != "retrospective"
        declared_sev = sev[sev_i - 1][0] if escalated else sev_name
        event(iid, declared, declarer, "declared", "status", None, "investigating",
              f"{declared_sev} · {typ}{' · private' if private else ''}")
        role_rows.append((iid, "lead", lead, declared, declarer, None))
        event(iid, declared, declarer, "role_assigned", "lead", None, lead)
        if comms:
            role_rows.append((iid, "comms", comms, declared + dt.timedelta(minutes=2), lead, None))
            event(iid, declared + dt.timedelta(minutes=2), lead, "role_assigned", "comms", None, comms)
        if private:
            member = rng.choice(PEOPLE)
            member_rows.append((iid, member, declared + dt.timedelta(minutes=3), lead))
            event(iid, declared + dt.timedelta(minutes=3), lead, "member_added", "members", None, member)
        if escalated:
            when = declared + ((updates[0][0] - declared) / 2 if updates else dt.timedelta(minutes=3))
            event(iid, when, lead, "severity_changed", "severity", declared_sev, sev_name,
                  "Impact wider than first thought")
        current = Status.INVESTIGATING
        author_pool = [p for p in (comms, lead) if p]
        impact = rng.choice(IMPACTS[typ])
        for k, (when, phase) in enumerate(updates):
            author = author_pool[0] if author_pool else declarer
            if phase != current:
                event(iid, when, author, "status_changed", "status", current.value, phase.value)
                current = phase
            nxt = when + dt.timedelta(minutes=cadence) if phase in ACTIVE else None
            audience = "external" if (typ == "engineering" and not private and rng.random() < 0.35) else "internal"
            text = {Status.INVESTIGATING: "We are looking into it.", Status.FIXING: "We found the cause and are fixing it.",
                    Status.MONITORING: "A fix is in place; we are watching.", Status.RESOLVED: "This is resolved."}[phase]
            update_rows.append((iid, when, author, audience, phase.value, f"{title}: {text}",
                                "No impact any more." if phase == Status.RESOLVED else impact,
                                rng.choice(DOINGS[phase]), nxt))
            event(iid, when, author, "update_posted", "update", None, ("update", len(update_rows) - 1), audience)
        if status in (Status.POST_INCIDENT, Status.CLOSED):
            event(iid, updates[-1][0] + dt.timedelta(minutes=5), lead, "status_changed", "status", "resolved",
                  "post_incident")
        if status == Status.CLOSED:
            event(iid, closed_at, lead, "status_changed", "status", "post_incident", "closed")
        if status in (Status.POST_INCIDENT, Status.CLOSED) and mode != "test":
            depth = rng.choice(DEPTH_BY_SEVERITY[min(sev_i, 3)])
            created = updates[-1][0] + dt.timedelta(minutes=5)
            if depth == "none":
                r_status, published, reason = "waived", None, "Routine; nothing new to learn."
            elif status == Status.CLOSED:
                r_status, reason = "published", None
                published = min(closed_at, created + dt.timedelta(days=_lognormal(rng, 4, 0.6)))
            else:
                r_status, published, reason = rng.choice(["draft", "in_review"]), None, None
            factors = sorted(set(rng.sample(FACTORS, k=rng.choice([0, 1, 2, 2, 3])))) if depth != "none" else []
            scheduled = created + dt.timedelta(days=3) if depth == "workshop" else None
            review_rows.append((iid, depth, r_status, reason, created, lead, published, scheduled, factors,
                                published or created))
            event(iid, created, lead, "review_started", "review", None, depth)
            if published:
                event(iid, published, lead, "review_published", "review", r_status, "published")
            n_follow = {"none": 0, "note": rng.choice([0, 0, 1]), "standard": rng.randint(1, 3),
                        "workshop": rng.randint(2, 5)}[depth]
            for _ in range(n_follow):
                f_created = created + dt.timedelta(hours=rng.uniform(1, 72))
                due = f_created + dt.timedelta(days=[30, 21, 14, 7][min(sev_i, 3)])
                roll = rng.random()
                if roll < 0.55:
                    f_status, done = "done", f_created + dt.timedelta(days=_lognormal(rng, 10, 0.7))
                elif roll < 0.62:
                    f_status, done = "wont_do", f_created + dt.timedelta(days=rng.uniform(1, 20))
                elif roll < 0.75:
                    f_status, done = "in_progress", None
                else:
                    f_status, done = "open", None
                if done and done > now:
                    f_status, done = "in_progress", None
                if f_created > now:
                    continue
                title_f = rng.choice(FOLLOW_UPS).format(x=rng.choice(SERVICES))
                follow_rows.append((iid, title_f, rng.choice(PEOPLE), rng.choice(["low", "medium", "medium", "high"]),
                                    f_status, "Superseded by a platform change." if f_status == "wont_do" else None,
                                    due, None, f_created, lead, done, done or f_created))
                event(iid, f_created, lead, "follow_up_added", "follow_up", None, title_f)

    return {
        "incidents": pd.DataFrame(inc_rows, columns=[
            "id", "reference", "title", "summary", "severity", "type", "status", "mode", "private", "declared_by",
            "declared_at", "started_at", "resolved_at", "closed_at", "tags", "updated_at"]),
        "incident_roles": pd.DataFrame(role_rows, columns=[
            "incident_id", "role", "person", "assigned_at", "assigned_by", "unassigned_at"]),
        "incident_members": pd.DataFrame(member_rows, columns=["incident_id", "person", "added_at", "added_by"]),
        "updates": pd.DataFrame(update_rows, columns=[
            "incident_id", "posted_at", "author", "audience", "status", "message", "impact", "doing",
            "next_update_at"]),
        "events": pd.DataFrame(event_rows, columns=[
            "incident_id", "occurred_at", "actor", "kind", "field", "old_value", "new_value", "detail"]),
        "reviews": pd.DataFrame(review_rows, columns=[
            "incident_id", "depth", "status", "waived_reason", "created_at", "created_by", "published_at",
            "scheduled_for", "contributing_factors", "updated_at"]),
        "follow_ups": pd.DataFrame(follow_rows, columns=[
            "incident_id", "title", "owner", "priority", "status", "wont_do_reason", "due_at", "tracker_url",
            "created_at", "created_by", "completed_at", "updated_at"]),
    }


COUNT_INCIDENTS = "SELECT count(*), coalesce(max(id), 0) FROM incidents"
SYNC_UPDATE_SEQUENCE = "SELECT nextval('updates_id_seq') FROM generate_series(1, ?)"


def _utc(frame: pd.DataFrame) -> pd.DataFrame:
    for col in frame.columns:
        if col.endswith("_at") or col == "scheduled_for":
            frame[col] = pd.to_datetime(frame[col], utc=True)
    return frame


def load(db, *, incidents: int = 400, seed: int = 42, now: dt.datetime | None = None,
         append: bool = False, by=None) -> dict[str, int]:
    """Write a demo organisation in one transaction; returns row counts.

    A checked ``by`` (a ``Person``) must be able to administer (``catalog.access``).
    """
    if isinstance(incidents, bool) or not isinstance(incidents, int) or not 1 <= incidents <= DEMO_MAX:
        raise IncidentKitError(f"The demo holds 1 to {DEMO_MAX:,} incidents; '{str(incidents)[:30]}' is not in that "
                               "range.")

    def work(tx):
        access.require_admin(tx, by, "load demo data")
        count, max_id = tx.fetchone(COUNT_INCIDENTS)
        if count and not append:
            raise IncidentKitError(
                f"The database already holds {words.count(count, 'incident')}; use a new --db file for the demo, "
                "or pass --append.",
                in_app=f"This database already holds {words.count(count, 'incident')}; choose to add the demo incidents to them "
                       "if that is what you want.")
        levels = [(s.name, s.cadence_minutes) for s in catalog.severities(tx)]
        tables = generate(incidents=incidents, seed=seed, now=now, severities=levels, first_id=max_id + 1)
        # updates take ids from their sequence so later service calls continue after them
        ups = tables["updates"]
        if len(ups):
            ids = [r[0] for r in tx.fetchall(SYNC_UPDATE_SEQUENCE, [len(ups)])]
            ups.insert(0, "id", ids)
        ev = tables["events"]
        mask = ev["new_value"].map(lambda v: isinstance(v, tuple))
        ev.loc[mask, "new_value"] = ev.loc[mask, "new_value"].map(lambda v: str(ups["id"].iat[v[1]]))
        for name in ("incidents", "incident_roles", "incident_members", "updates", "events", "reviews",
                     "follow_ups"):
            tx.insert_frame(name, _utc(tables[name]))
        incident_store.sync_incident_counter(tx)
        update_facts.refresh(tx, tables["incidents"]["id"])
        return {name: len(frame) for name, frame in tables.items()}

    return db.write(work)
