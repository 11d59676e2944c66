"""The notification commands, run as a person would: a real child process, a real SMTP server."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET

pytest_plugins = ["notify_servers"]  # the smtp_server and webhook fixtures


def cli(env, *args, check=True):
    proc = subprocess.run([sys.executable, "-m", "incident_kit", *args], env=env, capture_output=True, text=True,
                          timeout=120)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def test_subscribe_update_and_deliver_from_the_command_line(subprocess_env, smtp_server):
    env = dict(subprocess_env, INCIDENT_KIT_SMTP_URL=smtp_server.url, INCIDENT_KIT_USER="ana")
    cli(env, "declare", "Checkout is failing", "--severity", "Major")
    sub = json.loads(cli(env, "subscribe", "--channel", "cfo@example.com", "--incident", "INC-1",
                         "--person", "cfo", "--json").stdout)
    assert sub["person"] == "cfo" and sub["incident"] == "INC-1"
    cli(env, "update", "INC-1", "Rolling back", "--impact", "EU payments fail")

    result = json.loads(cli(env, "notify", "run", "--once", "--json").stdout)

    assert result["sent"] == 1
    [message] = smtp_server.messages
    assert "Impact: EU payments fail" in smtp_server.text(message)
    [row] = json.loads(cli(env, "notify", "outbox", "--json").stdout)
    assert (row["status"], row["attempts"], row["recipient"]) == ("sent", 1, "cfo")
    assert json.loads(cli(env, "subscriptions", "--json").stdout)[0]["id"] == sub["id"]
    cli(env, "unsubscribe", str(sub["id"]))
    assert json.loads(cli(env, "subscriptions", "--json").stdout) == []


def test_needs_update_and_status_page_build(subprocess_env, tmp_path):
    env = dict(subprocess_env, INCIDENT_KIT_USER="ana")
    cli(env, "declare", "Search <b>slow</b>", "--started-at", "2020-01-01T00:00:00+00:00")
    cli(env, "update", "INC-1", "Customers see slow search", "--external")
    assert json.loads(cli(env, "needs-update", "--json").stdout) == []  # just updated

    out = tmp_path / "public"
    paths = json.loads(cli(env, "status-page", "build", "--out", str(out), "--json").stdout)

    assert sorted(p.rsplit("/", 1)[-1] for p in paths) == ["feed.xml", "index.html"]
    assert "Search &lt;b&gt;slow&lt;/b&gt;" in (out / "index.html").read_text()
    ET.parse(out / "feed.xml")


def test_a_bad_subscription_is_one_line_on_stderr_and_exit_1(subprocess_env):
    proc = cli(subprocess_env, "subscribe", "--channel", "not-a-channel", "--min-severity", "Major", check=False)
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("error: Channel 'not-a-channel'")


def test_a_400_digit_subscription_number_is_one_line_on_stderr(subprocess_env):
    proc = cli(subprocess_env, "unsubscribe", "9" * 400, check=False)
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("error: There is no active subscription 9999")
    assert len(proc.stderr) < 140
