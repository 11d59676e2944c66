"""Real local receivers for notification tests: an aiosmtpd SMTP server, an HTTP webhook receiver, and a
signed-webhook receiver that verifies every request with the ``standardwebhooks`` library, as a real one does."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from incident_kit.clock import utcnow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpServer:
    """A real SMTP server on 127.0.0.1 that can be stopped and started again on the same port."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.messages: list[email.message.EmailMessage] = []
        self.recipients: list[list[str]] = []
        self._controller = None

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"

    def start(self) -> "SmtpServer":
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def url(self) -> str:
        """apprise mailto:// URL without a recipient (the worker's SMTP setting)."""
        return f"mailto://127.0.0.1:{self.port}?from=incidents@example.com&mode=insecure"

    @staticmethod
    def text(message) -> str:
        return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n").rstrip("\n")


class WebhookReceiver:
    """A real HTTP server that records every JSON body POSTed to it."""

    def __init__(self):
        self.bodies: list[dict] = []
        self.paths: list[str] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.lock:
                    receiver.bodies.append(json.loads(data))
                    receiver.paths.append(self.path)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> "WebhookReceiver":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def url(self, path: str = "/hook") -> str:
        return f"json://127.0.0.1:{self.server.server_port}{path}"


class SignedReceiver:
    """A real HTTP server that verifies Standard Webhooks signatures before it accepts an event.

    ``trust(secret)`` gives it the subscription's signing secret. A request that does not verify is
    answered 401 and recorded in ``rejected``; one that does is answered with the next status of
    ``answers`` (200 once they run out) and, when that is 2xx, its event lands in ``events`` as
    ``(webhook-id, event)``. ``attempts`` keeps every request as received: (headers, raw body).
    """

    def __init__(self):
        self.secret: str | None = None
        self.answers: list[int] = []
        self.attempts: list[tuple[dict, bytes]] = []
        self.events: list[tuple[str, dict]] = []
        self.rejected: list[str] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                from standardwebhooks import Webhook
                from standardwebhooks.webhooks import WebhookVerificationError

                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = dict(self.headers.items())
                with receiver.lock:
                    receiver.attempts.append((headers, body))
                    try:
                        if receiver.secret is None:
                            raise WebhookVerificationError("no secret to verify with yet")
                        event = Webhook(receiver.secret).verify(body, headers)
                    except WebhookVerificationError as exc:
                        receiver.rejected.append(str(exc))
                        status = 401
                    else:
                        status = receiver.answers.pop(0) if receiver.answers else 200
                        if 200 <= status < 300:
                            receiver.events.append((headers["webhook-id"], event))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> "SignedReceiver":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def trust(self, secret: str) -> None:
        self.secret = secret

    def url(self, path: str = "/events") -> str:
        """The subscription channel: a signed webhook to this receiver."""
        return f"webhook+http://127.0.0.1:{self.server.server_port}{path}"

    def types(self) -> list[str]:
        return [event["type"] for _, event in self.events]


@pytest.fixture
def smtp_server():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def smtp_down():
    """An SMTP server that is not running yet (an outage); the test starts it when it comes back."""
    server = SmtpServer()
    yield server
    server.stop()


@pytest.fixture
def webhook():
    receiver = WebhookReceiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def signed_receiver():
    receiver = SignedReceiver().start()
    yield receiver
    receiver.stop()


class Clock:
    """A clock the test moves forward, so retries, expiries and maintenance windows are due without sleeping."""

    def __init__(self):
        self.now = utcnow()

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += dt.timedelta(**delta)
