"""Payment notifications (IPN) per second through the real HTTP stack, SQLite or PostgreSQL.

A throwaway site (migrated, no demo), VNPay configured with a test merchant and secret, and
`count` pending online payments, one per dossier, made in bulk. Each request is what VNPay's server
sends: GET /api/v1/payments/vnpay/ipn with the signed vnp_ parameters of a distinct pending payment
(answered 00: the payment becomes paid with its receipt number), and one in ten a replay of an
earlier one (answered 02, no change). gunicorn with 2 sync workers in production settings, loaded by
wrk with a Lua script walking the list of signed addresses. Each run uses its own payments.

    python -m bench payments_ipn
    EGOV_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python -m bench payments_ipn
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import re
import sys
import urllib.parse
import uuid
from pathlib import Path

from bench.common import REPORT, Report, demo_site, log, machine_line, median_runs, serve, table
from bench.dossiers_tracking import wrk

TITLE = "Payments: IPN"
TARGET = 500
RUNS = 3
DURATION = float(os.environ.get("EGOV_BENCH_IPN_SECONDS", "5"))
CONNECTIONS = 8
PER_RUN = int(os.environ.get("EGOV_BENCH_IPN_PAYMENTS", "9000"))  # more than a run can use up
REPLAY_EVERY = 10
GATEWAY = {"EGOV_VNPAY_TMN_CODE": "BENCH001", "EGOV_VNPAY_HASH_SECRET": "BENCHSECRETBENCHSECRETBENCHSECRE",
           "EGOV_VNPAY_URL": "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"}

LUA = """
local paths = {}
for line in io.lines("%(file)s") do paths[#paths + 1] = line end
local next_id = 0
function setup(thread) thread:set("id", next_id); next_id = next_id + 1 end
function init(args) i = id end
function request()
  local p = paths[(i %% #paths) + 1]
  i = i + %(threads)d
  return wrk.format("GET", p)
end
"""


def prepare(runs: int, per_run: int) -> list[list[str]]:
    """`runs` lists of signed IPN addresses, each over its own pending payments."""
    from django.conf import settings
    from django.utils import timezone

    from egov.dossiers.models import Dossier
    from egov.payments import vnpay
    from egov.payments.models import Payment
    from egov.payments.providers import IPN_PATH
    from tests.payments.factories import make_payable_dossier

    template = make_payable_dossier()
    total = runs * per_run
    clones = []
    for i in range(total):
        clone = copy.copy(Dossier.objects.get(pk=template.pk) if i == 0 else clones[0])
        clone.pk = clone.id = None
        clone.ref, clone.code = uuid.uuid4(), f"BENCH-{i:07d}"
        clones.append(clone)
    Dossier.objects.bulk_create(clones, batch_size=1000)
    ids = list(Dossier.objects.filter(code__startswith="BENCH-").order_by("code").values_list("pk", flat=True))
    now = timezone.now()
    payments = [Payment(dossier_id=pk, agency_id=template.agency_id, procedure_id=template.procedure_id,
                        amount=18_000, provider="vnpay", txn_ref=f"BN{n:010d}", order_info=f"Thanh toan ho so {n}",
                        expires_at=now + dt.timedelta(days=1)) for n, pk in enumerate(ids)]
    Payment.objects.bulk_create(payments, batch_size=1000)
    paid_at = vnpay.vn_time(now)
    lists = []
    for run in range(runs):
        paths = []
        for n in range(run * per_run, (run + 1) * per_run):
            params = {"vnp_Amount": "1800000", "vnp_BankCode": "NCB", "vnp_CardType": "ATM",
                      "vnp_OrderInfo": f"Thanh toan ho so {n}", "vnp_PayDate": paid_at, "vnp_ResponseCode": "00",
                      "vnp_TmnCode": settings.VNPAY_TMN_CODE, "vnp_TransactionNo": str(14_000_000 + n),
                      "vnp_TransactionStatus": "00", "vnp_TxnRef": f"BN{n:010d}"}
            params["vnp_SecureHash"] = vnpay.sign(params, settings.VNPAY_HASH_SECRET)
            paths.append(IPN_PATH + "?" + urllib.parse.urlencode(params))
            if len(paths) % REPLAY_EVERY == REPLAY_EVERY - 1:
                paths.append(paths[-REPLAY_EVERY // 2])  # a replay: the gateway retrying
        lists.append(paths)
    return lists


def answers() -> dict[str, int]:
    from django.db.models import Count

    from egov.payments.models import GatewayNotification

    return dict(GatewayNotification.objects.values_list("response_code").annotate(n=Count("id")))


def run(report: Report, *, database_url: str | None = None) -> None:
    database_url = database_url if database_url is not None else os.environ.get("EGOV_DATABASE_URL", "")
    with demo_site(database_url=database_url or None, demo=False) as site:
        site.env.update(GATEWAY)
        site.env["EGOV_DEMO"] = "0"
        site.django()
        from django.db import connection

        lists = prepare(RUNS, PER_RUN)
        vendor = connection.vendor
        connection.close()
        scripts = []
        for n, paths in enumerate(lists):
            listing = Path(site.data_dir) / f"ipn-{n}.txt"
            listing.write_text("\n".join(paths) + "\n")
            script = Path(site.data_dir) / f"ipn-{n}.lua"
            script.write_text(LUA % {"file": listing, "threads": 2})
            scripts.append(script)
        with serve(site, workers=2, env=GATEWAY) as server:
            pending = iter(scripts)
            result = median_runs(lambda: wrk(server, next(pending), connections=CONNECTIONS, duration=DURATION))
        codes = answers()
    engine = "PostgreSQL" if vendor == "postgresql" else "SQLite"
    log(f"{engine}: answers by RspCode {codes}")
    verdict = "meets" if result.rps >= TARGET else "misses"
    counted = ", ".join(f"{code}: {n:,}" for code, n in sorted(codes.items()))
    body = (f"`bench/payments_ipn.py`, {engine}: `GET /api/v1/payments/vnpay/ipn` through gunicorn (2 sync "
            f"workers, production settings) loaded by wrk ({CONNECTIONS} connections, {DURATION:.0f} s, median of "
            f"{RUNS} runs, each on its own {PER_RUN:,} pending payments). Each request carries VNPay's signed "
            f"parameters for a distinct pending payment (one in {REPLAY_EVERY} a replay of an earlier one): the "
            f"signature checked, the payment row read and locked, marked paid with its receipt number, the "
            f"notification logged and the change audited, in one transaction. Target ≥ {TARGET}/s: the median "
            f"{verdict} it. Answers logged over all runs by RspCode: {counted}.\n\n"
            + table(["IPN requests/s", "p50 ms", "p99 ms", "server CPU ms/request"], [result.row()]))
    report.section(TITLE, combine(report, engine, body), machine_info=False)


def combine(report: Report, engine: str, body: str, *, title: str = TITLE, intro: str = "") -> str:
    """The section with one sub-section per database, the other database's figures kept."""
    path = getattr(report, "path", REPORT)
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    section = re.search(rf"^## {re.escape(title)}[ \t]*\n(.*?)(?=^## |\Z)", current, re.MULTILINE | re.DOTALL)
    parts = {}
    if section:
        for match in re.finditer(r"^### (.+?)[ \t]*\n(.*?)(?=^### |\Z)", section.group(1), re.MULTILINE | re.DOTALL):
            parts[match.group(1)] = match.group(2).strip()
    parts[engine] = f"{body.strip()}\n\n{machine_line()}"
    intro = intro or ("Payment notifications (IPN) per second. Run `python -m bench payments_ipn` (SQLite) and "
                      "with `EGOV_DATABASE_URL` set (PostgreSQL).")
    names = [name for name in ("SQLite", "PostgreSQL") if name in parts]
    return intro + "\n\n" + "\n\n".join(f"### {name}\n\n{parts[name]}" for name in names)


def main() -> int:
    run(Report(write="--no-write" not in sys.argv))
    return 0


if __name__ == "__main__":
    sys.exit(main())
