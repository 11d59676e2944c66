"""A small hand-built organisation whose insight metrics were worked out by hand.

Built through the service layer (which accepts the declaration and posting
times) into a real DuckDB file; reviews and follow-ups are appended as rows
because their own service belongs to the reviews feature. The expected values
are worked out in the comments of tests/test_analytics_metrics.py.

Default severities: Minor 240 min, Moderate 120, Major 60, Critical 30.

    ref    mode           severity  type               by     declared (UTC)     started     updates (min after declared)
    INC-1  live           Major     engineering        ana    2026-03-02 10:00   -10 min     5, 35, 125 (resolves), 200 (after)
    INC-2  live           Minor     customer_support   bao    2026-03-03 10:00   0           20, 260 (still open)
    INC-3  retrospective  Critical  security           ana    2026-03-04 10:00   -300 min    1, 100 (resolves)
    INC-4  test           Moderate  engineering        carmen 2026-03-05 10:00   0           —
    INC-5  live, private  Moderate  legal_compliance   dev    2026-03-06 10:00   0           10, 130 (resolves)
    INC-6  retrospective  Minor     (none)             ana    2026-05-10 10:00   0           —
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from incident_kit.incident import service

UTC = dt.timezone.utc
T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
NOW = dt.datetime(2026, 6, 1, tzinfo=UTC)  # "now" for follow-up ages


def _t(y, m, d, h=0, minute=0):
    return dt.datetime(y, m, d, h, minute, tzinfo=UTC)


def _incident(db, title, *, by, declared, started_before=0, severity, type=None, mode="live", private=False,
              tags=(), updates=(), resolve_at=None, after=()):
    inc = service.declare(db, title, declared_by=by, severity=severity, type=type, mode=mode, private=private,
                          tags=list(tags), declared_at=declared,
                          started_at=declared - dt.timedelta(minutes=started_before))
    for minutes in updates:
        service.post_update(db, inc.reference, "Progress", by=by, posted_at=declared + dt.timedelta(minutes=minutes))
    if resolve_at is not None:
        service.post_update(db, inc.reference, "Resolved", by=by, status="resolved",
                            posted_at=declared + dt.timedelta(minutes=resolve_at))
    for minutes in after:
        service.post_update(db, inc.reference, "Follow-up note", by=by,
                            posted_at=declared + dt.timedelta(minutes=minutes))
    return inc


def build(kit) -> None:
    db = kit.db
    day = dt.timedelta(days=1)
    _incident(db, "Checkout errors", by="ana", declared=T0, started_before=10, severity="Major", type="engineering",
              tags=["database", "deploy"], updates=[5, 35], resolve_at=125, after=[200])
    _incident(db, "Ticket spike", by="bao", declared=T0 + day, severity="Minor", type="customer_support",
              tags=["database"], updates=[20, 260])
    _incident(db, "Leaked key", by="ana", declared=T0 + 2 * day, started_before=300, severity="Critical",
              type="security", mode="retrospective", tags=["dns"], updates=[1], resolve_at=100)
    _incident(db, "Drill", by="carmen", declared=T0 + 3 * day, severity="Moderate", type="engineering",
              mode="test", tags=["database"])
    _incident(db, "Contract breach", by="dev", declared=T0 + 4 * day, severity="Moderate", type="legal_compliance",
              private=True, tags=["database"], updates=[10], resolve_at=130)
    _incident(db, "Old outage written up", by="ana", declared=_t(2026, 5, 10, 10), severity="Minor",
              mode="retrospective", tags=["deploy"])

    def fu(incident_id, created, due, status, completed):
        return {"incident_id": incident_id, "title": "Do a thing", "owner": "ana", "priority": "medium",
                "status": status, "due_at": due, "created_at": created, "created_by": "ana",
                "completed_at": completed, "updated_at": completed or created}

    follow_ups = pd.DataFrame([
        fu(1, _t(2026, 3, 3), _t(2026, 3, 13), "done", _t(2026, 3, 10)),        # f1 done by due, 7 days
        fu(1, _t(2026, 3, 3), _t(2026, 3, 13), "done", _t(2026, 3, 20)),        # f2 done late, 17 days
        fu(1, _t(2026, 3, 4), _t(2026, 4, 1), "open", None),                    # f3 open, overdue
        fu(1, _t(2026, 3, 4), _t(2026, 3, 20), "wont_do", _t(2026, 3, 5)),      # f4 won't do
        fu(5, _t(2026, 4, 10), _t(2026, 7, 1), "in_progress", None),            # f5 open, not yet due
        fu(5, _t(2026, 4, 10), None, "done", _t(2026, 4, 12)),                  # f6 done, no due date, 2 days
        fu(4, _t(2026, 3, 6), _t(2026, 3, 7), "open", None),                    # f7 on the test incident
    ])

    def review(incident_id, depth, status, created, published, factors):
        return {"incident_id": incident_id, "depth": depth, "status": status, "created_at": created,
                "created_by": "ana", "published_at": published, "contributing_factors": factors,
                "updated_at": published or created}

    reviews = pd.DataFrame([
        review(1, "standard", "published", _t(2026, 3, 3), _t(2026, 3, 7, 12), ["missing alert", "config drift"]),
        review(2, "none", "waived", _t(2026, 3, 4), None, []),
        review(3, "note", "published", _t(2026, 3, 5), _t(2026, 3, 6), ["missing alert"]),
        review(5, "workshop", "draft", _t(2026, 3, 8), None, ["capacity planning"]),
        review(4, "standard", "published", _t(2026, 3, 6), _t(2026, 3, 7), ["missing alert"]),  # test: left out
    ])

    for frame in (follow_ups, reviews):
        for col in ("created_at", "due_at", "completed_at", "published_at", "updated_at"):
            if col in frame:
                frame[col] = pd.to_datetime(frame[col], utc=True)

    def work(tx):
        tx.insert_frame("follow_ups", follow_ups)
        tx.insert_frame("reviews", reviews)

    db.write(work)
