"""The one retry schedule and the one POST every sender uses (exchange outbox, webhooks)."""

from __future__ import annotations

import http.server
import threading

import pytest

from egov.core import outcalls


def test_backoff_doubles_from_its_base_up_to_its_cap_with_jitter():
    for attempts in range(1, 20):
        full = min(3600, 30 * 2 ** (attempts - 1))
        wait = outcalls.backoff(attempts, base=30, cap=3600).total_seconds()
        assert full <= wait <= full * 1.25
    assert len({outcalls.backoff(5).total_seconds() for _ in range(20)}) > 1  # jittered


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        if self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/elsewhere")
            self.end_headers()
            return
        self.send_response(503 if self.path == "/busy" else 201)
        self.end_headers()
        self.wfile.write(b"x" * 5000)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_post_gives_the_status_and_the_start_of_the_answer_and_never_follows_a_redirect(server):
    assert outcalls.post(server + "/ok", b"{}", {}, timeout=5, keep=100) == outcalls.Reply(201, b"x" * 100)
    busy = outcalls.post(server + "/busy", b"{}", {}, timeout=5)
    assert busy.status == 503 and len(busy.head) == 2048
    assert outcalls.post(server + "/moved", b"{}", {}, timeout=5).status == 302


def test_post_to_nobody_says_what_went_wrong_instead_of_raising(server):
    port = int(server.rsplit(":", 1)[1])
    reply = outcalls.post(f"http://127.0.0.1:{port + 1 if port < 65535 else 1}/", b"", {}, timeout=2)
    assert reply.status is None and reply.error
    assert outcalls.post("not a url", b"", {}, timeout=2).error
