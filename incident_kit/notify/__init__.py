"""Keeping everyone updated: subscriptions, the outbox, channels, the worker and reminders.

Posting an update never talks to a channel. An in-transaction hook
(``service._on_update_posted``) writes one outbox row per subscriber in the
same transaction as the update; the worker (``worker.py``) delivers them
later through apprise, with retries and backoff.
"""
