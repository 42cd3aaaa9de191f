"""HTTP throughput of the foundation: the public due-date API and the citizen home page, served by
gunicorn (2 sync workers, production settings) over a fresh demo database, loaded by wrk from a
separate process on the same machine.

    python -m bench http_foundation
    EGOV_BENCH_DURATION=5 EGOV_BENCH_RUNS=1 python -m bench --no-write http_foundation   # quick look
"""

from __future__ import annotations

import json
import os

from bench.common import (
    Report,
    demo_site,
    fetch,
    load,
    log,
    measure,
    median_runs,
    serve,
    table,
)

TITLE = "HTTP: foundation endpoints"
CONNECTIONS = 16
DURATION = float(os.environ.get("EGOV_BENCH_DURATION", "10"))
RUNS = int(os.environ.get("EGOV_BENCH_RUNS", "3"))
WORKERS = 2
TARGETS = [
    ("due-date API", "/api/v1/calendar/due-date?start=2026-02-13&working_days=10"),
    ("home page", "/"),
]


def check(base: str) -> None:
    status, body = fetch(base + TARGETS[0][1])
    assert status == 200, f"due-date answered {status}: {body[:300]!r}"
    answer = json.loads(body)
    # 13 Feb 2026 is the Friday before Tết Bính Ngọ; the due date lands after the Tết holiday
    assert answer["working_days"] == 10 and answer["due_date"] > "2026-02-27", answer
    log(f"due-date answer: {answer}")
    status, body = fetch(base + TARGETS[1][1])
    assert status == 200 and "Dịch vụ công trực tuyến" in body.decode(), f"home page answered {status}"


def run(report: Report) -> None:
    rows = []
    tool = ""
    with demo_site() as site, serve(site, workers=WORKERS) as base:
        check(base)
        for label, path in TARGETS:
            log(f"{label}: warm-up")
            load(base + path, connections=CONNECTIONS, duration=2)
            log(f"{label}: {RUNS} x {DURATION:.0f} s at {CONNECTIONS} connections")
            result = median_runs(lambda path=path: measure(base, path, connections=CONNECTIONS, duration=DURATION),
                                 runs=RUNS)
            tool = result.tool
            rows.append([label, f"`GET {path}`", *result.row(), result.errors])
    generator = ("wrk (`--latency`, 2 threads)" if tool == "wrk"
                 else "a Python multi-process generator (wrk was unavailable; its own overhead lowers the ceiling)")
    body = "\n".join([
        ("`bench/http_foundation.py`: gunicorn with 2 sync workers and production settings "
        "(`EGOV_ENV=production`, DEBUG off) on loopback over a fresh SQLite demo database; "
        f"load from {generator} in a separate process on the same machine, so server and load "
        f"generator share the cores. {CONNECTIONS} connections, {DURATION:.0f} s per run after a "
        f"2 s warm-up; each figure is the median of {RUNS} runs. Sync workers close the connection "
        "after each response (no keep-alive), as behind a reverse proxy. Server CPU ms/request is "
        "the CPU time of gunicorn's processes during the run divided by the requests served; it "
        "moves much less than requests/s and latency when other work shares the machine (see "
        "the load average below), though a busy machine still inflates it."),
        "",
        table(["endpoint", "request", "requests/s", "p50 ms", "p99 ms", "server CPU ms/request", "errors"], rows),
    ])
    report.section(TITLE, body)
