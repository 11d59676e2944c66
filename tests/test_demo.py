import datetime as dt

import pytest

from incident_kit import demo
from incident_kit.errors import IncidentKitError

pytestmark = pytest.mark.both_stores

NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.timezone.utc)


def test_demo_is_deterministic():
    a = demo.generate(incidents=120, seed=7, now=NOW)
    b = demo.generate(incidents=120, seed=7, now=NOW)
    for name in a:
        assert a[name].equals(b[name]), name


def test_demo_is_realistic(kit):
    counts = demo.load(kit.db, incidents=400, now=NOW)
    assert counts["incidents"] == 400 and counts["updates"] > 800
    frame = kit.incidents()
    span = frame.declared_at.max() - frame.declared_at.min()
    assert span >= dt.timedelta(days=365)
    assert frame.type.nunique() == 7 and (frame.type != "engineering").mean() > 0.3
    assert frame.private.sum() >= 5
    assert {"live", "retrospective", "test"} <= set(frame["mode"])
    assert frame.declared_by.nunique() >= 10
    assert (frame.severity == "Minor").mean() > 0.4
    retro = frame[frame["mode"] == "retrospective"]
    assert (retro.declared_at >= retro.resolved_at).all()
    # the timeline of a demo incident reads like one built by the service layer
    ref = frame[frame.update_count >= 3].reference.iloc[0]
    tl = kit.timeline(ref)
    assert tl.kind.iloc[0] == "declared" and (tl.kind == "update_posted").sum() >= 3
    assert tl.text.notna().all()


def test_demo_size_is_adjustable_and_services_continue_after_it(kit):
    demo.load(kit.db, incidents=30, now=NOW)
    inc = kit.declare("After the demo")
    assert inc.reference == "INC-31"
    upd = kit.post_update(inc.reference, "works")
    assert upd.id > 0


def test_demo_refuses_to_mix_with_real_data(kit):
    kit.declare("Real")
    with pytest.raises(IncidentKitError, match="already holds 1 incident; use a new --db file"):
        demo.load(kit.db, incidents=10)
    demo.load(kit.db, incidents=10, append=True, now=NOW)
    assert len(kit.incidents()) == 11
