"""The Streamlit app's pages (``views/``) and the glue they share (``context``).

Pages read widgets, call the Python API and render. No SQL, no rules.
"""
