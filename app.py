"""The Streamlit entry point: only a router over the pages in incident_kit/ui/views/."""

import streamlit as st

VIEWS = "incident_kit/ui/views/"

pages = {
    "Respond": [
        st.Page(VIEWS + "home.py", title="Home", icon=":material/home:", default=True),
    ],
    "Admin": [
        st.Page(VIEWS + "import_data.py", title="Import", icon=":material/upload_file:"),
    ],
}

st.navigation(pages).run()
