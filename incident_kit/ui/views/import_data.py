"""Import: upload (or paste) Statuspage, Google Cloud, CSV or postmortem files, preview, read the validation report,
import (all or nothing, or leaving out the files with problems)."""

import pandas as pd
import streamlit as st

from incident_kit.importers.csv import COLUMNS as CSV_COLUMNS
from incident_kit.importers.models import ImportFile
from incident_kit.importers.service import rejected_message
from incident_kit.ui import display
from incident_kit.ui.context import (INCIDENT_PAGE, INCIDENTS_PAGE, attempt, browser_tz, can_administer, current_user,
                                     kit, md_text)

# Shown columns of the preview, in people's words (the file's own names stay in the CSV help).
PREVIEW = ["external_id", "title", "severity", "type", "status", "mode", "declared_by", "declared_at", "resolved_at"]
_RESULT = "_import_result"

KINDS = {"statuspage": "Atlassian Statuspage (incidents.json or one incident)",
         "gcp": "Google Cloud status (incidents.json)",
         "csv": "CSV (one row per incident)",
         "postmortems": "Postmortem documents (markdown)"}
UPLOAD_TYPES = {"csv": ["csv"], "postmortems": ["md", "markdown"]}
PASTED_NAME = {"csv": "pasted.csv", "postmortems": "pasted.md"}

st.title("Import")
st.caption("Bring your history in. Everything is checked first; a problem in any file imports nothing, unless "
           "you choose to leave out the files with problems. Importing the same records again updates them and "
           "never duplicates.")

k = kit()
me = current_user()  # app.py asks who you are before any page runs; the import is credited to you
if not can_administer(k, me):
    # Imports rewrite history in bulk: the same people who hold Settings do them.
    st.info("Only admins can import. Ask one of them: " + ", ".join(k.setting("admins")) + ".",
            icon=":material/lock:")
    st.stop()
version = st.session_state.setdefault("import_version", 0)  # a new number clears the form after an import
result = st.session_state.pop(_RESULT, None)
if result is not None:
    line, refs = result
    st.success(f"Imported: {md_text(line)}.", icon=":material/task_alt:")  # it names skipped files
    if refs:
        st.page_link(INCIDENTS_PAGE, label="See them on the Incidents page", icon=":material/list_alt:")
        for ref in refs[:5]:
            st.page_link(INCIDENT_PAGE, label=f"Open {ref}", icon=":material/open_in_new:", query_params={"ref": ref})

kind = st.selectbox("What are you importing?", list(KINDS), format_func=KINDS.get, key="import_kind")

if kind == "csv":
    st.download_button("Download the CSV template", k.csv_template(), file_name="incident-kit-template.csv",
                       mime="text/csv", icon=":material/download:")
    with st.expander("CSV columns"):
        st.table(pd.DataFrame(CSV_COLUMNS, columns=["Column in the file", "Required", "Meaning"]),
                 hide_index=True)  # a plain table: each meaning in full

how = st.radio("Source", ["Upload files", "Paste text"], horizontal=True, key="import_how")
files: list[ImportFile] = []
if how == "Upload files":
    uploads = st.file_uploader("Files (up to 10 MB each)", type=UPLOAD_TYPES.get(kind, ["json"]),
                               accept_multiple_files=True, key=f"import_upload_{kind}_{version}")
    files = [ImportFile.from_bytes(u.name, u.getvalue()) for u in uploads or []]
else:
    text = st.text_area("Paste the file's contents", height=200, key=f"import_text_{version}" if version else
                        "import_text")
    if text.strip():
        files = [ImportFile.from_bytes(PASTED_NAME.get(kind, "pasted.json"), text.encode("utf-8"))]

skip_invalid = st.checkbox(
    "Leave out files with problems and import the rest", key="import_skip_invalid",
    help="For example a folder of postmortems in which some have no date: those are listed with the reason, "
         "and every other file is imported.")

if files:
    prepared = attempt(k.prepare_import, kind, files, by=me, skip_invalid=skip_invalid)
    if prepared is not None and not prepared.ok:
        st.error(rejected_message(prepared), icon=":material/error:")
        st.subheader("Validation report")
        st.dataframe(prepared.report, hide_index=True, placeholder=display.EMPTY, width="stretch",
                     column_config={c: display.field(c) for c in prepared.report.columns})
    elif prepared is not None:
        preview = prepared.preview()
        retro = int((preview["mode"] == "retrospective").sum())
        st.success(f"{display.count(len(preview), 'incident')} and "
                   f"{display.count(len(prepared.batch.updates), 'update')} are valid"
                   + (f"; {display.count(retro, 'incident')} posted after the fact "
                      f"{display.plural(retro, 'comes', 'come')} in as retrospective." if retro else "."),
                   icon=":material/check:")
        for note in prepared.notes():
            st.info(note, icon=":material/info:")
        if prepared.skipped:
            st.subheader("Left out")
            st.dataframe(prepared.report, hide_index=True, placeholder=display.EMPTY, width="stretch",
                         key="import_left_out",
                         column_config={c: display.field(c) for c in prepared.report.columns})
        st.subheader("Preview")
        shown = preview.head(200)
        tz = browser_tz()
        types = display.type_labels(k.types())  # 'customer_support' -> the catalog's 'Customer support'
        st.dataframe(pd.DataFrame({
            display.field(c): [display.status(v) if c == "status" else display.date_time(v, tz) if c.endswith("_at")
                               else display.value(v).capitalize() if c == "mode"
                               else display.label(v, types) if c == "type" else display.value(v)
                               for v in shown[c]]
            for c in PREVIEW if c in shown}), hide_index=True, placeholder=display.EMPTY, width="stretch",
            key="import_preview")
        if st.button(f"Import {display.count(len(preview), 'incident')}", type="primary", key="import_go"):
            summary = attempt(k.apply_import, prepared, by=me)
            if summary is not None:
                st.session_state[_RESULT] = (summary.line(), list(summary.references))
                st.session_state["import_version"] = version + 1
                st.rerun()
