"""Account recovery and two-factor sign-in (khôi phục mật khẩu, xác thực hai bước): the writes.

Every function here answers the same way whether or not an account exists, where a stranger
could call it; the owner learns the rest by email or SMS.
"""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from egov.core.audit import record
from egov.core.errors import ValidationError
from egov.core.tasks import queue
from egov.org import tasks, totp
from egov.org.models import RecoveryCode, TwoFactorDevice, User
from egov.org.roles import Role


class ActivationTokenGenerator(PasswordResetTokenGenerator):
    """Links that activate a new account; no longer valid once it is active."""

    key_salt = "egov.org.accounts.ActivationTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        return f"{user.pk}{user.password}{user.is_active}{timestamp}"


activation_tokens = ActivationTokenGenerator()
reset_tokens = default_token_generator


# -- registration --------------------------------------------------------------------------

def request_registration(*, kind: str, full_name: str, password: str, email: str = "",
                         phone: str | None = None, identity_number: str = "", address: str = "",
                         organization_name: str = "") -> None:
    """Sign up from the public form (đăng ký): an inactive account and an activation link.

    When the email or phone already belongs to an account nothing is created and its owner is
    told someone tried; the caller shows the same page either way, so the form reveals nothing.
    """
    from egov.org.services import register_citizen

    taken_email = bool(email) and User.objects.filter(email__iexact=email).exists()
    taken_phone = bool(phone) and User.objects.filter(phone=phone).exists()
    if not taken_email and not taken_phone:
        try:
            with transaction.atomic():
                user = register_citizen(kind=kind, full_name=full_name, password=password, email=email,
                                        phone=phone, identity_number=identity_number, address=address,
                                        organization_name=organization_name, active=False)
                queue(tasks.send_activation, user_id=user.pk)
            return
        except (IntegrityError, ValidationError):
            # Taken in the meantime (a concurrent sign-up, or a username equal to the address).
            taken_email = bool(email)
            taken_phone = not email
    User().set_password(password)  # the work a new account costs: no timing difference
    with transaction.atomic():
        record(None, "account.registration_refused", summary={"email_taken": taken_email,
                                                               "phone_taken": taken_phone})
        queue(tasks.send_registration_notice, email=email if taken_email else "",
              phone=phone if taken_phone and not taken_email else "")


def activate_account(*, user: User, token: str, password: str) -> User:
    """Activate a signed-up account from its link; the password proves the link's reader signed up."""
    if user.is_active or not activation_tokens.check_token(user, token):  # checked again: a race
        raise ValidationError("Liên kết kích hoạt không còn hiệu lực.")
    if not user.check_password(password):
        raise ValidationError("Mật khẩu không đúng với mật khẩu đã đăng ký.")
    with transaction.atomic():
        user.is_active = True
        user.save(update_fields=["is_active"])
        record(user, "account.activated", user)
    return user


# -- password reset ------------------------------------------------------------------------

def _resettable_accounts():
    # Pending sign-ups may reset too: finishing a reset proves the address and activates them.
    # An account an administrator switched off stays off.
    return User.objects.filter(Q(is_active=True) | Q(last_login__isnull=True) & ~Q(kind=User.Kind.OFFICIAL))


def request_password_reset(*, email: str) -> None:
    """Email a one-time reset link to the account with this address, if there is one.

    The look-up happens in the worker: the request does the same work for every address, so not
    even its timing tells whether one is registered.
    """
    email = (email or "").strip()
    if email:
        with transaction.atomic():
            queue(tasks.send_password_reset, email=email)


def resettable_account(email: str) -> User | None:
    return _resettable_accounts().filter(email__iexact=email).first()


def link_user(uidb64: str, token: str, *, purpose: str) -> User | None:
    """The account a reset ("reset") or activation ("activate") link names, while it is valid."""
    from django.utils.http import urlsafe_base64_decode

    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, TypeError, UnicodeDecodeError):
        return None
    if purpose == "activate":
        user = User.objects.filter(pk=pk, is_active=False).first()
        return user if user is not None and activation_tokens.check_token(user, token) else None
    user = _resettable_accounts().filter(pk=pk).first()
    return user if user is not None and reset_tokens.check_token(user, token) else None


def reset_password(*, user: User, password: str) -> User:
    """Set a new password from a reset link. The old password hash is gone, so the link, every
    other reset link and every session of the account (their auth hash) stop working."""
    password_validation.validate_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.is_active = True
        user.must_change_password = False  # the new password is the owner's own
        user.save(update_fields=["password", "is_active", "must_change_password"])
        record(user, "account.password_reset", user)
    return user


def change_password(*, user: User, old_password: str, new_password: str) -> User:
    """A signed-in account sets a new password of its own (đổi mật khẩu), proving the old one.
    Other sessions of the account end (their auth hash); the caller keeps the current one."""
    if not user.check_password(old_password):
        raise ValidationError("Mật khẩu hiện tại không đúng.")
    if old_password == new_password:
        raise ValidationError("Mật khẩu mới phải khác mật khẩu hiện tại.")
    password_validation.validate_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
        record(user, "account.password_changed", user)
    return user


