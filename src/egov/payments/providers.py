"""Payment gateways (cổng thanh toán) behind one interface: where to send the payer, and what a
gateway's signed answer says.

- `VNPayProvider`: the VNPay merchant protocol (`vnpay.py`), configured by EGOV_VNPAY_TMN_CODE,
  EGOV_VNPAY_HASH_SECRET and EGOV_VNPAY_URL.
- In demo mode with nothing configured, the same client pointed at egov's own sandbox pages
  (terminal "EGOVDEMO", a secret derived from SECRET_KEY), so the whole flow runs on a laptop.
- `NationalPlatformProvider`: the national public-service portal's payment platform, documented
  here, not connected.
"""

from __future__ import annotations

import abc
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from egov.core.errors import DomainError
from egov.payments import vnpay

SANDBOX_TMN_CODE = "EGOVDEMO"
# Where the sandbox pages live if their route is not installed (yet): the same path they take.
SANDBOX_PATH = "/thanh-toan/sandbox/"
IPN_PATH = "/api/v1/payments/vnpay/ipn"


class PaymentUnavailable(DomainError):
    """No gateway can take the payment now (none configured, or one not connected)."""

    code = "payment_unavailable"
    status = 503

    def __init__(self, message: str = "Chức năng thanh toán trực tuyến chưa được cấu hình. "
                                      "Vui lòng nộp phí tại Bộ phận Một cửa.", **kwargs):
        super().__init__(message, **kwargs)


@dataclass(frozen=True)
class Notice:
    """What a gateway's signed answer (IPN or return) says about one order."""

    txn_ref: str
    amount: int  # whole đồng
    response_code: str
    transaction_status: str
    gateway_txn_no: str = ""
    bank_code: str = ""
    paid_at: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.response_code == "00" and self.transaction_status == "00"


class Provider(abc.ABC):
    """A payment gateway."""

    name: str = ""

    @abc.abstractmethod
    def pay_url(self, payment, *, return_url: str, client_ip: str) -> str:
        """The address of the gateway's payment page for `payment`."""

    @abc.abstractmethod
    def notice(self, params: dict) -> Notice | None:
        """The gateway's answer in `params`, or None when its signature does not verify.
        Raises ValueError when signed but malformed."""


class VNPayProvider(Provider):
    """VNPay (cổng thanh toán VNPAY), merchant protocol 2.1.0."""

    ORDER_TYPE = "other"

    def __init__(self, *, url: str, tmn_code: str, secret: str, name: str = "vnpay"):
        self.url, self.tmn_code, self.secret, self.name = url, tmn_code, secret, name

    def params(self, payment, *, return_url: str, client_ip: str) -> dict:
        """The unsigned vnp_ parameters of the payment request."""
        return {
            "vnp_Version": vnpay.VERSION,
            "vnp_Command": "pay",
            "vnp_TmnCode": self.tmn_code,
            "vnp_Amount": str(payment.amount * 100),  # the protocol counts hundredths of a đồng
            "vnp_CurrCode": "VND",
            "vnp_TxnRef": payment.txn_ref,
            "vnp_OrderInfo": payment.order_info,
            "vnp_OrderType": self.ORDER_TYPE,
            "vnp_Locale": "vn",
            "vnp_ReturnUrl": return_url,
            "vnp_IpAddr": client_ip or "127.0.0.1",
            "vnp_CreateDate": vnpay.vn_time(payment.created_at),
            "vnp_ExpireDate": vnpay.vn_time(payment.expires_at),
        }

    def pay_url(self, payment, *, return_url: str, client_ip: str) -> str:
        return vnpay.pay_url(self.url, self.params(payment, return_url=return_url, client_ip=client_ip), self.secret)

    def notice(self, params: dict) -> Notice | None:
        if not vnpay.verify(params, self.secret):
            return None
        amount = str(params.get("vnp_Amount", ""))
        if not amount.isdigit() or int(amount) % 100:
            raise ValueError(f"vnp_Amount {amount!r} is not whole đồng")
        pay_date = str(params.get("vnp_PayDate", ""))
        return Notice(
            txn_ref=str(params.get("vnp_TxnRef", ""))[:40],
            amount=int(amount) // 100,
            response_code=str(params.get("vnp_ResponseCode", ""))[:4],
            transaction_status=str(params.get("vnp_TransactionStatus", ""))[:4],
            gateway_txn_no=str(params.get("vnp_TransactionNo", ""))[:40],
            bank_code=str(params.get("vnp_BankCode", ""))[:20],
            paid_at=vnpay.parse_vn_time(pay_date) if pay_date else None,
        )


class NationalPlatformProvider(Provider):
    """The payment platform of the National Public Service Portal (Nền tảng thanh toán trực tuyến
    của Cổng Dịch vụ công quốc gia). It would take the same place as VNPay: the portal's payment
    page for `pay_url`, its signed result for `notice`, the agency's account registered with the
    portal. Connecting it needs the portal's onboarding (credentials, certificates), so it is not
    connected here and refuses politely."""

    name = "dvcqg"

    def pay_url(self, payment, *, return_url: str, client_ip: str) -> str:
        raise PaymentUnavailable("Nền tảng thanh toán của Cổng Dịch vụ công quốc gia chưa kết nối.")

    def notice(self, params: dict) -> Notice | None:
        raise PaymentUnavailable("Nền tảng thanh toán của Cổng Dịch vụ công quốc gia chưa kết nối.")


def sandbox_secret() -> str:
    """The demo sandbox's hash secret: derived from SECRET_KEY, so every process (web, worker) agrees."""
    return hmac.new(settings.SECRET_KEY.encode(), b"egov.payments.sandbox", hashlib.sha256).hexdigest()[:32].upper()


def sandbox_url() -> str:
    try:
        path = reverse("payment-sandbox")
    except NoReverseMatch:
        path = SANDBOX_PATH
    return settings.SITE_URL + path


def sandbox_provider() -> VNPayProvider:
    return VNPayProvider(url=sandbox_url(), tmn_code=SANDBOX_TMN_CODE, secret=sandbox_secret(), name="sandbox")


def configured() -> bool:
    return bool(settings.VNPAY_TMN_CODE and settings.VNPAY_HASH_SECRET and settings.VNPAY_URL)


def get_provider() -> Provider:
    """The gateway in use: VNPay when configured; in demo mode without it, the sandbox."""
    if configured():
        return VNPayProvider(url=settings.VNPAY_URL, tmn_code=settings.VNPAY_TMN_CODE,
                             secret=settings.VNPAY_HASH_SECRET)
    if settings.DEMO_MODE:
        return sandbox_provider()
    raise PaymentUnavailable()


def ipn_url() -> str:
    """Our IPN address, to register with the gateway (and where the sandbox calls)."""
    return settings.SITE_URL + IPN_PATH
