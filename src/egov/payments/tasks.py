"""Background work of payments: the expiry sweep, and the sandbox gateway's server-to-server
notification (IPN), sent over HTTP like the real gateway's."""

from __future__ import annotations

import json
import secrets
from urllib.parse import urlencode

from django.utils import timezone
from django_tasks import task

SANDBOX_IPN_ATTEMPTS = 8
SANDBOX_IPN_TIMEOUT = 10  # seconds
# The sandbox's results: what the payer chose on its page, as the gateway codes it
# (vnp_ResponseCode, vnp_TransactionStatus).
SANDBOX_RESULTS = {"success": ("00", "00"), "failed": ("51", "02"), "cancelled": ("24", "02")}


def sweep_due() -> None:
    """Every minute (core.tasks.sweep): pending payments past their time expire."""
    from egov.payments.services import expire_due

    expire_due()


def sandbox_result_params(txn_ref: str, result: str, *, bank_code: str = "NCB", transaction_no: str = "",
                          pay_date: str = "") -> dict:
    """The signed vnp_ parameters the sandbox gateway sends back for order `txn_ref` (to the return
    address and the IPN alike, as VNPay does): `result` is "success", "failed" or "cancelled"."""
    from egov.payments import providers, vnpay
    from egov.payments.models import Payment

    payment = Payment.objects.get(txn_ref=txn_ref)
    response_code, status = SANDBOX_RESULTS.get(result, SANDBOX_RESULTS["failed"])
    params = {
        "vnp_Amount": str(payment.amount * 100),
        "vnp_BankCode": bank_code,
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": payment.order_info,
        "vnp_PayDate": pay_date or vnpay.vn_time(timezone.now()),
        "vnp_ResponseCode": response_code,
        "vnp_TmnCode": providers.SANDBOX_TMN_CODE,
        "vnp_TransactionNo": transaction_no or str(10_000_000 + secrets.randbelow(90_000_000)),
        "vnp_TransactionStatus": status,
        "vnp_TxnRef": payment.txn_ref,
    }
    if response_code == "00":
        params["vnp_BankTranNo"] = f"VNP{params['vnp_TransactionNo']}"
    params["vnp_SecureHash"] = vnpay.sign(params, providers.sandbox_secret())
    return params


@task()
def send_sandbox_ipn(txn_ref: str, result: str, *, bank_code: str = "NCB", transaction_no: str = "",
                     pay_date: str = "", attempt: int = 1, params: dict | None = None) -> str:
    """The sandbox gateway calls our IPN address (GET with the signed vnp_ parameters) as VNPay's
    servers do, and retries with backoff while it gets no definite answer. Returns the RspCode."""
    from egov.core import outcalls
    from egov.payments import providers

    if params is None:
        params = sandbox_result_params(txn_ref, result, bank_code=bank_code, transaction_no=transaction_no,
                                       pay_date=pay_date)
    reply = outcalls.get(f"{providers.ipn_url()}?{urlencode(params)}", {"Accept": "application/json"},
                         timeout=SANDBOX_IPN_TIMEOUT)
    code = ""
    if reply.status == 200:
        try:
            code = str(json.loads(reply.head.decode("utf-8")).get("RspCode", ""))
        except (ValueError, AttributeError):
            code = ""
    # Like the gateway: a clear answer ends it; silence, an error page or "99" is tried again.
    if code and code != "99":
        return code
    if attempt < SANDBOX_IPN_ATTEMPTS:
        _later(timezone.now() + outcalls.backoff(attempt, base=10, cap=600),
               txn_ref=txn_ref, result=result, attempt=attempt + 1, params=params)
    return code or "no-answer"


def _later(run_after, **kwargs) -> None:
    # A queue that cannot run tasks later (the tests' immediate one) gets no retry.
    if send_sandbox_ipn.get_backend().supports_defer:
        send_sandbox_ipn.using(run_after=run_after).enqueue(**kwargs)
