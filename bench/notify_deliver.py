"""Notifications made and delivered per second by one worker process, SQLite or PostgreSQL.

`notify()` for N events (payment.confirmed, one recipient without an account with a phone and an
email: an SMS and an email each), committed one event per transaction as the services that tell them
do (rendering the templates, the never-twice rows, the delivery tasks queued on commit); then
`deliver()` of every queued notification as `egov worker` runs it, with the configured SMS provider
(the local `log` one here: the SmsMessage row kept) and Django's in-memory email backend. Median of 3 runs.

    python -m bench notify_deliver
    EGOV_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python -m bench notify_deliver
"""

from __future__ import annotations

import os
import statistics
import sys
import time

from bench.common import Report, demo_site, log, table
from bench.payments_ipn import combine

TITLE = "Notifications: delivery"
EVENTS = int(os.environ.get("EGOV_BENCH_NOTIFY_EVENTS", "500"))
RUNS = 3


def one_run(run: int) -> tuple[float, float, int]:
    from django.conf import settings
    from django.core import mail
    from django.db import transaction

    from egov.notify import services
    from egov.notify.models import Notification

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    started = time.perf_counter()
    for i in range(EVENTS):
        with transaction.atomic():
            services.notify("payment.confirmed", key=f"bench:{run}:{i}",
                            recipients=[services.Recipient(phone=f"09{i:08d}", email=f"nguoinop{i}@example.vn")],
                            context={"code": f"000.00.01.H57-261130-{i:04d}", "procedure": "Cấp bản sao trích lục",
                                     "applicant": "Nguyễn Văn An", "amount": "18.000",
                                     "receipt_number": f"{i + 1}/2026/BL-H57", "paid_at": "30/11/2026 08:30",
                                     "receipt_link": "http://127.0.0.1:8000/thanh-toan/1/bien-lai"})
    told = time.perf_counter() - started
    ids = list(Notification.objects.filter(key__startswith=f"bench:{run}:", status=Notification.Status.QUEUED)
               .values_list("pk", flat=True))
    started = time.perf_counter()
    for pk in ids:
        services.deliver(pk)
    delivered = time.perf_counter() - started
    sent = Notification.objects.filter(key__startswith=f"bench:{run}:", status=Notification.Status.SENT).count()
    if sent != len(ids) or len(mail.outbox) != EVENTS:
        raise RuntimeError(f"run {run}: {sent} of {len(ids)} sent, {len(mail.outbox)} emails")
    log(f"run {run + 1}: notify {EVENTS / told:.0f} events/s ({len(ids)} notifications), "
        f"deliver {len(ids) / delivered:.0f}/s")
    return EVENTS / told, len(ids) / delivered, len(ids)


def run(report: Report, *, database_url: str | None = None) -> None:
    database_url = database_url if database_url is not None else os.environ.get("EGOV_DATABASE_URL", "")
    with demo_site(database_url=database_url or None, demo=False) as site:
        site.django()
        from django.db import connection

        from egov.notify.sms import get_provider

        results = [one_run(n) for n in range(RUNS)]
        vendor, provider = connection.vendor, get_provider().name
    engine = "PostgreSQL" if vendor == "postgresql" else "SQLite"
    told = statistics.median(r[0] for r in results)
    delivered = statistics.median(r[1] for r in results)
    count = results[0][2]
    body = (f"`bench/notify_deliver.py`, {engine}, one process: `notify()` for {EVENTS} `payment.confirmed` events "
            f"(one transaction each; a recipient with a phone and an email: {count} notifications, templates "
            f"rendered, SMS folded to 160 ASCII characters, delivery queued on commit), then `deliver()` of each "
            f"as the worker runs it (claim, send, record) with the `{provider}` SMS provider (the SMS log row "
            f"kept) and Django's in-memory email backend. Median of {RUNS} runs. The network time of a real SMS "
            f"gateway or mail server is not in these figures: it adds per message what the provider takes.\n\n"
            + table(["step", "per second (median)"],
                    [["events told (`notify()`, 2 notifications each)", f"{told:,.0f}"],
                     ["notifications delivered by one worker (`deliver()`)", f"{delivered:,.0f}"]]))
    intro = ("Notifications per second. Run `python -m bench notify_deliver` (SQLite) and with "
             "`EGOV_DATABASE_URL` set (PostgreSQL).")
    report.section(TITLE, combine(report, engine, body, title=TITLE, intro=intro), machine_info=False)


def main() -> int:
    run(Report(write="--no-write" not in sys.argv))
    return 0


if __name__ == "__main__":
    sys.exit(main())
