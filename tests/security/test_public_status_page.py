"""The public status page (the same rendering live and static) holds nothing private, internal or personal,
and every hostile string is escaped, in the page and in every feed."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from incident_kit.clock import utcnow
from incident_kit.errors import NotFound

pytestmark = pytest.mark.both_stores

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'&\x07"
PLANTED = ["PRIVATE-TITLE", "PRIVATE-UPDATE", "INTERNAL-UPDATE", "INTERNAL-COMPONENT", "TEST-TITLE",
           "Zelda Quartermain", "Yusuf Declarer"]


def test_nothing_private_internal_or_personal_and_no_live_markup_on_the_page_or_feeds(kit, tmp_path):
    kit.add_component(f"Checkout {HOSTILE}", group=HOSTILE, description=HOSTILE)
    kit.add_component("INTERNAL-COMPONENT", internal=True)
    inc = kit.declare(f"Down {HOSTILE}", declared_by="Yusuf Declarer", lead="Zelda Quartermain",
                      started_at=utcnow() - dt.timedelta(hours=1),
                      components={f"Checkout {HOSTILE}": "major_outage", "INTERNAL-COMPONENT": "partial_outage"})
    kit.post_update(inc.reference, f"Fixing {HOSTILE}", by="Zelda Quartermain", audience="external",
                    impact=HOSTILE, doing=HOSTILE)
    kit.post_update(inc.reference, "INTERNAL-UPDATE from Zelda Quartermain", by="Zelda Quartermain")
    secret = kit.declare("PRIVATE-TITLE", private=True, declared_by="Yusuf Declarer",
                         components={"INTERNAL-COMPONENT": "major_outage"})
    kit.post_update(secret.reference, "PRIVATE-UPDATE", by="Yusuf Declarer", audience="external")
    drill = kit.declare("TEST-TITLE", mode="test", declared_by="Yusuf Declarer")
    kit.post_update(drill.reference, "TEST-TITLE text", by="Yusuf Declarer", audience="external")
    view = kit.public_status()
    slug = view.components[0].slug
    texts = [view.page(), view.feed(), view.feed(component=slug)]
    kit.build_status_page(tmp_path / "site")
    texts += [p.read_text() for p in (tmp_path / "site").rglob("*") if p.is_file()]
    for text in texts:
        for planted in PLANTED:
            assert planted not in text, planted
        assert "<script>" not in text and "<img" not in text and "\x07" not in text
    for feed in texts[1:3]:
        ET.fromstring(feed)  # still valid XML
    assert [c.name for c in view.components] == [f"Checkout {HOSTILE}"]
    with pytest.raises(NotFound):
        view.feed(component="internal-component")
