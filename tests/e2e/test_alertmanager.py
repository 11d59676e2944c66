"""A real Prometheus Alertmanager, configured only as the docs say, opens an incident in the running app.

The app runs as users start it (``streamlit run app.py`` on a loopback port); Debian's
``prometheus-alertmanager`` runs with the ``alertmanager.yml`` block of docs/http-api.md's "Connect your
alerts" section, with only the app's address, the token and shorter intervals put in (each replaced exactly
once, so the page cannot drift from what is tested). Alerts are posted to Alertmanager's own API
(``/api/v2/alerts``); Alertmanager groups them and delivers its webhook, and the incident is read back
through the API and, after the app stops, through the Kit. The page's generic-event curl runs too.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import shutil
import subprocess
import time
from pathlib import Path

import httpx
import pytest

import incident_kit as ik

import harness
from web_support import served, tokens

pytestmark = pytest.mark.slow

ALERTMANAGER = Path("/usr/bin/prometheus-alertmanager")
PAGE = (harness.REPO / "docs" / "http-api.md").read_text()
# The test's intervals: Alertmanager waits 1 s for a new group, flushes a group every 2 s, and re-sends an
# unchanged one after 4 s, so repeats happen within the test's few seconds.
INTERVALS = {"group_wait: 30s": "group_wait: 1s", "group_interval: 5m": "group_interval: 2s",
             "repeat_interval: 4h": "repeat_interval: 4s"}
WAIT = 60  # seconds for anything to arrive: a busy 2-core machine, and one group_interval per change
SUMMARY = "Disk almost full on the database hosts"

if not ALERTMANAGER.exists():
    pytest.skip(f"Prometheus Alertmanager is not installed at {ALERTMANAGER} (apt-get install "
                "prometheus-alertmanager; .ci/run installs it).", allow_module_level=True)


def page_block(lang: str, containing: str) -> str:
    """The one fenced ``lang`` block of docs/http-api.md that contains ``containing``."""
    found = [code for code in re.findall(rf"^```{lang}\n(.*?)^```", PAGE, re.S | re.M) if containing in code]
    assert len(found) == 1, f"docs/http-api.md has {len(found)} {lang} blocks with {containing!r}"
    return found[0]


def filled_in(text: str, replacements: dict[str, str]) -> str:
    for old, new in replacements.items():
        assert text.count(old) == 1, f"the docs block should say {old!r} once"
        text = text.replace(old, new)
    return text


def alertmanager_yml(app_url: str, token: str) -> str:
    """The documented alertmanager.yml with this app's address, the token and the test's intervals."""
    return filled_in(page_block("yaml", "webhook_configs"),
                     {"http://localhost:8501": app_url, "credentials: ik_...": f"credentials: {token}", **INTERVALS})


@contextlib.contextmanager
def alertmanager(config: Path, data: Path, log: Path):
    """Alertmanager on a free loopback port, no clustering; yields an httpx client for its address."""
    port = harness.free_port()
    out = open(log, "wb")
    proc = subprocess.Popen([str(ALERTMANAGER), f"--config.file={config}", f"--storage.path={data}",
                             f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address="],
                            stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            deadline = time.monotonic() + WAIT
            while True:
                assert proc.poll() is None, f"Alertmanager exited: {log.read_text()[-2000:]}"
                with contextlib.suppress(httpx.HTTPError):
                    if client.get("/-/ready").status_code == 200:
                        break
                assert time.monotonic() < deadline, "Alertmanager did not get ready"
                time.sleep(0.2)
            yield client
    finally:
        harness.stop_group(proc)
        out.close()


def webhooks_sent(am: httpx.Client) -> tuple[int, int]:
    """(attempted, failed) webhook notifications, from Alertmanager's own metrics."""
    counts = {}
    for line in am.get("/metrics").text.splitlines():
        for name in ("alertmanager_notifications_total", "alertmanager_notifications_failed_total"):
            if line.startswith(name + "{") and 'integration="webhook"' in line:
                counts[name] = counts.get(name, 0) + float(line.rsplit(" ", 1)[1])
    return int(counts.get("alertmanager_notifications_total", 0)), \
        int(counts.get("alertmanager_notifications_failed_total", 0))


