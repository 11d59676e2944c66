"""The PostgreSQL store with many processes at once, against a real server the session starts.

The service behaviour itself is covered by the ``both_stores`` modules; here is
what only a multi-process store has to get right: choosing it by URL, clear
words when it cannot be reached, unique references under concurrent writers,
one migrator at a time, and the outbox handing each delivery to one worker.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import incident_kit as ik
from incident_kit.db.postgres import adapt
from incident_kit.errors import StoreUnavailable

from notify_servers import free_port, webhook  # noqa: F401  (webhook: a real HTTP receiver fixture)

REPO = Path(__file__).resolve().parents[1]
# The real Statuspage samples of shared/realdata/statuspage, copied whole so a fresh clone has them.
REALDATA = REPO / "tests" / "fixtures" / "statuspage-full"


def cli(env, *args, check=True):
    proc = subprocess.run([sys.executable, "-m", "incident_kit", *args], env=env, capture_output=True, text=True,
                          timeout=300)
    if check and proc.returncode != 0:
        raise AssertionError(proc.stderr)
    return proc


def child(env, code: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_placeholders_become_psycopg_ones_outside_quotes_and_comments():
    sql = "SELECT '?', x LIKE '%a' -- what's ?\nFROM t WHERE a = ? AND b = ?"
    assert adapt(sql) == "SELECT '?', x LIKE '%%a' -- what's ?\nFROM t WHERE a = %s AND b = %s"


def test_a_postgresql_url_opens_the_postgresql_store(pg_url):
    with ik.open(pg_url, user="ana") as kit:
        assert kit.db.dialect == "postgres"
        inc = kit.declare("Checkout is failing", declared_by="ana")
        assert inc.reference == "INC-1"


def test_a_path_still_means_duckdb(tmp_path):
    with ik.open(tmp_path / "kit.duckdb", user="tester") as kit:
        assert kit.db.dialect == "duckdb"


def test_an_unknown_scheme_gets_one_sentence(subprocess_env):
    subprocess_env["INCIDENT_KIT_DB"] = "mysql://root@localhost/incidents"
    proc = cli(subprocess_env, "list", check=False)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert "'mysql://' is not a store incident-kit knows" in proc.stderr


def test_an_unreachable_server_gets_one_sentence(subprocess_env):
    # Nothing listens on the port. psycopg_pool used to add its own warnings ("error connecting in
    # 'incident-kit': ..." with a second line each, three times) above the sentence.
    subprocess_env["INCIDENT_KIT_DB"] = f"postgresql://nobody:secret@127.0.0.1:{free_port()}/incidents"
    proc = cli(subprocess_env, "list", check=False)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: Cannot reach the PostgreSQL server at postgresql://nobody:***@127.0.0.1:")
    assert "Connection refused" in lines[0]  # the cause, not "pool initialization incomplete after 6 sec"
    assert "secret" not in proc.stderr  # the password is never printed


def test_many_processes_declare_at_once_and_every_reference_is_unique(pg_url, subprocess_env):
    """4 processes x 50 declarations while another process holds a connection open in a transaction."""
    subprocess_env["INCIDENT_KIT_DB"] = pg_url
    holder = child(subprocess_env, """
        import threading, time, incident_kit as ik
        kit = ik.open(user="app")
        kit.declare("Held by the app", declared_by="app")
        ready = threading.Event()
        def hold(tx):
            tx.fetchall("SELECT count(*) FROM incidents")
            ready.set()
            time.sleep(120)
        threading.Thread(target=lambda: kit.db.read(hold), daemon=True).start()
        ready.wait()
        print("holding", flush=True)
        time.sleep(120)
    """)
    writers = [child(subprocess_env, f"""
        import incident_kit as ik
        kit = ik.open(user="w{n}")
        refs = [kit.declare(f"Writer {n} incident {{i}}", declared_by="w{n}").reference for i in range(50)]
        print(",".join(refs))
    """) for n in range(4)]
    outputs = [w.communicate(timeout=240) for w in writers]
    # ... and 4 CLI declarations at once (an alerting hook) while the "app" still holds its connection
    hooks = [subprocess.Popen([sys.executable, "-m", "incident_kit", "declare", f"Alert {n}", "--by", "pager"],
                              env=subprocess_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for n in range(4)]
    hook_out = [h.communicate(timeout=120) for h in hooks]
    holder.kill()
    holder.communicate()
    for (out, err), w in zip(outputs + hook_out, writers + hooks):
        assert w.returncode == 0, err
    refs = [r for out, _ in outputs for r in out.strip().split(",")]
    assert len(refs) == 200 and len(set(refs)) == 200
    with ik.open(pg_url, user="tester") as kit:
        listed = kit.incidents(limit=1000)
        assert len(listed) == 205
        # gapless: the counter row is undone with a rolled-back (retried) transaction
        assert sorted(int(r.split("-")[1]) for r in listed["reference"]) == list(range(1, 206))
        assert all(len(kit.events(ref)) == 1 for ref in refs[:5])


def test_processes_starting_together_migrate_an_empty_database_once(pg_server, subprocess_env):
    url = pg_server.empty_database()
    subprocess_env["INCIDENT_KIT_DB"] = url
    procs = [child(subprocess_env, "import incident_kit as ik; ik.open(user='tester').close(); print('ok')") for _ in range(3)]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    import psycopg

    with psycopg.connect(url) as con:
        versions = [r[0] for r in con.execute("SELECT version FROM schema_migrations ORDER BY version")]
    assert versions == sorted(set(versions)) and 8 in versions
    pg_server.drop_database(url)


def test_two_workers_deliver_every_update_exactly_once(pg_url, subprocess_env, webhook):
    kit = ik.open(pg_url, user="ana")
    try:
        kit.subscribe(webhook.url("/all"), person="chatops", min_severity="Minor")
        incs = [kit.declare(f"Incident {i}", declared_by="ana") for i in range(6)]
        for inc in incs:
            for j in range(10):
                kit.post_update(inc.reference, f"{inc.reference} update {j}", by="ana")
    finally:
        kit.close()
    subprocess_env["INCIDENT_KIT_DB"] = pg_url
    code = """
        import incident_kit as ik
        from incident_kit.notify.worker import Worker
        kit = ik.open(user="worker")
        w = Worker(kit, reminders=False, batch=5, name="{name}")
        sent = 0
        for _ in range(40):
            sent += w.run_once().sent
        w.close()
        print(sent)
    """
    workers = [child(subprocess_env, code.replace("{name}", name)) for name in ("w1", "w2")]
    results = [w.communicate(timeout=240) for w in workers]
    for (out, err), w in zip(results, workers):
        assert w.returncode == 0, err
    sent = [int(out.strip()) for out, _ in results]
    assert sum(sent) == 60
    messages = [b["message"].splitlines()[0] for b in webhook.bodies]
    assert len(webhook.bodies) == 60 and len(set(json.dumps(b, sort_keys=True) for b in webhook.bodies)) == 60, messages
    with ik.open(pg_url, user="tester") as kit:
        assert kit.outbox_counts()["sent"] == 60


def test_the_same_statuspage_import_gives_the_same_metrics_json_on_both_stores(pg_url, tmp_path, subprocess_env):
    sources = sorted(REALDATA.glob("*.json"))
    assert sources, f"the real Statuspage samples are missing from {REALDATA}"
    data = tmp_path / "statuspage"
    data.mkdir()
    for src in sources:
        (data / src.name).write_bytes(src.read_bytes())
    figures = []
    for target in (str(tmp_path / "kit.duckdb"), pg_url):
        subprocess_env["INCIDENT_KIT_DB"] = target
        cli(subprocess_env, "import", "statuspage", str(data))
        figures.append(json.loads(cli(subprocess_env, "metrics", "--json").stdout))
    assert figures[0]["incidents"] > 100 and figures[0]["update_gap_minutes"]["n"] > 100
    assert figures[0] == figures[1]


def test_a_read_only_open_of_a_current_database_works(pg_url):
    ik.open(pg_url, user="tester").close()
    with ik.open(pg_url, read_only=True, user="tester") as kit:
        assert kit.incidents().empty
        with pytest.raises(StoreUnavailable):
            kit.declare("Nope", declared_by="ana")


def test_the_documented_postgresql_commands_run_as_written(pg_url, tmp_path, subprocess_env):
    """The ```shell block of docs/postgresql.md's "Run on PostgreSQL", against this test's server and a demo
    DuckDB file."""
    import re
    import shlex

    page = (REPO / "docs" / "postgresql.md").read_text()
    section = page.split("## Run on PostgreSQL", 1)[1]
    block = re.search(r"^```shell\n(.*?)^```", section, re.S | re.M).group(1)
    example_url = re.search(r"postgresql://\S+", block).group(0)
    lines = [line.split("  #")[0] for line in block.splitlines() if line.startswith("incident-kit ")]
    assert [shlex.split(line)[3] for line in lines] == ["restore", "metrics"]
    source = tmp_path / "data" / "incident_kit.duckdb"
    with ik.open(source, user="tester") as kit:
        from incident_kit import demo

        demo.load(kit.db, incidents=40, seed=3)
    subprocess_env.pop("INCIDENT_KIT_DB", None)
    outputs = []
    for line in lines:
        args = shlex.split(line.replace(example_url, pg_url))[1:]
        proc = subprocess.run([sys.executable, "-m", "incident_kit", *args], env=subprocess_env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        outputs.append(proc.stdout)
    assert "(40 incidents)" in outputs[0]
    assert json.loads(outputs[1])["incidents"] == 40


def test_the_analytics_copy_holds_exactly_the_tables_the_analytics_sql_reads(tmp_path):
    """On PostgreSQL, Insights run over a copy of analytics.store.TABLES: a table missing there would read empty,
    and a table there that nothing reads is copied (at 100k incidents, 300k updates) for nothing."""
    import re

    from incident_kit.analytics import store as analytics_store

    with ik.open(tmp_path / "kit.duckdb", user="tester") as kit:
        tables = {r[0] for r in kit.db.read(lambda tx: tx.fetchall(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"))}
    package = REPO / "incident_kit"
    files = [*(package / "analytics").glob("*.py"), package / "incident" / "visibility.py",
             package / "catalog" / "store.py"]  # the SQL an analytics read runs (see store.names_read)
    source = "\n".join(p.read_text() for p in files)
    read = {m.group(2) for m in re.finditer(r"\b(FROM|JOIN)\s+([a-z_]+)", source)} & tables
    read.discard("roles")  # the catalog's list of incident roles: no analytics read asks for it
    assert read == set(analytics_store.TABLES), sorted(read ^ set(analytics_store.TABLES))


def test_a_dropped_connection_is_replaced_for_reads_and_explained_for_writes(pg_url):
    import psycopg

    with ik.open(pg_url, user="ana") as kit:
        kit.declare("Before the server restart", declared_by="ana")

        def drop_all():
            with psycopg.connect(pg_url, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = current_database() AND pid <> pg_backend_pid()")

        drop_all()
        assert len(kit.incidents()) == 1  # the read got a fresh connection
        drop_all()
        try:
            kit.declare("During the restart", declared_by="ana")
        except StoreUnavailable as exc:  # the pool may also have replaced the connection already
            assert "Lost the connection to the PostgreSQL server" in str(exc)
        assert len(kit.incidents()) in (1, 2)


def test_a_catalog_change_in_one_process_is_seen_at_once_by_another(pg_url):
    """No per-process catalog cache on PostgreSQL: two stores (as two processes would hold) agree at once."""
    from incident_kit.catalog import service as catalog
    from incident_kit.db import open_database
    from incident_kit.incident import service as incidents

    app, hook = open_database(pg_url), open_database(pg_url)
    try:
        assert [s.name for s in catalog.severities(hook)][0] == "Minor"  # read (and, on DuckDB, memoised)
        catalog.set_severities(app, [{"name": "SEV3", "description": "Low", "cadence_minutes": 240},
                                     {"name": "SEV1", "description": "High", "cadence_minutes": 30}])
        assert [s.name for s in catalog.severities(hook)] == ["SEV3", "SEV1"]
        assert incidents.declare(hook, "Paged", declared_by="pager", severity="SEV1").severity == "SEV1"
    finally:
        app.close()
        hook.close()


def test_analytics_copy_the_store_once_per_change_and_see_every_change(pg_url, subprocess_env):
    """The Insights reads of one view share one copy of the store while nothing commits; a commit here or in
    another process makes the next read copy again, and the answer shows it."""
    from incident_kit.analytics import metrics, response

    kit, other = ik.open(pg_url, user="ana"), ik.open(pg_url, user="hook")
    try:
        kit.declare("Checkout failing")
        copies = kit.db.mirror.copies
        assert metrics.insights.uncached(kit)["scope_counts"]["incidents"].iat[0] == 1
        assert len(response.duration_samples(kit)["time_to_declare_minutes"]) == 1  # another read, same copy
        assert metrics.insights.uncached(kit)["scope_counts"]["incidents"].iat[0] == 1
        assert kit.db.mirror.copies == copies + 1

        kit.declare("Payments failing")  # a commit in this process
        assert metrics.insights.uncached(kit)["scope_counts"]["incidents"].iat[0] == 2
        assert kit.db.mirror.copies == copies + 2

        other.declare("Search failing")  # another store object: as another process would commit
        cli(dict(subprocess_env, INCIDENT_KIT_DB=pg_url), "declare", "Login failing")  # and another process
        assert metrics.insights.uncached(kit)["scope_counts"]["incidents"].iat[0] == 4
        assert kit.db.mirror.copies == copies + 3
    finally:
        kit.close()
        other.close()


def test_a_read_only_open_of_an_unreachable_server_does_not_look_for_a_snapshot():
    with pytest.raises(StoreUnavailable, match="Cannot reach the PostgreSQL server"):
        ik.open(f"postgresql://nobody@127.0.0.1:{free_port()}/incidents", read_only=True, user="tester")


def test_a_server_restart_under_a_running_process_prints_no_pool_warnings(pg_url, subprocess_env):
    # The store turns each failure into its own sentence; psycopg_pool's log warnings ("discarding closed
    # connection", "error connecting") would reach the terminal of every CLI command and worker as well.
    code = f"""
        import psycopg
        import incident_kit as ik
        from incident_kit.errors import StoreUnavailable

        def drop_all():
            with psycopg.connect({pg_url!r}, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = current_database() AND pid <> pg_backend_pid()")

        with ik.open({pg_url!r}, user="ana") as kit:
            kit.declare("Before the restart", declared_by="ana")
            drop_all()
            print(len(kit.incidents()))
            drop_all()
            try:
                kit.declare("During the restart", declared_by="ana")
            except StoreUnavailable as exc:
                print("sentence:", exc)
    """
    proc = child(subprocess_env, code)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert out.splitlines()[0] == "1"
    assert err == ""


def test_the_incident_list_is_read_from_its_index_in_its_own_order(pg_url):
    """Migration 20's ``incidents_list_order`` is the list's ORDER BY, so the Incidents page's first 50 rows come
    from the index's start instead of a sort of every incident (585 ms -> 27 ms at 1M). Should the active
    statuses or the order change, PostgreSQL can no longer use it, and this says so: add an index that matches."""
    from incident_kit.incident import store

    with ik.open(pg_url, user="ana") as kit:
        for title in ("Checkout failing", "Search slow", "Login broken"):
            kit.declare(title)

        def plan(tx):
            tx.execute("SET LOCAL enable_seqscan = off")  # a handful of rows: make the planner show what it can use
            tx.execute("SET LOCAL enable_sort = off")
            params = store.list_params(see_all=True, viewer="ana", limit=50)
            return "\n".join(r[0] for r in tx.fetchall("EXPLAIN " + store.LIST_INCIDENTS_SQL["postgres"], params))

        assert "incidents_list_order" in kit.db.read(plan)


def test_the_open_follow_ups_are_read_from_their_index_in_the_lists_order(pg_url):
    """Migration 20's ``follow_ups_list_order`` is the Follow-ups list's ORDER BY (open first, then by due date),
    so a page of 50 comes from the index's start (439 ms -> 17 ms at 1.15M follow-ups)."""
    import datetime as dt

    from incident_kit.follow_up import store

    with ik.open(pg_url, user="ana") as kit:
        ref = kit.declare("Checkout failing").reference
        for n in range(3):
            kit.add_follow_up(ref, f"Fix {n}", owner="ana", by="ana")

        def plan(tx):
            tx.execute("SET LOCAL enable_seqscan = off")
            tx.execute("SET LOCAL enable_sort = off")
            params = store.list_params(now=dt.datetime.now(dt.timezone.utc), see_all=False, viewer="ana",
                                       incident_id=None, owner=None, statuses=["open", "in_progress"],
                                       overdue_only=False)
            return "\n".join(r[0] for r in tx.fetchall("EXPLAIN " + store.LIST, [*params, 50]))

        assert "follow_ups_list_order" in kit.db.read(plan)
