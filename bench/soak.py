"""Soak and fault runs: a real `egov serve` (gunicorn workers + the background worker) on a fresh
demo site, loaded for a while by a mix of citizens and officers from client threads, then checked.

    python -m bench.soak                      # 10 minutes on SQLite (make soak)
    python -m bench.soak --seconds 60         # shorter (or EGOV_SOAK_SECONDS=60)
    python -m bench.soak --database postgres://postgres@127.0.0.1:5432/postgres
    python -m bench.soak --faults             # make soak-faults: a PRIVATE PostgreSQL cluster

The mix (each client thread loops over its own kind): citizens track dossiers by code (the JSON API
and the HTML page) and read the public statistics; citizens file online (`POST /api/v1/dossiers`,
an API key with `dossiers:write`, multipart with the procedure's two mandatory PDF papers and an
Idempotency-Key) and read back what they filed; officers (an API key of the ward with
`dossiers:write`) take filed dossiers through the whole process: accept, forward step by step,
sometimes send back, approve at the decision step, return the result at the counter; each action
follows a read of the dossier, so the officer acts on what the server says, as a person would.

At the end, it fails (exit 1) unless: no 5xx and no unexpected status (outside a fault window);
every 201 submission is in the database once and readable by its reference, every accepted one
tracked by its code; no dossier code twice; every queued task succeeded, none still waiting or
running, no SMS sent twice for one dossier event; `egov audit verify` and `egov dossiers
stats-check` pass; and the resident memory (RSS, from /proc) of each gunicorn worker and of the
task worker grew by less than MEMORY_LIMIT_MB over the second half of the run (a straight-line fit).

The fault run (`--faults`) starts its own PostgreSQL cluster (initdb + pg_ctl from
/usr/lib/postgresql/*/bin, port 55432, data folder in a temp dir; the shared server on 5432 is never
touched) and, under the same load: (1) kills the task worker with SIGKILL while officers keep
queueing notifications, waits, starts a new worker; (2) stops PostgreSQL for OUTAGE_SECONDS and
starts it again. Requests during the outage must fail cleanly (503 with a JSON body under /api/,
never a hang or a 500); afterwards everything must work and the checks above must pass.

Only loopback addresses are used; nothing is sent outside the machine (SMS go to the log provider).
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import glob
import http.client
import json
import os
import random
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

if __package__ in (None, ""):
    sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parents[1] / "src")]

from bench.common import (
    ROOT,
    Report,
    demo_site,
    free_port,
    log,
    machine_line,
    production_env,
    table,
    wait_ready,
)
from bench.common import (
    Server as Session,
)
from bench.dossiers_submit import AGENCY, PROCEDURE, multipart, pdf_of_size
from bench.dossiers_tracking import django_eval, dossier_codes, manage
from tests.servers import stop_session

TITLE = "Operations: soak"
FAULTS_TITLE = "Operations: faults (worker killed, PostgreSQL restarted)"
SECONDS = float(os.environ.get("EGOV_SOAK_SECONDS", "600"))
MEMORY_LIMIT_MB = float(os.environ.get("EGOV_SOAK_MEMORY_MB", "16"))
PAPER_BYTES = 20 * 1024
TRACKED_CODES = int(os.environ.get("EGOV_SOAK_CODES", "5000"))  # of the demo's, besides those accepted in the run
TIMEOUT = 20.0  # a client waiting longer than this counts as a hang
OUTAGE_SECONDS = 6.0
RECOVERY_GRACE = 2.0  # after /readyz answers again, seconds a 503 is still expected
PRIVATE_PG_PORT = int(os.environ.get("EGOV_SOAK_PG_PORT", "55432"))
# Client threads by kind. Filers pause between filings: a soak is about staying healthy over time,
# and 10 minutes of back-to-back filings would fill the disk with papers rather than test anything.
MIX = {"tracker": 3, "filer": 2, "officer": 3}
FILER_PAUSE = 0.5


# --------------------------------------------------------------------------------------------
# what the clients saw
class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = collections.defaultdict(list)
        self.status: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        self.unexpected: list[str] = []
        self.outage: collections.Counter = collections.Counter()
        self.outage_slowest = 0.0
        self.window: tuple[float, float] | None = None  # (start, end) of the outage, monotonic

    def in_window(self, seconds: float) -> bool:
        """Whether a request that took `seconds` and just ended overlapped the outage."""
        if self.window is None:
            return False
        end = time.monotonic()
        return end - seconds <= self.window[1] and end >= self.window[0]

    def add(self, kind: str, status: int, seconds: float, expected: tuple[int, ...], body: bytes = b"") -> bool:
        """Record one answer; whether it was expected. During a fault window, a 503 is expected
        (with a JSON body under /api/); a 500, a dropped connection or a hang is not."""
        with self.lock:
            if self.in_window(seconds):
                self.outage[status] += 1
                self.outage_slowest = max(self.outage_slowest, seconds)
                if len(self.unexpected) < 30 and status != 503 and status not in expected:
                    self.unexpected.append(f"{kind} (outage): {status} {body[:200].decode(errors='replace')}")
                if status == 503 or status in expected:
                    return status in expected
            self.latency[kind].append(seconds)
            self.status[kind][status] += 1
            if status not in expected:
                if len(self.unexpected) < 30:
                    self.unexpected.append(f"{kind}: {status} {body[:200].decode(errors='replace')}")
                return False
            return True

    def unexpected_count(self) -> int:
        return sum(n for kind, counter in self.status.items() for status, n in counter.items()
                   if status not in EXPECTED[kind])


# Expected statuses by kind (others are errors). 409 for an officer: another step was decisive
# ("last_step": approve instead) -- the code asks the server, as an officer would.
EXPECTED = {
    "track API": (200,), "track page": (200,), "statistics API": (200,), "submit": (201,),
    "read own filing": (200,), "officer read": (200,), "officer action": (200, 409),
}


class Client:
    """One keep-alive connection; reconnects when the server closes it (sync workers may)."""

    def __init__(self, base: str):
        parts = urllib.parse.urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
            started = time.perf_counter()
            try:
                self.conn.request(method, path, body=body, headers=headers or {})
                response = self.conn.getresponse()
                data = response.read()
            except (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected) as exc:
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    return -1, str(exc).encode(), time.perf_counter() - started
                continue  # a keep-alive connection the server had closed: once more on a new one
            except OSError as exc:  # timeout: a hang
                self.conn.close()
                self.conn = None
                return -2, str(exc).encode(), time.perf_counter() - started
            if (response.getheader("connection") or "").lower() == "close":
                self.conn.close()
                self.conn = None
            return response.status, data, time.perf_counter() - started
        raise AssertionError("unreachable")


# --------------------------------------------------------------------------------------------
# the load
class Load:
    def __init__(self, base: str, *, citizen_key: str, officer_key: str, form: tuple[dict, dict], codes: list[str]):
        self.base = base
        self.citizen_key = citizen_key
        self.officer_key = officer_key
        self.fields, self.files = form
        self.codes = list(codes)
        self.tally = Tally()
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.filed: list[str] = []  # references of 201 submissions
        self.queue: collections.deque[str] = collections.deque()  # filed, for officers
        self.accepted: dict[str, str] = {}  # reference -> code
        self.returned = 0
        self.cpu_seconds = float("nan")  # the server's (gunicorn and task worker), when measured
        self.threads: list[threading.Thread] = []

    def start(self, mix: dict[str, int]) -> None:
        for kind, n in mix.items():
            for i in range(n):
                thread = threading.Thread(target=getattr(self, kind), args=(random.Random(f"{kind}{i}"),),
                                          name=f"{kind}-{i}", daemon=True)
                thread.start()
                self.threads.append(thread)

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(TIMEOUT * 3)

    # citizens -----------------------------------------------------------------------------
    def tracker(self, rng: random.Random) -> None:
        client = Client(self.base)
        n = 0
        while not self.stop.is_set():
            n += 1
            with self.lock:
                code = rng.choice(self.codes)
            if n % 25 == 0:
                kind, path = "statistics API", f"/api/v1/stats/dossiers?agency={AGENCY}"
            elif n % 2:
                kind, path = "track API", f"/api/v1/dossiers/track/{code}"
            else:
                kind, path = "track page", f"/ho-so/tra-cuu/{code}/"
            status, body, seconds = client.request("GET", path)
            self.tally.add(kind, status, seconds, EXPECTED[kind], body)

    def filer(self, rng: random.Random) -> None:
        client = Client(self.base)
        while not self.stop.is_set():
            fields = dict(self.fields, applicant_name=f"Công dân thử tải {rng.randrange(10**6):06d}")
            content_type, body = multipart(fields, self.files)
            headers = {"Content-Type": content_type, "Authorization": f"Bearer {self.citizen_key}",
                       "Idempotency-Key": secrets.token_hex(16)}
            status, answer, seconds = client.request("POST", "/api/v1/dossiers", body, headers)
            if self.tally.add("submit", status, seconds, EXPECTED["submit"], answer):
                ref = json.loads(answer)["ref"]
                with self.lock:
                    self.filed.append(ref)
                    self.queue.append(ref)
                status, answer, seconds = client.request("GET", f"/api/v1/dossiers/{ref}",
                                                         headers={"Authorization": f"Bearer {self.citizen_key}"})
                self.tally.add("read own filing", status, seconds, EXPECTED["read own filing"], answer)
            self.stop.wait(FILER_PAUSE)

    # officers -----------------------------------------------------------------------------
    def officer(self, rng: random.Random) -> None:
        client = Client(self.base)
        auth = {"Authorization": f"Bearer {self.officer_key}"}
        while not self.stop.is_set():
            with self.lock:
                ref = self.queue.popleft() if self.queue else None
            if ref is None:
                self.stop.wait(0.2)
                continue
            done = self.process(client, auth, ref, rng)
            if not done and not self.stop.is_set():
                with self.lock:
                    self.queue.append(ref)  # an error (e.g. during an outage): take it up again later

    def process(self, client: Client, auth: dict, ref: str, rng: random.Random) -> bool:
        """Take one dossier from filing to the returned result; False if interrupted by an error."""
        headers = {**auth, "Content-Type": "application/json"}
        decisive = False
        sent_back = False
        for _ in range(20):
            if self.stop.is_set():
                return False
            status, body, seconds = client.request("GET", f"/api/v1/dossiers/{ref}", headers=auth)
            if not self.tally.add("officer read", status, seconds, EXPECTED["officer read"], body):
                return False
            dossier = json.loads(body)
            state = dossier["status"]
            if state == "returned":
                with self.lock:
                    self.returned += 1
                return True
            if state == "submitted":
                action = {"action": "accept"}
            elif state in ("approved", "rejected"):
                action = {"action": "return_result", "method": "counter", "receiver_name": dossier["applicant_name"]}
            elif decisive:
                action = {"action": "approve", "note": "Đồng ý"}
            elif state == "in_progress" and not sent_back and rng.random() < 0.1:
                action = {"action": "send_back", "note": "Kiểm tra lại thành phần hồ sơ"}
                sent_back = True
            else:
                action = {"action": "forward", "note": "Đủ điều kiện"}
            action["version"] = dossier["version"]
            status, body, seconds = client.request("POST", f"/api/v1/dossiers/{ref}/actions",
                                                   json.dumps(action).encode(), headers)
            if not self.tally.add("officer action", status, seconds, EXPECTED["officer action"], body):
                return False
            if status == 409:
                code = json.loads(body).get("code")
                if code == "last_step":
                    decisive = True
                elif code != "dossier_moved":
                    self.tally.add("officer action", -409, seconds, (), body)  # an unexpected conflict
                    return False
            elif action["action"] == "accept":
                answer = json.loads(body)
                with self.lock:
                    self.accepted[ref] = answer["code"]
                    self.codes.append(answer["code"])
        return False


# --------------------------------------------------------------------------------------------
# processes and memory
def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class Server:
    """`egov serve` in its own session: gunicorn (master + workers) and the task worker."""

    def __init__(self, site, workers: int = 2):
        self.site = site
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = production_env(site, self.port)
        self.workers = workers
        self.process: subprocess.Popen | None = None
        self.extra_workers: list[subprocess.Popen] = []

    def __enter__(self):
        self.log = open(self.site.data_dir / "serve.log", "ab")
        self.process = subprocess.Popen([sys.executable, "-m", "egov.cli", "serve", "--workers", str(self.workers)],
                                        env=self.env, cwd=self.site.data_dir, start_new_session=True,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        wait_ready(self.base + "/readyz", timeout=120, process=self.process)
        deadline = time.monotonic() + 30
        while len(self.gunicorn_workers()) < self.workers and time.monotonic() < deadline:
            time.sleep(0.2)
        log(f"egov serve at {self.base}: gunicorn workers {self.gunicorn_workers()}, task worker {self.task_workers()}")
        return self

    def __exit__(self, *exc):
        for worker in self.extra_workers:
            with contextlib.suppress(ProcessLookupError):
                worker.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                worker.wait(15)
        stop_session(self.process)
        self.log.close()
        kept = Path(tempfile.gettempdir()) / f"egov-soak-serve-{self.port}.log"
        shutil.copy(self.site.data_dir / "serve.log", kept)
        log(f"server log kept in {kept}")

    def gunicorn_master(self) -> int | None:
        return next((pid for pid in children(self.process.pid) if "gunicorn" in cmdline(pid)), None)

    def gunicorn_workers(self) -> list[int]:
        master = self.gunicorn_master()
        return sorted(children(master)) if master else []

    def task_workers(self) -> list[int]:
        pids = [pid for pid in children(self.process.pid) if "egov.cli worker" in cmdline(pid)]
        pids += [w.pid for w in self.extra_workers if w.poll() is None]
        return [pid for pid in pids if rss_mb(pid) is not None and Path(f"/proc/{pid}/stat").read_text()
                .rsplit(")", 1)[1].split()[0] != "Z"]

    def start_task_worker(self) -> int:
        worker = subprocess.Popen([sys.executable, "-m", "egov.cli", "worker"], env=self.env, cwd=self.site.data_dir,
                                  stdout=self.log, stderr=subprocess.STDOUT)
        self.extra_workers.append(worker)
        return worker.pid


class Memory(threading.Thread):
    """RSS of each gunicorn worker and task worker, every `every` seconds."""

    def __init__(self, server: Server, every: float = 2.0):
        super().__init__(daemon=True)
        self.server, self.every = server, every
        self.samples: dict[str, list[tuple[float, float]]] = collections.defaultdict(list)
        self.halt = threading.Event()
        self.started_at = time.monotonic()

    def run(self):
        while not self.halt.is_set():
            now = time.monotonic() - self.started_at
            for n, pid in enumerate(self.server.gunicorn_workers(), 1):
                value = rss_mb(pid)
                if value is not None:
                    self.samples[f"gunicorn worker {n} (pid {pid})"].append((now, value))
            for pid in self.server.task_workers():
                value = rss_mb(pid)
                if value is not None:
                    self.samples[f"task worker (pid {pid})"].append((now, value))
            self.halt.wait(self.every)

    def summary(self) -> list[dict]:
        rows = []
        for name, points in self.samples.items():
            if len(points) < 4:
                continue
            half = points[len(points) // 2:]
            xs, ys = [p[0] for p in half], [p[1] for p in half]
            slope = statistics.linear_regression(xs, ys).slope if len(set(xs)) > 1 else 0.0
            growth = slope * (xs[-1] - xs[0])
            rows.append({"process": name, "start": points[0][1], "end": points[-1][1],
                         "max": max(p[1] for p in points), "slope_mb_per_min": slope * 60,
                         "second_half_growth": growth, "seconds": points[-1][0] - points[0][0]})
        return rows


# --------------------------------------------------------------------------------------------
# checks at the end
CHECK_SCRIPT = r"""
import json, sys
from collections import Counter
from django.db.models import Count
from django_tasks_db.models import DBTaskResult
from egov.dossiers.models import Dossier
from egov.notify.models import SmsMessage

