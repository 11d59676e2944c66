"""The worker that drains the outbox: ``incident-kit notify run`` and a background thread in the app.

Each pass queues overdue reminders, then repeatedly claims a batch of due
deliveries (one transaction), sends them concurrently (through apprise, or as a
signed webhook event: ``webhooks.send``), and records every outcome (one transaction). A claimed row belongs to one worker
until it is marked sent or rescheduled, so the outbox never hands the same
delivery out twice; a claim whose worker died expires after ``lease``.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from ..clock import utcnow
from ..maintenance import service as maintenance
from ..subscribers import service as subscribers
from . import channels, service, webhooks
from .models import MAX_ATTEMPTS, Claimed, DeliveryKind, DrainResult

log = logging.getLogger(__name__)

BATCH = 100            # rows claimed per transaction: few transactions, short claims
THREADS = 8            # concurrent sends: a slow channel does not hold up the rest
LEASE = dt.timedelta(minutes=5)  # longer than any single send (apprise's own timeouts are ~4 s)
INTERVAL_SECONDS = 5.0  # how often the loop looks for due deliveries and overdue incidents
# "off" keeps start_background from starting a thread (e.g. in test runs that drive the app
# through AppTest, where a worker writing reminders into each test's database is noise).
WORKER_ENV_VAR = "INCIDENT_KIT_NOTIFY_WORKER"


class Worker:
    def __init__(self, db, *, smtp_url: str | None = None, batch: int = BATCH, threads: int = THREADS,
                 lease: dt.timedelta = LEASE, max_attempts: int = MAX_ATTEMPTS,
                 clock: Callable[[], dt.datetime] = utcnow, reminders: bool = True, name: str | None = None):
        self.db = getattr(db, "db", db)  # a Kit or its Database
        self.smtp_url = smtp_url
        self.batch = batch
        self.threads = threads
        self.lease = lease
        self.max_attempts = max_attempts
        self.clock = clock
        self.reminders = reminders
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="incident-kit-send")

    def _send(self, item: Claimed) -> channels.DeliveryError | None:
        try:
            if item.kind == DeliveryKind.WEBHOOK:
                webhooks.send(item)
            else:
                channels.send(item.channel, item.title, item.body, smtp_url=self.smtp_url, headers=item.headers)
            return None
        except channels.DeliveryError as exc:
            return exc

    def _send_all(self, due: list[Claimed]) -> list[channels.DeliveryError | None]:
        """Send concurrently, except that one webhook's events go one after another, oldest first: a
        receiver hears of a change in the order it happened (unless a retry comes between)."""
        lanes: dict[tuple, list[Claimed]] = {}
        for item in due:
            lane = ("webhook", item.subscription_id) if item.kind == DeliveryKind.WEBHOOK else ("one", item.id)
            lanes.setdefault(lane, []).append(item)
        found: dict[int, channels.DeliveryError | None] = {}
        for items, outcomes in zip(lanes.values(), self._pool.map(lambda items: [self._send(i) for i in items],
                                                                  lanes.values()), strict=True):
            found.update(zip((item.id for item in items), outcomes, strict=True))
        return [found[item.id] for item in due]

    def drain_batch(self) -> DrainResult:
        """Claim up to ``batch`` due deliveries, send them, record the outcomes."""
        claimed = service.claim(self.db, worker=self.name, now=self.clock(), lease=self.lease, limit=self.batch)
        if not claimed:
            return DrainResult()
        withheld = [item for item in claimed if item.withheld is not None]  # already settled by the claim
        due = [item for item in claimed if item.withheld is None]
        outcomes = self._send_all(due)
        sent = [item.id for item, err in zip(due, outcomes, strict=True) if err is None]
        errors = [(item, str(err) or "delivery failed") for item, err in zip(due, outcomes, strict=True)
                  if err is not None]
        gone = tuple(item for item, err in zip(due, outcomes, strict=True) if isinstance(err, channels.Gone))
        retrying, failed = service.settle(self.db, worker=self.name, now=self.clock(), sent=sent, errors=errors,
                                          max_attempts=self.max_attempts, gone=gone)
        for item, err in [*errors, *((item, item.withheld) for item in withheld)]:
            log.warning("delivery %s to %s failed (attempt %s): %s", item.id, channels.redact(item.channel),
                        item.attempts, err)
        return DrainResult(sent=len(sent), retrying=retrying, failed=failed + len(withheld))

    def run_once(self) -> DrainResult:
        """Queue reminders, advance maintenance windows, expire old requests, then deliver what is due now."""
        total = DrainResult()
        if self.reminders:
            total.reminders = service.queue_reminders(self.db, now=self.clock())
        # The clock's part, one cheap read each (they write only when something is due): a maintenance
        # window that started or ended queues its notices, an unconfirmed subscription request expires.
        maintenance.advance(self.db, now=self.clock())
        subscribers.expire(self.db, now=self.clock())
        while True:
            result = self.drain_batch()
            total.add(result)
            # A full batch means more may be due; retries are rescheduled into the future, so this ends.
            if result.sent + result.retrying + result.failed < self.batch:
                return total

    def run_forever(self, stop: threading.Event, *, interval: float = INTERVAL_SECONDS) -> None:
        while not stop.is_set():
            try:
                self.run_once()
            except Exception:  # keep the loop alive; the row's state says what happened
                log.exception("notification worker pass failed")
            stop.wait(interval)

    def close(self) -> None:
        self._pool.shutdown(wait=True)


_BACKGROUND: dict[str, tuple[threading.Thread, threading.Event, Worker]] = {}
_BACKGROUND_LOCK = threading.Lock()


def start_background(kit, *, interval: float = INTERVAL_SECONDS, **options) -> threading.Thread | None:
    """Start (once per process and database) a daemon thread that runs the worker loop.

    Returns the thread, or None when ``INCIDENT_KIT_NOTIFY_WORKER=off``.
    """
    if os.environ.get(WORKER_ENV_VAR, "on").strip().lower() in ("off", "0", "false", "no"):
        return None
    key = str(kit.path)
    with _BACKGROUND_LOCK:
        entry = _BACKGROUND.get(key)
        if entry is not None and entry[0].is_alive():
            return entry[0]
        stop = threading.Event()
        worker = Worker(kit, **options)
        thread = threading.Thread(target=worker.run_forever, args=(stop,), kwargs={"interval": interval},
                                  name=f"incident-kit-notify:{key}", daemon=True)
        _BACKGROUND[key] = (thread, stop, worker)
        thread.start()
        return thread


def stop_background(kit, *, timeout: float = 10.0) -> None:
    """Stop the background worker for ``kit``'s database (tests, clean shutdown)."""
    with _BACKGROUND_LOCK:
        entry = _BACKGROUND.pop(str(kit.path), None)
    if entry is not None:
        thread, stop, worker = entry
        stop.set()
        thread.join(timeout)
        worker.close()
