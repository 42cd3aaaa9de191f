"""Feedback submissions per second through `services.submit` (one process), SQLite or PostgreSQL.

Each submission is what the public form and `POST /api/v1/feedback` do: validation, the ban and
rate checks (the rate off here: one generated sender would be refused after five), the day's code,
the feedback row, its history event and audit entry, and for an anonymous sender the one-time code
and its SMS queued for after the commit. With a photo: the image is checked by content and
re-encoded without its metadata, then stored.

    python -m bench feedback_submit
    EGOV_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python -m bench feedback_submit
"""

from __future__ import annotations

import io
import os
import re
import sys
import time

from bench.common import REPORT, Report, demo_site, log, machine_line, table

TITLE = "Feedback: submissions"
COUNT = int(os.environ.get("EGOV_BENCH_SUBMISSIONS", "400"))
PHOTO_COUNT = max(20, COUNT // 8)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def photo() -> bytes:
    """A 1600×1200 JPEG, a phone photo's size class."""
    from PIL import Image

    out = io.BytesIO()
    Image.radial_gradient("L").resize((1600, 1200)).convert("RGB").save(out, "JPEG", quality=85)
    return out.getvalue()


def measure() -> tuple[list[list], dict]:
    from django.conf import settings
    from django.db import connection

    from egov.feedback import services
    from egov.org.models import Agency

    settings.RATE_FEEDBACK = None
    if not Agency.objects.exists():
        Agency.objects.create(code="000.00.01.B97", name="Văn phòng UBND tỉnh thử", short_name="VP")
    image = photo()
    rows = []
    for label, count, files, user in (
            ("anonymous sender (phone, one-time code by SMS)", COUNT, (), None),
            (f"anonymous sender with one {len(image) // 1024} KB JPEG photo", PHOTO_COUNT, "photo", None)):
        times, cpu = [], []
        started, cpu_started = time.perf_counter(), time.process_time()
        for i in range(count):
            t, c = time.perf_counter(), time.process_time()
            services.submit(subject=f"Đèn đường hỏng số {i}", content="Đèn đường trước nhà hỏng đã hai tuần, buổi "
                            "tối rất tối và nguy hiểm cho người đi đường.", name="Nguyễn Văn Gửi",
                            phone=f"09{i % 100_000_000:08d}", address="5 Lê Lợi, phường Thuận Hóa",
                            publish_consent=True, client_ip="203.0.113.5", channel="api",
                            files=[("anh.jpg", image)] if files else (), user=user)
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
        per_second = count / (time.perf_counter() - started)
        per_cpu_second = count / (time.process_time() - cpu_started)
        rows.append([label, count, f"{per_second:.0f}", f"{percentile(times, 0.5):.1f}",
                     f"{percentile(times, 0.99):.1f}", f"{per_cpu_second:.0f}", f"{percentile(cpu, 0.5):.1f}"])
        log(f"{label}: {per_second:.0f}/s, p50 {percentile(times, 0.5):.1f} ms, p99 {percentile(times, 0.99):.1f} ms")
    return rows, {"vendor": connection.vendor}


def run(report: Report, *, database_url: str | None = None) -> None:
    database_url = database_url if database_url is not None else os.environ.get("EGOV_DATABASE_URL", "")
    with demo_site(database_url=database_url or None, demo=False) as site:
        site.django()
        rows, info = measure()
    engine = "PostgreSQL" if info["vendor"] == "postgresql" else "SQLite"
    body = (f"`bench/feedback_submit.py`, {engine}: `services.submit` in one process (what the public form and "
            f"`POST /api/v1/feedback` call), the sending-rate limit off, SMS queued to the task table. The "
            f"issue sets no target; a province's busiest hour brings a few hundred feedback, a few a minute. "
            f"Wall-clock figures follow the machine's load (load average {os.getloadavg()[0]:.1f} on "
            f"{os.cpu_count()} cores when written); the CPU columns count this process only (all of the work "
            f"on SQLite but the commit's disk wait; without the database server's share on PostgreSQL).\n\n"
            + table(["submission", "count", "per second", "p50 ms", "p99 ms", "per CPU-second of this process",
                     "CPU ms p50"], rows))
    report.section(TITLE, combine(report, engine, body), machine_info=False)


def combine(report: Report, engine: str, body: str) -> str:
    path = getattr(report, "path", REPORT)
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    section = re.search(rf"^## {re.escape(TITLE)}[ \t]*\n(.*?)(?=^## |\Z)", current, re.MULTILINE | re.DOTALL)
    parts = {}
    if section:
        for match in re.finditer(r"^### (.+?)[ \t]*\n(.*?)(?=^### |\Z)", section.group(1), re.MULTILINE | re.DOTALL):
            parts[match.group(1)] = match.group(2).strip()
    parts[engine] = f"{body.strip()}\n\n{machine_line()}"
    intro = ("Submissions of feedback per second. Run `python -m bench feedback_submit` (SQLite) and with "
             "`EGOV_DATABASE_URL` set (PostgreSQL).")
    names = [name for name in ("SQLite", "PostgreSQL") if name in parts]
    return intro + "\n\n" + "\n\n".join(f"### {name}\n\n{parts[name]}" for name in names)


def main() -> int:
    run(Report(write="--no-write" not in sys.argv))
    return 0


if __name__ == "__main__":
    sys.exit(main())
