"""The sandbox gateway (cổng thanh toán thử nghiệm): egov's own imitation of VNPay's payment page,
served in demo mode only, so the whole flow of a level-4 payment runs on a laptop.

It behaves as the real gateway does towards egov: it refuses an address whose vnp_SecureHash does
not verify, lets the payer pick a bank and pay, cancel or fail, sends the server-to-server
notification (IPN) to egov's IPN address through the worker, and sends the browser back to
vnp_ReturnUrl with the signed vnp_ answer. It never touches a payment itself: only that
notification, handled by `services.handle_ipn` like VNPay's, changes the payment.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from egov.core.tasks import queue
from egov.payments import providers, tasks, vnpay
from egov.payments.models import Payment
from egov.payments.views_pay import go_to

# The banks of the sandbox's page (code as vnp_BankCode carries it, name shown).
BANKS = [
    ("NCB", "Ngân hàng Quốc Dân (NCB)"),
    ("VIETCOMBANK", "Vietcombank"),
    ("VIETINBANK", "VietinBank"),
    ("BIDV", "BIDV"),
    ("AGRIBANK", "Agribank"),
    ("TECHCOMBANK", "Techcombank"),
    ("MBBANK", "MB Bank"),
    ("ACB", "ACB"),
    ("TPBANK", "TPBank"),
    ("VPBANK", "VPBank"),
    ("SACOMBANK", "Sacombank"),
    ("VNPAYQR", "Ví VNPAY / QR"),
]
BANK_CODES = {code for code, _ in BANKS}
# What the payer may do on the page: the buttons' values and the result the gateway reports.
ACTIONS = {"pay": "success", "cancel": "cancelled", "fail": "failed"}
REQUIRED = ("vnp_TmnCode", "vnp_Amount", "vnp_TxnRef", "vnp_ReturnUrl", "vnp_OrderInfo")


def _refuse(request, title: str, message: str, *, code: str, status: int = 400):
    return render(request, "payments/sandbox/error.html",
                  {"title": title, "message": message, "code": code}, status=status)


@require_http_methods(["GET", "POST"])
def sandbox(request):
    """GET: the payment page for the signed order in the query string. POST: the payer's choice."""
    if not settings.DEMO_MODE:
        raise Http404
    params = {k: v for k, v in request.GET.items() if k.startswith("vnp_")}
    if not vnpay.verify(params, providers.sandbox_secret()) or any(not params.get(k) for k in REQUIRED):
        return _refuse(request, "Sai chữ ký", "Địa chỉ thanh toán không hợp lệ: chữ ký (vnp_SecureHash) không "
                       "đúng hoặc thiếu thông tin. Giao dịch không được thực hiện.", code="97")
    if params["vnp_TmnCode"] != providers.SANDBOX_TMN_CODE:
        return _refuse(request, "Website không tồn tại", "Mã website (vnp_TmnCode) chưa được đăng ký với cổng "
                       "thanh toán thử nghiệm.", code="02")
    payment = Payment.objects.filter(txn_ref=params["vnp_TxnRef"], method=Payment.Method.ONLINE).first()
    amount = params["vnp_Amount"]
    if payment is None or not amount.isdigit() or int(amount) != payment.amount * 100:
        return _refuse(request, "Không tìm thấy giao dịch", "Giao dịch không tồn tại hoặc số tiền không khớp.",
                       code="01", status=404)
    expire = params.get("vnp_ExpireDate", "")
    try:
        expired = bool(expire) and vnpay.parse_vn_time(expire) < timezone.now()
    except ValueError:
        expired = True
    if expired or payment.status == Payment.Status.EXPIRED:
        return _refuse(request, "Giao dịch đã hết hạn", vnpay.RESPONSE_MESSAGES["11"], code="11")
    if payment.status != Payment.Status.PENDING:
        return _refuse(request, "Giao dịch đã được xử lý", "Đơn hàng này đã được thanh toán hoặc không còn chờ "
                       "thanh toán.", code="02", status=409)

    if request.method == "POST":
        result = ACTIONS.get(request.POST.get("action", ""))
        bank = request.POST.get("bank", "")
        if result is not None and (result != "success" or bank in BANK_CODES):
            return _answer(request, payment, params, result, bank or "NCB")

    return render(request, "payments/sandbox/pay.html", {
        "payment": payment, "amount": int(amount) // 100, "order_info": params["vnp_OrderInfo"],
        "txn_ref": params["vnp_TxnRef"], "banks": BANKS, "selected": request.POST.get("bank", ""),
        "must_pick": request.method == "POST" and request.POST.get("action") == "pay", "merchant": payment.agency.name,
        "expires_at": vnpay.parse_vn_time(expire) if expire else None,
    })


def _answer(request, payment: Payment, params: dict, result: str, bank: str):
    """What VNPay does once the payer decided: the IPN to the merchant's server (through the worker,
    on its own, as the real gateway calls it) and the browser sent back with the same signed answer."""
    transaction_no = str(10_000_000 + secrets.randbelow(90_000_000))
    pay_date = vnpay.vn_time(timezone.now())
    answer = tasks.sandbox_result_params(payment.txn_ref, result, bank_code=bank, transaction_no=transaction_no,
                                         pay_date=pay_date)
    queue(tasks.send_sandbox_ipn, txn_ref=payment.txn_ref, result=result, params=answer)
    return_url = params["vnp_ReturnUrl"]
    return go_to(request, f"{return_url}{'&' if '?' in return_url else '?'}{urlencode(answer)}",
                 title="Đang quay về trang của đơn vị")