# -- two-factor sign-in --------------------------------------------------------------------

def two_factor_required(user: User) -> bool:
    """Administrators must use a second factor when EGOV_REQUIRE_2FA_ADMINS is on."""
    from django.conf import settings

    return settings.REQUIRE_2FA_ADMINS and bool(
        user.role_codes() & {Role.SYSTEM_ADMIN, Role.AGENCY_ADMIN} or user.is_superuser)


def has_two_factor(user: User) -> bool:
    return TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def pending_secret(*, user: User) -> str:
    """The secret of the device being enrolled (a new one the first time): shown until confirmed."""
    with transaction.atomic():
        device = TwoFactorDevice.objects.select_for_update().filter(user=user).first()
        if device is not None and device.confirmed_at is not None:
            raise ValidationError("Tài khoản đã bật xác thực hai bước.")
        if device is None:
            device = TwoFactorDevice.objects.create(user=user, secret_encrypted=totp.encrypt_secret(totp.new_secret()))
    return totp.decrypt_secret(device.secret_encrypted)


def confirm_two_factor(*, user: User, code: str) -> list[str]:
    """Turn the enrolled device on with one code from the app; return the recovery codes (once)."""
    with transaction.atomic():
        device = TwoFactorDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=True).first()
        if device is None:
            raise ValidationError("Không có thiết bị nào đang chờ xác nhận. Vui lòng tải lại trang.")
        step = totp.matching_step(totp.decrypt_secret(device.secret_encrypted), code)
        if step is None:
            raise ValidationError("Mã xác thực không đúng. Kiểm tra giờ trên điện thoại và nhập mã mới.")
        device.confirmed_at, device.last_step = timezone.now(), step
        device.save(update_fields=["confirmed_at", "last_step"])
        codes = totp.new_recovery_codes()
        RecoveryCode.objects.filter(user=user).delete()
        RecoveryCode.objects.bulk_create([RecoveryCode(user=user, code_hash=totp.hash_recovery_code(c)) for c in codes])
        record(user, "account.2fa_enabled", user)
    return codes


def check_second_factor(*, user: User, code: str) -> bool:
    """Accept a TOTP code (each at most once) or an unused recovery code (then spent)."""
    with transaction.atomic():
        device = TwoFactorDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
        if device is None:
            return False
        step = totp.matching_step(totp.decrypt_secret(device.secret_encrypted), code)
        if step is not None:
            if step <= device.last_step:  # replayed, or an older code after a newer one
                return False
            device.last_step = step
            device.save(update_fields=["last_step"])
            return True
        spent = RecoveryCode.objects.filter(user=user, code_hash=totp.hash_recovery_code(code),
                                            used_at__isnull=True).update(used_at=timezone.now())
        if spent:
            left = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
            record(user, "account.recovery_code_used", user, summary={"left": left})
        return bool(spent)


def disable_two_factor(*, user: User, code: str) -> None:
    """Turn two-factor sign-in off, with a current code; not for those who must use it."""
    if two_factor_required(user):
        raise ValidationError("Quản trị viên bắt buộc dùng xác thực hai bước, không thể tắt.")
    if not check_second_factor(user=user, code=code):
        raise ValidationError("Mã xác thực không đúng.")
    with transaction.atomic():
        TwoFactorDevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
        record(user, "account.2fa_disabled", user)


def update_profile(*, user: User, phone: str, address: str, organization_name: str = "") -> User:
    """A citizen or business edits their contact details (thông tin tài khoản). The name, ID number
    and e-mail stay as registered: dossiers and sign-in rely on them. The phone is where dossier
    SMS go, so it stays unique among accounts."""
    if user.is_official:
        raise ValidationError("Thông tin cán bộ do quản trị viên cập nhật.")
    phone = (phone or "").strip() or None
    if not phone and not user.email:
        raise ValidationError("Cần giữ số điện thoại: tài khoản không có thư điện tử để đăng nhập.", code="phone")
    if phone and User.objects.filter(phone=phone).exclude(pk=user.pk).exists():
        raise ValidationError("Số điện thoại này đã được dùng cho tài khoản khác.", code="phone_taken")
    before = {"phone": user.phone, "address": user.address, "organization_name": user.organization_name}
    user.phone, user.address = phone, address.strip()[:255]
    if user.kind == User.Kind.BUSINESS and organization_name.strip():
        user.organization_name = organization_name.strip()[:255]
    after = {"phone": user.phone, "address": user.address, "organization_name": user.organization_name}
    with transaction.atomic():
        user.save(update_fields=["phone", "address", "organization_name"])
        record(user, "account.profile_updated", user,
               summary={k: after[k] for k in after if after[k] != before[k]})
    return user
