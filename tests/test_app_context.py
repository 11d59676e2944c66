"""The pure display helpers the pages share (no Streamlit run needed)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from incident_kit.ui import context as ctx

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.timezone.utc)


def test_duration_is_short_and_scannable():
    assert ctx.duration(dt.timedelta(seconds=42)) == "42 s"
    assert ctx.duration(dt.timedelta(minutes=12, seconds=59)) == "13 min"  # rounded, as display.duration words it
    assert ctx.duration(dt.timedelta(hours=3)) == "3 h"
    assert ctx.duration(dt.timedelta(hours=3, minutes=5)) == "3 h 5 min"
    assert ctx.duration(dt.timedelta(days=4, hours=2)) == "4 d 2 h"
    assert ctx.duration(-dt.timedelta(minutes=5)) == "5 min"


def test_next_update_text_flags_overdue():
    assert ctx.next_update_text(NOW + dt.timedelta(minutes=25), NOW) == ("in 25 min", False)
    assert ctx.next_update_text(NOW - dt.timedelta(minutes=5), NOW) == ("overdue by 5 min", True)
    assert ctx.next_update_text(None, NOW) == ("—", False)
    assert ctx.next_update_text(pd.NaT, NOW) == ("—", False)


def test_when_uses_the_viewers_time_zone():
    from zoneinfo import ZoneInfo

    assert ctx.when(NOW) == "2026-03-01 12:00 UTC"
    assert ctx.when(NOW, ZoneInfo("Europe/Berlin")) == "2026-03-01 13:00 CET"
    assert ctx.when(NOW, with_date=False) == "12:00 UTC"
    assert ctx.when(None) == "—"


def test_list_view_makes_the_incident_list_readable(kit):
    kit.declare("Checkout failing", declared_by="ana", lead="bao", private=True)
    view = ctx.list_view(kit.incidents())
    assert list(view.columns) == ctx.LIST_COLUMNS
    row = view.iloc[0]
    assert (row["Reference"], row["Title"], row["Severity"], row["Status"], row["Lead"], row["Updates by"]) == (
        "INC-1", "🔒 Checkout failing", "Minor", "Investigating", "bao", "bao")
    assert row["Next update"] in ("in 4 h", "in 3 h 59 min")  # Minor promises an update every 4 hours
    assert ctx.list_view(kit.incidents(search="nothing")).empty


# -- user text shown as text, and the database's reason instead of a generic error -----------
HOSTILE = "![x](http://evil.example/x.png) [SIGN IN AGAIN](http://evil.example/login) :red[**boo**] $x$ <b>hi</b>"


def _markdown_constructs(markdown: str) -> list[str]:
    """What Streamlit would turn into an image, a link, a colour, maths or HTML in this Markdown source."""
    import re

    unescaped = re.sub(r"\\.", "", markdown)  # a backslash-escaped character is literal text
    found = [c for c in ("![", "](", ":red[", "$", "<b>", "**") if c in unescaped]
    return found + re.findall(r"(?i)https?\\?:|www\\?\.", markdown)  # bare URLs Streamlit would link


def test_md_text_makes_user_text_inert_and_reads_back_unchanged():
    from apptest_support import plain

    shown = ctx.md_text(HOSTILE)
    assert _markdown_constructs(shown) == []
    assert plain(shown) == HOSTILE
    one_line = ctx.md_text("a\n# heading\n- item")
    assert "\n" not in one_line and _markdown_constructs(one_line) == [] and plain(one_line) == "a # heading - item"
    assert _markdown_constructs(ctx.md_text("see www.evil.example or HTTPS://evil.example")) == []
    assert plain(ctx.md_text("INC-" + "9" * 5000, limit=40)) == "INC-" + "9" * 35 + "…"


@pytest.mark.usefixtures("app_db")
def test_a_hostile_ref_in_a_shared_link_is_shown_as_text():
    from apptest_support import assert_no_traceback, plain, start

    at = start(page="incident", ref=HOSTILE)
    assert_no_traceback(at)
    [warning] = at.warning
    assert "We can't find an incident" in plain(warning.value)
    assert _markdown_constructs(warning.value) == ["**"]  # only the page's own bold around the reference


@pytest.mark.usefixtures("app_db")
def test_a_hostile_display_name_is_shown_as_text_in_the_sidebar():
    from apptest_support import assert_no_traceback, plain, start

    at = start(user=HOSTILE, verified=False)
    assert_no_traceback(at)
    [caption] = at.sidebar.caption
    assert plain(caption.value).endswith(f"You are: **{' '.join(HOSTILE.split())}**")
    assert _markdown_constructs(caption.value) == ["**"]


def _truncated(path):
    import incident_kit as ik

    with ik.open(path, user="tester") as k:
        k.declare("Something", declared_by="ana")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


@pytest.mark.parametrize("damage", ["not a database", "truncated"])
def test_a_damaged_database_shows_its_one_sentence_reason(tmp_path, monkeypatch, damage):
    import streamlit as st

    import incident_kit as ik
    from apptest_support import assert_no_traceback, plain, start
    from incident_kit.errors import StoreUnavailable

    broken = tmp_path / "broken.duckdb"
    if damage == "truncated":
        _truncated(broken)
    else:
        broken.write_bytes(b"not a database" * 1000)
    before = broken.read_bytes()
    with pytest.raises(StoreUnavailable) as refused:
        ik.open(broken, user="tester")
    monkeypatch.setenv("INCIDENT_KIT_DB", str(broken))
    st.cache_resource.clear()
    try:
        at = start(user="ana", verified=False)
        assert_no_traceback(at)
        [error] = at.main.error  # in the page itself, not squeezed into the sidebar
        assert plain(error.value) == refused.value.in_app  # its app wording: no flag, no command
        assert str(broken) in plain(error.value)
        assert broken.read_bytes() == before  # nothing was overwritten
    finally:
        st.cache_resource.clear()


def test_a_database_locked_by_another_process_shows_its_reason_and_recovers_once_free(
        tmp_path, monkeypatch, subprocess_env, python):
    import subprocess

    import streamlit as st

    import incident_kit as ik
    from apptest_support import assert_no_traceback, plain, start, texts

    db = tmp_path / "held.duckdb"
    ik.open(db, user="tester").close()
    holder = subprocess.Popen(  # another process (a CLI import, say) holds DuckDB's write lock
        [python, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('held', flush=True); "
                       "sys.stdin.read()", str(db)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=subprocess_env)
    monkeypatch.setenv("INCIDENT_KIT_DB", str(db))
    st.cache_resource.clear()
    try:
        assert holder.stdout.readline().strip() == "held"
        at = start()
        assert_no_traceback(at)
        [error] = at.main.error
        assert "in use by another program" in plain(error.value) and "--" not in error.value
        holder.stdin.close()
        holder.wait(timeout=30)
        at.run()  # the failure was not cached: the next run opens the file
        assert_no_traceback(at)
        assert not at.error and "No incidents yet" in texts(at)
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
        st.cache_resource.clear()


@pytest.mark.parametrize("kind", ["sqlite", "newer", "damaged"])
def test_a_database_the_app_cannot_open_is_explained_in_words_that_name_no_flag_or_command(tmp_path, monkeypatch,
                                                                                        kind):
    import sqlite3

    import streamlit as st

    import incident_kit as ik
    from apptest_support import assert_no_traceback, start

    db = tmp_path / f"{kind}.duckdb"
    if kind == "sqlite":
        sqlite3.connect(db).execute("CREATE TABLE t (x)").connection.commit()
    else:
        with ik.open(db, user="tester") as kit:
            kit.declare("Disk full", declared_by="ana")
            if kind == "newer":
                kit.db.write(lambda tx: tx.execute("INSERT INTO schema_migrations VALUES (9999, 'later', now())"))
        if kind == "damaged":
            with open(db, "r+b") as raw:  # past DuckDB's header: its data blocks
                raw.seek(12288)
                raw.write(b"\xff" * 4096)
    monkeypatch.setenv("INCIDENT_KIT_DB", str(db))
    st.cache_resource.clear()
    try:
        at = start()
        assert_no_traceback(at)
        [error] = at.main.error
        said = error.value
        assert "ask whoever runs this app" in said
        for command_line in ("--", "pip", "INCIDENT_KIT", "incident-kit export", "`"):
            assert command_line not in said, said
    finally:
        st.cache_resource.clear()
