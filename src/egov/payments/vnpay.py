"""The VNPay merchant protocol (cổng thanh toán VNPAY), version 2.1.0, as its public integration
samples implement it: the signed payment URL we send the payer to, and the signature on what the
gateway sends back (the return URL and the server-to-server notification, IPN).

Signing: HMAC-SHA512 with the terminal's hash secret over the `vnp_` parameters other than
`vnp_SecureHash` and `vnp_SecureHashType`, sorted by name, each `quote_plus(name)=quote_plus(value)`
(spaces as `+`, as the samples' `urllib.parse.quote_plus` gives), joined with `&`; hex digest.
The gateway signs its answers the same way, so one function checks both directions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from urllib.parse import quote_plus
from zoneinfo import ZoneInfo

VERSION = "2.1.0"
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
TIME_FORMAT = "%Y%m%d%H%M%S"
UNSIGNED = frozenset({"vnp_SecureHash", "vnp_SecureHashType"})

# vnp_ResponseCode of a payment (bảng mã lỗi of the samples), worded for the payer.
RESPONSE_MESSAGES = {
    "00": "Giao dịch thành công.",
    "07": "Trừ tiền thành công, giao dịch bị nghi ngờ (liên quan tới lừa đảo, giao dịch bất thường).",
    "09": "Thẻ/tài khoản chưa đăng ký dịch vụ Internet Banking tại ngân hàng.",
    "10": "Xác thực thông tin thẻ/tài khoản không đúng quá 3 lần.",
    "11": "Đã hết hạn chờ thanh toán. Xin vui lòng thực hiện lại giao dịch.",
    "12": "Thẻ/tài khoản bị khóa.",
    "13": "Nhập sai mật khẩu xác thực giao dịch (OTP).",
    "24": "Khách hàng hủy giao dịch.",
    "51": "Tài khoản không đủ số dư để thực hiện giao dịch.",
    "65": "Tài khoản đã vượt quá hạn mức giao dịch trong ngày.",
    "75": "Ngân hàng thanh toán đang bảo trì.",
    "79": "Nhập sai mật khẩu thanh toán quá số lần quy định.",
    "99": "Lỗi khác.",
}


def signed_fields(params: dict) -> list[tuple[str, str]]:
    """The parameters the signature covers, sorted by name."""
    return sorted((str(k), str(v)) for k, v in params.items() if str(k).startswith("vnp_") and k not in UNSIGNED)


def encode(fields: list[tuple[str, str]]) -> str:
    return "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in fields)


def sign(params: dict, secret: str) -> str:
    """The vnp_SecureHash of `params` (see the module docstring)."""
    data = encode(signed_fields(params)).encode("utf-8")
    return hmac.new(secret.encode("utf-8"), data, hashlib.sha512).hexdigest()


def pay_url(base: str, params: dict, secret: str) -> str:
    """The payment page address: `base`, the signed parameters, and their vnp_SecureHash last."""
    fields = signed_fields(params)
    query = encode(fields)
    digest = hmac.new(secret.encode("utf-8"), query.encode("utf-8"), hashlib.sha512).hexdigest()
    return f"{base}?{query}&vnp_SecureHash={digest}"


def verify(params: dict, secret: str) -> bool:
    """Whether `params` carry a vnp_SecureHash made with `secret` (constant-time; none → False)."""
    given = params.get("vnp_SecureHash")
    if not isinstance(given, str) or not given or not secret:
        return False
    # The gateway writes the hex digest in either case.
    return hmac.compare_digest(sign(params, secret), given.strip().lower())


def vn_time(instant: dt.datetime) -> str:
    """`instant` as the protocol writes times (yyyyMMddHHmmss), in Vietnam's time."""
    return instant.astimezone(VIETNAM).strftime(TIME_FORMAT)


def parse_vn_time(text: str) -> dt.datetime:
    """A protocol time (yyyyMMddHHmmss, Vietnam time) as an aware datetime; ValueError if malformed."""
    if len(text) != 14 or not text.isdigit():
        raise ValueError(f"not a VNPay time: {text!r}")
    return dt.datetime.strptime(text, TIME_FORMAT).replace(tzinfo=VIETNAM)
