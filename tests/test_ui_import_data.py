"""The Import page: renders, shows the validation report for bad input, previews and imports good input.

AppTest cannot drive ``st.file_uploader``, so the page's "Paste text" source (the same
code path after the bytes are read) is used here, and the library calls the upload
path makes are tested directly at the end.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import incident_kit as ik
from incident_kit.identity import Person
from incident_kit.importers.models import ImportFile

from apptest_support import sign_in

REPO = Path(__file__).resolve().parent.parent
IMPORTS = REPO / "tests" / "fixtures" / "imports"
PAGE = "incident_kit/ui/views/import_data.py"


@pytest.fixture
def app(db_path, monkeypatch):
    monkeypatch.setenv("INCIDENT_KIT_DB", str(db_path))
    monkeypatch.chdir(REPO)
    st.cache_resource.clear()
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    sign_in(at, "ana")  # the app asks who you are before any page
    at.run()
    at.switch_page(PAGE)
    at.run()
    yield at
    st.cache_resource.clear()


def _count(db_path) -> int:
    with ik.open(db_path, user="tester") as kit:
        return kit.db.read(lambda tx: tx.fetchall("SELECT count(*) FROM incidents")[0][0])


def test_import_page_renders_with_its_choices(app):
    assert not app.exception
    assert app.title[0].value == "Import"
    assert app.selectbox(key="import_kind").options[:1] == ["Atlassian Statuspage (incidents.json or one incident)"]
    assert app.radio(key="import_how").options == ["Upload files", "Paste text"]


def test_csv_choice_offers_the_column_help(app):
    app.selectbox(key="import_kind").set_value("csv").run()
    assert not app.exception
    columns = app.table[0].value  # a plain table: each meaning in full
    assert list(columns["Column in the file"][:4]) == ["external_id", "title", "status", "declared_at"]


def test_bad_input_shows_the_validation_report_and_imports_nothing(app, db_path):
    app.selectbox(key="import_kind").set_value("csv").run()
    app.radio(key="import_how").set_value("Paste text").run()
    app.text_area(key="import_text").set_value(
        "external_id,title,status,declared_at\nA,One,sleeping,2024-01-01T10:00:00+02:00\n").run()

    assert not app.exception
    assert "nothing was imported" in app.error[0].value
    report = app.dataframe[-1].value
    assert set(report["field"]) == {"status", "declared_at"}
    assert set(report["where"]) == {"line 2"}
    assert not [b for b in app.button if b.key == "import_go"]
    assert _count(db_path) == 0


def test_good_input_is_previewed_then_imported(app, db_path):
    app.radio(key="import_how").set_value("Paste text").run()
    app.text_area(key="import_text").set_value((IMPORTS / "statuspage-zoom-single-incident.json").read_text()).run()

    assert not app.exception
    assert "1 incident and 3 updates are valid" in app.success[0].value
    preview = app.dataframe[-1].value
    assert preview["ID in the source"].tolist() == ["v35b8dskjc9j"]
    assert not any("_" in c for c in preview.columns) and "None" not in preview.to_csv()
    assert _count(db_path) == 0  # a preview writes nothing

    app.button(key="import_go").click().run()
    assert not app.exception
    assert "1 new, 0 updated" in app.success[-1].value
    assert _count(db_path) == 1
    assert app.text_area(key="import_text_1").value == ""  # the form starts over
    assert [p.label for p in app.get("page_link")][:2] == ["See them on the Incidents page", "Open INC-1"]


def test_the_calls_an_upload_makes_work_on_uploaded_bytes(kit):
    """What the page does with uploaded files: ImportFile.from_bytes -> prepare_import -> apply_import."""
    files = [ImportFile.from_bytes(p.name, p.read_bytes()) for p in sorted(IMPORTS.glob("statuspage-*.json"))
             if "single" not in p.name]
    prepared = kit.prepare_import("statuspage", files)
    assert prepared.ok and len(prepared.preview()) == 31
    assert kit.apply_import(prepared, by="ana").new == 31

    broken = kit.prepare_import("statuspage", [ImportFile.from_bytes("x.json", json.dumps({"nope": 1}).encode())])
    assert not broken.ok and "is not a Statuspage file" in broken.report.iloc[0]["problem"]


def test_the_template_download_is_the_csv_template(kit):
    header = kit.csv_template().decode().splitlines()[0]
    assert header.startswith("external_id,title,status,declared_at")


def test_the_import_page_is_registered_once_in_the_admin_section():
    """A duplicated section key in app.py would silently drop the other Admin pages."""
    import ast

    tree = ast.parse((REPO / "app.py").read_text())
    sections = [n for n in ast.walk(tree) if isinstance(n, ast.Dict) and n.keys
                and all(isinstance(k, ast.Constant) and isinstance(k.value, str) for k in n.keys)]
    assert sections
    keys = [k.value for k in sections[0].keys]
    assert len(keys) == len(set(keys)), f"duplicate sections in app.py: {keys}"
    admin = ast.unparse(sections[0].values[keys.index("Admin")])
    assert admin.count("import_data.py") == 1


def test_only_admins_can_import_once_admins_are_set(app, db_path):
    with ik.open(db_path, user="tester") as kit:
        kit.set_setting("admins", ["root"])
    app.run()
    assert not app.exception
    assert "Only admins can import. Ask one of them: root." in [i.value for i in app.info]
    assert not app.selectbox  # nothing to fill in
    sign_in(app, "root")
    app.run()
    assert app.selectbox(key="import_kind")


def test_an_import_from_the_page_is_credited_to_the_signed_in_person(app, db_path):
    app.selectbox(key="import_kind").set_value("csv").run()
    app.radio(key="import_how").set_value("Paste text").run()
    app.text_area(key="import_text").set_value(
        "external_id,title,status,declared_at,resolved_at\nA,Disk full,resolved,2024-05-01T10:00:00Z,"
        "2024-05-01T11:00:00Z\n").run()
    assert app.dataframe[-1].value["Declared by"].tolist() == ["ana"]  # the preview says so before importing

    app.button(key="import_go").click().run()

    assert not app.exception
    with ik.open(db_path, user="tester") as kit:
        (row,) = kit.incidents().itertuples()
        assert row.declared_by == "ana"  # was the server's account ("root")
        assert [e.actor for e in kit.events(row.reference) if e.kind == "imported"] == ["ana"]


def test_the_page_offers_to_leave_out_files_with_problems_in_plain_words(app):
    box = app.checkbox(key="import_skip_invalid")
    assert box.label == "Leave out files with problems and import the rest" and not box.value
    assert "--" not in box.label + box.help and "skip" not in box.label + box.help  # no command-line flag
    app.selectbox(key="import_kind").set_value("postmortems").run()
    app.radio(key="import_how").set_value("Paste text").run()
    box.check().run()
    app.text_area(key="import_text").set_value((REPO / "tests" / "fixtures" / "postmortems-undated" /
                                                "PM2022-002 -  Logs not shipped to CloudWatch.md").read_text()).run()

    assert not app.exception  # a pasted text is one file: with its only file left out there is nothing to import
    assert "nothing was imported" in app.error[0].value
    assert "has no date" in app.dataframe[-1].value["problem"].iloc[0]


def test_the_calls_an_upload_of_a_mixed_folder_makes_leave_out_the_undated_files(kit):
    """The page's upload path with the box ticked: from_bytes -> prepare_import(skip_invalid) -> apply_import."""
    folder = REPO / "tests" / "fixtures"
    files = [ImportFile.from_bytes(p.name, p.read_bytes()) for p in
             [folder / "postmortems-dfds" / "PM2021-004 - ADFS outage.md",
              *sorted((folder / "postmortems-undated").glob("*.md"))]]
    me = Person("ana", verified=True)

    prepared = kit.prepare_import("postmortems", files, by=me, skip_invalid=True)

    assert prepared.ok and len(prepared.preview()) == 1 and len(prepared.skipped) == 2
    assert prepared.notes() == ["2 files with problems will be left out (the report lists them and why); the other "
                                "files will be imported."]
    summary = kit.apply_import(prepared, by=me)
    assert (summary.new, summary.rejected) == (1, 2) and "2 files with problems were skipped" in summary.line()


def test_the_preview_names_types_as_the_catalog_does_and_counts_in_words(app):
    app.selectbox(key="import_kind").set_value("csv").run()
    app.radio(key="import_how").set_value("Paste text").run()
    app.text_area(key="import_text").set_value(
        "external_id,title,status,declared_at,resolved_at,severity,type\n"
        "X1,Refunds stuck,resolved,2024-01-31T14:05:00Z,2024-01-31T15:00:00Z,Minor,customer_support\n").run()
    assert not app.exception
    assert "1 incident and 0 updates are valid" in app.success[0].value
    preview = app.dataframe[-1].value
    assert preview["Type"].tolist() == ["Customer support"]  # the catalog's name, not 'customer_support'
    assert [b.label for b in app.button if b.key == "import_go"] == ["Import 1 incident"]
