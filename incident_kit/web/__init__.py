"""The HTTP face of the Kit (``/api/v1``), beside the pages in ``ui/``: two faces over one Kit.

``app.create_app()`` builds the FastAPI app that ``app.py`` mounts into the Streamlit server. Route
modules are as thin as pages: read the request, call the Kit with the token's identity, answer.
"""
