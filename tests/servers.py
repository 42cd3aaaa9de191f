"""Real `egov serve` processes on loopback, for tests and benchmarks that need the server a user
would reach: gunicorn and its own task worker, started in a session of their own so that stopping
one stops all three (SIGTERM to the session, SIGKILL to whatever is left after a grace period)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import urllib3

ROOT = Path(__file__).resolve().parents[1]
READY_SECONDS = 90


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_get(url: str, cookie: str = "") -> tuple[int, bytes]:
    response = urllib3.request("GET", url, headers={"Cookie": cookie} if cookie else {}, redirect=False,
                               timeout=30, retries=False)
    return response.status, response.data


def stop_session(process: subprocess.Popen, grace: float = 20) -> None:
    """Stop a process started with `start_new_session=True` and everything it started: SIGTERM to
    the session, SIGKILL after `grace` seconds."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


class EgovServe:
    """`egov serve` (gunicorn with `workers` web workers, its own task worker) on a loopback port,
    with `data_dir` as its EGOV_DATA_DIR and working folder. The port is kept across `stop()` and
    `start()`, so a restarted server is found where its peers expect it."""

    def __init__(self, env: dict[str, str], data_dir: Path, *, port: int | None = None, workers: int = 1):
        data_dir.mkdir(parents=True, exist_ok=True)
        self.env = {**env, "EGOV_DATA_DIR": str(data_dir)}
        self.data_dir = data_dir
        self.workers = workers
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = data_dir / "serve.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> EgovServe:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "egov.cli", "serve", "--port", str(self.port), "--workers", str(self.workers)],
                env=self.env, cwd=self.data_dir, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def wait_ready(self, seconds: float = READY_SECONDS) -> str:
        deadline = time.monotonic() + seconds
        while True:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"egov serve did not start:\n{self.log_tail()}")
            with contextlib.suppress(OSError, urllib3.exceptions.HTTPError):  # not listening yet
                if http_get(self.base + "/readyz")[0] == 200:
                    return self.base
            time.sleep(0.2)

    def log_tail(self, chars: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:] if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            stop_session(self.process)


def postgres_url(settings_dict: dict, name: str | None = None) -> str:
    """The URL of a Django PostgreSQL connection's database, or of another database `name` on the
    same server."""
    auth = settings_dict["USER"] + (f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else "")
    host, port = settings_dict["HOST"] or "127.0.0.1", settings_dict["PORT"] or 5432
    return f"postgres://{auth}@{host}:{port}/{name or settings_dict['NAME']}"
