"""A small clamd for tests: the INSTREAM protocol on a real socket (TCP on loopback or a Unix
socket), flagging the EICAR test string anywhere in a stream. ClamAV's signature database cannot
be downloaded here, so this stands in for the daemon; the client under test is the real one.

    with ClamdServer() as server:            # server.address: "127.0.0.1:<port>"
        ...                                  # server.streams: the bytes of each stream scanned
"""

from __future__ import annotations

import os
import socketserver
import struct
import threading

# Built from parts so that this file is not itself flagged by a virus scanner.
EICAR = (b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!" + b"$H+H*")
SIGNATURE = "Eicar-Test-Signature"


def _read_exactly(stream, size: int) -> bytes:
    data = b""
    while len(data) < size:
        part = stream.read(size - len(data))
        if not part:
            raise ConnectionError("stream ended early")
        data += part
    return data


class _Handler(socketserver.StreamRequestHandler):
    def handle(self):
        server = self.server.owner
        command = b""
        while not command.endswith((b"\0", b"\n")):
            part = self.rfile.read(1)
            if not part:
                return
            command += part
        end = command[-1:]
        name = command.strip(b"zn\0\n")
        if name == b"PING":
            self.wfile.write(b"PONG" + end)
            return
        if name != b"INSTREAM":
            self.wfile.write(b"UNKNOWN COMMAND" + end)
            return
        received = b""
        while True:
            (size,) = struct.unpack("!L", _read_exactly(self.rfile, 4))
            if size == 0:
                break
            received += _read_exactly(self.rfile, size)
            if len(received) > server.max_stream_bytes:
                self.wfile.write(b"INSTREAM size limit exceeded. ERROR" + end)
                return
        server.streams.append(received)
        if EICAR in received:
            self.wfile.write(f"stream: {SIGNATURE} FOUND".encode() + end)
        else:
            self.wfile.write(b"stream: OK" + end)


class _TCP(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class _Unix(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True


class ClamdServer:
    """clamd's INSTREAM and PING on loopback TCP (or at `unix_path`), in a background thread."""

    def __init__(self, *, unix_path: str | None = None, max_stream_bytes: int = 25 * 1024 * 1024):
        self.streams: list[bytes] = []
        self.max_stream_bytes = max_stream_bytes
        if unix_path:
            self._server = _Unix(unix_path, _Handler)
            self.address = unix_path
        else:
            self._server = _TCP(("127.0.0.1", 0), _Handler)
            self.address = f"127.0.0.1:{self._server.server_address[1]}"
        self._server.owner = self
        self._unix_path = unix_path
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> ClamdServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
        if self._unix_path and os.path.exists(self._unix_path):
            os.unlink(self._unix_path)
