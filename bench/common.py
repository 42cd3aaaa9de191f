"""Shared machinery for benchmarks: a throwaway site, a production server, a load generator in a
separate process, and docs/benchmarks.md sections.

A benchmark module is `bench/<name>.py` with `run(report)`:

    from bench.common import Report, demo_site, serve, load, median_runs, table

    TITLE = "HTTP: something"

    def run(report: Report) -> None:
        with demo_site() as site, serve(site) as base:
            result = median_runs(lambda: load(base + "/path", connections=16, duration=10))
        report.section(TITLE, "What was measured ...\\n\\n" + table(["metric", "value"], rows))

`python -m bench` runs every module; `python -m bench NAME` runs one (see bench/__main__.py).

- `demo_site(database_url=None)`: a temp EGOV_DATA_DIR with a fresh SQLite database (or, given a
  PostgreSQL URL of a server, a throwaway database created there and dropped afterwards),
  migrated and loaded with the demo data (`egov demo`) in a subprocess; yields a `Site` with the
  environment (`site.env`) for further subprocesses and `site.django()` to use Django in-process.
- `serve(site, workers=2)`: gunicorn with N sync workers on a free loopback port, production
  settings (EGOV_ENV=production, DEBUG off, demo off); waits for /readyz; yields the base URL
  (a `Server`: a str with `.pid` and `.cpu_seconds()`).
- `load(url, connections=16, duration=10)`: wrk (installed with apt-get when missing and we are
  root) or, failing that, a Python multi-process generator; returns a `LoadResult` (requests/s,
  p50/p99 in ms, errors).
- `measure(server, path, ...)`: load() plus the server's CPU milliseconds per request (from
  /proc; robust to other load on the machine, unlike requests/s).
- `median_runs(fn, runs=3)`: the median of each numeric field over N runs.
- `Report.section(title, body)`: replaces the `## title` section of docs/benchmarks.md in place
  (appends it when new), with a machine/date line; other sections are left untouched.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "docs" / "benchmarks.md"


def log(*parts) -> None:
    print("  ", *parts, flush=True)


# --------------------------------------------------------------------------------------------
# machine description
def machine() -> dict[str, str]:
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    return {
        "platform": platform.platform(),
        "cpu": cpu or platform.processor() or "unknown CPU",
        "cores": str(os.cpu_count()),
        "ram": ram or "unknown",
        "python": platform.python_version(),
    }


def machine_line() -> str:
    m = machine()
    try:
        busy = f" Load average (1 min) when written: {os.getloadavg()[0]:.1f}."
    except OSError:
        busy = ""
    return (f"Machine: {m['platform']}; {m['cpu']}, {m['cores']} cores, {m['ram']} RAM; "
            f"Python {m['python']}. Date: {dt.datetime.now(dt.UTC).date().isoformat()} (UTC).{busy}")


# --------------------------------------------------------------------------------------------
# docs/benchmarks.md
def table(headers: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def replace_section(document: str, title: str, text: str) -> str:
    heading = f"## {title}"
    pattern = re.compile(rf"^{re.escape(heading)}[ \t]*\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    text = text.rstrip("\n") + "\n"
    if pattern.search(document):
        updated = pattern.sub(lambda _: text + "\n", document, count=1)
    else:
        updated = document.rstrip("\n") + "\n\n" + text
    return updated.rstrip("\n") + "\n"


class Report:
    """Where a benchmark writes its results: one `## <title>` section per module."""

    def __init__(self, path: Path = REPORT, *, write: bool = True):
        self.path = path
        self.write = write
        self.written: list[str] = []

    def section(self, title: str, body: str, *, machine_info: bool = True) -> None:
        text = f"## {title}\n\n{body.strip()}\n"
        if machine_info:
            text += f"\n{machine_line()}\n"
        print(text, flush=True)
        if not self.write:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        current = self.path.read_text(encoding="utf-8") if self.path.exists() else "# Benchmarks\n"
        self.path.write_text(replace_section(current, title, text), encoding="utf-8")
        self.written.append(title)


# --------------------------------------------------------------------------------------------
# a throwaway site
@dataclasses.dataclass
class Site:
    data_dir: Path
    env: dict[str, str]
    database_url: str = ""

    def django(self):
        """Configure Django in this process for the site (once per process) and return it."""
        os.environ.update(self.env)
        import django

        django.setup()
        return django


def _python() -> str:
    return sys.executable


def base_env(data_dir: Path, database_url: str = "") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EGOV_")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "egov.settings",
        "EGOV_DATA_DIR": str(data_dir),
        "EGOV_DEMO": "1",
        "EGOV_LOG_LEVEL": "WARNING",
        "EGOV_RATE_TRACKING": "0",  # load runs track thousands of codes a second from one address
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), str(ROOT), os.environ.get("PYTHONPATH")])),
    })
    if database_url:
        env["EGOV_DATABASE_URL"] = database_url
    return env


def _pg_admin(database_url: str, statement: str) -> None:
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    params = conninfo_to_dict(database_url)
    params["dbname"] = "postgres"
    with psycopg.connect(make_conninfo(**params), autocommit=True) as conn:
        conn.execute(statement)


@contextlib.contextmanager
def demo_site(*, database_url: str | None = None, demo: bool = True, keep: bool = False):
    """A fresh site in a temporary folder. `database_url`: a PostgreSQL server URL whose database
    name is replaced by a throwaway `egov_bench_<random>` one (dropped afterwards)."""
    tmp = Path(tempfile.mkdtemp(prefix="egov-bench-"))
    url = ""
    if database_url:
        import urllib.parse

        name = f"egov_bench_{secrets.token_hex(4)}"
        url = urllib.parse.urlsplit(database_url)._replace(path=f"/{name}").geturl()
        _pg_admin(url, f'CREATE DATABASE "{name}"')
    site = Site(data_dir=tmp, env=base_env(tmp, url), database_url=url)
    try:
        started = time.perf_counter()
        command = "demo" if demo else "migrate"
        # Demo accounts are hashed at minimal argon2 cost (tests/hashers.py) so the set-up takes
        # seconds, not a minute; the server's own settings still verify them with full argon2.
        (tmp / "egov_bench_setup_settings.py").write_text(
            "from egov.settings import *  # noqa: F403\n"
            "PASSWORD_HASHERS = ['tests.hashers.FastArgon2PasswordHasher', *PASSWORD_HASHERS]  # noqa: F405\n")
        setup_env = {**site.env, "DJANGO_SETTINGS_MODULE": "egov_bench_setup_settings",
                     "PYTHONPATH": os.pathsep.join([str(tmp), site.env["PYTHONPATH"]])}
        subprocess.run([_python(), "-m", "egov.cli", command], env=setup_env, check=True, cwd=tmp,
                       stdout=subprocess.DEVNULL)
        log(f"site ready in {time.perf_counter() - started:.1f} s ({command}, "
            f"{'PostgreSQL' if url else 'SQLite'}, {tmp})")
        yield site
    finally:
        if url:
            with contextlib.suppress(Exception):
                _pg_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# a production server
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(site: Site, port: int) -> dict[str, str]:
    env = dict(site.env)
    env.update({
        "EGOV_ENV": "production",
        "EGOV_SECRET_KEY": secrets.token_urlsafe(48),
        "EGOV_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "EGOV_SECURE_COOKIES": "1",
        "EGOV_SSL_REDIRECT": "0",  # plain HTTP on loopback (a proxy terminates TLS in production)
        "EGOV_DEMO": "0",
        "EGOV_DEBUG": "0",
        "EGOV_PORT": str(port),
    })
    return env


def wait_ready(url: str, timeout: float = 60.0, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with status {process.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
                last = f"status {response.status}"
        except urllib.error.HTTPError as exc:
            last = f"{exc.code}: {exc.read()[:300].decode(errors='replace')}"
        except (urllib.error.URLError, OSError) as exc:
            last = str(exc)
        time.sleep(0.2)
    raise RuntimeError(f"{url} not ready after {timeout:.0f} s ({last})")


class Server(str):
    """The base URL of a running server (a str), with `.pid` and `.cpu_seconds()`."""

    pid: int

    def __new__(cls, url: str, pid: int):
        obj = super().__new__(cls, url)
        obj.pid = pid
        return obj

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the server's processes (master + workers),
        from /proc: a measure of cost per request that other load on the machine barely moves."""
        tick = os.sysconf("SC_CLK_TCK")
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[2]) == self.pid:  # process group: the server's session
                    total += int(fields[11]) + int(fields[12])
        return total / tick


