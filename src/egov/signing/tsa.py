"""A local RFC 3161 timestamp authority (máy chủ cấp dấu thời gian) for tests and the demo.

It answers `application/timestamp-query` POSTs with tokens signed by the test PKI's TSA
certificate, and serves the test PKI's CRLs at `/crl/<ca>.crl`, on 127.0.0.1 only. Signing with
`timestamp_url=server.url` and verifying with `allow_fetching=True` then exercises the same
network paths as a real TSA and a real CA, over loopback.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from asn1crypto import keys, tsp, x509
from cryptography.hazmat.primitives import serialization
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from .testca import TestPKI, build_test_pki

__all__ = ["TimestampServer"]

_MAX_REQUEST = 64 * 1024


class TimestampServer:
    """RFC 3161 TSA + CRL server in a background thread.

    Without a `pki`, builds the test PKI with `base_url` set to this server's own address, so that
    the certificates' CRL distribution points lead back here. The port is chosen by the OS.
    """

    def __init__(self, pki: TestPKI | None = None, *, host: str = "127.0.0.1", port: int = 0):
        self._httpd = ThreadingHTTPServer((host, port), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.owner = self  # type: ignore[attr-defined]
        self.url = f"http://{host}:{self._httpd.server_address[1]}"
        self.pki = pki or build_test_pki(base_url=self.url)
        self._stamper = _stamper_for(self.pki)
        self._thread: threading.Thread | None = None
        self.requests = 0

    @property
    def timestamp_url(self) -> str:
        """Where to POST timestamp queries; the root path answers too."""
        return f"{self.url}/tsa"

    def start(self) -> TimestampServer:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, name="egov-test-tsa", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> TimestampServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _timestamp(self, query: bytes) -> bytes:
        req = tsp.TimeStampReq.load(query)
        req.native  # noqa: B018 -- parse eagerly: a malformed query must fail here, not inside the stamper
        return self._stamper.request_tsa_response(req).dump()


def _stamper_for(pki: TestPKI) -> DummyTimeStamper:
    tsa = pki.tsa
    key_der = tsa.key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return DummyTimeStamper(
        tsa_cert=x509.Certificate.load(tsa.cert_der),
        tsa_key=keys.PrivateKeyInfo.load(key_der),
        certs_to_embed=[x509.Certificate.load(pki.intermediate.cert_der)],
    )


class _Handler(BaseHTTPRequestHandler):
    server_version = "egov-test-tsa/1"

    def log_message(self, format, *args):
        pass

    @property
    def owner(self) -> TimestampServer:
        return self.server.owner  # type: ignore[attr-defined]

    def do_POST(self):
        if self.headers.get("Content-Type", "").split(";")[0].strip() != (
            "application/timestamp-query"
        ):
            return self._reply(415, b"expected application/timestamp-query", "text/plain")
        length = int(self.headers.get("Content-Length") or 0)
        if not 0 < length <= _MAX_REQUEST:
            return self._reply(400, b"bad length", "text/plain")
        try:
            body = self.owner._timestamp(self.rfile.read(length))
        except Exception:  # noqa: BLE001 - any unparsable query is the client's fault
            return self._reply(400, b"malformed timestamp query", "text/plain")
        self.owner.requests += 1
        self._reply(200, body, "application/timestamp-reply")

    def do_GET(self):
        path = self.path.split("?")[0]
        if path.startswith("/crl/") and path.endswith(".crl"):
            try:
                crl = self.owner.pki.crl(path[len("/crl/") : -len(".crl")])
            except KeyError:
                return self._reply(404, b"no such CRL", "text/plain")
            return self._reply(200, crl, "application/pkix-crl")
        self._reply(404, b"not found", "text/plain")

    def _reply(self, status: int, body: bytes, content_type: str):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
