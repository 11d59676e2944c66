"""The public status page (static HTML + Atom feed) and the app's internal status board.

The public files are built from EXTERNAL updates of NON-private, non-test
incidents only, rendered through Jinja2 with autoescape, and written as
static files any web server or CDN can serve while your own systems are down.
"""
