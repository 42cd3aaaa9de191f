"""Delivery latency between two egov instances: A issues documents to an agency of B, one every
PAUSE seconds; how long from A's issuing until B has registered each one, and until B's status 01
(đã đến) is back at A. Two real `egov serve` processes (gunicorn and its task worker each) on
loopback, each its own SQLite database and data folder (tests/exchange/pair.py, as the
two-instance test).

    python -m bench exchange_latency
    EGOV_BENCH_LATENCY_COUNT=10 python -m bench --no-write exchange_latency
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from bench.common import ROOT, Report, log, table

TITLE = "Exchange: delivery latency between two instances"
COUNT = int(os.environ.get("EGOV_BENCH_LATENCY_COUNT", "50"))
PAUSE = 0.7  # seconds between two issues: latency of one document at a time, not a backlog's


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _seconds(later: str, earlier: str) -> float:
    return (dt.datetime.fromisoformat(later) - dt.datetime.fromisoformat(earlier)).total_seconds()


def run(report: Report) -> None:
    from tests.exchange.pair import A_AGENCIES, B_AGENCIES, DEADLINE, two_instances, wait

    root = Path(tempfile.mkdtemp(prefix="egov-bench-latency-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("EGOV_")}
    env.update(EGOV_LOG_LEVEL="WARNING", PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]))
    sender, receiver = A_AGENCIES[0]["code"], B_AGENCIES[1]["code"]
    try:
        with two_instances(root, env) as (a, b):
            log(f"A at {a.base}, B at {b.base}; issuing {COUNT} documents, one every {PAUSE} s")
            issued = a.act("issue_many", people=a.people[sender], to=[[receiver, B_AGENCIES[1]["name"]]],
                           count=COUNT, pause=PAUSE)
            keys = {d["document_id"] for d in issued}
            arrived = wait(lambda: b.act("arrivals", agency=receiver), lambda found: keys <= set(found), DEADLINE)
            assert keys <= set(arrived), f"{len(keys - set(arrived))} documents never arrived"
            times = wait(lambda: a.act("timings", documents=[d["id"] for d in issued]),
                         lambda found: all(t["status_at"] for t in found.values()), DEADLINE)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    registered = [_seconds(arrived[key], times[key]["issued_at"]) * 1000 for key in keys]
    waiting = [_seconds(times[key]["sending_at"], times[key]["issued_at"]) * 1000 for key in keys]
    sending = [_seconds(arrived[key], times[key]["sending_at"]) * 1000 for key in keys]
    status_back = [_seconds(times[key]["status_at"], times[key]["issued_at"]) * 1000 for key in keys]

    def row(label: str, values: list[float]) -> list[str]:
        return [label, f"{statistics.median(values):.0f}", f"{percentile(values, 99):.0f}", f"{max(values):.0f}"]

    rows = [row("issued at A → registered at B", registered),
            row("… of which: in A's queue until its worker takes the task", waiting),
            row("… of which: A's worker builds and sends, B registers", sending),
            row("issued at A → status 01 back at A", status_back)]
    log(f"registered at B: p50 {rows[0][1]} ms, p99 {rows[0][2]} ms; 01 back at A: p50 {rows[3][1]} ms")
    text = [
        f"`bench/exchange_latency.py`: two instances on this machine, each a real `egov serve` (one gunicorn worker "
        "and its task worker) with its own SQLite database and data folder, each the other's peer. A's clerk "
        f"issues {COUNT} documents (a PDF each) to an agency of B, one every {PAUSE} s; the times are A's issuing "
        "(the document's issued_at) to B's registration (the Received row written by the inbound request), split "
        "at the moment A's worker started the delivery task, and to status 01 recorded back at A. Both hops go "
        "through a task worker that polls its queue every second when idle (django-tasks-db's default interval): "
        "the wait in the queue is most of these figures; A's worker sends the document, B's worker sends the 01 "
        f"back. With {COUNT} documents the p99 is the nearest rank, so close to the largest.",
        table(["path", "p50 ms", "p99 ms", "max ms"], rows),
    ]
    report.section(TITLE, "\n\n".join(text))


if __name__ == "__main__":
    sys.path[:0] = [str(ROOT), str(ROOT / "src")]
    run(Report(write="--no-write" not in sys.argv))
