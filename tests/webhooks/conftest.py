"""A real webhook receiver: an HTTP server thread on loopback that checks each call's signature
the way a client system would (its own HMAC code, not egov's), and answers from a script."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from egov.webhooks import events


class Receiver:
    def __init__(self):
        self.secret = ""
        self.calls: list[dict] = []
        self.answers: list[tuple[int, str]] = []  # (status, body) for the next calls; then 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.calls.append({"headers": dict(self.headers), "body": body,
                                       "verified": receiver.verify(self.headers.get("X-Egov-Signature", ""), body),
                                       "json": json.loads(body)})
                status, text = receiver.answers.pop(0) if receiver.answers else (200, '{"ok": true}')
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/egov"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def verify(self, header: str, body: bytes) -> bool:
        """A client's check: parse t and v1, refuse old timestamps, compare in constant time."""
        fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
        if not fields.get("t", "").isdigit() or abs(time.time() - int(fields["t"])) > 300:
            return False
        expected = hmac.new(self.secret.encode(), fields["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, fields.get("v1", ""))


@pytest.fixture
def receiver():
    found = Receiver()
    found.thread.start()
    yield found
    found.server.shutdown()
    found.server.server_close()


@pytest.fixture(autouse=True)
def _fresh_event_cache():
    events.forget()
    yield
    events.forget()
