"""Sign-in lockout (khóa đăng nhập khi nhập sai nhiều lần), shared by every door.

The authentication backend (`egov.org.auth.LoginBackend`) asks `check` before it looks at a
password and reports `failed` after, so every door that calls Django's `authenticate` — the
login page, the admin login, any future API login — counts the same failures and refuses the
same locks; a whole sign-in (the `user_logged_in` signal) forgets the address's failures. Counts live in the database (LoginFailure), so every
server process agrees; the cache-based rate limits are a courtesy on top, not this.

Three limits, each over a sliding window:
- one address, any names: `LOGIN_ADDRESS_MAX_FAILURES` failures within `LOGIN_LOCKOUT_SECONDS`
  and that address is refused (429) until the oldest of them ages out: spraying is slow;
- one account from one address: `LOGIN_MAX_FAILURES` failures lock that address out of that
  account for `LOGIN_LOCKOUT_SECONDS`; the owner elsewhere can still sign in;
- one account from many addresses (a flood): failures from `LOGIN_FLOOD_ADDRESSES` different
  addresses within `LOGIN_FLOOD_SECONDS` lock the account for everyone for that long.
A refused attempt never reaches the password and is not counted, so one address adds at most
`LOGIN_MAX_FAILURES` failures to an account per window. The owner is told once per lock.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import math

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from egov.core.audit import record
from egov.core.client import client_address
from egov.core.errors import DomainError
from egov.core.tasks import queue
from egov.org.models import LoginFailure, LoginLock, User


class SignInRefused(DomainError):
    """Sign-in refused before the password is looked at; `retry_after` in seconds."""

    status = 429

    def __init__(self, message: str, *, retry_after: int, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = max(1, retry_after)


class SignInThrottled(SignInRefused):
    code = "signin_throttled"


class AccountLocked(SignInRefused):
    code = "account_locked"


def account_key(user: User | None, identifier: str) -> str:
    """What failures are counted on: the account itself, or the typed name when it is nobody's."""
    if user is not None:
        return f"user:{user.pk}"
    return "name:" + (identifier or "").strip().lower()[:150]


def address_key(address: str) -> str:
    """One IPv6 subscriber holds a whole /64: counting single addresses would give them 2^64 tries."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if parsed.version == 6:
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def _minutes(seconds: float) -> int:
    return max(1, math.ceil(seconds / 60))


def check(account: str, address: str) -> None:
    """Raise SignInThrottled or AccountLocked when this attempt may not even try a password."""
    now = timezone.now()
    ip = address_key(address)
    window = dt.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    from_address = LoginFailure.objects.filter(ip=ip, at__gt=now - window)
    limit = settings.LOGIN_ADDRESS_MAX_FAILURES
    if limit and from_address.count() >= limit:
        # The address may try again when the limit-th most recent failure leaves the window.
        oldest_counted = from_address.order_by("-at").values_list("at", flat=True)[limit - 1]
        wait = (oldest_counted + window - now).total_seconds()
        raise SignInThrottled(
            f"Có quá nhiều lần đăng nhập sai từ địa chỉ của bạn. Vui lòng thử lại sau {_minutes(wait)} phút.",
            retry_after=math.ceil(wait))
    lock = (LoginLock.objects.filter(account=account, ip__in=[ip, LoginLock.EVERY_ADDRESS], until__gt=now)
            .order_by("-until").first())
    if lock is not None:
        wait = (lock.until - now).total_seconds()
        raise AccountLocked(
            f"Tài khoản tạm bị khóa do đăng nhập sai nhiều lần. Vui lòng thử lại sau {_minutes(wait)} phút.",
            retry_after=math.ceil(wait))


def failed(*, account: str, address: str, user: User | None) -> None:
    """Count a wrong password (or an unknown name) and lock what has now had too many."""
    now = timezone.now()
    ip = address_key(address)
    window = dt.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    flood_window = dt.timedelta(seconds=settings.LOGIN_FLOOD_SECONDS)
    # Rows past every window count for nothing: forget them (an index range on `at`).
    LoginFailure.objects.filter(at__lt=now - max(window, flood_window)).delete()
    LoginLock.objects.filter(until__lt=now).delete()
    with transaction.atomic():
        LoginFailure.objects.create(account=account, ip=ip, at=now)
        mine = LoginFailure.objects.filter(account=account, ip=ip, at__gt=now - window).count()
        if mine >= settings.LOGIN_MAX_FAILURES:
            _lock(account=account, ip=ip, user=user, failures=mine, at=now, until=now + window)
        flood = settings.LOGIN_FLOOD_ADDRESSES
        if flood:
            addresses = (LoginFailure.objects.filter(account=account, at__gt=now - flood_window)
                         .values("ip").distinct().count())
            if addresses >= flood:
                _lock(account=account, ip=LoginLock.EVERY_ADDRESS, user=user, failures=addresses,
                      at=now, until=now + flood_window)


def on_signed_in(sender, request, user, **kwargs) -> None:
    """`user_logged_in`: a whole sign-in (password and any second factor) from this address
    forgives its earlier slips. Not the password alone: someone who knows it could then guess
    codes forever. Failures from other addresses stay, since they may be someone else's."""
    address = client_address(request) if request is not None else ""
    LoginFailure.objects.filter(account=account_key(user, ""), ip=address_key(address)).delete()


def _lock(*, account: str, ip: str, user: User | None, failures: int, at: dt.datetime,
          until: dt.datetime) -> None:
    """Lock once: a second process failing at the same moment finds the row and does nothing, so
    the owner hears of each lock once, not of each failure."""
    try:
        with transaction.atomic():
            lock = LoginLock.objects.create(account=account, ip=ip, user=user, failures=failures,
                                            created_at=at, until=until)
    except IntegrityError:
        return
    if user is None:
        return  # a name that is nobody's: no one to tell, nothing to audit
    everywhere = ip == LoginLock.EVERY_ADDRESS
    record(None, "account.locked", user, agency=getattr(getattr(user, "official", None), "agency", None),
           summary={"scope": "account" if everywhere else "address", "failures": failures,
                    "until": until.isoformat()})
    from egov.org.tasks import notify_locked

    queue(notify_locked, lock_id=lock.pk)