def until(what: str, check, *, seconds: float = WAIT):
    """Poll ``check`` until it returns something truthy; fail naming ``what`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result:
            return result
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        time.sleep(0.25)


def alert(instance: str, started: dt.datetime, *, ended: dt.datetime | None = None) -> dict:
    body = {"labels": {"alertname": "DiskAlmostFull", "job": "node", "instance": instance, "severity": "critical"},
            "annotations": {"summary": SUMMARY, "description": "Under 5% free on /var/lib/postgresql."},
            "startsAt": started.isoformat(), "generatorURL": "http://prometheus.example.org/graph?g0.expr=disk"}
    if ended is not None:
        body["endsAt"] = ended.isoformat()
    return body


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    """The app with a token for Alertmanager (scope alerts, as the docs make it) and one for reading;
    ``stop()`` stops the app (the last test then reads the DuckDB file through the Kit)."""
    tmp = tmp_path_factory.mktemp("alertmanager")
    db = tmp / "kit.duckdb"
    secrets = tokens(db, {"alertmanager": ["alerts"], "reader": ["incidents:read"]})
    with contextlib.ExitStack() as stack:
        api = stack.enter_context(served(db, log=tmp / "app.log"))
        reader = stack.enter_context(api.client(secrets["reader"]))
        yield tmp, db, api, secrets, reader, stack.close


def test_a_real_alertmanager_configured_as_the_docs_say_opens_one_incident_and_reports_its_resolution(running):
    tmp, db, api, secrets, reader, _ = running
    config = tmp / "alertmanager.yml"
    config.write_text(alertmanager_yml(api.url, secrets["alertmanager"]))

    def incidents():
        return reader.get("/incidents", params={"search": SUMMARY}).json()["incidents"]

    def timeline(ref):
        return [(e["kind"], e["actor"], e["text"]) for e in reader.get(f"/incidents/{ref}").json()["timeline"]]

    started = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)
    with alertmanager(config, tmp / "am-data", tmp / "alertmanager.log") as am:
        # 1. the first alert of a group: after group_wait, one incident
        assert am.post("/api/v2/alerts", json=[alert("db-1:9100", started)]).status_code == 200
        [incident] = until("the incident", incidents)
        ref = incident["reference"]
        assert (incident["title"], incident["severity"], incident["declared_by"]) == (
            SUMMARY, "Critical", "token:alertmanager")
        first = timeline(ref)
        assert [k for k, _, _ in first] == ["declared", "alerts_fired"]

        # 2. repeats: Alertmanager re-sends the unchanged group (repeat_interval); nothing changes
        sent, _ = webhooks_sent(am)
        until("two repeats", lambda: webhooks_sent(am)[0] >= sent + 2)
        assert len(incidents()) == 1 and timeline(ref) == first

        # 3. a second alert in the group: one timeline entry, and its repeats add nothing
        assert am.post("/api/v2/alerts", json=[alert("db-1:9100", started),
                                               alert("db-2:9100", started)]).status_code == 200
        grown = until("the new alert on the timeline", lambda: (t := timeline(ref)) != first and t)
        assert [k for k, _, _ in grown] == ["declared", "alerts_fired", "alerts_fired"]
        assert "db-2:9100" in grown[-1][2]
        sent, _ = webhooks_sent(am)
        until("two more repeats", lambda: webhooks_sent(am)[0] >= sent + 2)
        assert timeline(ref) == grown and len(incidents()) == 1

        # 4. both alerts end (endsAt in the past): the resolution reaches the timeline; the incident stays open
        ended = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)
        assert am.post("/api/v2/alerts", json=[alert("db-1:9100", started, ended=ended),
                                               alert("db-2:9100", started, ended=ended)]).status_code == 200
        done = until("the resolution on the timeline", lambda: len(t := timeline(ref)) > len(grown) and t)
        assert done[-1] == ("alerts_resolved", "token:alertmanager",
                            "Alerts resolved · Alertmanager: all alerts in this group resolved.")
        assert reader.get(f"/incidents/{ref}").json()["status"] == "investigating"  # for a person to resolve
        attempted, failed = webhooks_sent(am)
        assert failed == 0 and attempted >= 6  # every delivery was taken (2xx)

    assert [i["reference"] for i in incidents()] == [ref]


def test_the_documented_curl_for_a_generic_event_declares_an_incident(running):
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    tmp, db, api, secrets, reader, _ = running
    script = filled_in(page_block("sh", "/api/v1/alerts\n"),
                       {"http://localhost:8501": api.url, "TOKEN=ik_...": f"TOKEN={secrets['alertmanager']}"})
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    answer = httpx.Response(202, content=done.stdout).json()
    assert answer["outcome"] == "declared"
    shown = reader.get(f"/incidents/{answer['incident']}").json()
    assert (shown["title"], shown["severity"]) == ("Nightly backup missing", "Major")


def test_afterwards_the_store_holds_one_incident_per_group_with_every_entry_by_the_token(running):
    tmp, db, api, secrets, reader, stop = running
    stop()
    with ik.open(db, user="admin") as kit:
        listed = kit.incidents()
        assert sorted(listed["title"]) == sorted([SUMMARY, "Nightly backup missing"])
        ref = listed.loc[listed["title"] == SUMMARY, "reference"].item()
        events = kit.events(ref)
        assert [e.kind for e in events] == ["declared", "alerts_fired", "alerts_fired", "alerts_resolved"]
        assert {e.actor for e in events} == {"token:alertmanager"}
