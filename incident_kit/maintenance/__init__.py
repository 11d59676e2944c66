"""Scheduled maintenance: planned windows of work on components, whose status follows the clock."""
