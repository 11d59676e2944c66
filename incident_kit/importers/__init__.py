"""Bring your history: Statuspage, Google Cloud and CSV importers (validated, all-or-nothing, idempotent)."""
