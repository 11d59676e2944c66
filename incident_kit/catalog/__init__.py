"""Configurable lists: severities, incident types, roles, and settings."""
