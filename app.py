"""The Streamlit entry point: only a router over the pages in incident_kit/ui/views/."""

import streamlit as st

VIEWS = "incident_kit/ui/views/"

pages = {
    "Respond": [
        st.Page(VIEWS + "home.py", title="Home", icon=":material/home:", default=True),
    ],
    "Communicate": [
        st.Page(VIEWS + "needs_update.py", title="Needs an update", icon=":material/schedule:"),
        st.Page(VIEWS + "status.py", title="Status", icon=":material/monitor_heart:"),
        st.Page(VIEWS + "subscriptions.py", title="Subscriptions", icon=":material/notifications:"),
    ],
}

st.navigation(pages).run()
