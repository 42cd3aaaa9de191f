"""Malware scanning of uploads (quét mã độc), before anything is stored.

A provider interface: a scanner's `scan(data)` returns a `Verdict`. `ClamdScanner` asks a clamd
daemon over its INSTREAM protocol when `EGOV_CLAMD` is set (`host:port`, `tcp://host:port`, or a
Unix socket path); `NoScanner`, the default, accepts everything. `ensure_clean()` is called by the
one upload checker (egov.core.uploads.check) for every upload, so no feature can skip it.

Fail closed: when clamd cannot be reached, times out (`EGOV_CLAMD_TIMEOUT` seconds) or answers an
error, the upload is refused with `ScannerUnavailable` (503 under /api/, a page message on the web)
rather than stored unchecked. An infected file is refused with `Infected` (422).
"""

from __future__ import annotations

import logging
import socket
import struct
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings

from egov.core.errors import DomainError, ValidationError

logger = logging.getLogger(__name__)

CHUNK_BYTES = 64 * 1024
_MAX_REPLY_BYTES = 4096


class Infected(ValidationError):
    code = "file_infected"


class ScannerUnavailable(DomainError):
    code = "scanner_unavailable"
    status = 503


class ScanFailed(Exception):
    """The scanner could not give a verdict: unreachable, timed out, or answered an error."""


@dataclass(frozen=True)
class Verdict:
    clean: bool
    signature: str = ""


class Scanner(Protocol):
    def scan(self, data: bytes) -> Verdict:
        """The verdict on `data`; raises ScanFailed when there is none."""


class NoScanner:
    """No scanning: every file is clean (a laptop or a test without clamd)."""

    def scan(self, data: bytes) -> Verdict:
        return Verdict(clean=True)


def parse_address(value: str) -> tuple[int, str | tuple[str, int]]:
    """(socket family, address) for `EGOV_CLAMD`: a path is a Unix socket, anything else host:port."""
    value = value.strip()
    if value.startswith("unix://"):
        return socket.AF_UNIX, value[len("unix://"):]
    if value.startswith("/"):
        return socket.AF_UNIX, value
    host, sep, port = value.removeprefix("tcp://").rpartition(":")
    if not sep or not port.isdigit():
        raise ValueError(f"EGOV_CLAMD={value!r}: expected host:port, tcp://host:port or a socket path")
    return socket.AF_INET6 if ":" in host else socket.AF_INET, (host.strip("[]"), int(port))


class ClamdScanner:
    """clamd over INSTREAM: `zINSTREAM\\0`, then chunks each prefixed by its length (4 bytes,
    big-endian), a zero length to end; clamd answers `stream: OK`, `stream: <name> FOUND`, or
    `... ERROR` (for instance past its StreamMaxLength)."""

    def __init__(self, address: str, *, timeout: float = 30.0):
        self.family, self.address = parse_address(address)
        self.timeout = timeout

    def _connect(self) -> socket.socket:
        sock = socket.socket(self.family, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self.address)
        except OSError:
            sock.close()
            raise
        return sock

    @staticmethod
    def _reply(sock: socket.socket) -> str:
        reply = b""
        while not reply.endswith(b"\0") and len(reply) < _MAX_REPLY_BYTES:
            part = sock.recv(_MAX_REPLY_BYTES)
            if not part:
                break
            reply += part
        return reply.rstrip(b"\0").decode("utf-8", "replace").strip()

    def ping(self) -> bool:
        try:
            with self._connect() as sock:
                sock.sendall(b"zPING\0")
                return self._reply(sock) == "PONG"
        except OSError:
            return False

    def scan(self, data: bytes) -> Verdict:
        try:
            with self._connect() as sock:
                sock.sendall(b"zINSTREAM\0")
                try:
                    for start in range(0, len(data), CHUNK_BYTES):
                        chunk = data[start:start + CHUNK_BYTES]
                        sock.sendall(struct.pack("!L", len(chunk)) + chunk)
                    sock.sendall(struct.pack("!L", 0))
                except (BrokenPipeError, ConnectionResetError):
                    pass  # clamd stops reading past its size limit and says why in its reply
                reply = self._reply(sock)
        except OSError as exc:
            raise ScanFailed(f"clamd {self.address}: {exc}") from exc
        if reply.endswith("FOUND"):
            return Verdict(clean=False, signature=reply.removeprefix("stream:").removesuffix("FOUND").strip())
        if reply == "stream: OK":
            return Verdict(clean=True)
        raise ScanFailed(f"clamd {self.address}: {reply or 'no reply'}")


def scanner() -> Scanner:
    """The configured scanner (read from settings on each call, so tests can switch it)."""
    address = getattr(settings, "CLAMD", "")
    if not address:
        return NoScanner()
    return ClamdScanner(address, timeout=getattr(settings, "CLAMD_TIMEOUT", 30.0))


def state() -> str:
    """For monitoring (/readyz): "off" without a scanner, else "ok" or "unavailable" (a quick ping)."""
    try:
        configured = scanner()
    except ValueError:
        return "unavailable"
    if not isinstance(configured, ClamdScanner):
        return "off"
    configured.timeout = min(configured.timeout, 2.0)
    return "ok" if configured.ping() else "unavailable"


def ensure_clean(data: bytes, *, name: str) -> None:
    """Refuse `data` (uploaded as `name`) unless the scanner says it is clean."""
    try:
        verdict = scanner().scan(data)
    except (ScanFailed, ValueError) as exc:  # ValueError: EGOV_CLAMD is malformed
        logger.error("upload %r refused: no scan verdict (%s)", name, exc)
        raise ScannerUnavailable(
            f"Chưa kiểm tra được mã độc cho tệp “{name}” vì dịch vụ quét tạm thời không hoạt động. "
            "Tệp chưa được nhận; vui lòng thử lại sau.") from exc
    if not verdict.clean:
        logger.warning("upload %r refused: %s found", name, verdict.signature)
        raise Infected(f"Tệp “{name}” có chứa mã độc ({verdict.signature}) nên không được nhận.",
                       details={"signature": verdict.signature})
