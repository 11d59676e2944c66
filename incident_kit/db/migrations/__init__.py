"""Numbered schema migrations (see ``incident_kit.db.migrate``)."""
