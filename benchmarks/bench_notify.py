"""Notifications: posting an update with many subscribers, and how fast the outbox drains.

    python benchmarks/bench_notify.py [--subscribers 1000] [--posts 30] [--deliveries 2000]
                                      [--public-subscribers 1000]

1. ``post_update`` on an incident with N subscribers (median of --posts runs), next to
   the same call with no subscribers in the same run. Delivery is deferred: the post
   only writes one outbox row per subscriber in its own transaction.
2. An external ``post_update`` on an incident affecting a component that N confirmed status page
   subscribers chose, next to the same external update on an incident affecting a component nobody
   chose, in the same run: what the customers' emails add to the post (one outbox row each).
3. Outbox drain rate to a local webhook receiver (ThreadingHTTPServer on 127.0.0.1 in its own
   process, apprise json:// URLs), for the default worker (8 sending threads) and a
   single-threaded one. Every delivery is counted at the receiver, and a second pass must send nothing.

Only loopback traffic; every loop is bounded.
"""

from __future__ import annotations

import multiprocessing
import re
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import incident_kit as ik  # noqa: E402
from incident_kit.notify.worker import Worker  # noqa: E402

from common import arguments, describe  # noqa: E402


def _serve(port_out, counter, stop) -> None:
    """The webhook receiver, in its own process so it does not compete with the worker for the GIL."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with counter.get_lock():
                counter.value += 1
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.request_queue_size = 128
    port_out.value = server.server_port
    threading.Thread(target=server.serve_forever, daemon=True).start()
    stop.wait(600)  # bounded: the benchmark stops it long before this
    server.shutdown()


class Receiver:
    def __init__(self):
        ctx = multiprocessing.get_context("spawn")
        self._port = ctx.Value("i", 0)
        self._count = ctx.Value("i", 0)
        self._stop = ctx.Event()
        self._proc = ctx.Process(target=_serve, args=(self._port, self._count, self._stop), daemon=True)
        self._proc.start()
        for _ in range(600):  # bounded wait for the port
            if self._port.value:
                break
            time.sleep(0.05)

    @property
    def port(self) -> int:
        return self._port.value

    @property
    def count(self) -> int:
        return self._count.value

    def close(self):
        self._stop.set()
        self._proc.join(10)


def timed_posts(kit, ref: str, n: int) -> list[float]:
    out = []
    for i in range(n):
        t0 = time.perf_counter()
        kit.post_update(ref, f"Update {i}: still rolling back.", by="bench", impact="EU payments", doing="Rollback")
        out.append((time.perf_counter() - t0) * 1000)
    return out


def external_posts(kit, ref: str, n: int) -> list[float]:
    out = []
    for i in range(n):
        t0 = time.perf_counter()
        kit.post_update(ref, f"Update {i}: payments are failing for some customers.", by="bench",
                        audience="external")
        out.append((time.perf_counter() - t0) * 1000)
    return out


def public_subscribers(tmp: Path, subscribers: int, posts: int) -> None:
    """Section 2: N customers subscribed (and confirmed, through the link their email carries) to Checkout."""
    kit = ik.open(tmp / "public.duckdb", user="bench")
    kit.set_setting("public_url", "https://status.example.com")
    kit.add_component("Checkout")
    kit.add_component("Search")
    for i in range(subscribers):
        kit.request_status_updates(f"customer{i}@example.com", components=["checkout"])
    confirms = kit.outbox(kind="confirmation", limit=subscribers + 10)
    for delivery in confirms["id"]:
        secret = re.search(r"/status-page/confirm/([\w-]+)", kit.delivery_body(int(delivery))).group(1)
        kit.confirm_status_updates(secret)
    assert kit.status_subscriber_counts()["confirmed"] == subscribers
    quiet = kit.declare("Search slow", severity="Major", components={"Search": "degraded_performance"})
    busy = kit.declare("Payments failing", severity="Major", components={"Checkout": "partial_outage"})
    external_posts(kit, quiet.reference, 3)  # warm up
    external_posts(kit, busy.reference, 1)
    before = kit.outbox_counts()["pending"]
    base = external_posts(kit, quiet.reference, posts)
    busy_ms = external_posts(kit, busy.reference, posts)
    queued = kit.outbox_counts()["pending"] - before
    assert queued == subscribers * posts, (queued, subscribers * posts)  # every post reached every subscriber
    print(f"external update, 0 public subscribers:     median {statistics.median(base):6.1f} ms")
    print(f"external update, {subscribers} public subscribers:  median {statistics.median(busy_ms):6.1f} ms; ratio "
          f"{statistics.median(busy_ms) / statistics.median(base):.2f}x; {queued} emails queued")
    kit.close()


def drain(kit, *, threads: int) -> tuple[int, float]:
    worker = Worker(kit, threads=threads, reminders=False)
    try:
        t0 = time.perf_counter()
        result = worker.run_once()
        return result.sent, time.perf_counter() - t0
    finally:
        worker.close()


def main() -> None:
    args = arguments(__doc__, subscribers=1000, posts=30, deliveries=2000, public_subscribers=1000)
    print(describe("apprise"))
    receiver = Receiver()
    with tempfile.TemporaryDirectory() as tmp:
        kit = ik.open(Path(tmp) / "bench.duckdb", user="bench")
        quiet = kit.declare("Nobody follows this", severity="Major")
        busy = kit.declare("Everybody follows this", severity="Major")
        for i in range(args.subscribers):
            kit.subscribe(f"json://127.0.0.1:{receiver.port}/s{i}", person=f"person{i}", incident=busy.reference)

        timed_posts(kit, quiet.reference, 3)  # warm up
        timed_posts(kit, busy.reference, 1)
        base = timed_posts(kit, quiet.reference, args.posts)
        busy_ms = timed_posts(kit, busy.reference, args.posts)
        queued = kit.outbox_counts()["pending"]
        print(f"post_update, 0 subscribers:     median {statistics.median(base):6.1f} ms "
              f"(p90 {sorted(base)[int(0.9 * len(base))]:.1f})")
        print(f"post_update, {args.subscribers} subscribers:  median {statistics.median(busy_ms):6.1f} ms "
              f"(p90 {sorted(busy_ms)[int(0.9 * len(busy_ms))]:.1f}); ratio "
              f"{statistics.median(busy_ms) / statistics.median(base):.2f}x; {queued} deliveries queued")
        kit.close()
        public_subscribers(Path(tmp), args.public_subscribers, args.posts)

        # Drain: a fresh store with exactly --deliveries pending rows, for each worker shape.
        for threads in (8, 1):
            path = Path(tmp) / f"drain{threads}.duckdb"
            kit = ik.open(path, user="bench")
            inc = kit.declare("Drain me", severity="Major")
            per_post = min(args.subscribers, args.deliveries)
            for i in range(per_post):
                kit.subscribe(f"json://127.0.0.1:{receiver.port}/d{threads}-{i}", person=f"p{i}",
                              incident=inc.reference)
            for i in range(max(1, args.deliveries // per_post)):
                kit.post_update(inc.reference, f"Drain update {i}", by="bench")
            pending = kit.outbox_counts()["pending"]
            before = receiver.count
            sent, seconds = drain(kit, threads=threads)
            arrived = receiver.count - before
            again, _ = drain(kit, threads=threads)  # nothing may be sent twice
            print(f"drain, {threads} thread(s): {sent}/{pending} sent in {seconds:.2f} s = {sent / seconds:6.0f} "
                  f"deliveries/s; {arrived} arrived at the receiver; {again} sent again on a second pass")
            kit.close()
    receiver.close()


if __name__ == "__main__":
    main()
