"""Background work for accounts: the emails and SMS of sign-up, password reset and sign-in locks.

Links are made here, in the worker, from the account's current state: no token is ever stored in
the task table.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from egov.core.texting import send_text


def _link(view: str, user, tokens) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return settings.SITE_URL + reverse(view, args=[uid, tokens.make_token(user)])


def _mail(to: str, subject: str, template: str, **context) -> None:
    context = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL,
               "minutes": settings.PASSWORD_RESET_TIMEOUT // 60, **context}
    send_mail(f"[{settings.SITE_NAME}] {subject}", render_to_string(template, context),
              settings.DEFAULT_FROM_EMAIL, [to])


@task()
def send_password_reset(email: str) -> None:
    from django.db import transaction

    from egov.core.audit import record
    from egov.org.accounts import reset_tokens, resettable_account

    user = resettable_account(email)
    if user is None:
        return
    with transaction.atomic():
        record(None, "account.password_reset_requested", user)  # anyone may ask: no actor
    _mail(user.email, "Đặt lại mật khẩu", "org/email/password_reset.txt", user=user,
          link=_link("password-reset-confirm", user, reset_tokens))


@task()
def send_activation(user_id: int) -> None:
    from egov.org.accounts import activation_tokens
    from egov.org.models import User

    user = User.objects.filter(pk=user_id, is_active=False).first()
    if user is None:
        return
    link = _link("activate", user, activation_tokens)
    if user.email:
        _mail(user.email, "Kích hoạt tài khoản", "org/email/activation.txt", user=user, link=link)
    elif user.phone:
        send_text(user.phone, f"Kich hoat tai khoan {settings.SITE_NAME}: {link} (nhap lai mat khau da dang ky)")


@task()
def send_registration_notice(email: str = "", phone: str = "") -> None:
    """Tell an account's owner that someone tried to sign up with their address or number."""
    if email:
        _mail(email, "Có người đăng ký bằng địa chỉ thư của bạn", "org/email/registration_notice.txt",
              reset_url=settings.SITE_URL + reverse("password-reset"), login_url=settings.SITE_URL + reverse("login"))
    elif phone:
        send_text(phone, f"Co nguoi vua dang ky tai khoan {settings.SITE_NAME} bang so dien thoai nay. "
                    "Neu khong phai ban, hay bo qua tin nhan nay.")


@task()
def notify_locked(lock_id: int) -> None:
    """Tell the owner that sign-in to their account was locked: by email, or by SMS when they
    gave only a phone number (sent once per lock, from egov.org.lockout)."""
    from egov.org.models import LoginLock

    lock = LoginLock.objects.select_related("user").filter(pk=lock_id).first()
    if lock is None or lock.user is None:
        return
    user = lock.user
    until = timezone.localtime(lock.until).strftime("%H:%M %d/%m/%Y")
    if user.email:
        _mail(user.email, "Tài khoản tạm bị khóa đăng nhập", "org/email/account_locked.txt", user=user, lock=lock,
              everywhere=lock.ip == LoginLock.EVERY_ADDRESS, until=until,
              reset_url=settings.SITE_URL + reverse("password-reset"))
    elif user.phone:
        send_text(user.phone, f"Tai khoan {settings.SITE_NAME} cua ban tam bi khoa dang nhap den {until} do nhap sai "
                         "mat khau nhieu lan. Neu khong phai ban, hay doi mat khau.")
