"""`egov manage dossier_history --count 30000 --months 12 --seed 0`: generated dossier history.

Bulk-creates lifelike dossiers for the agencies that adopted procedures (see
`egov.dossiers.history`): no audit entries, no notifications, no files. For demo and benchmark
databases only.
"""

from __future__ import annotations

import datetime as dt
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from egov.core.errors import NotFound
from egov.dossiers.history import default_period, generate_history


class Command(BaseCommand):
    help = "Generate N dossiers of history over the last months (demo and benchmark databases only)."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=30000, help="number of dossiers (default 30000)")
        parser.add_argument("--months", type=int, default=12, help="period ending today (default 12 months)")
        parser.add_argument("--seed", type=int, default=0, help="random seed (same seed, same history)")
        parser.add_argument("--agency", action="append", default=[],
                            help="agency identifier code (repeatable); default: every agency with procedures")
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument("--no-timeline", action="store_true",
                            help="skip timeline events (faster at millions of dossiers)")

    def handle(self, *args, count, months, seed, agency, batch_size, no_timeline, **options):
        from egov.org.selectors import agencies_by_codes

        try:
            agencies = agencies_by_codes(agency) if agency else None
        except NotFound as exc:
            raise CommandError(exc.message) from None
        start, end = default_period(months)
        end -= dt.timedelta(days=1)  # whole days only: the history stops yesterday
        started = time.perf_counter()
        tty = sys.stdout.isatty()

        def progress(done, total):
            rate = done / max(time.perf_counter() - started, 1e-6)
            line = f"{done:,}/{total:,} hồ sơ ({rate:,.0f}/s)"
            if tty:
                self.stdout.write("\r" + line, ending="")
                self.stdout.flush()
            else:
                self.stdout.write(line)

        try:
            summary = generate_history(count=count, start=start, end=end, agencies=agencies, seed=seed,
                                       progress=progress, batch_size=batch_size, timeline=not no_timeline)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if tty:
            self.stdout.write("")
        elapsed = dt.timedelta(seconds=round(time.perf_counter() - started))
        detail = ", ".join(f"{k}: {v:,}" for k, v in summary.items() if k not in ("count", "counters"))
        self.stdout.write(f"Đã tạo {summary['count']:,} hồ sơ từ {start:%d/%m/%Y} đến {end:%d/%m/%Y} "
                          f"trong {elapsed} ({detail}).")
