"""The entry point, only a router: pages for people, and the HTTP API for other tools, on one port.

`streamlit run app.py` reads this file, finds ``app`` (an ``st.App``) and serves it: Streamlit's own
server with the HTTP API (``incident_kit/web``, FastAPI) mounted at /api/v1 beside the pages. It
imports this file as a module for that (``__name__ == "app"``). For each browser session Streamlit
then runs this same file as the page script (``__name__ == "__main__"``): st.navigation over the pages.

Each section is a list of st.Page lines; add a page by adding a line to its section.
Empty sections are left out of the navigation.
"""

from pathlib import Path

import streamlit as st

if __name__ != "__main__":  # `streamlit run` serving HTTP: the pages (this file) and the API at /api/v1
    from incident_kit.web import app as api

    app = st.App(__file__, routes=api.routes(), middleware=api.middleware())
else:  # a browser session's run: route to a page
    from incident_kit.ui import context

    VIEWS = "incident_kit/ui/views/"
    # A file served by the app itself: a ":material/...:" page icon makes the browser fetch the
    # favicon from fonts.gstatic.com on every page, and the app makes no request off the machine.
    ICON = Path(__file__).parent / "incident_kit/ui/assets/icon.png"

    st.set_page_config(page_title="incident-kit", page_icon=str(ICON), layout="wide")

    pages = {
        "Respond": [
            st.Page(VIEWS + "home.py", title="Home", icon=":material/home:", default=True),
            st.Page(VIEWS + "declare.py", title="Declare", icon=":material/campaign:"),
            st.Page(VIEWS + "incidents.py", title="Incidents", icon=":material/list_alt:"),
            st.Page(VIEWS + "incident.py", title="Incident", icon=":material/emergency:"),
        ],
        "Communicate": [
            st.Page(VIEWS + "needs_update.py", title="Needs an update", icon=":material/schedule:"),
            st.Page(VIEWS + "status.py", title="Status", icon=":material/monitor_heart:"),
            st.Page(VIEWS + "subscriptions.py", title="Subscriptions", icon=":material/notifications:"),
        ],
        "Learn": [
            st.Page(VIEWS + "reviews.py", title="Reviews", icon=":material/rate_review:"),
            st.Page(VIEWS + "follow_ups.py", title="Follow-ups", icon=":material/checklist:"),
            st.Page(VIEWS + "insights.py", title="Insights", icon=":material/insights:"),
        ],
        "Admin": [
            st.Page(VIEWS + "import_data.py", title="Import", icon=":material/upload_file:"),
            st.Page(VIEWS + "settings.py", title="Settings", icon=":material/settings:"),
        ],
    }

    page = st.navigation({section: items for section, items in pages.items() if items})
    context.require_user()
    page.run()