@contextlib.contextmanager
def serve(site: Site, *, workers: int = 2, production: bool = True, extra_args: list[str] | None = None,
          env: dict[str, str] | None = None):
    """gunicorn (sync workers) on a free loopback port; yields the base URL. `env` adds or
    overrides environment variables of the server (e.g. to compare a setting)."""
    port = free_port()
    server_env = production_env(site, port) if production else {**site.env, "EGOV_PORT": str(port)}
    server_env.update(env or {})
    errors = site.data_dir / f"gunicorn-{port}.log"
    cmd = [_python(), "-m", "gunicorn", "egov.wsgi:application", "--bind", f"127.0.0.1:{port}",
           "--workers", str(workers), "--error-logfile", str(errors),
           "--graceful-timeout", "5", "--timeout", "60", *(extra_args or [])]
    process = subprocess.Popen(cmd, env=server_env, cwd=site.data_dir, start_new_session=True)
    base = Server(f"http://127.0.0.1:{port}", process.pid)
    try:
        wait_ready(base + "/readyz", process=process)
        log(f"gunicorn, {workers} workers, at {base}")
        yield base
    except RuntimeError:
        with contextlib.suppress(OSError):
            sys.stderr.write(errors.read_text()[-4000:])
        raise
    finally:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def fetch(url: str, timeout: float = 10.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


# --------------------------------------------------------------------------------------------
# load generation (always in another process than the server)
@dataclasses.dataclass
class LoadResult:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # socket errors + non-2xx/3xx responses
    tool: str
    cpu_ms: float = float("nan")  # server CPU time per request, when measured (see measure())

    def row(self) -> list[str]:
        return [f"{self.rps:,.0f}", f"{self.p50_ms:.1f}", f"{self.p99_ms:.1f}", f"{self.cpu_ms:.2f}"]


_WRK: str | bool | None = False  # False: not looked up yet


def ensure_wrk() -> str | None:
    """The wrk binary, installing Debian's `wrk` with apt-get when missing and running as root."""
    global _WRK
    if _WRK is not False:
        return _WRK  # type: ignore[return-value]
    path = shutil.which("wrk")
    if not path and os.environ.get("EGOV_BENCH_NO_WRK") != "1" and shutil.which("apt-get") and os.geteuid() == 0:
        log("wrk not found: installing Debian's wrk with apt-get")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env}
        ok = subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, **quiet).returncode == 0
        if not ok:
            subprocess.run(["apt-get", "update", "-qq"], check=False, **quiet)
            subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, **quiet)
        path = shutil.which("wrk")
    if os.environ.get("EGOV_BENCH_NO_WRK") == "1":
        path = None
    _WRK = path
    if not path:
        log("wrk unavailable: using the Python load generator (lower ceiling, see docs)")
    return path


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(f"unexpected wrk duration {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(output: str) -> LoadResult:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE).group(1))
    total = int(re.search(r"(\d+) requests in", output).group(1))
    errors = 0
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket_errors:
        # read errors are the server closing sync-worker connections; count connect/write/timeout
        errors += int(socket_errors.group(1)) + int(socket_errors.group(3)) + int(socket_errors.group(4))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non2xx:
        errors += int(non2xx.group(1))
    return LoadResult(rps=rps, p50_ms=p50, p99_ms=p99, requests=total, errors=errors, tool="wrk")


def load(url: str, *, connections: int = 16, duration: float = 10.0, threads: int | None = None) -> LoadResult:
    """Load `url` for `duration` seconds over `connections` connections from another process."""
    threads = threads or min(connections, os.cpu_count() or 2)
    wrk = ensure_wrk()
    if wrk:
        out = subprocess.run([wrk, f"-t{threads}", f"-c{connections}", f"-d{round(duration)}s",
                              "--latency", "--timeout", "10s", url],
                             capture_output=True, text=True, check=True).stdout
        return parse_wrk(out)
    return python_load(url, connections=connections, duration=duration, processes=threads)


def python_load(url: str, *, connections: int, duration: float, processes: int) -> LoadResult:
    """Fallback generator: `processes` worker processes sharing `connections` threads."""
    import json

    per = [connections // processes + (1 if i < connections % processes else 0) for i in range(processes)]
    procs = [subprocess.Popen([_python(), "-c", _PY_LOADGEN, url, str(n), str(duration)],
                              stdout=subprocess.PIPE, text=True) for n in per if n]
    samples: list[float] = []
    errors = 0
    for proc in procs:
        out, _ = proc.communicate(timeout=duration + 60)
        data = json.loads(out)
        samples += data["latencies"]
        errors += data["errors"]
    samples.sort()

    def pct(p: float) -> float:
        return samples[min(len(samples) - 1, int(p * len(samples)))] * 1000 if samples else float("nan")

    return LoadResult(rps=len(samples) / duration, p50_ms=pct(0.50), p99_ms=pct(0.99),
                      requests=len(samples), errors=errors, tool="python")


_PY_LOADGEN = r"""
import http.client, json, sys, threading, time, urllib.parse
url, n, duration = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
parts = urllib.parse.urlsplit(url)
target = parts.path + ("?" + parts.query if parts.query else "")
latencies, errors, lock = [], [0], threading.Lock()
end = time.perf_counter() + duration
def worker():
    conn, mine, bad = None, [], 0
    while True:
        start = time.perf_counter()
        if start >= end:
            break
        try:
            if conn is None:
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
            conn.request("GET", target)
            response = conn.getresponse()
            response.read()
            if response.status >= 400:
                bad += 1
            if response.getheader("connection", "").lower() == "close":
                conn.close(); conn = None
            mine.append(time.perf_counter() - start)
        except Exception:
            bad += 1
            conn = None
    with lock:
        latencies.extend(mine); errors[0] += bad
threads = [threading.Thread(target=worker) for _ in range(n)]
[t.start() for t in threads]; [t.join() for t in threads]
print(json.dumps({"latencies": latencies, "errors": errors[0]}))
"""


def measure(server: Server, path: str, **kwargs) -> LoadResult:
    """load() on server + path, adding the server's CPU milliseconds per request."""
    before = server.cpu_seconds()
    result = load(server + path, **kwargs)
    used = server.cpu_seconds() - before
    return dataclasses.replace(result, cpu_ms=used * 1000 / result.requests if result.requests else float("nan"))


def median_runs(fn, runs: int = 3) -> LoadResult:
    """Run `fn()` (returning a LoadResult) `runs` times; the median of each measure."""
    results = [fn() for _ in range(runs)]
    for i, result in enumerate(results, 1):
        log(f"run {i}: {result.rps:,.0f} req/s, p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, "
            f"server CPU {result.cpu_ms:.2f} ms/request, {result.errors} errors ({result.tool})")
    return LoadResult(
        rps=statistics.median(r.rps for r in results),
        p50_ms=statistics.median(r.p50_ms for r in results),
        p99_ms=statistics.median(r.p99_ms for r in results),
        requests=int(statistics.median(r.requests for r in results)),
        errors=sum(r.errors for r in results),
        tool=results[0].tool,
        cpu_ms=statistics.median(r.cpu_ms for r in results),
    )
