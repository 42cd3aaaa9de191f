"""Who may send feedback now (kiểm soát người gửi): the ban list, then the sending rate.

`services.submit` asks here before anything is stored. A ban (danh sách chặn) names a phone, an
email or a client address, for good or until a date; the rate (EGOV_RATE_FEEDBACK) is counted
separately per phone, per email and per client address, so changing one of the three does not
reset the other two.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from egov.core.errors import PermissionDenied
from egov.core.ratelimit import check_rate
from egov.core.texting import normalize_phone
from egov.feedback.models import Ban

BANNED_MESSAGE = ("Số điện thoại, thư điện tử hoặc địa chỉ gửi này đang bị chặn gửi phản ánh. "
                  "Nếu cho rằng có nhầm lẫn, vui lòng liên hệ bộ phận tiếp nhận.")


def normal_phone(phone: str | None) -> str:
    """A phone as bans and rate counters key it: digits only, "+84…" written "0…", so the two
    spellings of one number are one sender."""
    digits = normalize_phone(phone or "")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) >= 11:
        digits = "0" + digits[2:]
    return digits.lstrip("+")


def normal_email(email: str | None) -> str:
    return (email or "").strip().lower()


def normal_address(address: str | None) -> str:
    """A client address in its canonical text (an IPv6 address has several spellings)."""
    text = (address or "").strip()
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return text


NORMALISERS = {Ban.Kind.PHONE: normal_phone, Ban.Kind.EMAIL: normal_email, Ban.Kind.ADDRESS: normal_address}


def normal_value(kind: str, value: str) -> str:
    """A ban's value as it is stored and compared."""
    return NORMALISERS[kind](value)


def active_bans():
    """Bans in force: without an end, or ending in the future."""
    return Ban.objects.filter(Q(until__isnull=True) | Q(until__gt=timezone.now()))


def check_sender(*, phone: str = "", email: str = "", client_ip: str | None = None) -> None:
    """Refuse a banned sender (PermissionDenied) or one past the rate (RateLimited, answered 429)."""
    keys = [(kind, normal_value(kind, value)) for kind, value in
            ((Ban.Kind.PHONE, phone), (Ban.Kind.EMAIL, email), (Ban.Kind.ADDRESS, client_ip))]
    keys = [(kind, value) for kind, value in keys if value]
    if not keys:
        return
    wanted = Q()
    for kind, value in keys:
        wanted |= Q(kind=kind, value=value)
    if active_bans().filter(wanted).exists():
        raise PermissionDenied(BANNED_MESSAGE, code="sender_banned")
    rate = settings.RATE_FEEDBACK
    if rate is None:
        return
    for kind, value in keys:
        check_rate(f"feedback.{kind}", value, limit=rate.limit, window=rate.window)