refs = json.load(open(sys.argv[1]))
found = Counter(str(r) for r in Dossier.objects.filter(ref__in=refs).values_list("ref", flat=True))
duplicate_codes = list(Dossier.objects.exclude(code=None).values("code").annotate(n=Count("pk"))
                       .filter(n__gt=1).values_list("code", "n")[:20])
tasks = Counter(DBTaskResult.objects.values_list("status", flat=True))
by_name = Counter(DBTaskResult.objects.values_list("task_path", flat=True))
sms = Counter(SmsMessage.objects.filter(direction="out").exclude(dossier=None).values_list("dossier_id", "text"))
print(json.dumps({
    "filed": len(refs), "found": len(found), "missing": [r for r in refs if r not in found][:20],
    "twice": [r for r, n in found.items() if n > 1][:20], "duplicate_codes": duplicate_codes,
    "dossiers": Dossier.objects.count(), "tasks": dict(tasks), "task_names": dict(by_name),
    "sms": sum(sms.values()), "sms_twice": sum(1 for n in sms.values() if n > 1),
}))
"""


def drain(server: Server, timeout: float = 120) -> dict:
    """Wait for the task queue to empty (nothing ready or running), from the database."""
    deadline = time.monotonic() + timeout
    state = {}
    while time.monotonic() < deadline:
        state = json.loads(django_eval(server.site, "import json\nfrom egov.core.tasks import queue_state\n"
                                                    "print(json.dumps(queue_state()))"))
        if state["ready"] == 0 and state["running"] == 0:
            break
        time.sleep(1)
    return state


def verify(server: Server, load: Load, allowed_repeats: int = 0) -> tuple[list[str], dict]:
    """The end checks; returns the failures and the figures."""
    failures = []
    refs_file = server.site.data_dir / "soak-refs.json"
    refs_file.write_text(json.dumps(load.filed))
    queue = drain(server)
    found = json.loads(django_eval(server.site, CHECK_SCRIPT.replace("sys.argv[1]", repr(str(refs_file)))))
    found["queue_after_drain"] = queue
    if found["missing"] or found["twice"] or found["found"] != found["filed"]:
        failures.append(f"lost or doubled submissions: {found['filed']} filed, {found['found']} found, "
                        f"missing {found['missing']}, twice {found['twice']}")
    if found["duplicate_codes"]:
        failures.append(f"duplicated dossier codes: {found['duplicate_codes']}")
    unfinished = {k: v for k, v in found["tasks"].items() if k != "SUCCESSFUL"}
    if unfinished:
        failures.append(f"tasks not succeeded after draining the queue: {unfinished}")
    if found["sms_twice"] > allowed_repeats:
        failures.append(f"{found['sms_twice']} SMS sent more than once for one dossier event")
    # every filing readable by its reference, every accepted one tracked by its code (over HTTP)
    client = Client(server.base)
    auth = {"Authorization": f"Bearer {load.citizen_key}"}
    unreadable = [ref for ref in load.filed if client.request("GET", f"/api/v1/dossiers/{ref}", headers=auth)[0] != 200]
    untracked = [code for code in load.accepted.values()
                 if client.request("GET", f"/api/v1/dossiers/track/{code}")[0] != 200]
    found["unreadable"], found["untracked"] = len(unreadable), len(untracked)
    if unreadable or untracked:
        failures.append(f"{len(unreadable)} filings unreadable by reference, {len(untracked)} codes not tracked: "
                        f"{(unreadable + untracked)[:10]}")
    for command in (["audit", "verify"], ["dossiers", "stats-check"]):
        done = subprocess.run([sys.executable, "-m", "egov.cli", *command], env=server.site.env,
                              cwd=server.site.data_dir, capture_output=True, text=True, check=False)
        found[" ".join(command)] = (done.stdout + done.stderr).strip().splitlines()[-1:] or [""]
        if done.returncode != 0:
            failures.append(f"egov {' '.join(command)} failed: {(done.stdout + done.stderr)[-500:]}")
    return failures, found


# --------------------------------------------------------------------------------------------
# set-up
def prepare(site) -> tuple[str, str, tuple[dict, dict], list[str]]:
    citizen = manage(site, "apikey", "create", "Cổng dịch vụ công (thử tải)", "--agency", AGENCY, "--scopes",
                     "dossiers:read,dossiers:write").strip().splitlines()[-1]
    officer = manage(site, "apikey", "create", "Phần mềm một cửa (thử tải)", "--agency", AGENCY, "--scopes",
                     "dossiers:read,dossiers:write").strip().splitlines()[-1]
    papers = json.loads(django_eval(site, "import json\nfrom egov.procedures.models import RequiredPaper\n"
                                          f"print(json.dumps(list(RequiredPaper.objects.filter(procedure__code="
                                          f"'{PROCEDURE}', mandatory=True).values_list('pk', flat=True))))"))
    content = pdf_of_size(PAPER_BYTES)
    fields = {"procedure": PROCEDURE, "agency": AGENCY, "applicant_id_number": "046090001234",
              "applicant_phone": "0905123456", "applicant_address": "12 Lê Lợi, phường Thuận Hóa, thành phố Huế"}
    files = {f"paper_{pk}": (f"giay-to-{pk}.pdf", content) for pk in papers}
    codes = dossier_codes(site, limit=TRACKED_CODES)
    return citizen, officer, (fields, files), codes


@contextlib.contextmanager
def private_postgres(port: int = PRIVATE_PG_PORT):
    """A PostgreSQL cluster of our own (initdb in a temp folder, pg_ctl on `port`): ours to stop."""
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not bins:
        raise RuntimeError("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin")
    bindir = Path(bins[-1]).parent
    folder = Path(tempfile.mkdtemp(prefix="egov-soak-pg-"))
    data = folder / "data"
    run_as: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root: the cluster belongs to `postgres`
        shutil.chown(folder, "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    subprocess.run([*run_as, str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                    "--no-sync"], check=True, **quiet)
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50"

    def ctl(*args: str) -> None:
        subprocess.run([*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w",
                        "-t", "60", *args], check=True, **quiet)

    ctl("-o", options, "start")
    try:
        yield f"postgres://postgres@127.0.0.1:{port}/postgres", ctl, options
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            ctl("-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# report
def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000 if ordered else float("nan")


def request_rows(tally: Tally, seconds: float) -> list[list]:
    rows = []
    for kind in EXPECTED:
        values = tally.latency.get(kind, [])
        if not values:
            continue
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(tally.status[kind].items()))
        bad = sum(n for s, n in tally.status[kind].items() if s not in EXPECTED[kind])
        rows.append([kind, f"{len(values):,}", f"{len(values) / seconds:.1f}", f"{percentile(values, 0.5):.1f}",
                     f"{percentile(values, 0.99):.1f}", statuses, bad])
    return rows


def memory_rows(summary: list[dict]) -> list[list]:
    return [[m["process"], f"{m['start']:.1f}", f"{m['end']:.1f}", f"{m['max']:.1f}",
             f"{m['slope_mb_per_min']:+.2f}", f"{m['second_half_growth']:+.1f}"] for m in summary]


def describe(database: str, seconds: float, tally: Tally, summary: list[dict], found: dict, failures: list[str],
             load: Load, extra: str = "") -> str:
    load_avg = os.getloadavg()
    parts = [
        f"`egov serve` (gunicorn, 2 sync workers, production settings, and the task worker) on a fresh demo site "
        f"({database}), loaded for {seconds:.0f} s from {sum(MIX.values())} client threads in one process on the "
        f"same machine: {MIX['tracker']} citizens tracking (JSON API and HTML page by turns, one request in 25 "
        f"the public statistics), {MIX['filer']} citizens filing online (API key, multipart with two {PAPER_BYTES // 1024} KB "
        f"PDF papers, an Idempotency-Key, then reading the filing back; {FILER_PAUSE:.1f} s pause between "
        f"filings) and {MIX['officer']} officers (API key of the ward) taking each filing from acceptance through "
        f"every step (one in ten sent back once) to approval and the result returned at the counter, reading the "
        f"dossier before each action. `bench/soak.py`; rate limits off (EGOV_RATE_TRACKING=0).",
        table(["requests", "count", "per s", "p50 ms", "p99 ms", "statuses", "unexpected"],
              request_rows(tally, seconds)),
        f"Dossiers filed: {found.get('filed', 0):,}, found in the database once each: {found.get('found', 0):,}; "
        f"accepted: {len(load.accepted):,}, results returned: {load.returned:,}; duplicated codes: "
        f"{len(found.get('duplicate_codes', []))}; tasks: {found.get('tasks')}; SMS to applicants: "
        f"{found.get('sms', 0):,}, sent twice: {found.get('sms_twice', 0)}; filings unreadable by reference: "
        f"{found.get('unreadable', '-')}, accepted codes not tracked: {found.get('untracked', '-')}; "
        f"`egov audit verify`: {' '.join(found.get('audit verify', ['-']))}; `egov dossiers stats-check`: "
        f"{' '.join(found.get('dossiers stats-check', ['-']))}.",
        f"Server CPU (gunicorn master and workers, task worker; from /proc) over the run: "
        f"{load.cpu_seconds:,.0f} s, {load.cpu_seconds * 1000 / max(1, sum(map(len, tally.latency.values()))):.1f} ms "
        f"per request of the mix above." if load.cpu_seconds == load.cpu_seconds else "",
        "Resident memory (MB, from /proc every 2 s; slope and growth fitted over the second half of the run; "
        f"the limit is {MEMORY_LIMIT_MB:.0f} MB of growth over the second half):",
        table(["process", "start", "end", "max", "slope MB/min", "growth, 2nd half"], memory_rows(summary)),
    ]
    if extra:
        parts.append(extra)
    parts.append(("**Result: passed.**" if not failures else "**Result: FAILED:** " + "; ".join(failures))
                 + f" Load average (1/5/15 min) at the end: {load_avg[0]:.1f}/{load_avg[1]:.1f}/{load_avg[2]:.1f}"
                 " (the machine is shared with other engineers' test runs).")
    return "\n\n".join(part for part in parts if part)


# --------------------------------------------------------------------------------------------
def soak(seconds: float, database_url: str | None, report: Report | None) -> int:
    label = "PostgreSQL" if database_url else "SQLite"
    with demo_site(database_url=database_url) as site:
        citizen, officer, form, codes = prepare(site)
        with Server(site) as server:
            memory = Memory(server)
            memory.start()
            load = Load(server.base, citizen_key=citizen, officer_key=officer, form=form, codes=codes)
            session = Session(server.base, server.process.pid)
            cpu = session.cpu_seconds()
            started = time.monotonic()
            load.start(MIX)
            while time.monotonic() - started < seconds:
                time.sleep(min(30.0, max(0.1, seconds - (time.monotonic() - started))))
                log(f"{time.monotonic() - started:5.0f} s: {sum(len(v) for v in load.tally.latency.values()):,} "
                    f"requests, {len(load.filed):,} filed, {load.returned:,} returned, "
                    f"{load.tally.unexpected_count()} unexpected")
            load.finish()
            elapsed = time.monotonic() - started
            load.cpu_seconds = session.cpu_seconds() - cpu
            memory.halt.set()
            memory.join()
            failures, found = verify(server, load)
    return finish(TITLE, label, elapsed, load, memory, found, failures, report)


def finish(title, label, elapsed, load, memory, found, failures, report, extra: str = "") -> int:
    summary = memory.summary()
    if load.tally.unexpected_count():
        failures.insert(0, f"{load.tally.unexpected_count()} unexpected responses, e.g. {load.tally.unexpected[:3]}")
    for m in summary:
        if m["second_half_growth"] > MEMORY_LIMIT_MB:
            failures.append(f"{m['process']} grew {m['second_half_growth']:.1f} MB over the second half")
    body = describe(label, elapsed, load.tally, summary, found, failures, load, extra)
    if report is not None:
        report.section(title, body)
    else:
        print(f"## {title}\n\n{body}\n\n{machine_line()}")
    for failure in failures:
        print("FAIL:", failure, file=sys.stderr)
    return 1 if failures else 0


def kill_mid_task(database_url: str, pids: list[int], patience: float = 15.0) -> str:
    """SIGKILL the task workers the moment one of them is running a task (polling the queue
    table), or after `patience` seconds; returns the id of the task caught running, if any."""
    import psycopg

    deadline = time.monotonic() + patience
    caught = ""
    with psycopg.connect(database_url, autocommit=True) as conn:
        while time.monotonic() < deadline and not caught:
            row = conn.execute("SELECT id FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING' LIMIT 1").fetchone()
            caught = str(row[0]) if row else ""
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    return caught


def faults(seconds: float, report: Report | None) -> int:
    seconds = max(seconds, 60.0)
    events: list[str] = []
    with private_postgres() as (url, ctl, options), demo_site(database_url=url) as site:
        citizen, officer, form, codes = prepare(site)
        with Server(site) as server:
            memory = Memory(server)
            memory.start()
            load = Load(server.base, citizen_key=citizen, officer_key=officer, form=form, codes=codes)
            started = time.monotonic()
            load.start(MIX)

            def at(fraction: float) -> None:
                while time.monotonic() - started < seconds * fraction:
                    time.sleep(0.1)

            # (1) the task worker killed while officers queue notifications, restarted 5 s later
            at(0.2)
            victims = server.task_workers()
            caught = kill_mid_task(site.database_url, victims)
            events.append(f"task worker (pid {', '.join(map(str, victims))}) killed with SIGKILL at "
                          f"{time.monotonic() - started:.0f} s, "
                          + (f"while it was running task {caught}" if caught else "between tasks (none caught running)"))
            time.sleep(5)
            pending = json.loads(django_eval(site, "import json\nfrom egov.core.tasks import queue_state\n"
                                                   "print(json.dumps(queue_state()))"))
            pid = server.start_task_worker()
            events.append(f"new task worker (pid {pid}) started 5 s later (queue then: {pending})")
            # (2) PostgreSQL stopped for OUTAGE_SECONDS, then started again
            at(0.5)
            outage_started = time.monotonic()
            with load.tally.lock:
                load.tally.window = (outage_started, float("inf"))
            ctl("-m", "fast", "stop")
            time.sleep(OUTAGE_SECONDS)
            ctl("-o", options, "start")
            wait_ready(server.base + "/readyz", timeout=60)
            with load.tally.lock:  # each gunicorn worker finds its broken connection on its next request
                load.tally.window = (outage_started, time.monotonic() + RECOVERY_GRACE)
            events.append(f"PostgreSQL stopped (fast) at {outage_started - started:.0f} s, started again after "
                          f"{OUTAGE_SECONDS:.0f} s; /readyz answered 200 "
                          f"{time.monotonic() - outage_started:.1f} s after the stop")
            at(1.0)
            load.finish()
            elapsed = time.monotonic() - started
            memory.halt.set()
            memory.join()
            alive = server.task_workers()
            # A task killed after its SMS went out but before it was marked done runs again: at
            # least once (egov worker's docstring), so that one task may have sent twice.
            failures, found = verify(server, load, allowed_repeats=1 if caught else 0)
            if not alive:
                failures.append("no task worker alive at the end")
    outage = load.tally.outage
    bad_outage = {s: n for s, n in outage.items() if s != 503 and not any(s in ok for ok in EXPECTED.values())}
    if bad_outage:
        failures.append(f"answers during the outage other than 503 (or success): {bad_outage}")
    extra = ("Faults, in order: " + "; ".join(events) + ". During the outage the clients got "
             + (", ".join(f"{n} × {s if s > 0 else 'connection error' if s == -1 else 'timeout'}"
                          for s, n in sorted(outage.items())) or "no answer at all")
             + f" (slowest {load.tally.outage_slowest * 1000:.0f} ms; these are left out of the table above).")
    return finish(FAULTS_TITLE, f"PostgreSQL {PRIVATE_PG_PORT}, a private cluster", elapsed, load, memory, found,
                  failures, report, extra)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=SECONDS, help="duration (default: EGOV_SOAK_SECONDS or 600)")
    parser.add_argument("--database", default=os.environ.get("EGOV_SOAK_DATABASE_URL", ""),
                        help="a PostgreSQL server URL (a throwaway database is created there); default SQLite")
    parser.add_argument("--faults", action="store_true", help="the fault run, on a private PostgreSQL cluster")
    parser.add_argument("--no-write", action="store_true", help="print only, leave docs/benchmarks.md alone")
    args = parser.parse_args(argv)
    report = None if args.no_write else Report()
    if args.faults:
        return faults(args.seconds, report)
    return soak(args.seconds, args.database or None, report)


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
