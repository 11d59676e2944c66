"""Shared set-up for the review and follow-up tests: a realistic incident, resolved."""

from __future__ import annotations

import datetime as dt

from incident_kit.clock import utcnow


def resolved_incident(kit, *, title="Checkout returning 500s", severity="Major", mode="live", summary=""):
    """Declared 40 min after impact began (started_at backdated), two updates with impact, a severity change, roles, resolved."""
    started = utcnow() - dt.timedelta(minutes=40)
    inc = kit.declare(title, declared_by="ana", severity=severity, started_at=started, lead="bao", mode=mode,
                      summary=summary)
    kit.post_update(inc.reference, "We are investigating elevated 500s", by="bao",
                    impact="Some customers cannot pay")
    kit.change_severity(inc.reference, "Critical", by="bao", reason="All regions affected")
    kit.assign_role(inc.reference, "comms", "carmen", by="bao")
    kit.post_update(inc.reference, "Rolled back the deploy", by="carmen", status="monitoring",
                    impact="All customers cannot pay")
    kit.post_update(inc.reference, "Payments are flowing again", by="carmen", impact="All customers cannot pay")
    kit.resolve(inc.reference, by="bao")
    return kit.get(inc.reference)
