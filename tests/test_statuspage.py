"""The static status page and Atom feed: external updates of non-private incidents only, all text escaped."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from incident_kit.clock import utcnow

pytestmark = pytest.mark.both_stores

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def site(kit, tmp_path):
    """A public incident with internal and external updates, plus a private and a test incident."""
    public = kit.declare("Checkout <script>alert('title')</script> & co", severity="Major", declared_by="ana")
    kit.post_update(public.reference, "INTERNAL: bob's migration broke the primary", by="ana",
                    impact="INTERNAL impact text", doing="INTERNAL doing text")
    kit.post_update(public.reference, "We are investigating <img src=x onerror=alert(1)> errors.", by="ana",
                    audience="external", impact="Some customers cannot <b>pay</b>", doing="Rolling back",
                    next_update_at=utcnow() + dt.timedelta(minutes=30))
    secret = kit.declare("PRIVATE leaked credential", private=True, declared_by="ana")
    kit.post_update(secret.reference, "PRIVATE external text", by="ana", audience="external")
    drill = kit.declare("TEST game day", mode="test", declared_by="ana")
    kit.post_update(drill.reference, "TEST external text", by="ana", audience="external")
    kit.set_setting("public_name", "Acme <Cloud>")
    out = tmp_path / "site"
    kit.build_status_page(out, base_url="https://status.example.com/")
    return out


def test_build_writes_a_page_and_a_feed(site):
    assert sorted(p.name for p in site.iterdir()) == ["feed.xml", "index.html"]


def test_html_in_titles_and_updates_is_escaped_on_the_page(site):
    html = (site / "index.html").read_text()
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>pay</b>" not in html
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt; &amp; co" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "Acme &lt;Cloud&gt; status" in html


def test_html_in_titles_and_updates_is_escaped_in_the_feed(site):
    text = (site / "feed.xml").read_text()
    assert "<script>" not in text and "<img" not in text
    feed = ET.fromstring(text)  # parses: the escaped text is well-formed XML
    [entry] = feed.findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == "Checkout <script>alert('title')</script> & co: Investigating"
    assert "<img src=x onerror=alert(1)>" in entry.find(f"{ATOM}content").text


def test_the_feed_is_atom_with_the_required_elements(site):
    feed = ET.parse(site / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert (feed.find(f"{ATOM}{name}").text or "").strip(), name
    assert feed.find(f"{ATOM}author/{ATOM}name").text == "Acme <Cloud>"
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == "https://status.example.com/feed.xml"
    entries = feed.findall(f"{ATOM}entry")
    assert entries
    for entry in entries:
        for name in ("id", "title", "updated"):
            assert (entry.find(f"{ATOM}{name}").text or "").strip(), name
        dt.datetime.fromisoformat(entry.find(f"{ATOM}updated").text.replace("Z", "+00:00"))
        assert entry.find(f"{ATOM}content").get("type") == "text"
        assert entry.find(f"{ATOM}id").text.startswith("https://status.example.com/#update-")


def test_private_test_and_internal_content_never_appears(site):
    for name in ("index.html", "feed.xml"):
        text = (site / name).read_text()
        for secret in ("PRIVATE", "TEST", "INTERNAL", "bob", "ana", "Major"):
            assert secret not in text, (name, secret)


def test_an_update_reads_in_the_predictable_format_on_the_page(site):
    html = (site / "index.html").read_text()
    positions = [html.index(label) for label in
                 ("<dt>Current status</dt>", "<dt>Impact</dt>", "<dt>What we&#39;re doing</dt>", "<dt>Next update by</dt>")]
    assert positions == sorted(positions)
    assert "Some customers cannot &lt;b&gt;pay&lt;/b&gt;" in html
    assert "<script" not in html  # no JavaScript at all: the page works without it


def test_an_organisation_with_no_external_updates_shows_all_clear(kit, tmp_path):
    inc = kit.declare("Internal only", declared_by="ana")
    kit.post_update(inc.reference, "Nothing for customers yet", by="ana")
    kit.build_status_page(tmp_path / "s")
    html = (tmp_path / "s" / "index.html").read_text()
    assert "No ongoing incidents" in html and "Internal only" not in html
    feed = ET.parse(tmp_path / "s" / "feed.xml").getroot()
    assert feed.findall(f"{ATOM}entry") == [] and feed.find(f"{ATOM}updated").text


def test_resolved_incidents_move_to_recently_resolved(kit, tmp_path):
    inc = kit.declare("Slow search", declared_by="ana")
    kit.post_update(inc.reference, "Search is slow.", by="ana", audience="external")
    kit.post_update(inc.reference, "Fixed.", by="ana", audience="external", status="resolved")
    kit.build_status_page(tmp_path / "s")
    html = (tmp_path / "s" / "index.html").read_text()
    assert "No ongoing incidents" in html
    assert html.index("Recently resolved") < html.index("Slow search")


def test_building_into_a_file_path_says_to_give_a_directory(kit, tmp_path):
    import incident_kit as ik

    target = tmp_path / "file.txt"
    target.write_text("x")
    with pytest.raises(ik.IncidentKitError, match="give a directory"):
        kit.build_status_page(target)


def test_the_internal_board_shows_what_the_viewer_may_see_with_the_newest_update(kit):
    public = kit.declare("Checkout failing", severity="Major", declared_by="ana")
    kit.post_update(public.reference, "Internal detail", by="ana")
    secret = kit.declare("Leaked key", private=True, declared_by="ana")
    assert list(kit.status_board(viewer="zed")["reference"]) == [public.reference]
    board = kit.status_board(viewer="ana")
    assert set(board["reference"]) == {public.reference, secret.reference}
    row = board.set_index("reference").loc[public.reference]
    assert row["last_update_audience"] == "internal" and "Internal detail" in row["last_update"]
    assert f"Next update by: {row['next_update_due']:%Y-%m-%d %H:%M} UTC" in row["last_update"]


STATUS_MAP = {"investigating": "investigating", "identified": "fixing", "monitoring": "monitoring",
              "resolved": "resolved"}


def test_a_real_provider_incident_with_markup_in_its_title_renders_escaped_and_in_order(kit, tmp_path):
    import json
    from pathlib import Path

    real = json.loads((Path(__file__).parent / "fixtures" / "statuspage_twilio_adyen_pay.json").read_text())
    inc = kit.declare(real["name"], severity="Moderate", declared_by="ana")
    for update in reversed(real["incident_updates"]):  # the API lists newest first
        kit.post_update(inc.reference, update["body"], by="ana", audience="external",
                        status=STATUS_MAP[update["status"]])
    kit.build_status_page(tmp_path / "s")

    html = (tmp_path / "s" / "index.html").read_text()
    assert "Adyen &lt;Pay&gt; platform" in html and "<Pay>" not in html and "<pay>" not in html
    assert "No ongoing incidents" in html and "Recently resolved" in html
    feed = ET.parse(tmp_path / "s" / "feed.xml").getroot()
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == len(real["incident_updates"])
    assert [e.find(f"{ATOM}title").text.rsplit(": ", 1)[1] for e in entries] == [
        "Resolved", "Investigating", "Investigating", "Investigating"]
    newest = entries[0].find(f"{ATOM}content").text
    assert real["incident_updates"][0]["body"] in newest
    assert entries[0].find(f"{ATOM}title").text.startswith(real["name"])


def test_the_build_shows_public_components_with_their_history_and_a_feed_each(kit, tmp_path):
    kit.add_component("Checkout", group="Shop")
    kit.add_component("Hidden <b>core</b>", internal=True)
    past = kit.declare("Card payments fail", declared_by="ana", started_at=utcnow() - dt.timedelta(days=2),
                       components={"Checkout": "major_outage", "Hidden <b>core</b>": "major_outage"})
    kit.post_update(past.reference, "Payments fail", by="ana", audience="external")
    kit.resolve(past.reference, by="ana")
    secret = kit.declare("PRIVATE outage", private=True, declared_by="ana", components={"Checkout": "partial_outage"})
    kit.post_update(secret.reference, "PRIVATE text", by="ana", audience="external")
    out = tmp_path / "s"
    kit.build_status_page(out)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        "components/checkout/feed.atom", "feed.xml", "index.html"]
    html = (out / "index.html").read_text()
    assert "<h3>Shop</h3>" in html and "Checkout</strong>: <span class=\"state-operational\">Operational" in html
    assert "<p>Affects: Checkout: Major outage</p>" in html
    assert html.count("day day-major_outage") == 3 and "Hidden" not in html and "PRIVATE" not in html
    feed = ET.parse(out / "components" / "checkout" / "feed.atom").getroot()
    assert [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")] == ["Card payments fail: Investigating"]


@pytest.mark.both_stores
def test_upcoming_and_ongoing_maintenance_show_on_the_page_with_public_components_only(kit, tmp_path):
    kit.add_component("Checkout")
    kit.add_component("Billing core", internal=True)
    now = utcnow()
    kit.schedule_maintenance("Database upgrade <b>now</b>", start=now - dt.timedelta(minutes=5),
                             end=now + dt.timedelta(hours=1), components=["Checkout", "Billing core"],
                             message="Card payments may pause for a minute.", by="ana")
    kit.schedule_maintenance("Network work next week", start=now + dt.timedelta(days=7),
                             end=now + dt.timedelta(days=7, hours=2), components=["Checkout"], by="ana")
    gone = kit.schedule_maintenance("Called off", start=now + dt.timedelta(days=1),
                                    end=now + dt.timedelta(days=1, hours=1), by="ana")
    kit.cancel_maintenance(gone.id, by="ana")
    kit.schedule_maintenance("Already over", start=now - dt.timedelta(days=2), end=now - dt.timedelta(days=1),
                             by="ana")

    page = (tmp_path / "site" / "index.html")
    kit.build_status_page(tmp_path / "site")
    html = page.read_text()

    assert "Scheduled maintenance" in html
    assert "Database upgrade &lt;b&gt;now&lt;/b&gt;" in html and "In progress" in html
    assert "Network work next week" in html and "Scheduled" in html
    assert "Card payments may pause for a minute." in html
    assert "Called off" not in html and "Already over" not in html
    assert "Billing core" not in html and "ana" not in html
    assert 'id="component-checkout"' in html and "Under maintenance" in html
