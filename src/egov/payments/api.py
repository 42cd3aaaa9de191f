"""Payments API (thanh toán phí, lệ phí): open an online payment of a dossier's fees, the gateway's
server-to-server notification (IPN), and a payment's state.

No `from __future__ import annotations` here: Ninja needs real annotations.
"""

import datetime as dt

from django.urls import reverse
from ninja import Router, Schema
from pydantic import Field

from egov.api.auth import AUTH
from egov.api.errors import ErrorOut
from egov.core.client import client_address
from egov.core.errors import NotFound
from egov.dossiers.models import Dossier
from egov.payments import providers, selectors, services
from egov.payments.models import Payment

router = Router(tags=["Thanh toán"])


class PaymentIn(Schema):
    dossier: str = Field(min_length=1, max_length=60, description="Mã hồ sơ cần thanh toán phí, lệ phí")


class PaymentCreatedOut(Schema):
    id: int
    amount: int = Field(description="Số tiền phải nộp (đồng)")
    txn_ref: str = Field(description="Mã giao dịch gửi cổng thanh toán (vnp_TxnRef)")
    pay_url: str = Field(description="Trang thanh toán của cổng, đã ký (vnp_SecureHash)")


class PaymentOut(Schema):
    id: int
    dossier: str
    status: str = Field(description="pending, paid, failed, expired hoặc refunded")
    status_label: str
    amount: int = Field(description="Số tiền (đồng)")
    method: str = Field(description="online, cash hoặc transfer")
    txn_ref: str
    paid_at: dt.datetime | None
    gateway_txn_no: str = Field(description="Mã giao dịch tại cổng thanh toán (vnp_TransactionNo)")
    receipt_number: str | None = Field(description="Số biên lai, khi đã thanh toán")
    created_at: dt.datetime

    @staticmethod
    def resolve_dossier(payment: Payment) -> str:
        return payment.dossier.code or ""

    @staticmethod
    def resolve_status_label(payment: Payment) -> str:
        return payment.get_status_display()


class IpnOut(Schema):
    RspCode: str = Field(description="00 đã ghi nhận, 01 không có giao dịch, 02 đã xác nhận trước đó, "
                                     "04 sai số tiền, 97 sai chữ ký, 99 lỗi khác")
    Message: str


@router.post("", response={201: PaymentCreatedOut, 503: ErrorOut}, auth=AUTH,
             summary="Tạo giao dịch thanh toán trực tuyến cho hồ sơ",
             description="Người nộp hồ sơ (phiên đăng nhập) hoặc khóa API phạm vi `payments:write` của cơ quan "
                         "giải quyết. Số tiền là các khoản phí, lệ phí của thủ tục chưa nộp (sau miễn, giảm). Một "
                         "giao dịch đang chờ thanh toán được trả lại, không tạo giao dịch mới. 422 khi hồ sơ không có "
                         "khoản phải nộp, 409 khi đã thanh toán, 503 khi chưa cấu hình cổng thanh toán.")
def create(request, payload: PaymentIn):
    dossier = Dossier.objects.select_related("agency", "procedure").filter(code=payload.dossier.strip()).first()
    if dossier is None:
        raise NotFound("Không tìm thấy hồ sơ.")
    return_url = request.build_absolute_uri(reverse("payment-return"))
    payment, pay_url = services.create_online_payment(request.auth, dossier, client_ip=client_address(request),
                                                      return_url=return_url)
    return 201, {"id": payment.pk, "amount": payment.amount, "txn_ref": payment.txn_ref, "pay_url": pay_url}


@router.get(providers.IPN_PATH.removeprefix("/api/v1/payments"), response=IpnOut, auth=None,
            summary="Thông báo kết quả thanh toán từ cổng (IPN)",
            description="Cổng thanh toán gọi máy chủ với các tham số `vnp_…` đã ký. Chỉ lời gọi này đổi trạng thái "
                        "giao dịch, đúng một lần; mọi lời gọi được ghi nhật ký. Luôn trả 200 với mã của VNPay.")
def ipn(request):
    code, message = services.handle_ipn(request.GET, client_ip=client_address(request) or None)
    return {"RspCode": code, "Message": message}


@router.get("/{payment_id}", response=PaymentOut, auth=AUTH, summary="Trạng thái giao dịch thanh toán",
            description="Người nộp của hồ sơ, cán bộ hoặc khóa API phạm vi `payments:read` của cơ quan.")
def detail(request, payment_id: int):
    return selectors.get_payment(request.auth, payment_id)


ROUTERS = [("/payments", router)]
